#!/usr/bin/env bash
# The whole local platform for Branchyard: Kubernetes (k8s.sh), an image
# registry and a checked buildah (registry.sh).
#   scripts/local-platform.sh up     [--state-dir DIR]
#   scripts/local-platform.sh down   [--state-dir DIR]
#   scripts/local-platform.sh status [--state-dir DIR]
# DIR defaults to $BRANCHYARD_STATE_DIR, else ${TMPDIR:-/tmp}/branchyard-local.
# After `up`, `source DIR/env` gives KUBECONFIG, BRANCHYARD_REGISTRY and
# BRANCHYARD_STATE_DIR.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"


K8S="${BY_SCRIPTS_DIR}/k8s.sh"
REGISTRY="${BY_SCRIPTS_DIR}/registry.sh"

ENV_FILE() { echo "${STATE_DIR}/env"; }

quiet_status() {
  "$@" --state-dir "$STATE_DIR" >/dev/null 2>&1
}

print_summary() {
  local env_file
  env_file="$(ENV_FILE)"
  log "local platform is up (state dir ${STATE_DIR})"
  sed 's/^/    /' "$env_file" >&2
  log "use it:  source ${env_file}"
  if [[ -x "${BRANCHYARD_CACHE_DIR}/k8s-v1.20.2/bin/kubectl" ]]; then
    log "kubectl: ${BRANCHYARD_CACHE_DIR}/k8s-v1.20.2/bin/kubectl --kubeconfig ${STATE_DIR}/k8s/kubeconfig get nodes"
  fi
  log "stop it: $0 down --state-dir ${STATE_DIR}"
}

UP_OK=false
K8S_WAS_UP=false
REGISTRY_WAS_UP=false
on_up_exit() {
  [[ "$UP_OK" == true ]] && return 0
  log "up failed: stopping what this call started"
  if [[ "$REGISTRY_WAS_UP" != true ]]; then
    "$REGISTRY" stop --state-dir "$STATE_DIR" || true
  fi
  if [[ "$K8S_WAS_UP" != true ]]; then
    # k8s.sh start already stops its own components on failure and keeps the
    # logs; only stop it here if it got all the way up.
    if quiet_status "$K8S" status; then
      "$K8S" stop --state-dir "$STATE_DIR" || true
    fi
  fi
  rmdir "$STATE_DIR" 2>/dev/null || true # only if we left it empty
}

cmd_up() {
  local start
  start="$(now_s)"
  check_state_dir_length # before a possibly long build
  # Already fully up: no-op (costs two status probes, no package checks).
  if [[ -s "$(ENV_FILE)" ]] && quiet_status "$K8S" status && quiet_status "$REGISTRY" status; then
    log "already up for ${STATE_DIR}"
    print_summary
    return 0
  fi
  quiet_status "$K8S" status && K8S_WAS_UP=true
  quiet_status "$REGISTRY" status && REGISTRY_WAS_UP=true
  trap on_up_exit EXIT

  log "up: state dir ${STATE_DIR}"
  mkdir -p "$STATE_DIR"
  rm -f "$(ENV_FILE)"
  "${BY_SCRIPTS_DIR}/prereqs.sh"
  "$K8S" build
  "$K8S" start --state-dir "$STATE_DIR"
  "$REGISTRY" start --state-dir "$STATE_DIR"
  "$REGISTRY" check-buildah --state-dir "$STATE_DIR"

  local addr
  addr="$(<"${STATE_DIR}/registry/address")"
  # Plain KEY=VALUE lines (paths without spaces need no quotes): both
  # `source`-able and easy to parse from Java/Make.
  cat >"$(ENV_FILE).tmp" <<EOF
KUBECONFIG=${STATE_DIR}/k8s/kubeconfig
BRANCHYARD_REGISTRY=${addr}
BRANCHYARD_STATE_DIR=${STATE_DIR}
EOF
  mv "$(ENV_FILE).tmp" "$(ENV_FILE)"
  UP_OK=true
  trap - EXIT
  log "up took $(($(now_s) - start))s"
  print_summary
}

cmd_down() {
  "$REGISTRY" stop --state-dir "$STATE_DIR"
  "$K8S" stop --state-dir "$STATE_DIR"
  if [[ -d "$STATE_DIR" ]]; then
    # Remove only what we made; never rm -rf a directory someone pointed us
    # at that holds other things.
    rm -rf "${STATE_DIR:?}/k8s" "${STATE_DIR:?}/registry" "${STATE_DIR:?}/buildah" "$(ENV_FILE)" "$(ENV_FILE).tmp"
    if rmdir "$STATE_DIR" 2>/dev/null; then
      log "removed ${STATE_DIR}"
    else
      warn "left ${STATE_DIR}: it holds files the platform did not create"
    fi
  else
    log "nothing at ${STATE_DIR}"
  fi
}

# Exit 0: all up; 3: nothing running; 1: partly up.
cmd_status() {
  local k=0 r=0
  echo "state dir                ${STATE_DIR}"
  "$K8S" status --state-dir "$STATE_DIR" || k=$?
  "$REGISTRY" status --state-dir "$STATE_DIR" || r=$?
  if [[ -s "$(ENV_FILE)" ]]; then
    echo "env file                 $(ENV_FILE)"
  fi
  if ((k == 0 && r == 0)); then
    return 0
  elif ((k == 3 && r == 3)); then
    return 3
  fi
  return 1
}

main() {
  [[ $# -ge 1 ]] || usage
  local cmd="$1"
  shift
  parse_state_dir "$@"
  ((${#ARGS[@]} == 0)) || die "unexpected arguments: ${ARGS[*]}"
  case "$cmd" in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    *) usage ;;
  esac
}

main "$@"
