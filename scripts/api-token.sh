#!/usr/bin/env bash
# Mints, lists and revokes Branchyard API tokens without the API (e.g. the first admin token).
#   scripts/api-token.sh create --name ci --scope write   # prints the token, once
#   scripts/api-token.sh list
#   scripts/api-token.sh revoke --name ci
# Options: --namespace NS (Branchyard's namespace; default: kubectl's current one),
#          --secret NAME (default branchyard-api-tokens, as branchyard.web.api.tokens.secret).
# Only the token's SHA-256 is stored, in the Secret, as "scope=<scope>;sha256=<hex>;created=<time>";
# Branchyard reads the Secret again within branchyard.web.api.tokens.refresh-interval (10s).
# Needs kubectl (KUBECONFIG), sha256sum, base64 and /dev/urandom.
set -euo pipefail

usage() {
  sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

command="${1:-}"
[[ -n "$command" ]] || usage
shift
name="" scope="" namespace="" secret="branchyard-api-tokens"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --name) name="${2:?--name needs a value}"; shift 2 ;;
    --scope) scope="${2:?--scope needs a value}"; shift 2 ;;
    --namespace|-n) namespace="${2:?--namespace needs a value}"; shift 2 ;;
    --secret) secret="${2:?--secret needs a value}"; shift 2 ;;
    -h|--help) usage ;;
    *) echo "api-token.sh: unknown option '$1'" >&2; usage ;;
  esac
done
kubectl_ns=(kubectl)
[[ -n "$namespace" ]] && kubectl_ns+=(--namespace "$namespace")

check_name() {
  [[ "$name" =~ ^[a-z0-9]([-a-z0-9._]{0,61}[a-z0-9])?$ ]] || {
    echo "api-token.sh: token name '$name' is not valid: use 1 to 63 lowercase letters, digits," \
      "'-', '.' or '_', starting and ending with a letter or digit" >&2
    exit 2
  }
}

secret_exists() {
  "${kubectl_ns[@]}" get secret "$secret" -o name >/dev/null 2>&1
}

case "$command" in
  create)
    check_name
    case "$scope" in
      read|write|admin) ;;
      *) echo "api-token.sh: --scope must be read, write or admin (got '${scope}')" >&2; exit 2 ;;
    esac
    # 32 random bytes as unpadded base64url: 43 characters, as the API mints them.
    token="by_$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    hash="$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)"
    value="scope=${scope};sha256=${hash};created=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    encoded="$(printf '%s' "$value" | base64 | tr -d '\n')"
    if secret_exists; then
      "${kubectl_ns[@]}" patch secret "$secret" --type merge \
        -p "{\"data\":{\"${name}\":\"${encoded}\"}}" >/dev/null
    else
      "${kubectl_ns[@]}" create secret generic "$secret" --from-literal="${name}=${value}" >/dev/null
      "${kubectl_ns[@]}" label secret "$secret" app.kubernetes.io/part-of=branchyard >/dev/null
    fi
    echo "token '${name}' (scope ${scope}) stored as its SHA-256 in Secret ${secret}." >&2
    echo "Send it as 'Authorization: Bearer <token>'. It is shown only now:" >&2
    echo "$token"
    ;;
  list)
    if ! secret_exists; then
      echo "no Secret ${secret}: no API tokens yet (scripts/api-token.sh create ...)" >&2
      exit 0
    fi
    "${kubectl_ns[@]}" get secret "$secret" \
      -o go-template='{{range $k, $v := .data}}{{$k}}{{"\t"}}{{$v | base64decode}}{{"\n"}}{{end}}' |
      sed -E 's/;?sha256=[0-9a-f]+//'
    ;;
  revoke)
    check_name
    if ! secret_exists || ! "${kubectl_ns[@]}" get secret "$secret" \
      -o go-template="{{if index .data \"${name}\"}}yes{{end}}" | grep -q yes; then
      echo "api-token.sh: no token named '${name}' in Secret ${secret}" >&2
      exit 1
    fi
    "${kubectl_ns[@]}" patch secret "$secret" --type json \
      -p "[{\"op\":\"remove\",\"path\":\"/data/${name}\"}]" >/dev/null
    echo "token '${name}' revoked" >&2
    ;;
  *)
    echo "api-token.sh: unknown command '${command}'" >&2
    usage
    ;;
esac
