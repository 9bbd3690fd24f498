#!/usr/bin/env bash
# Benchmarks the environment controller on the local platform: (deploy) a 10-component environment
# from Environment created to Ready against `kubectl apply -f` of the same manifests + `kubectl
# rollout status`, with where the controller's time went; (scale) 100 environments x 5 components
# created at once: time to all Ready, the controller's RSS and heap, and its resync after a restart.
# The controller runs in a JVM of its own. Not a test; prints markdown tables and writes
# target/bench/controller.json (controller logs: target/bench/controller-*.log).
#   scripts/bench-controller.sh [--only deploy,scale] [--runs N] [--envs N] [--components N]
#                               [--scale-components N] [--deploy-poll PT1S] [--state-dir DIR]
# The platform: --state-dir DIR, else BRANCHYARD_STATE_DIR, else ${TMPDIR:-/tmp}/branchyard-local
# (started, and stopped at the end, if it is not up). The scale part needs room for its pods: each
# hollow node takes 110, so start the platform with e.g. BRANCHYARD_HOLLOW_NODES=5 for 100 x 5.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "${BY_SCRIPTS_DIR}/.."
parse_state_dir "$@"

kubectl="${BRANCHYARD_CACHE_DIR}/k8s-v1.20.2/bin/kubectl"
[[ -x "$kubectl" ]] || die "bench-controller: needs ${kubectl} (scripts/k8s.sh build makes it)"

mkdir -p target/bench
classpath_file=target/bench/controller-classpath.txt
./mvnw -B -q test-compile dependency:build-classpath -Dspotless.check.skip=true \
  -Dmdep.outputFile="$classpath_file" -Dmdep.includeScope=test
# Plain java, not exec:java: the bench starts the controller as a second JVM on this classpath.
exec java -Dbranchyard.platform.state-dir="$STATE_DIR" \
  -cp "target/test-classes:target/classes:$(<"$classpath_file")" \
  dev.branchyard.bench.ControllerBench "${ARGS[@]}"
