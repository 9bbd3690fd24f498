#!/usr/bin/env bash
# shellcheck shell=bash
# Shared helpers for the Branchyard local-platform scripts. Source it, don't run it:
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# Everything here is plain bash + coreutils + iproute2 (no python).

if [[ -n "${BRANCHYARD_LIB_LOADED:-}" ]]; then
  return 0
fi
BRANCHYARD_LIB_LOADED=1

BY_SCRIPTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BRANCHYARD_CACHE_DIR="${BRANCHYARD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/branchyard}"
BY_DEFAULT_STATE_DIR="${TMPDIR:-/tmp}/branchyard-local"
export BY_SCRIPTS_DIR BRANCHYARD_CACHE_DIR

# ---------------------------------------------------------------- logging

log() {
  printf '%s [branchyard] %s\n' "$(date '+%H:%M:%S')" "$*" >&2
}

warn() {
  log "WARNING: $*"
}

# die "what failed" ["log file to read"]: prints the failure, the log's last
# 20 lines, and exits 1 (EXIT traps of the caller still run).
die() {
  local what="$1" logfile="${2:-}"
  log "ERROR: ${what}"
  if [[ -n "$logfile" ]]; then
    if [[ -s "$logfile" ]]; then
      log "last 20 lines of ${logfile}:"
      tail -n 20 "$logfile" | sed 's/^/    | /' >&2
      # A Go panic/stack dump buries the cause: show fatal/error lines too.
      if grep -qE '^(F[0-9]{4} |panic: |Error: |error: )|level=(fatal|error)' "$logfile"; then
        log "fatal/error lines in ${logfile}:"
        grep -E '^(F[0-9]{4} |panic: |Error: |error: )|level=(fatal|error)' "$logfile" | tail -n 5 | cut -c1-400 | sed 's/^/    | /' >&2
      fi
    fi
    log "read ${logfile}"
  fi
  exit 1
}

# Seconds since the epoch (used for timeouts and elapsed times).
now_s() {
  date +%s
}

# ---------------------------------------------------------------- state dir

