#!/usr/bin/env bash
# Validates edge sites after their bootstrap. Asks the hub whether each site is heard from, in step with
# what it should run, and has every intent there converged; with --kubeconfig, also checks the agent on
# that site's cluster (its Deployment available, the NetworkIntent CRD, its ServiceAccount and RBAC).
# Prints one line a site, PASS or FAIL with why, and exits 1 when any site fails (2: the arguments).
#
# usage: validate-edge-deployment.sh (--site NAME [--site NAME ...] | --all-sites) [--hub URL]
#          [--max-lag SECONDS] [--kubeconfig FILE [--namespace NS]]
#        the hub: --hub or NEPHORAN_HUB (--core-endpoint too); the API token: NEPHORAN_TOKEN
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
sites=() all=false hub=${NEPHORAN_HUB:-} max_lag=60 kubeconfig="" namespace="nephoran-system"

usage() { sed -n '7,9p' "$0" | sed 's/^# \{0,1\}//' >&2; }
# fail WHAT FIX: says what is wrong with the arguments and what to do about it, then stops.
fail() {
  printf 'error: %s\n' "$1" >&2
  [[ -n ${2:-} ]] && printf '  fix: %s\n' "$2" >&2
  exit 2
}

while [[ $# -gt 0 ]]; do
  case $1 in
    --site) sites+=("${2:-}"); shift 2 ;;
    --all-sites) all=true; shift ;;
    --hub | --core-endpoint) hub=${2:-}; shift 2 ;;
    --max-lag) max_lag=${2:-}; shift 2 ;;
    --kubeconfig) kubeconfig=${2:-}; shift 2 ;;
    --namespace) namespace=${2:-}; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) usage; fail "unknown argument: $1" "see the usage above" ;;
  esac
done

dns_label='^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'
if $all; then
  [[ ${#sites[@]} -eq 0 ]] || fail "give --site NAME or --all-sites, not both"
else
  [[ ${#sites[@]} -gt 0 ]] || fail "which sites? --site NAME (repeatable) or --all-sites"
fi
for s in "${sites[@]}"; do
  [[ ${#s} -le 63 && $s =~ $dns_label ]] || fail "--site \"$s\" is not a valid site name" \
    "use lower-case letters, digits and '-' (at most 63)"
done
[[ $hub =~ ^https?://[^[:space:]]+$ ]] || fail "--hub must be the hub's URL (http:// or https://), got \"$hub\"" \
  "e.g. --hub https://hub.example.net:8080, or NEPHORAN_HUB in the environment"
[[ -n ${NEPHORAN_TOKEN:-} ]] || fail "no API token" "export NEPHORAN_TOKEN=<an API token with the viewer role>"
[[ $max_lag =~ ^[0-9]+$ ]] || fail "--max-lag must be a number of seconds, got \"$max_lag\""
[[ ${#namespace} -le 63 && $namespace =~ $dns_label ]] || fail "--namespace \"$namespace\" is not a namespace name"
if [[ -n $kubeconfig ]]; then
  [[ ${#sites[@]} -eq 1 ]] || fail "--kubeconfig is one site's cluster: give exactly one --site with it"
  [[ -r $kubeconfig ]] || fail "cannot read the kubeconfig $kubeconfig"
  command -v kubectl >/dev/null || fail "kubectl is not installed" "install kubectl, or leave out --kubeconfig"
fi
command -v node >/dev/null || fail "node is not installed" "install Node.js 20 or newer (the CLI runs on it)"

failed=0

# The agent on the site's cluster: what the bootstrap installed, and the agent running.
if [[ -n $kubeconfig ]]; then
  kc() { kubectl --kubeconfig "$kubeconfig" --request-timeout 20s "$@"; }
  problems=()
  kc get crd networkintents.nephoran.io >/dev/null 2>&1 || problems+=("no NetworkIntent CRD")
  kc -n "$namespace" get serviceaccount nephoran-agent >/dev/null 2>&1 || problems+=("no ServiceAccount $namespace/nephoran-agent")
  kc get clusterrole nephoran-agent >/dev/null 2>&1 || problems+=("no ClusterRole nephoran-agent")
  kc get clusterrolebinding nephoran-agent >/dev/null 2>&1 || problems+=("no ClusterRoleBinding nephoran-agent")
  if available=$(kc -n "$namespace" get deployment nephoran-agent -o jsonpath='{.status.availableReplicas}' 2>&1); then
    [[ ${available:-0} -ge 1 ]] || problems+=("Deployment $namespace/nephoran-agent has no available replica")
  else
    problems+=("no Deployment $namespace/nephoran-agent")
  fi
  if [[ ${#problems[@]} -eq 0 ]]; then
    printf 'cluster of %s: PASS (agent Deployment available, CRD, ServiceAccount and RBAC present)\n' "${sites[0]}"
  else
    failed=1
    printf 'cluster of %s: FAIL: %s\n' "${sites[0]}" "$(IFS=';'; printf '%s' "${problems[*]}" | sed 's/;/; /g')"
  fi
fi

# The hub's view of every site asked about.
args=(site validate --hub "$hub" --max-lag "$max_lag")
if $all; then args+=(--all); else args+=("${sites[@]}"); fi
rc=0
node "$HERE/nephoran.mjs" "${args[@]}" || rc=$?
[[ $rc -le 1 ]] || exit "$rc"
exit $((failed || rc))
