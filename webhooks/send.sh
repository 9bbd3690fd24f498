#!/usr/bin/env bash
# Sends one sample webhook, signed as GitHub signs it, to a running Branchyard.
#
#   webhooks/send.sh <base-url> <event> <payload-file>
#   webhooks/send.sh http://127.0.0.1:8080 pull_request webhooks/pull_request.opened.json
#
# The body is signed with HMAC-SHA256 keyed with $WEBHOOK_SECRET (default branchyard-dev-secret,
# the app's dev-profile secret) and POSTed to <base-url>/webhooks/github with the headers GitHub
# sends (X-GitHub-Event, X-GitHub-Delivery: a fresh random id, X-Hub-Signature-256).
# Prints the HTTP status and the response body; exits 0 on 2xx, 1 otherwise, 2 on bad usage.
set -euo pipefail

usage() {
  echo "usage: $0 <base-url> <event> <payload-file>" >&2
  echo "  e.g. $0 http://127.0.0.1:8080 pull_request webhooks/pull_request.opened.json" >&2
  exit 2
}

[ $# -eq 3 ] || usage
base_url=${1%/}
event=$2
payload=$3
[ -r "$payload" ] || { echo "$0: cannot read payload file $payload" >&2; exit 2; }
command -v openssl >/dev/null || { echo "$0: needs openssl (apt-get install openssl)" >&2; exit 2; }
command -v curl >/dev/null || { echo "$0: needs curl (apt-get install curl)" >&2; exit 2; }

secret=${WEBHOOK_SECRET:-branchyard-dev-secret}
signature=$(openssl dgst -sha256 -hmac "$secret" < "$payload" | sed 's/^.*= *//')
if [ -r /proc/sys/kernel/random/uuid ]; then
  delivery=$(cat /proc/sys/kernel/random/uuid)
else
  delivery=$(openssl rand -hex 16 | sed -E 's/(.{8})(.{4})(.{4})(.{4})(.{12})/\1-\2-\3-\4-\5/')
fi

response=$(mktemp)
trap 'rm -f "$response"' EXIT
status=$(curl -sS -o "$response" -w '%{http_code}' -X POST "$base_url/webhooks/github" \
  -H 'Content-Type: application/json' \
  -H 'User-Agent: GitHub-Hookshot/branchyard-send' \
  -H "X-GitHub-Event: $event" \
  -H "X-GitHub-Delivery: $delivery" \
  -H "X-Hub-Signature-256: sha256=$signature" \
  --data-binary "@$payload") || { echo "$0: could not reach $base_url" >&2; exit 1; }

echo "$status $event $(basename "$payload") delivery=$delivery"
if [ -s "$response" ]; then
  cat "$response"
  echo
fi
case $status in
  2??) exit 0 ;;
  *) exit 1 ;;
esac
