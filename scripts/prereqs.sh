#!/usr/bin/env bash
# Installs the Debian packages the local platform needs, only if missing.
#   scripts/prereqs.sh [EXTRA_PACKAGE...]     e.g. scripts/prereqs.sh chromium chromium-driver
# When everything is present it prints one line and returns in well under 1 s.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PACKAGES=(
  # Kubernetes build (scripts/k8s.sh build): Go toolchain, rsync/dpkg-dev used
  # by the kubernetes Makefiles and `apt-get source`, and Debian's copies of
  # reflect2/json-iterator that replace the vendored ones (Go 1.19 crash fix).
  golang-go rsync dpkg-dev make
  golang-github-modern-go-reflect2-dev golang-github-json-iterator-go-dev
  # Control plane storage.
  etcd-server
  # Image registry and builder (buildah builds FROM scratch images with the
  # vfs driver and chroot isolation: no runc/fuse-overlayfs needed;
  # containers-common gives /etc/containers/policy.json and registries.conf).
  docker-registry buildah golang-github-containers-common
  # Tools the scripts call.
  jq openssl curl ca-certificates procps iproute2 util-linux coreutils
)
PACKAGES+=("$@")

missing=()
for pkg in "${PACKAGES[@]}"; do
  status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} == 0)); then
  log "prereqs: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

if [[ "$(id -u)" != 0 ]]; then
  die "missing packages (${missing[*]}) and not root; run: sudo $0 $*"
fi

# docker-registry and etcd-server ship system services (registry on :5000,
# etcd on :2379). We never use them: we run our own on free ports. Keep any
# service from starting during our install (policy-rc.d), and on a machine
# with systemd disable the two services if this run installed them.
services_to_disable=()
for pkg in "${missing[@]}"; do
  case "$pkg" in
    docker-registry) services_to_disable+=(docker-registry.service) ;;
    etcd-server) services_to_disable+=(etcd.service) ;;
  esac
done

log "prereqs: installing ${missing[*]}"
log "prereqs: apt-get update"
apt-get update -qq
policy_rc=/usr/sbin/policy-rc.d
created_policy=false
if [[ ! -e "$policy_rc" ]]; then
  # exit 101 = "action forbidden": invoke-rc.d starts no services meanwhile.
  printf '#!/bin/sh\nexit 101\n' >"$policy_rc"
  chmod +x "$policy_rc"
  created_policy=true
fi
remove_policy() {
  if [[ "$created_policy" == true ]]; then rm -f "$policy_rc"; fi
}
trap remove_policy EXIT
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"

if ((${#services_to_disable[@]} > 0)) && [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null 2>&1; then
  log "prereqs: disabling system services we do not use: ${services_to_disable[*]}"
  systemctl disable --now "${services_to_disable[@]}" >/dev/null 2>&1 || true
fi
log "prereqs: installed ${missing[*]}"
