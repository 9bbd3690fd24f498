#!/usr/bin/env bash
# A real local Kubernetes 1.20.2 control plane + one hollow node (kubemark),
# built from Debian's `kubernetes` source package (see
# shared/docs/local-kubernetes.md).
#   scripts/k8s.sh build
#   scripts/k8s.sh start  [--state-dir DIR]
#   scripts/k8s.sh stop   [--state-dir DIR]
#   scripts/k8s.sh status [--state-dir DIR]
# BRANCHYARD_HOLLOW_NODES=N at start runs N hollow nodes (default 1; see HOLLOW_NODES below).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

K8S_VERSION=v1.20.2
K8S_HOME="${BRANCHYARD_CACHE_DIR}/k8s-${K8S_VERSION}"
K8S_BIN="${K8S_HOME}/bin"
# kubectl is cheap to add to the same `make` (shares almost all packages) and
# is handy for people and tests; the scripts themselves only need curl + jq.
K8S_BINARIES=(kube-apiserver kube-controller-manager kube-scheduler kubemark kubectl)
SRC_WORK="${BRANCHYARD_CACHE_DIR}/k8s-src"
# Bump when the build recipe changes (patches, flags): older caches rebuild.
BUILD_RECIPE="debian-1.20.5+really1.20.2;vendor-swap;hollow-node-patch-3;kubectl"
BUILD_STAMP="${K8S_BIN}/.branchyard-build"
DEB_SRC_FILE=/etc/apt/sources.list.d/branchyard-deb-src.sources

# Start order; stop goes in reverse. set_components adds kubemark-2..N for extra hollow nodes.
BASE_COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kubemark)
COMPONENTS=("${BASE_COMPONENTS[@]}")
# Hollow nodes: 1.20's kubemark takes at most 110 pods per node (a constant, no --max-pods flag),
# so a platform for many pods (the controller's scale bench: 100 environments x 5 pods) starts
# more nodes, hollow-node-2..N, with BRANCHYARD_HOLLOW_NODES=N. The default stays 1: ITs expect
# their pods on hollow-node-1. The count is kept in DIR/k8s/hollow-nodes for stop and status.
HOLLOW_NODES="${BRANCHYARD_HOLLOW_NODES:-1}"
# Alpha in 1.20, beta and on by default from 1.21: without it the apiserver drops a Job's
# ttlSecondsAfterFinished (the kubernetes-job build backend sets it) and nothing cleans Jobs up.
FEATURE_GATES="TTLAfterFinished=true"


# ================================================================ build

binaries_cached() {
  local b
  for b in "${K8S_BINARIES[@]}"; do
    [[ -x "${K8S_BIN}/${b}" && -s "${K8S_BIN}/${b}" ]] || return 1
  done
  [[ "$(cat "$BUILD_STAMP" 2>/dev/null)" == "$BUILD_RECIPE" ]]
}

# Writes a deb-src twin of the main bookworm entry of debian.sources.
ensure_deb_src() {
  if [[ -f "$DEB_SRC_FILE" ]]; then
    return 1 # already there: caller may skip apt-get update
  fi
  local uris="http://deb.debian.org/debian" suites="bookworm" keyring="/usr/share/keyrings/debian-archive-keyring.gpg"
  local main=/etc/apt/sources.list.d/debian.sources
  if [[ -f "$main" ]]; then
    # First deb822 stanza whose Suites has the word "bookworm" (not -security).
    local stanza
    stanza="$(awk -v RS='' '/(^|\n)Suites:[^\n]*[ \t]bookworm([ \t]|\n|$)/ {print; exit}' "$main")"
    if [[ -n "$stanza" ]]; then
      uris="$(sed -n 's/^URIs:[[:space:]]*//p' <<<"$stanza")"
      suites="$(sed -n 's/^Suites:[[:space:]]*//p' <<<"$stanza")"
      keyring="$(sed -n 's/^Signed-By:[[:space:]]*//p' <<<"$stanza")"
    fi
  fi
  log "adding ${DEB_SRC_FILE} (deb-src for ${suites})"
  cat >"$DEB_SRC_FILE" <<EOF
# Added by Branchyard scripts/k8s.sh: source packages, to build Kubernetes.
Types: deb-src
URIs: ${uris}
Suites: ${suites}
Components: main
Signed-By: ${keyring}
EOF
  return 0
}

