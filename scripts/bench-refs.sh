#!/usr/bin/env bash
# Benchmarks ref resolution of a 20-repository stack served over local HTTP: JGit cold and warm
# against sequential `git ls-remote`. Not a test; prints a markdown table and writes
# target/bench/ref-resolution.json.
#   scripts/bench-refs.sh [max-parallelism (default 8)] [output json]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

command -v git >/dev/null || { echo "bench-refs: needs the git CLI for its baseline" >&2; exit 1; }

args="${1:-8} ${2:-target/bench/ref-resolution.json}"
exec ./mvnw -B -q test-compile exec:java \
  -Dexec.mainClass=dev.branchyard.bench.RefResolutionBench \
  -Dexec.classpathScope=test \
  -Dexec.cleanupDaemonThreads=false \
  -Dexec.args="$args"
