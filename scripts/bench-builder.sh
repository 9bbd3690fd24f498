#!/usr/bin/env bash
# Benchmarks the image builder against a real local registry and real buildah: the skip check
# (registry HEAD latency, cached and uncached), the local backend's overhead over
# `buildah bud && buildah push` run from a shell, a 10-component environment whose images exist,
# and 50 concurrent requests for one image (the last two need the local platform). Not a test;
# prints markdown tables and writes target/bench/builder.json; exits non-zero if a part failed.
#   scripts/bench-builder.sh [--only head,overhead,environment,dedup] [--output FILE]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

for cmd in buildah docker-registry curl; do
  command -v "$cmd" >/dev/null || { echo "bench-builder: needs $cmd (scripts/prereqs.sh installs it)" >&2; exit 1; }
done

args="$*"
exec ./mvnw -B -q test-compile exec:java \
  -Dexec.mainClass=dev.branchyard.bench.BuilderBench \
  -Dexec.classpathScope=test \
  -Dexec.cleanupDaemonThreads=false \
  -Dexec.args="$args"