# Runs `make` in the background, printing elapsed time + last log line every
# 15 s so a person sees it is alive. Returns make's exit status.
run_make_with_progress() {
  local tree="$1" logfile="$2" start pid rc last
  start="$(now_s)"
  # GOPATH layout as Debian's rules use; HOME/GOCACHE/TMPDIR inside the work
  # dir so nothing lands in the real ~/.cache/go-build or /tmp. KUBE_GIT_*
  # give the binaries a real version (the tarball has no .git). setsid: make
  # leads its own process group, so an interrupt can stop all compilers.
  (
    cd "$tree"
    exec setsid env GOPATH="${tree}/.go" CGO_ENABLED=0 HOME="${SRC_WORK}/home" \
      GOCACHE="${SRC_WORK}/home/go-build" TMPDIR="${SRC_WORK}/home/tmp" \
      KUBE_GIT_VERSION="${K8S_VERSION}" KUBE_GIT_TREE_STATE=clean \
      KUBE_GIT_MAJOR=1 KUBE_GIT_MINOR=20 \
      make WHAT="cmd/kube-apiserver cmd/kube-controller-manager cmd/kube-scheduler cmd/kubemark cmd/kubectl"
  ) >>"$logfile" 2>&1 </dev/null &
  pid=$!
  # If we are interrupted, don't leave orphan compilers running.
  # shellcheck disable=SC2064 # pid is fixed now
  trap "kill -TERM -- -${pid} 2>/dev/null || true; log 'build interrupted'; exit 130" INT TERM
  while kill -0 "$pid" 2>/dev/null; do
    sleep 15 &
    wait $! || true
    kill -0 "$pid" 2>/dev/null || break
    last="$(tail -n 1 "$logfile" 2>/dev/null | cut -c1-120)"
    log "  building... $(($(now_s) - start))s elapsed; last log line: ${last}"
  done
  rc=0
  wait "$pid" || rc=$?
  trap - INT TERM
  log "make finished with status ${rc} after $(($(now_s) - start))s"
  return "$rc"
}

build_ok() {
  local tree="$1" b
  [[ -s "${tree}/_output/bin/prerelease-lifecycle-gen" ]] || return 1
  for b in "${K8S_BINARIES[@]}"; do
    [[ -s "${tree}/_output/bin/${b}" ]] || return 1
  done
}

# Small source patches so several hollow nodes can run side by side and
# write nothing outside their state dir (kubemark has no flags for these):
#  - the fake CRI runtime listens on a FIXED unix socket /tmp/kubelet_remote.sock
#    (and unlinks any existing one first), so a second kubemark would steal the
#    first one's runtime. Put it under $TMPDIR instead (we point TMPDIR into
#    the state dir).
#  - the hollow kubelet's root dir is /tmp/hollow-kubelet.* (hard-coded /tmp,
#    never cleaned up): use $TMPDIR too.
#  - its volume plugin dir defaults to /usr/libexec/kubernetes/kubelet-plugins/
#    volume/exec (created at start) and its cert dir to /var/lib/kubelet/pki:
#    move both under the root dir.
#  - the hollow kubelet binds its API on 0.0.0.0; bind 127.0.0.1 instead.
patch_hollow_node() {
  local tree="$1"
  local ep="${tree}/pkg/kubelet/cri/remote/fake/endpoint.go"
  local hk="${tree}/pkg/kubemark/hollow_kubelet.go"
  grep -q 'unix:///tmp/kubelet_remote.sock' "$ep" || die "unexpected ${ep}: fixed socket path not found"
  grep -q 'c.Address = "0.0.0.0"' "$hk" || die "unexpected ${hk}: bind address line not found"
  grep -q 'MakeTempDirOrDie("hollow-kubelet.", "")' "$hk" || die "unexpected ${hk}: root dir line not found"
  grep -q '^	f.RootDirectory = testRootDir$' "$hk" || die "unexpected ${hk}: RootDirectory line not found"
  grep -q '^	c.StaticPodPath = podFilePath$' "$hk" || die "unexpected ${hk}: StaticPodPath line not found"
  grep -q '^	"fmt"$' "$hk" || die "unexpected ${hk}: fmt import not found"
  log "patching the hollow node: its files under \$TMPDIR, kubelet bind 127.0.0.1"
  {
    sed -n '1,/^package fake$/p' "$ep"
    cat <<'EOF'

import (
	"os"
	"path/filepath"
)

// GenerateEndpoint returns the unix socket of the fake CRI runtime.
// Branchyard patch: under $TMPDIR (was the fixed /tmp/kubelet_remote.sock)
// so several hollow nodes on one machine do not share one socket.
func GenerateEndpoint() (string, error) {
	return "unix://" + filepath.Join(os.TempDir(), "kubelet_remote.sock"), nil
}
EOF
  } >"${ep}.new"
  mv "${ep}.new" "$ep"
  sed -i \
    -e 's/c.Address = "0.0.0.0"/c.Address = "127.0.0.1"/' \
    -e 's/MakeTempDirOrDie("hollow-kubelet.", "")/MakeTempDirOrDie("hollow-kubelet.", os.TempDir())/' \
    -e 's|^\tf.RootDirectory = testRootDir$|&\n\tf.CertDirectory = filepath.Join(testRootDir, "pki")|' \
    -e 's|^\tc.StaticPodPath = podFilePath$|&\n\tc.VolumePluginDir = filepath.Join(testRootDir, "volume-plugins")|' \
    -e 's|^\t"fmt"$|&\n\t"os"\n\t"path/filepath"|' \
    "$hk"
}

