#!/usr/bin/env bash
# `make run`: Branchyard in Quarkus dev mode. It talks to the cluster your KUBECONFIG (or
# ~/.kube/config) names; with neither, it brings up the local platform (control plane with a
# hollow node, registry, buildah) first and stops it again when you stop Branchyard.
#   BRANCHYARD_PORT      HTTP port (default 8080)
#   BRANCHYARD_KEEP_PLATFORM=1   leave the local platform running on exit (faster restarts)
#   BRANCHYARD_DEMO=0    on the local platform, skip the demo (scripts/demo.sh: two demo repositories
#                        served locally, a `demo` spec, a signed pull_request.opened webhook, and the
#                        status page URL of the environment that appears, followed until Ready)
#   --state-dir DIR      the local platform's state dir (else BRANCHYARD_STATE_DIR, else
#                        ${TMPDIR:-/tmp}/branchyard-local)
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROOT="$(cd "${BY_SCRIPTS_DIR}/.." && pwd)"
cd "$ROOT"
PORT="${BRANCHYARD_PORT:-8080}"
parse_state_dir "$@"

"${BY_SCRIPTS_DIR}/prereqs.sh" openjdk-17-jdk-headless unzip make

started_platform=false
local_platform=false
if [[ -n "${KUBECONFIG:-}" ]]; then
  log "run: using the cluster of KUBECONFIG=${KUBECONFIG}"
elif [[ -f "$HOME/.kube/config" ]]; then
  log "run: using the cluster of ~/.kube/config"
else
  log "run: no KUBECONFIG and no ~/.kube/config: starting the local platform in ${STATE_DIR}"
  local_platform=true
  if [[ ! -f "${STATE_DIR}/env" ]]; then
    started_platform=true
  fi
  "${BY_SCRIPTS_DIR}/local-platform.sh" up --state-dir "$STATE_DIR"
  set -a
  # shellcheck disable=SC1091
  source "${STATE_DIR}/env"
  set +a
fi

if [[ "$local_platform" == true ]]; then
  # The local platform: install Branchyard's CRDs and namespace (k8s/ does this on a real
  # cluster), and build into the platform's registry.
  kubectl="${BRANCHYARD_CACHE_DIR}/k8s-v1.20.2/bin/kubectl"
  "$kubectl" --kubeconfig "$KUBECONFIG" apply -f k8s/crds/ >/dev/null
  "$kubectl" --kubeconfig "$KUBECONFIG" wait --for condition=established --timeout=60s \
    -f k8s/crds/ >/dev/null
  "$kubectl" --kubeconfig "$KUBECONFIG" apply -f k8s/namespace.yaml >/dev/null
  export QUARKUS_KUBERNETES_CLIENT_NAMESPACE="${QUARKUS_KUBERNETES_CLIENT_NAMESPACE:-branchyard}"
  export BRANCHYARD_BUILD_REGISTRY="${BRANCHYARD_BUILD_REGISTRY:-${BRANCHYARD_REGISTRY}}"
fi

if port_in_use "$PORT"; then
  die "port ${PORT} is taken; set BRANCHYARD_PORT to a free one"
fi

demo=false
if [[ "$local_platform" == true && "${BRANCHYARD_DEMO:-1}" != 0 ]]; then
  demo=true
fi

on_exit() {
  local rc=$?
  if [[ -n "${banner_pid:-}" ]]; then kill "$banner_pid" 2>/dev/null || true; fi
  if [[ -n "${demo_pid:-}" ]]; then kill "$demo_pid" 2>/dev/null || true; fi
  if [[ "$demo" == true ]]; then
    # The demo's files go with a platform this run stops; they stay for a platform that stays.
    if [[ "$started_platform" == true && "${BRANCHYARD_KEEP_PLATFORM:-0}" != 1 ]]; then
      "${BY_SCRIPTS_DIR}/demo.sh" stop --remove --state-dir "$STATE_DIR" || true
    else
      "${BY_SCRIPTS_DIR}/demo.sh" stop --state-dir "$STATE_DIR" || true
    fi
  fi
  if [[ "$started_platform" == true && "${BRANCHYARD_KEEP_PLATFORM:-0}" != 1 ]]; then
    log "run: stopping the local platform this run started"
    "${BY_SCRIPTS_DIR}/local-platform.sh" down --state-dir "$STATE_DIR" || true
  elif [[ -f "${STATE_DIR}/env" ]]; then
    log "run: the local platform keeps running; stop it with: scripts/local-platform.sh down --state-dir ${STATE_DIR}"
  fi
  exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT TERM

if [[ "$demo" == true ]]; then
  # The demo: repositories and their git server, a spec reading from them, and the config that
  # points Branchyard at both (BRANCHYARD_DEMO=0 skips it).
  log "run: preparing the demo (BRANCHYARD_DEMO=0 skips it)"
  "${BY_SCRIPTS_DIR}/demo.sh" prepare --state-dir "$STATE_DIR"
  set -a
  # shellcheck disable=SC1091
  source "${STATE_DIR}/demo/env"
  set +a
fi

# Print where Branchyard is once it answers, without holding up dev mode's own output.
(
  deadline=$(($(now_s) + 600))
  while (($(now_s) < deadline)); do
    if curl -fsS "http://127.0.0.1:${PORT}/q/health/ready" >/dev/null 2>&1; then
      log "run: Branchyard is up"
      log "run:   specs:      http://127.0.0.1:${PORT}/api/specs"
      log "run:   readiness:  http://127.0.0.1:${PORT}/q/health/ready"
      [[ -n "${KUBECONFIG:-}" ]] && log "run:   kubeconfig: ${KUBECONFIG}"
      [[ -n "${BRANCHYARD_REGISTRY:-}" ]] && log "run:   registry:   ${BRANCHYARD_REGISTRY}"
      exit 0
    fi
    sleep 2
  done
  warn "Branchyard did not answer /q/health/ready within 10 minutes; see the output above"
) &
banner_pid=$!

if [[ "$demo" == true ]]; then
  # Once Branchyard is ready: the webhook, the status page URL, the phases until Ready.
  "${BY_SCRIPTS_DIR}/demo.sh" follow "http://127.0.0.1:${PORT}" --state-dir "$STATE_DIR" &
  demo_pid=$!
fi

log "run: starting Branchyard in dev mode on port ${PORT} (first start downloads dependencies)"
./mvnw -B --no-transfer-progress quarkus:dev \
  -Dquarkus.http.port="$PORT" -Dquarkus.http.host=127.0.0.1 -Dspotless.check.skip=true