# parse_state_dir "$@": understands `--state-dir DIR` / `--state-dir=DIR`
# anywhere in the arguments, else BRANCHYARD_STATE_DIR, else the default.
# Sets STATE_DIR (absolute) and ARGS (the remaining arguments).
parse_state_dir() {
  local dir="${BRANCHYARD_STATE_DIR:-$BY_DEFAULT_STATE_DIR}"
  ARGS=()
  while (($#)); do
    case "$1" in
      --state-dir)
        [[ $# -ge 2 && -n "$2" ]] || die "--state-dir needs a directory"
        dir="$2"
        shift 2
        ;;
      --state-dir=*)
        dir="${1#--state-dir=}"
        [[ -n "$dir" ]] || die "--state-dir needs a directory"
        shift
        ;;
      *)
        ARGS+=("$1")
        shift
        ;;
    esac
  done
  # Absolute, without requiring it to exist; strip a trailing slash.
  [[ "$dir" == /* ]] || dir="$PWD/$dir"
  dir="${dir%/}"
  [[ -n "$dir" && "$dir" != "/" ]] || die "refusing to use / as the state dir"
  STATE_DIR="$dir"
  export BRANCHYARD_STATE_DIR="$STATE_DIR"
}

# The hollow kubelet makes unix sockets as deep as
# DIR/k8s/km/hollow-kubelet.NNNNNNNNNN/pod-resources/kubelet.sock, and a unix
# socket path may have at most 107 bytes: so DIR may have at most 47.
BY_MAX_STATE_DIR_LEN=47
check_state_dir_length() {
  if ((${#STATE_DIR} > BY_MAX_STATE_DIR_LEN)); then
    die "state dir path too long (${#STATE_DIR} > ${BY_MAX_STATE_DIR_LEN} chars) for the hollow kubelet's unix sockets: ${STATE_DIR}; use a shorter --state-dir"
  fi
}

# ---------------------------------------------------------------- processes

# pid_alive PIDFILE: true if the recorded process runs AND is ours. We check
# that its command line mentions the state dir (every component gets a path in
# it) so a recycled pid of an unrelated process is never taken for ours.
pid_alive() {
  local pidfile="$1" pid
  [[ -s "$pidfile" ]] || return 1
  pid="$(<"$pidfile")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [[ -r "/proc/$pid/cmdline" ]] || return 1
  # zombie? (a child we never reaped still answers kill -0)
  if [[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" == "Z" ]]; then
    return 1
  fi
  # (the process may exit between the checks: silence the redirect error)
  { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -qF -- "$STATE_DIR/"
}

# start_bg NAME PIDFILE LOGFILE CMD...: starts CMD detached (own session, no
# stdin, nohup) with output to LOGFILE and records its pid.
start_bg() {
  local name="$1" pidfile="$2" logfile="$3"
  shift 3
  mkdir -p "$(dirname "$pidfile")" "$(dirname "$logfile")"
  log "starting ${name} (log: ${logfile})"
  # setsid: not in our process group, so Ctrl-C on the caller or the end of
  # the calling shell does not take the component down. In a non-interactive
  # shell the async child is not a group leader, so setsid execs in place and
  # $! is the component's own pid.
  nohup setsid "$@" </dev/null >>"$logfile" 2>&1 &
  echo "$!" >"$pidfile"
}

# stop_pidfile NAME PIDFILE: TERM, wait up to 10 s, then KILL, then verify.
stop_pidfile() {
  local name="$1" pidfile="$2" pid i
  if ! pid_alive "$pidfile"; then
    rm -f "$pidfile"
    return 0
  fi
  pid="$(<"$pidfile")"
  log "stopping ${name} (pid ${pid})"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    pid_alive "$pidfile" || break
    sleep 0.1
  done
  if pid_alive "$pidfile"; then
    warn "${name} (pid ${pid}) ignored TERM for 10s; sending KILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
      pid_alive "$pidfile" || break
      sleep 0.1
    done
  fi
  if pid_alive "$pidfile"; then
    die "${name} (pid ${pid}) is still running after KILL"
  fi
  rm -f "$pidfile"
}

# ---------------------------------------------------------------- ports

# Ports are taken from 20000-32767: below Linux's default ephemeral range
# (32768-60999), so outgoing connections never hold them, and above the
# well-known service ports (etcd 2379, registry 5000, kubelet 10250, ...).
BY_PORT_MIN=20000
BY_PORT_MAX=32767

# port_in_use PORT: something listens on 127.0.0.1 / any address at PORT.
port_in_use() {
  local port="$1"
  if command -v ss >/dev/null 2>&1; then
    [[ -n "$(ss -Htln "sport = :${port}" 2>/dev/null)" ]]
  else
    # Fallback: a successful connect means someone listens.
    (exec 3<>"/dev/tcp/127.0.0.1/${port}") 2>/dev/null
  fi
}

# free_port: prints a free loopback TCP port. Two picks (in one `up`, or in
# concurrent `up`s) could return the same port before anyone binds it, so each pick is
# reserved for 5 minutes with an exclusively-created file in the cache dir
# (long enough for the component to bind it; then `ss` sees it).
free_port() {
  local resdir="${BRANCHYARD_CACHE_DIR}/port-reservations" port tries
  mkdir -p "$resdir"
  find "$resdir" -type f -mmin +5 -delete 2>/dev/null || true
  for ((tries = 0; tries < 200; tries++)); do
    port=$((BY_PORT_MIN + (RANDOM * 32768 + RANDOM) % (BY_PORT_MAX - BY_PORT_MIN + 1)))
    port_in_use "$port" && continue
    if (set -o noclobber; echo "${STATE_DIR:-?}" >"${resdir}/${port}") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  die "could not find a free loopback port in ${BY_PORT_MIN}-${BY_PORT_MAX}"
}

# ---------------------------------------------------------------- waiting

# wait_for DESC TIMEOUT_S LOGFILE PIDFILE CMD...: runs CMD (quietly) every
# second until it succeeds. Prints a progress line every 5 s. Fails with
# "DESC did not become ready in Ns; read LOGFILE" (plus its tail); fails at
# once if PIDFILE is given (non-empty) and that process has exited.
wait_for() {
  local desc="$1" timeout="$2" logfile="$3" pidfile="$4"
  shift 4
  local start last_report elapsed
  start="$(now_s)"
  last_report="$start"
  log "waiting for ${desc} (up to ${timeout}s)"
  while true; do
    if "$@" >/dev/null 2>&1; then
      log "${desc}: ok after $(($(now_s) - start))s"
      return 0
    fi
    elapsed=$(($(now_s) - start))
    if [[ -n "$pidfile" ]] && ! pid_alive "$pidfile"; then
      die "${desc}: the process exited while we waited (after ${elapsed}s)" "$logfile"
    fi
    if ((elapsed >= timeout)); then
      die "${desc} did not become ready in ${timeout}s" "$logfile"
    fi
    if (($(now_s) - last_report >= 5)); then
      log "  ... still waiting for ${desc} (${elapsed}s/${timeout}s)"
      last_report="$(now_s)"
    fi
    sleep 1
  done
}

# ---------------------------------------------------------------- misc

# usage: prints the calling script's header comment (its CLI) and exits 2.
usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2
  exit 2
}

# random_hex N: N random bytes as hex (for tokens and tags).
random_hex() {
  od -An -N"${1:-16}" -tx1 /dev/urandom | tr -d ' \n'
}

# need_cmd CMD...: fail early with a hint when a tool is missing.
need_cmd() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null 2>&1 || die "'$c' is not installed; run scripts/prereqs.sh"
  done
}