cmd_build() {
  if binaries_cached; then
    log "using cached Kubernetes ${K8S_VERSION} binaries in ${K8S_BIN}"
    return 0
  fi
  need_cmd go make rsync dpkg-source apt-get flock
  mkdir -p "$BRANCHYARD_CACHE_DIR"
  # One build at a time per cache dir; a second caller waits, then finds
  # the cache filled.
  exec 9>"${BRANCHYARD_CACHE_DIR}/k8s-build.lock"
  if ! flock -n 9; then
    log "another Kubernetes build is running (lock ${BRANCHYARD_CACHE_DIR}/k8s-build.lock); waiting for it"
    flock 9
  fi
  if binaries_cached; then
    log "using cached Kubernetes ${K8S_VERSION} binaries in ${K8S_BIN} (built by the other run)"
    return 0
  fi

  local build_start dl tree logfile orig
  build_start="$(now_s)"
  dl="${SRC_WORK}/dl"
  tree="${SRC_WORK}/tree"
  logfile="${SRC_WORK}/build.log"
  mkdir -p "$dl" "${SRC_WORK}/home/tmp"
  : >"$logfile"
  log "building Kubernetes ${K8S_VERSION} from Debian's source package (takes ~5-10 min on 2 cores; log: ${logfile})"

  # 1. source package. The downloaded files (~35 MB) are kept in $dl so a
  # rebuild needs no network; the unpacked tree (~1 GB with objects) is not.
  orig="$(find "$dl" -maxdepth 1 -name 'kubernetes_*.orig.tar.*' 2>/dev/null | head -n 1)"
  if [[ -z "$orig" ]]; then
    [[ "$(id -u)" == 0 ]] || die "need root to add the deb-src entry and run apt-get (or put kubernetes_*.orig.tar.* in ${dl})"
    if ensure_deb_src || [[ -z "$(apt-cache showsrc kubernetes 2>/dev/null)" ]]; then
      log "apt-get update (for the deb-src index)"
      apt-get update -qq >>"$logfile" 2>&1 || die "apt-get update failed" "$logfile"
    fi
    log "apt-get source --download-only kubernetes (into ${dl})"
    (cd "$dl" && apt-get source --download-only kubernetes) >>"$logfile" 2>&1 ||
      die "apt-get source kubernetes failed" "$logfile"
    orig="$(find "$dl" -maxdepth 1 -name 'kubernetes_*.orig.tar.*' | head -n 1)"
    [[ -n "$orig" ]] || die "no kubernetes_*.orig.tar.* after apt-get source" "$logfile"
  else
    log "using downloaded source ${orig}"
  fi

  # 2. unpack the upstream tarball (the orig tarball holds one top dir).
  log "unpacking $(basename "$orig")"
  chmod -R u+w "$tree" 2>/dev/null || true
  rm -rf "$tree"
  mkdir -p "$tree"
  tar -xf "$orig" -C "$tree" --strip-components=1 || die "could not unpack ${orig}"
  [[ -f "${tree}/Makefile" && -d "${tree}/vendor" ]] || die "unexpected layout in ${orig} (no Makefile/vendor)"

  # 3. vendor swap: Go 1.19 crashes the 1.20 apiserver (SIGSEGV in reflect2
  # map iteration); Debian's newer reflect2 1.0.2 / json-iterator 1.1.12 fix it.
  local pkg
  for pkg in github.com/modern-go/reflect2 github.com/json-iterator/go; do
    [[ -d "/usr/share/gocode/src/${pkg}" ]] || die "/usr/share/gocode/src/${pkg} missing; run scripts/prereqs.sh"
    log "vendor swap: ${pkg} <- /usr/share/gocode/src/${pkg}"
    rm -rf "${tree}/vendor/${pkg}"
    mkdir -p "${tree}/vendor/${pkg}"
    cp -a "/usr/share/gocode/src/${pkg}/." "${tree}/vendor/${pkg}/"
    find "${tree}/vendor/${pkg}" -name '*_test.go' -delete
  done

  # 3b. hollow-node patches (see patch_hollow_node).
  patch_hollow_node "$tree"

  # 4. GOPATH layout (as debian/rules does) and make. Known flake: a first
  # attempt can leave _output/bin/prerelease-lifecycle-gen empty; then retry
  # once from a clean _output. Any other failure (e.g. a compile error) is
  # reported at once: retrying it would only cost another 10 minutes.
  mkdir -p "${tree}/.go/src/k8s.io"
  ln -sfn ../../.. "${tree}/.go/src/k8s.io/kubernetes"
  local attempt
  for attempt in 1 2; do
    echo "=== branchyard: make attempt ${attempt} ($(date)) ===" >>"$logfile"
    if run_make_with_progress "${tree}/.go/src/k8s.io/kubernetes" "$logfile" && build_ok "$tree"; then
      break
    fi
    if ((attempt == 2)) || [[ -s "${tree}/_output/bin/prerelease-lifecycle-gen" ]]; then
      log "errors in ${logfile}:"
      grep -E '\.go:[0-9]+(:[0-9]+)?: |^make(\[[0-9]+\])?: \*\*\*|^!!! ' "$logfile" | tail -n 15 | sed 's/^/    | /' >&2 || true
      die "Kubernetes build failed (attempt ${attempt})" "$logfile"
    fi
    warn "build attempt 1 left _output/bin/prerelease-lifecycle-gen empty; removing _output and retrying"
    chmod -R u+w "${tree}/_output" 2>/dev/null || true
    rm -rf "${tree}/_output"
  done

  # 5. atomic install: copy to a temp dir beside bin/, then rename.
  local tmpbin="${K8S_HOME}/bin.tmp.$$" b
  rm -rf "$tmpbin"
  mkdir -p "$tmpbin"
  for b in "${K8S_BINARIES[@]}"; do
    cp "${tree}/_output/bin/${b}" "${tmpbin}/${b}"
    chmod 0755 "${tmpbin}/${b}"
  done
  echo "$BUILD_RECIPE" >"${tmpbin}/.branchyard-build"
  rm -rf "${K8S_BIN}"
  mv -T "$tmpbin" "$K8S_BIN"

  # 6. free the disk: source tree, objects and Go build cache (~GBs).
  log "removing the source tree and Go build cache (keeping ${dl} and ${logfile})"
  chmod -R u+w "$tree" "${SRC_WORK}/home" 2>/dev/null || true
  rm -rf "$tree" "${SRC_WORK:?}/home"
  log "built Kubernetes ${K8S_VERSION} in $(($(now_s) - build_start))s: ${K8S_BIN}/{$(
    IFS=,
    echo "${K8S_BINARIES[*]}"
  )}"
}

