#!/usr/bin/env bash
# Benchmarks the GitHub webhook intake (issue 6 (a) and (b)) against a running Branchyard and a
# real Kubernetes API server: (a) signed pull_request.synchronize deliveries at a fixed arrival
# rate (default 200/s for 30 s, open model, three runs back to back), acknowledgement latency
# p50/p90/p99/max of each run and of all runs together (the target is judged on the latter), errors
# and lost deliveries; (b) a storm of 500 deliveries for 20 PRs, shuffled, with duplicates and
# out-of-order pushes, until exactly 20 Environments are each at their PR's newest head.
# Not a test; prints a markdown table and writes target/bench/intake.json; exits non-zero if a
# part failed its target.
#
#   scripts/bench-intake.sh [--only a,b,api] [--rate 200] [--seconds 30] [--runs 3]
#                           [--warm-up-seconds 20] [--max-warm-up-seconds 120] [--event ping]
#
# (a) warms up at the same rate for at least --warm-up-seconds, then until the JIT compilers of
# Branchyard's JVM and the load generator's spend under 100 ms per 5 s (read with jstat), at most
# --max-warm-up-seconds; the JSON and the table say how long it took.
#
# The cluster: $KUBECONFIG if set, else the local platform in $BRANCHYARD_PLATFORM_STATE_DIR
# (default /tmp/by-shared; start one with scripts/local-platform.sh up --state-dir DIR).
# Branchyard runs from its packaged jar (built here) with its namespace set to intake-bench and
# the controllers off: what is measured is the intake recording Environments, not the controller
# reconciling them (which would compete for the same 2 cores and, offline, fail to resolve
# github.com repositories).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

NAMESPACE=intake-bench
SECRET=bench-intake-secret
OUT=target/bench
mkdir -p "$OUT"

if [[ -z "${KUBECONFIG:-}" ]]; then
  state_dir="${BRANCHYARD_PLATFORM_STATE_DIR:-/tmp/by-shared}"
  [[ -f "$state_dir/env" ]] || {
    echo "bench-intake: no KUBECONFIG and no local platform in $state_dir (scripts/local-platform.sh up --state-dir $state_dir)" >&2
    exit 1
  }
  set -a
  # shellcheck disable=SC1091
  source "$state_dir/env"
  set +a
fi
echo "bench-intake: cluster of KUBECONFIG=$KUBECONFIG"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port"

# start-operator is fixed at build time: this jar runs no controllers (rebuild for anything else).
echo "bench-intake: building Branchyard without controllers (target/quarkus-app)"
./mvnw -B -q package -DskipTests -Dspotless.check.skip=true -Dquarkus.operator-sdk.start-operator=false
echo "bench-intake: compiling the load generator"
./mvnw -B -q test-compile -Dspotless.check.skip=true

echo "bench-intake: installing the CRDs and namespace $NAMESPACE"
# CRDs and the namespace, as k8s/ installs them (the bench's Java does both idempotently).
./mvnw -B -q exec:java -Dexec.mainClass=dev.branchyard.bench.IntakeBench \
  -Dexec.classpathScope=test -Dexec.cleanupDaemonThreads=false \
  -Dexec.args="--prepare true --kubeconfig $KUBECONFIG --namespace $NAMESPACE --url $url --secret $SECRET"

# Branchyard gets the JVM options the Deployment gives it (k8s/deployment.yaml's JAVA_OPTS_APPEND:
# heap share and GC), with -XX:MaxRAM standing for the pod's memory limit, so the heap and the GC
# measured here are the pod's.
deploy_java_opts=$(sed -n '/name: JAVA_OPTS_APPEND/{n;s/.*value: "\(.*\)"/\1/p;}' k8s/deployment.yaml)
memory_limit_mi=$(sed -n '/limits:/{n;s/.*memory: *\([0-9]*\)Mi.*/\1/p;}' k8s/deployment.yaml)
if [[ -z "$deploy_java_opts" || -z "$memory_limit_mi" ]]; then
  echo "bench-intake: cannot read JAVA_OPTS_APPEND and the memory limit from k8s/deployment.yaml" >&2
  exit 1
fi
app_java_opts="-XX:MaxRAM=${memory_limit_mi}m $deploy_java_opts"

app_log="$OUT/intake-app.log"
echo "bench-intake: starting Branchyard on $url with $app_java_opts (log: $app_log)"
KUBECONFIG="$KUBECONFIG" \
  QUARKUS_HTTP_PORT="$port" QUARKUS_HTTP_HOST=127.0.0.1 \
  QUARKUS_KUBERNETES_CLIENT_NAMESPACE="$NAMESPACE" \
  BRANCHYARD_LIFECYCLE_ASSUME_LEADER=false \
  BRANCHYARD_GITHUB_WEBHOOK_SECRET="$SECRET" \
  java $app_java_opts ${BENCH_APP_JAVA_OPTS:-} -jar target/quarkus-app/quarkus-run.jar >"$app_log" 2>&1 &
app_pid=$!
trap 'kill "$app_pid" 2>/dev/null || true; wait "$app_pid" 2>/dev/null || true' EXIT

deadline=$((SECONDS + 180))
until WEBHOOK_SECRET="$SECRET" webhooks/send.sh "$url" ping webhooks/ping.json >/dev/null 2>&1; do
  if ! kill -0 "$app_pid" 2>/dev/null; then
    echo "bench-intake: Branchyard exited; last lines of $app_log:" >&2
    tail -20 "$app_log" >&2
    exit 1
  fi
  ((SECONDS < deadline)) || { echo "bench-intake: Branchyard did not answer a ping in 180 s" >&2; exit 1; }
  sleep 1
done
echo "bench-intake: Branchyard answers; load before: $(uptime)"

rc=0
# The load generator runs in Maven's JVM. With its default heap it paused for its own GC every
# second or so, up to 70 ms, and an open-model bench counts such a pause as Branchyard's latency
# (the requests due during it go out late). A fixed 1 GB young generation leaves it no GC to do
# during a run; its GC log says so (target/bench/intake-loadgen-gc.log).
MAVEN_OPTS="${MAVEN_OPTS:-} -Xms2g -Xmx2g -Xmn1g -Xlog:gc:file=$OUT/intake-loadgen-gc.log" \
./mvnw -B -q exec:java -Dexec.mainClass=dev.branchyard.bench.IntakeBench \
  -Dexec.classpathScope=test -Dexec.cleanupDaemonThreads=false \
  -Dexec.args="--kubeconfig $KUBECONFIG --namespace $NAMESPACE --url $url --secret $SECRET --app-pid $app_pid --output $OUT/intake.json $*" \
  || rc=$?
echo "bench-intake: load after: $(uptime)"
exit "$rc"
