#!/usr/bin/env bash
# A local OCI image registry (Debian's docker-registry, CNCF distribution 2.8)
# on a free loopback port, and a self-test of buildah against it.
#   scripts/registry.sh start         [--state-dir DIR]
#   scripts/registry.sh stop          [--state-dir DIR]
#   scripts/registry.sh status        [--state-dir DIR]
#   scripts/registry.sh check-buildah [--state-dir DIR]
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"


set_paths() {
  REG_DIR="${STATE_DIR}/registry"
  REG_PIDFILE="${REG_DIR}/pids/registry.pid"
  REG_LOG="${REG_DIR}/logs/registry.log"
  REG_CONFIG="${REG_DIR}/config.yml"
  REG_ADDRESS_FILE="${REG_DIR}/address"
  BUILDAH_DIR="${STATE_DIR}/buildah"
}

registry_up() {
  [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$1/v2/")" == 200 ]]
}

REG_START_OK=false
on_start_exit() {
  if [[ "$REG_START_OK" != true ]]; then
    log "registry start failed: stopping it (log kept: ${REG_LOG})"
    stop_pidfile registry "$REG_PIDFILE" || true
  fi
}

cmd_start() {
  need_cmd docker-registry curl setsid
  if pid_alive "$REG_PIDFILE" && [[ -s "$REG_ADDRESS_FILE" ]] && registry_up "$(<"$REG_ADDRESS_FILE")"; then
    log "registry already running for ${STATE_DIR} at $(<"$REG_ADDRESS_FILE")"
    return 0
  fi
  stop_pidfile registry "$REG_PIDFILE" # a half-dead leftover, if any
  rm -rf "$REG_DIR"
  mkdir -p "${REG_DIR}/data" "${REG_DIR}/pids" "${REG_DIR}/logs"

  local port addr
  # BRANCHYARD_REGISTRY_PORT: a fixed port (tests stop a registry and start it again where
  # clients already look for it); unset, a free one.
  port="${BRANCHYARD_REGISTRY_PORT:-$(free_port)}"
  addr="127.0.0.1:${port}"
  # No auth (local only), delete enabled (tests clean up), no debug server
  # (it would need another port), no health-check goroutine noise.
  cat >"$REG_CONFIG" <<EOF
version: 0.1
log:
  level: info
  formatter: text
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${REG_DIR}/data
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
http:
  addr: ${addr}
  headers:
    X-Content-Type-Options: [nosniff]
EOF
  REG_START_OK=false
  trap on_start_exit EXIT
  start_bg registry "$REG_PIDFILE" "$REG_LOG" docker-registry serve "$REG_CONFIG"
  wait_for "registry http://${addr}/v2/" 30 "$REG_LOG" "$REG_PIDFILE" registry_up "$addr"
  echo "$addr" >"$REG_ADDRESS_FILE"
  REG_START_OK=true
  trap - EXIT
  log "registry is up: ${addr} (data: ${REG_DIR}/data)"
}

cmd_stop() {
  if [[ ! -d "$REG_DIR" && ! -d "$BUILDAH_DIR" ]]; then
    log "registry: nothing to stop for ${STATE_DIR}"
    return 0
  fi
  stop_pidfile registry "$REG_PIDFILE"
  rm -rf "$REG_DIR"
  cleanup_buildah_storage
  log "registry stopped; removed ${REG_DIR}"
}

# Exit 0: running and answering; 3: not running; 1: running but not answering.
cmd_status() {
  if ! pid_alive "$REG_PIDFILE"; then
    printf '%-24s stopped\n' registry
    return 3
  fi
  local addr
  addr="$(cat "$REG_ADDRESS_FILE" 2>/dev/null || true)"
  if [[ -n "$addr" ]] && registry_up "$addr"; then
    printf '%-24s running (pid %s) http://%s/v2/ ok\n' registry "$(<"$REG_PIDFILE")" "$addr"
  else
    printf '%-24s running (pid %s) but http://%s/v2/ does NOT answer\n' registry "$(<"$REG_PIDFILE")" "$addr"
    return 1
  fi
}

# ---------------------------------------------------------------- buildah

# Our buildah flags: storage, run state and temp files all under the state
# dir (defaults would be /var/lib/containers/storage, /run/containers, /var/tmp).
# CONTAINERS_CONF moves the network config dir: even a build without RUN
# otherwise creates /etc/cni/net.d/cni.lock.
buildah_cmd() {
  mkdir -p "${BUILDAH_DIR}/tmp" "${BUILDAH_DIR}/cni"
  if [[ ! -s "${BUILDAH_DIR}/containers.conf" ]]; then
    printf '[network]\nnetwork_config_dir = "%s"\n' "${BUILDAH_DIR}/cni" >"${BUILDAH_DIR}/containers.conf"
  fi
  CONTAINERS_CONF="${BUILDAH_DIR}/containers.conf" TMPDIR="${BUILDAH_DIR}/tmp" buildah \
    --root "${BUILDAH_DIR}/root" --runroot "${BUILDAH_DIR}/runroot" \
    --storage-driver vfs "$@"
}