# ================================================================ runtime

# Paths under the state dir (set by set_paths after parse_state_dir).
set_paths() {
  K8S_DIR="${STATE_DIR}/k8s"
  PID_DIR="${K8S_DIR}/pids"
  LOG_DIR="${K8S_DIR}/logs"
  PKI_DIR="${K8S_DIR}/pki"
  KUBECONFIG_FILE="${K8S_DIR}/kubeconfig"
  PORTS_FILE="${K8S_DIR}/ports.env"
  TOKEN_FILE="${K8S_DIR}/token"
}

# COMPONENTS for the platform in STATE_DIR: the base ones, plus kubemark-2..N as recorded.
set_components() {
  local n=1 i
  if [[ -s "${K8S_DIR}/hollow-nodes" ]]; then n="$(<"${K8S_DIR}/hollow-nodes")"; fi
  COMPONENTS=("${BASE_COMPONENTS[@]}")
  for ((i = 2; i <= n; i++)); do COMPONENTS+=("kubemark-${i}"); done
}

pidfile_of() { echo "${PID_DIR}/$1.pid"; }
logfile_of() { echo "${LOG_DIR}/$1.log"; }

running_components() {
  local c n=0
  for c in "${COMPONENTS[@]}"; do
    pid_alive "$(pidfile_of "$c")" && n=$((n + 1))
  done
  echo "$n"
}

