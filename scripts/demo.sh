#!/usr/bin/env bash
# `make run`'s demo: two small git repositories served locally, a spec whose components come from
# them, and a signed pull_request.opened webhook, so that an environment goes from Pending to Ready.
# scripts/run.sh drives it on the local platform; the subcommands also run on their own:
#
#   scripts/demo.sh prepare [--state-dir DIR]   create the repos (once), start the git server,
#                                               write DIR/demo/{specs/demo.yaml,env,pull_request.opened.json}
#   scripts/demo.sh follow BASE_URL [--state-dir DIR]
#                                               wait for Branchyard at BASE_URL, send the webhook,
#                                               print the status page URL, follow the phase to Ready
#   scripts/demo.sh stop [--remove] [--state-dir DIR]
#                                               stop the git server (--remove: and delete DIR/demo)
#
# Everything lives under DIR/demo (DIR: the local platform's state dir):
#   git/demo/api.git, git/demo/web.git   bare repositories, served at http://127.0.0.1:PORT/demo/<name>.git
#   specs/demo.yaml                      the spec, scripts/demo/demo.yaml (branchyard.specs.directory.path points here)
#   env                                  the config Branchyard is started with (KEY=VALUE)
#   git-http.pid, logs/git-http.log      the git server (scripts/demo/GitHttpServer.java)
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROOT="$(cd "${BY_SCRIPTS_DIR}/.." && pwd)"
parse_state_dir "$@"
set -- "${ARGS[@]+"${ARGS[@]}"}"
(($# >= 1)) || usage

DEMO_DIR="${STATE_DIR}/demo"
GIT_ROOT="${DEMO_DIR}/git"
GIT_PIDFILE="${DEMO_DIR}/git-http.pid"
GIT_LOG="${DEMO_DIR}/logs/git-http.log"
SPEC_NAME=demo
PR_REPO=demo/web
PR_NUMBER=1
PR_BRANCH=demo/hello
ENV_NAME="${SPEC_NAME}-web-pr${PR_NUMBER}" # lifecycle.EnvironmentNames.forPullRequest
NAMESPACE="${QUARKUS_KUBERNETES_CLIENT_NAMESPACE:-branchyard}"

# Fixed author, committer and dates: the repositories come out the same, commit SHAs included,
# each time they are made.
git_quiet() {
  GIT_AUTHOR_DATE="2026-01-01T12:00:00Z" GIT_COMMITTER_DATE="2026-01-01T12:00:00Z" \
    git -c init.defaultBranch=main -c user.name="Branchyard demo" \
    -c user.email=demo@branchyard.invalid -c commit.gpgsign=false "$@" >/dev/null
}

# make_repo NAME: DIR/demo/git/demo/NAME.git with one commit on main (a FROM scratch
# Dockerfile and a file); the web repo also gets the pull request's branch with one more commit.
# Reused when it has a main branch; built aside and moved into place, so never half made.
make_repo() {
  local name="$1" bare="${GIT_ROOT}/demo/${1}.git" work
  if git --git-dir="$bare" rev-parse -q --verify refs/heads/main >/dev/null 2>&1; then
    log "demo: reusing the repository demo/${name} ($(git --git-dir="$bare" rev-parse --short refs/heads/main) on main)"
    return 0
  fi
  log "demo: creating the repository demo/${name}"
  rm -rf "$bare" "${bare}.tmp" "${DEMO_DIR}/work-${name}"
  work="${DEMO_DIR}/work-${name}"
  mkdir -p "$work" "$(dirname "$bare")"
  git_quiet init -q "$work"
  printf 'FROM scratch\nCOPY hello.txt /hello.txt\n' >"${work}/Dockerfile"
  printf 'Hello from the %s component of the Branchyard demo.\n' "$name" >"${work}/hello.txt"
  git_quiet -C "$work" add Dockerfile hello.txt
  git_quiet -C "$work" commit -q -m "${name}: a FROM scratch image with one file"
  if [[ "$name" == web ]]; then
    git_quiet -C "$work" checkout -q -b "$PR_BRANCH"
    printf 'Hello from the %s component of the Branchyard demo, changed on %s.\n' \
      "$name" "$PR_BRANCH" >"${work}/hello.txt"
    git_quiet -C "$work" commit -q -am "${name}: say hello from the pull request's branch"
    git_quiet -C "$work" checkout -q main
  fi
  git_quiet clone -q --bare "$work" "${bare}.tmp"
  mv "${bare}.tmp" "$bare"
  rm -rf "$work"
}

git_server_url() {
  [[ -s "${DEMO_DIR}/git-http.port" ]] && echo "http://127.0.0.1:$(<"${DEMO_DIR}/git-http.port")"
}

start_git_server() {
  local port url
  if pid_alive "$GIT_PIDFILE" && url="$(git_server_url)" &&
    git ls-remote "${url}/demo/web.git" >/dev/null 2>&1; then
    log "demo: the git server already runs at ${url} (pid $(<"$GIT_PIDFILE"))"
    return 0
  fi
  stop_pidfile "demo git server" "$GIT_PIDFILE"
  port="$(free_port)"
  echo "$port" >"${DEMO_DIR}/git-http.port"
  mkdir -p "$(dirname "$GIT_LOG")"
  : >"$GIT_LOG"
  start_bg "the demo git server on port ${port}" "$GIT_PIDFILE" "$GIT_LOG" \
    java "${ROOT}/scripts/demo/GitHttpServer.java" "$GIT_ROOT" "$port"
  wait_for "the demo git server" 60 "$GIT_LOG" "$GIT_PIDFILE" \
    git ls-remote "http://127.0.0.1:${port}/demo/web.git"
}

write_spec() {
  mkdir -p "${DEMO_DIR}/specs"
  cp "${ROOT}/scripts/demo/demo.yaml" "${DEMO_DIR}/specs/demo.yaml.tmp"
  mv "${DEMO_DIR}/specs/demo.yaml.tmp" "${DEMO_DIR}/specs/demo.yaml"
}

# write_payload: a pull_request.opened delivery in GitHub's shape (the sample in webhooks/, moved
# to demo/web) for the pull request demo/hello -> main at the repository's real commits.
write_payload() {
  local bare="${GIT_ROOT}/demo/web.git" head base url
  head="$(git --git-dir="$bare" rev-parse "refs/heads/${PR_BRANCH}")"
  base="$(git --git-dir="$bare" rev-parse refs/heads/main)"
  url="$(git_server_url)"
  jq --arg head "$head" --arg base "$base" --arg branch "$PR_BRANCH" --arg url "$url" \
    --argjson number "$PR_NUMBER" '
    walk(if type == "string" then
           gsub("acme/shop-web"; "demo/web") | gsub("shop-web"; "web") | gsub("acme"; "demo")
           | gsub("https://github.com/demo/web.git"; $url + "/demo/web.git")
         else . end)
    | .number = $number
    | .pull_request.number = $number
    | .pull_request.title = "Demo: say hello from a branch"
    | .pull_request.body = "Sent by make run (scripts/demo.sh)."
    | .pull_request.labels = []
    | .pull_request.head.ref = $branch
    | .pull_request.head.label = "demo:" + $branch
    | .pull_request.head.sha = $head
    | .pull_request.base.sha = $base
    | .pull_request.base.ref = "main"
    | .pull_request.head.user.login = "demo"
    | .pull_request.base.user.login = "demo"
    | .pull_request.head.repo.owner.login = "demo"
    | .pull_request.base.repo.owner.login = "demo"
    | .repository.owner.login = "demo"
    | del(.installation)' \
    "${ROOT}/webhooks/pull_request.opened.json" >"${DEMO_DIR}/pull_request.opened.json.tmp"
  mv "${DEMO_DIR}/pull_request.opened.json.tmp" "${DEMO_DIR}/pull_request.opened.json"
}

write_env() {
  cat >"${DEMO_DIR}/env" <<EOF
BRANCHYARD_GIT_GITHUB_BASE_URL=$(git_server_url)
BRANCHYARD_SPECS_DIRECTORY_PATH=${DEMO_DIR}/specs
BRANCHYARD_DEPLOY_TEMPLATES_DIR=${ROOT}/templates
BRANCHYARD_GIT_MIRROR_DIR=${DEMO_DIR}/mirrors
BRANCHYARD_BUILD_LOCAL_WORK_DIR=${DEMO_DIR}/bah
EOF
}

cmd_prepare() {
  need_cmd git java jq
  mkdir -p "$GIT_ROOT" "${DEMO_DIR}/logs"
  make_repo api
  make_repo web
  start_git_server
  write_spec
  write_payload
  write_env
  log "demo: repositories served at $(git_server_url)/demo/{api,web}.git; spec ${DEMO_DIR}/specs/demo.yaml"
}

kubectl_() {
  "${BRANCHYARD_CACHE_DIR}/k8s-v1.20.2/bin/kubectl" --kubeconfig "$KUBECONFIG" -n "$NAMESPACE" "$@"
}

phase_of() {
  kubectl_ get environment "$ENV_NAME" -o 'jsonpath={.status.phase}' 2>/dev/null
}

cmd_follow() {
  local base_url="${1%/}" start deadline phase last="" out
  [[ -n "$base_url" ]] || usage
  [[ -n "${KUBECONFIG:-}" ]] || die "demo: follow needs KUBECONFIG (the local platform's env)"
  deadline=$(($(now_s) + 900))
  log "demo: waiting for Branchyard at ${base_url}/q/health/ready (the first start compiles, a few minutes)"
  until curl -fsS "${base_url}/q/health/ready" >/dev/null 2>&1; do
    (($(now_s) < deadline)) || die "demo: Branchyard did not become ready in 15 minutes"
    sleep 2
  done
  # The spec directory is read at startup; wait until the catalog has the demo spec.
  until curl -fsS "${base_url}/api/specs" 2>/dev/null | grep -q "\"${SPEC_NAME}\""; do
    (($(now_s) < deadline)) || die "demo: Branchyard did not load ${DEMO_DIR}/specs/demo.yaml"
    sleep 1
  done
  start="$(now_s)"
  log "demo: sending a signed pull_request.opened webhook: ${PR_REPO}#${PR_NUMBER} (${PR_BRANCH} -> main)"
  if ! out="$("${ROOT}/webhooks/send.sh" "$base_url" pull_request "${DEMO_DIR}/pull_request.opened.json" 2>&1)"; then
    printf '%s\n' "$out" | sed 's/^/    | /' >&2
    die "demo: Branchyard refused the webhook"
  fi
  printf '%s\n' "$out" | sed 's/^/    | /' >&2
  log "demo: waiting for the Environment ${ENV_NAME}"
  until kubectl_ get environment "$ENV_NAME" >/dev/null 2>&1; do
    (($(now_s) - start < 120)) || die "demo: no Environment ${ENV_NAME} two minutes after the webhook; see Branchyard's output"
    sleep 1
  done
  cat >&2 <<EOF

  ================================================================================
    The demo environment ${ENV_NAME} exists. Watch it go to Ready:

      status page:  ${base_url}/environments/${ENV_NAME}
      REST API:     curl ${base_url}/api/environments/${ENV_NAME}
      kubectl:      ${BRANCHYARD_CACHE_DIR}/k8s-v1.20.2/bin/kubectl \\
                      --kubeconfig ${KUBECONFIG} -n ${NAMESPACE} get environments -w
  ================================================================================

EOF
  while true; do
    phase="$(phase_of || true)"
    if [[ -n "$phase" && "$phase" != "$last" ]]; then
      log "demo: ${ENV_NAME} is ${phase} ($(($(now_s) - start))s after the webhook)"
      last="$phase"
    fi
    case "$phase" in
      Ready)
        log "demo: ${ENV_NAME} is Ready: ${base_url}/environments/${ENV_NAME} (Ctrl-C stops Branchyard and the demo)"
        return 0
        ;;
      Failed)
        warn "demo: ${ENV_NAME} failed; the status page says why: ${base_url}/environments/${ENV_NAME}"
        return 1
        ;;
    esac
    if (($(now_s) - start > 900)); then
      warn "demo: ${ENV_NAME} is still ${phase:-without a phase} after 15 minutes: ${base_url}/environments/${ENV_NAME}"
      return 1
    fi
    sleep 1
  done
}

cmd_stop() {
  stop_pidfile "the demo git server" "$GIT_PIDFILE"
  rm -f "${DEMO_DIR}/git-http.port"
  if [[ "${1:-}" == --remove && -d "$DEMO_DIR" ]]; then
    log "demo: removing ${DEMO_DIR} (repositories, mirrors, build work dir)"
    rm -rf "$DEMO_DIR"
  fi
}

case "$1" in
  prepare) cmd_prepare ;;
  follow) cmd_follow "${2:-}" ;;
  stop) cmd_stop "${2:-}" ;;
  *) usage ;;
esac