# As root, containers/image always writes its blob-info cache to
# /var/lib/containers/cache/blob-info-cache-v1.boltdb (buildah has no flag to
# move it). If it was not there before the check, remove it afterwards, and
# the directories too if they are then empty.
BLOB_INFO_CACHE=/var/lib/containers/cache/blob-info-cache-v1.boltdb
remove_blob_info_cache_if_ours() {
  if [[ "$1" == false ]]; then
    rm -f "$BLOB_INFO_CACHE"
    rmdir /var/lib/containers/cache /var/lib/containers 2>/dev/null || true
  fi
}

# Removes the buildah storage of the state dir. vfs layers are plain copies,
# but buildah's own rm/rmi first unmount anything still mounted, so use it
# before rm -rf.
cleanup_buildah_storage() {
  [[ -d "$BUILDAH_DIR" ]] || return 0
  if [[ -d "${BUILDAH_DIR}/root" ]] && command -v buildah >/dev/null 2>&1; then
    buildah_cmd rm --all >/dev/null 2>&1 || true
    buildah_cmd rmi --all --force >/dev/null 2>&1 || true
  fi
  # Mounts left by a killed build would make rm -rf fail on busy dirs.
  local m
  while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done < <(awk -v d="${BUILDAH_DIR}/" 'index($2, d) == 1 {print $2}' /proc/self/mounts | sort -r)
  chattr -R -i "$BUILDAH_DIR" 2>/dev/null || true
  rm -rf "$BUILDAH_DIR" || die "could not remove ${BUILDAH_DIR}"
}

cmd_check_buildah() {
  need_cmd buildah curl
  local addr tag image ctx logfile headers code digest
  addr="$(cat "$REG_ADDRESS_FILE" 2>/dev/null || true)"
  if [[ -z "$addr" ]] || ! pid_alive "$REG_PIDFILE"; then
    die "the registry is not running for ${STATE_DIR}; run: scripts/registry.sh start --state-dir ${STATE_DIR}"
  fi

  tag="check-$(date +%Y%m%d%H%M%S)-$(random_hex 3)"
  image="${addr}/branchyard/selftest:${tag}"
  ctx="${BUILDAH_DIR}/context"
  logfile="${BUILDAH_DIR}/check-buildah.log"
  mkdir -p "$ctx" "${BUILDAH_DIR}/tmp"
  : >"$logfile"

  # A FROM scratch image: nothing is pulled (no public registry here).
  echo "branchyard buildah self-test ${tag}" >"${ctx}/hello.txt"
  cat >"${ctx}/Dockerfile" <<EOF
FROM scratch
COPY hello.txt /hello.txt
LABEL org.opencontainers.image.title="branchyard-selftest" io.branchyard.selftest="${tag}"
EOF

  local had_blob_cache=false
  [[ -e "$BLOB_INFO_CACHE" ]] && had_blob_cache=true
  # shellcheck disable=SC2064 # expand now: the value is fixed for this call
  trap "remove_blob_info_cache_if_ours ${had_blob_cache}" EXIT

  log "check-buildah: building ${image} (FROM scratch, vfs, chroot isolation)"
  buildah_cmd bud --isolation chroot --layers=false -t "$image" -f "${ctx}/Dockerfile" "$ctx" \
    >>"$logfile" 2>&1 </dev/null || die "buildah bud failed" "$logfile"

  log "check-buildah: pushing ${image} (--tls-verify=false)"
  buildah_cmd push --tls-verify=false "$image" "docker://${image}" \
    >>"$logfile" 2>&1 </dev/null || die "buildah push to ${addr} failed" "$logfile"

  log "check-buildah: HEAD /v2/branchyard/selftest/manifests/${tag}"
  headers="$(curl -sS -I --max-time 10 \
    -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    -H 'Accept: application/vnd.oci.image.index.v1+json' \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    -H 'Accept: application/vnd.docker.distribution.manifest.list.v2+json' \
    "http://${addr}/v2/branchyard/selftest/manifests/${tag}" 2>&1)" || true
  printf '%s\n' "$headers" >>"$logfile"
  code="$(awk 'NR == 1 {print $2}' <<<"$headers")"
  digest="$(tr -d '\r' <<<"$headers" | awk 'tolower($1) == "docker-content-digest:" {print $2}')"
  if [[ "$code" != 200 || -z "$digest" ]]; then
    die "the pushed manifest is not in the registry (HTTP ${code:-none}, digest '${digest}')" "$logfile"
  fi
  log "check-buildah: ok: ${image} ${digest}"

  # Leave nothing behind: the test image in the registry, buildah storage.
  curl -sS -o /dev/null --max-time 10 -X DELETE "http://${addr}/v2/branchyard/selftest/manifests/${digest}" || true
  cleanup_buildah_storage
}

main() {
  [[ $# -ge 1 ]] || usage
  local cmd="$1"
  shift
  parse_state_dir "$@"
  ((${#ARGS[@]} == 0)) || die "unexpected arguments: ${ARGS[*]}"
  set_paths
  case "$cmd" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    check-buildah) cmd_check_buildah ;;
    *) usage ;;
  esac
}

main "$@"