# kapi METHOD PATH [curl args...]: calls the apiserver as admin, printing the
# body; fails on HTTP errors.
kapi() {
  local method="$1" path="$2"
  shift 2
  local port token tls=(-k)
  port="$(sed -n 's/^APISERVER_PORT=//p' "$PORTS_FILE")"
  token="$(<"$TOKEN_FILE")"
  if [[ -s "${PKI_DIR}/ca.crt" ]]; then tls=(--cacert "${PKI_DIR}/ca.crt"); fi
  curl -sS --fail --max-time 10 "${tls[@]}" -X "$method" \
    -H "Authorization: Bearer ${token}" "$@" "https://127.0.0.1:${port}${path}"
}

apiserver_ready() {
  [[ "$(kapi GET /readyz 2>/dev/null)" == "ok" ]]
}

node_ready() {
  kapi GET "/api/v1/nodes/${1:-hollow-node-1}" 2>/dev/null |
    jq -e '.status.conditions[] | select(.type == "Ready") | .status == "True"' >/dev/null
}

# The default ServiceAccount exists and has its token secret (1.20's
# ServiceAccount admission rejects pods until the token secret is there).
default_sa_ready() {
  kapi GET /api/v1/namespaces/default/serviceaccounts/default 2>/dev/null |
    jq -e '(.secrets // []) | length > 0' >/dev/null
}

# The apiserver writes a self-signed serving cert and, after it in the same
# file, the CA that signed it; extract the last PEM block as our CA.
extract_apiserver_ca() {
  local crt="${PKI_DIR}/apiserver.crt"
  [[ -s "$crt" ]] || return 1
  awk '/-----BEGIN CERTIFICATE-----/{buf=""} {buf=buf $0 "\n"} /-----END CERTIFICATE-----/{last=buf} END{printf "%s", last}' \
    "$crt" >"${PKI_DIR}/ca.crt"
  [[ -s "${PKI_DIR}/ca.crt" ]]
}

write_kubeconfig() {
  local port="$1" token="$2" tls_line
  if [[ -s "${PKI_DIR}/ca.crt" ]]; then
    tls_line="    certificate-authority-data: $(base64 -w0 <"${PKI_DIR}/ca.crt")"
  else
    # Only if the generated cert did not verify for 127.0.0.1 (see cmd_start).
    tls_line="    insecure-skip-tls-verify: true # generated apiserver cert did not verify for 127.0.0.1"
  fi
  umask 077
  cat >"${KUBECONFIG_FILE}.tmp" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: branchyard-local
  cluster:
    server: https://127.0.0.1:${port}
${tls_line}
users:
- name: admin
  user:
    token: ${token}
contexts:
- name: branchyard-local
  context:
    cluster: branchyard-local
    user: admin
    namespace: default
current-context: branchyard-local
EOF
  mv "${KUBECONFIG_FILE}.tmp" "$KUBECONFIG_FILE"
}

print_k8s_summary() {
  local port
  port="$(sed -n 's/^APISERVER_PORT=//p' "$PORTS_FILE" 2>/dev/null || true)"
  log "Kubernetes ${K8S_VERSION}: https://127.0.0.1:${port}  KUBECONFIG=${KUBECONFIG_FILE}"
  if [[ -x "${K8S_BIN}/kubectl" ]]; then
    log "  try: KUBECONFIG=${KUBECONFIG_FILE} ${K8S_BIN}/kubectl get nodes"
  fi
}

