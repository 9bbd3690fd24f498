#!/usr/bin/env bash
# Benchmarks the environment page of a 20-component environment: building the page model and
# rendering the application's Qute templates (target: p99 < 50 ms). Not a test; prints a markdown
# table and writes target/bench/page-render.json.
#   scripts/bench-pages.sh [output json]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

exec ./mvnw -B -q test-compile exec:java \
  -Dexec.mainClass=dev.branchyard.bench.PageRenderBench \
  -Dexec.classpathScope=test \
  -Dexec.cleanupDaemonThreads=false \
  -Dexec.args="${1:-target/bench/page-render.json}"
