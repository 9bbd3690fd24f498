#!/usr/bin/env bash
# `make test`: installs what is missing, builds (or reuses) the cached control plane, then runs
# every test: unit tests (surefire) and integration tests (failsafe) against a real local
# control plane + registry + buildah, which the IT suite starts once. Whatever happens, the
# platform of this run is stopped and its data removed before this script exits.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROOT="$(cd "${BY_SCRIPTS_DIR}/.." && pwd)"
cd "$ROOT"
# The test run's own platform: never the one `make run` or `make platform-up` may have started.
# Short and outside the checkout: unix socket paths under it must stay below 108 bytes.
TEST_STATE_DIR="${BRANCHYARD_TEST_STATE_DIR:-${TMPDIR:-/tmp}/branchyard-test-$(printf %s "$ROOT" | sha256sum | cut -c1-8)}"

started="$(now_s)"
# chromium + chromium-driver: the browser tests of the web pages (Debian's headless chromium driven
# by Selenium through /usr/bin/chromedriver; nothing is downloaded at test time).
"${BY_SCRIPTS_DIR}/prereqs.sh" openjdk-17-jdk-headless unzip make chromium chromium-driver
"${BY_SCRIPTS_DIR}/k8s.sh" build

stop_platform() {
  local rc=$?
  log "test: stopping the test platform (if the tests started one)"
  "${BY_SCRIPTS_DIR}/local-platform.sh" down --state-dir "$TEST_STATE_DIR" || rc=1
  log "test: finished in $(($(now_s) - started))s with exit code ${rc}"
  exit "$rc"
}
trap stop_platform EXIT
trap 'exit 130' INT TERM

log "test: running unit and integration tests (./mvnw verify -Pit)"
./mvnw -B --no-transfer-progress verify -Pit \
  -Dbranchyard.platform.state-dir="$TEST_STATE_DIR" "$@"