# Stops whatever of ours runs, in reverse start order. Keeps the files.
stop_components() {
  local i c
  for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do
    c="${COMPONENTS[$i]}"
    stop_pidfile "$c" "$(pidfile_of "$c")"
  done
}

START_OK=false
on_start_exit() {
  if [[ "$START_OK" != true ]]; then
    log "start failed: stopping the components this call started (logs kept in ${LOG_DIR})"
    stop_components || true
  fi
}

cmd_start() {
  set_paths
  set_components
  need_cmd etcd curl jq openssl setsid
  check_state_dir_length
  [[ "$HOLLOW_NODES" =~ ^[1-9][0-9]?$ ]] || die "BRANCHYARD_HOLLOW_NODES must be 1-99, not '${HOLLOW_NODES}'"
  local n
  n="$(running_components)"
  if ((n == ${#COMPONENTS[@]})); then
    log "Kubernetes already running for ${STATE_DIR}"
    print_k8s_summary
    return 0
  fi
  if ((n > 0)); then
    warn "only ${n}/${#COMPONENTS[@]} components running for ${STATE_DIR}; restarting from scratch"
    stop_components
  fi

  "$0" build

  # Fresh state each start (etcd data is throw-away, like the cluster).
  rm -rf "$K8S_DIR"
  mkdir -p "$PID_DIR" "$LOG_DIR" "$PKI_DIR" "${K8S_DIR}/etcd" "${K8S_DIR}/km"
  chmod 700 "$K8S_DIR"
  echo "$HOLLOW_NODES" >"${K8S_DIR}/hollow-nodes"
  set_components
  START_OK=false
  trap on_start_exit EXIT

  local etcd_port etcd_peer_port api_port cm_port sched_port kubelet_port
  etcd_port="$(free_port)"
  etcd_peer_port="$(free_port)"
  api_port="$(free_port)"
  cm_port="$(free_port)"
  sched_port="$(free_port)"
  kubelet_port="$(free_port)"
  cat >"$PORTS_FILE" <<EOF
ETCD_PORT=${etcd_port}
ETCD_PEER_PORT=${etcd_peer_port}
APISERVER_PORT=${api_port}
CONTROLLER_MANAGER_PORT=${cm_port}
SCHEDULER_PORT=${sched_port}
KUBELET_PORT=${kubelet_port}
EOF
  log "ports: etcd ${etcd_port}/${etcd_peer_port}, apiserver ${api_port}, controller-manager ${cm_port}, scheduler ${sched_port}, kubelet ${kubelet_port}"

  # Credentials: admin token (static token file) and the service-account
  # signing key pair.
  local token
  token="$(random_hex 24)"
  (
    umask 077
    echo "$token" >"$TOKEN_FILE"
    echo "${token},admin,admin,system:masters" >"${PKI_DIR}/tokens.csv"
    openssl genrsa -out "${PKI_DIR}/sa.key" 2048 2>/dev/null
    openssl rsa -in "${PKI_DIR}/sa.key" -pubout -out "${PKI_DIR}/sa.pub" 2>/dev/null
  ) || die "could not create the token / service-account keys in ${PKI_DIR}"

  # --- etcd (Debian's). Metrics/pprof are off by default in 3.4; only the
  # two URLs below are bound.
  start_bg etcd "$(pidfile_of etcd)" "$(logfile_of etcd)" \
    etcd --name branchyard --data-dir "${K8S_DIR}/etcd" \
    --listen-client-urls "http://127.0.0.1:${etcd_port}" \
    --advertise-client-urls "http://127.0.0.1:${etcd_port}" \
    --listen-peer-urls "http://127.0.0.1:${etcd_peer_port}" \
    --initial-advertise-peer-urls "http://127.0.0.1:${etcd_peer_port}" \
    --initial-cluster "branchyard=http://127.0.0.1:${etcd_peer_port}"
  wait_for "etcd" 30 "$(logfile_of etcd)" "$(pidfile_of etcd)" \
    curl -sf --max-time 2 "http://127.0.0.1:${etcd_port}/health"

  # --- kube-apiserver. --insecure-port=0: 1.20 still has the deprecated
  # plain-HTTP port (fixed 8080) unless told otherwise.
  start_bg kube-apiserver "$(pidfile_of kube-apiserver)" "$(logfile_of kube-apiserver)" \
    "${K8S_BIN}/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:${etcd_port}" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 \
    --secure-port "$api_port" --insecure-port 0 \
    --cert-dir "$PKI_DIR" \
    --token-auth-file "${PKI_DIR}/tokens.csv" \
    --authorization-mode RBAC \
    --service-account-key-file "${PKI_DIR}/sa.pub" \
    --service-account-signing-key-file "${PKI_DIR}/sa.key" \
    --service-account-issuer https://kubernetes.default.svc \
    --service-cluster-ip-range 10.96.0.0/16 \
    --feature-gates "$FEATURE_GATES"
  wait_for "kube-apiserver /readyz" 60 "$(logfile_of kube-apiserver)" "$(pidfile_of kube-apiserver)" \
    curl -sfk --max-time 2 -H "Authorization: Bearer ${token}" "https://127.0.0.1:${api_port}/readyz"

  # Trust the generated CA if it verifies 127.0.0.1 (it should: the
  # self-signed cert lists 127.0.0.1 and localhost).
  if extract_apiserver_ca &&
    curl -sf --max-time 5 --cacert "${PKI_DIR}/ca.crt" -H "Authorization: Bearer ${token}" \
      "https://127.0.0.1:${api_port}/readyz" >/dev/null; then
    log "kubeconfig trusts the apiserver's generated CA (${PKI_DIR}/ca.crt)"
  else
    warn "the generated apiserver cert does not verify for 127.0.0.1; kubeconfig uses insecure-skip-tls-verify"
    rm -f "${PKI_DIR}/ca.crt"
  fi
  write_kubeconfig "$api_port" "$token"

  # --- controllers. --port=0 turns off their deprecated plain-HTTP ports
  # (fixed 10252 / 10251); the secure ports get free ones. The flex-volume
  # dir would otherwise be created at /usr/libexec/kubernetes/kubelet-plugins.
  start_bg kube-controller-manager "$(pidfile_of kube-controller-manager)" "$(logfile_of kube-controller-manager)" \
    "${K8S_BIN}/kube-controller-manager" \
    --kubeconfig "$KUBECONFIG_FILE" \
    --authentication-kubeconfig "$KUBECONFIG_FILE" \
    --authorization-kubeconfig "$KUBECONFIG_FILE" \
    --service-account-private-key-file "${PKI_DIR}/sa.key" \
    --use-service-account-credentials=true \
    --bind-address 127.0.0.1 --secure-port "$cm_port" --port 0 \
    --cert-dir "${PKI_DIR}/controller-manager" \
    --flex-volume-plugin-dir "${K8S_DIR}/flexvolume" \
    --leader-elect=false \
    --feature-gates "$FEATURE_GATES" \
    --controllers '*,-nodeipam,-cloud-node-lifecycle'
  start_bg kube-scheduler "$(pidfile_of kube-scheduler)" "$(logfile_of kube-scheduler)" \
    "${K8S_BIN}/kube-scheduler" \
    --kubeconfig "$KUBECONFIG_FILE" \
    --authentication-kubeconfig "$KUBECONFIG_FILE" \
    --authorization-kubeconfig "$KUBECONFIG_FILE" \
    --bind-address 127.0.0.1 --secure-port "$sched_port" --port 0 \
    --cert-dir "${PKI_DIR}/scheduler" \
    --leader-elect=false

  # --- hollow node. TMPDIR (kept short, see check_state_dir_length): with our
  # patches its kubelet root dir (hollow-kubelet.*) and its fake CRI socket
  # go there instead of /tmp.
  start_bg kubemark "$(pidfile_of kubemark)" "$(logfile_of kubemark)" \
    env TMPDIR="${K8S_DIR}/km" \
    "${K8S_BIN}/kubemark" --morph=kubelet --name=hollow-node-1 \
    --kubeconfig "$KUBECONFIG_FILE" \
    --kubelet-port "$kubelet_port" --kubelet-read-only-port 0

  wait_for "node hollow-node-1 Ready" 60 "$(logfile_of kubemark)" "$(pidfile_of kubemark)" node_ready

  # --- extra hollow nodes (BRANCHYARD_HOLLOW_NODES), each with its own TMPDIR and kubelet port.
  local i node_port
  for ((i = 2; i <= HOLLOW_NODES; i++)); do
    node_port="$(free_port)"
    mkdir -p "${K8S_DIR}/km${i}"
    echo "KUBELET_PORT_${i}=${node_port}" >>"$PORTS_FILE"
    start_bg "kubemark-${i}" "$(pidfile_of "kubemark-${i}")" "$(logfile_of "kubemark-${i}")" \
      env TMPDIR="${K8S_DIR}/km${i}" \
      "${K8S_BIN}/kubemark" --morph=kubelet --name="hollow-node-${i}" \
      --kubeconfig "$KUBECONFIG_FILE" \
      --kubelet-port "$node_port" --kubelet-read-only-port 0
  done
  for ((i = 2; i <= HOLLOW_NODES; i++)); do
    wait_for "node hollow-node-${i} Ready" 60 "$(logfile_of "kubemark-${i}")" \
      "$(pidfile_of "kubemark-${i}")" node_ready "hollow-node-${i}"
  done
  wait_for "ServiceAccount default/default (with token)" 60 "$(logfile_of kube-controller-manager)" \
    "$(pidfile_of kube-controller-manager)" default_sa_ready

  local c
  for c in "${COMPONENTS[@]}"; do
    pid_alive "$(pidfile_of "$c")" || die "${c} exited during start" "$(logfile_of "$c")"
  done
  START_OK=true
  trap - EXIT
  log "Kubernetes is up for ${STATE_DIR}"
  print_k8s_summary
}

cmd_stop() {
  set_paths
  set_components
  if [[ ! -d "$K8S_DIR" ]]; then
    log "Kubernetes: nothing to stop for ${STATE_DIR}"
    return 0
  fi
  if (($(running_components) == 0)); then
    log "Kubernetes: nothing running for ${STATE_DIR}; removing ${K8S_DIR}"
  fi
  stop_components
  rm -rf "$K8S_DIR"
  log "Kubernetes stopped; removed ${K8S_DIR}"
}

# Exit 0: everything up; 3: nothing running; 1: partly running / unhealthy.
cmd_status() {
  set_paths
  set_components
  local c pf n=0 healthy=true
  for c in "${COMPONENTS[@]}"; do
    pf="$(pidfile_of "$c")"
    if pid_alive "$pf"; then
      printf '%-24s running (pid %s)\n' "$c" "$(<"$pf")"
      n=$((n + 1))
    else
      printf '%-24s stopped\n' "$c"
      healthy=false
    fi
  done
  if ((n == 0)); then
    echo "kubernetes               not running (state dir ${STATE_DIR})"
    return 3
  fi
  if pid_alive "$(pidfile_of kube-apiserver)" && apiserver_ready; then
    echo "apiserver /readyz        ok (https://127.0.0.1:$(sed -n 's/^APISERVER_PORT=//p' "$PORTS_FILE"))"
  else
    echo "apiserver /readyz        NOT ready"
    healthy=false
  fi
  local node
  for c in "${COMPONENTS[@]}"; do
    [[ "$c" == kubemark* ]] || continue
    node="hollow-node-${c#kubemark-}"
    [[ "$c" == kubemark ]] && node=hollow-node-1
    if pid_alive "$(pidfile_of kube-apiserver)" && node_ready "$node"; then
      printf '%-24s Ready\n' "node ${node}"
    else
      printf '%-24s NOT Ready\n' "node ${node}"
      healthy=false
    fi
  done
  echo "kubeconfig               ${KUBECONFIG_FILE}"
  [[ "$healthy" == true ]] || return 1
}

# ================================================================ main

main() {
  [[ $# -ge 1 ]] || usage
  local cmd="$1"
  shift
  case "$cmd" in
    build) cmd_build ;;
    start | stop | status)
      parse_state_dir "$@"
      ((${#ARGS[@]} == 0)) || die "unexpected arguments: ${ARGS[*]}"
      "cmd_${cmd}"
      ;;
    -h | --help | help) usage ;;
    *) usage ;;
  esac
}

main "$@"
