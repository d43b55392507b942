#!/usr/bin/env bash
# Brings one edge site under Nephoran Edge: enrolls it with the hub (spending the one-time token), then
# installs the agent on the site's cluster (K3s or any Kubernetes): namespace, ServiceAccount and RBAC,
# the Secret with the site's credentials, the NetworkIntent CRD, the agent's Deployment; and waits for it.
# Idempotent: a second run changes nothing and says so. --dry-run prints what it would do.
#
# usage: bootstrap-edge-site.sh --site NAME --hub URL --token TOKEN|NEPHORAN_ENROLL_TOKEN [--labels k=v,...]
#          [--certificates-path DIR] [--kubeconfig FILE] [--namespace NS] [--image IMAGE]
#          [--wait SECONDS] [--dry-run]        (--core-endpoint URL is another name for --hub URL)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BASE=${NEPHORAN_AGENT_MANIFESTS:-$HERE/../edge-images/k8s/agent}
SECRET=nephoran-agent-enrollment
DEPLOYMENT=nephoran-agent

site="" hub="" token=${NEPHORAN_ENROLL_TOKEN:-} labels="" certs="" kubeconfig="" namespace="nephoran-system"
image="ghcr.io/nephoran/edge-agent:0.1.0" wait_seconds=180 dry_run=false changed=0

usage() { sed -n '7,9p' "$0" | sed 's/^# \{0,1\}//' >&2; }
step() { printf '==> %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }
# fail WHAT FIX: says what went wrong and what to do about it, then stops.
fail() {
  printf 'error: %s\n' "$1" >&2
  [[ -n ${2:-} ]] && printf '  fix: %s\n' "$2" >&2
  exit 1
}

while [[ $# -gt 0 ]]; do
  case $1 in
    --site) site=${2:-}; shift 2 ;;
    --hub | --core-endpoint) hub=${2:-}; shift 2 ;;
    --token) token=${2:-}; shift 2 ;;
    --labels) labels=${2:-}; shift 2 ;;
    --certificates-path) certs=${2:-}; shift 2 ;;
    --kubeconfig) kubeconfig=${2:-}; shift 2 ;;
    --namespace) namespace=${2:-}; shift 2 ;;
    --image) image=${2:-}; shift 2 ;;
    --wait) wait_seconds=${2:-}; shift 2 ;;
    --dry-run) dry_run=true; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage; fail "unknown argument: $1" "see the usage above" ;;
  esac
done

# --- the arguments --------------------------------------------------------------------------------------
dns_label='^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'
[[ -n $site ]] || fail "--site NAME is required" "give the site's name, as the hub's token was issued for it"
[[ ${#site} -le 63 && $site =~ $dns_label ]] ||
  fail "--site \"$site\" is not a valid site name" "use lower-case letters, digits and '-' (at most 63)"
[[ $hub =~ ^https?://[^[:space:]]+$ ]] || fail "--hub must be the hub's URL (http:// or https://), got \"$hub\"" \
  "e.g. --hub https://hub.example.net:8080"
[[ ${#namespace} -le 63 && $namespace =~ $dns_label ]] ||
  fail "--namespace \"$namespace\" is not a valid namespace name" "use lower-case letters, digits and '-'"
[[ -z $token || $token =~ ^[A-Za-z0-9_-]{10,200}$ ]] || fail "--token is not an enrollment token" \
  "copy it whole, as the hub printed it (npe_...)"
[[ $wait_seconds =~ ^[0-9]+$ ]] || fail "--wait must be a number of seconds, got \"$wait_seconds\""
labels_json=""
if [[ -n $labels ]]; then
  IFS=, read -r -a pairs <<<"$labels"
  for pair in "${pairs[@]}"; do
    [[ $pair =~ ^([a-z0-9A-Z]([-a-zA-Z0-9_./]*[a-zA-Z0-9])?)=([a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?)?$ ]] ||
      fail "--labels: \"$pair\" is not key=value" "e.g. --labels region=eu,tier=gold"
    labels_json+="${labels_json:+,}\"${BASH_REMATCH[1]}\":\"${BASH_REMATCH[3]}\""
  done
fi
cacert=()
if [[ -n $certs ]]; then
  [[ -f $certs/ca.crt ]] || fail "--certificates-path $certs has no ca.crt" \
    "put the CA certificate that signed the hub's TLS certificate in $certs/ca.crt"
  cacert=(--cacert "$certs/ca.crt")
fi
[[ -f $BASE/kustomization.yaml ]] || fail "the agent's manifests are missing ($BASE)" \
  "run this script from a Nephoran Edge checkout or release, with edge-images/ beside scripts/"

kubectl_=(kubectl)
[[ -n $kubeconfig ]] && kubectl_+=(--kubeconfig "$kubeconfig")
kc() { "${kubectl_[@]}" "$@"; }

# --- prerequisites --------------------------------------------------------------------------------------
step "checking prerequisites"
for tool in kubectl curl base64; do
  command -v "$tool" >/dev/null || fail "$tool is not installed" "install $tool on this machine"
done
[[ -z $kubeconfig || -r $kubeconfig ]] || fail "--kubeconfig $kubeconfig cannot be read" "check the path"
if ! version=$(kc version -o json 2>&1); then
  fail "cannot reach the cluster: $(printf '%s' "$version" | tail -n 1)" \
    "check --kubeconfig (or KUBECONFIG) and that the API server is up: kubectl get --raw /readyz"
fi
server=$(printf '%s' "$version" | sed -n 's/.*"gitVersion": *"\([^"]*\)".*/\1/p' | tail -n 1)
if [[ $server == *k3s* ]]; then note "cluster: K3s $server"; else note "cluster: Kubernetes ${server:-(version unknown)}"; fi
kc auth can-i create clusterrolebindings >/dev/null 2>&1 ||
  fail "these credentials cannot create cluster RBAC" "run with a cluster-admin kubeconfig (on K3s: /etc/rancher/k3s/k3s.yaml)"

# --- the kustomization for this site ---------------------------------------------------------------------
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -R "$BASE" "$work/base"
image_name=${image%:*} image_tag=${image##*:}
[[ $image == *:* && $image_tag != */* ]] || { image_name=$image; image_tag=latest; }
cat >"$work/kustomization.yaml" <<EOF
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: $namespace
resources: [base]
labels:
  - pairs: { nephoran.io/site: "$site" }
images:
  - { name: ghcr.io/nephoran/edge-agent, newName: "$image_name", newTag: "$image_tag" }
EOF
if [[ -n $certs ]]; then
  # The hub's CA travels into the pod, and Node.js trusts it beside the system's.
  cat >>"$work/kustomization.yaml" <<EOF
configMapGenerator:
  - { name: nephoran-hub-ca, files: [ca.crt], options: { disableNameSuffixHash: true } }
patches:
  - target: { kind: Deployment, name: $DEPLOYMENT }
    patch: |-
      - { op: add, path: /spec/template/spec/volumes/-, value: { name: hub-ca, configMap: { name: nephoran-hub-ca } } }
      - { op: add, path: /spec/template/spec/containers/0/volumeMounts/-, value: { name: hub-ca, mountPath: /etc/nephoran/ca, readOnly: true } }
      - { op: add, path: /spec/template/spec/containers/0/env, value: [{ name: NODE_EXTRA_CA_CERTS, value: /etc/nephoran/ca/ca.crt }] }
EOF
  cp "$certs/ca.crt" "$work/ca.crt"
fi
kc kustomize "$work" >"$work/all.yaml" 2>"$work/err" ||
  fail "the agent's manifests do not build: $(tail -n 1 "$work/err")" "check $BASE"

# apply FILE WHAT: applies, and counts what it changed.
apply() {
  local out
  if $dry_run; then
    out=$(kc apply --dry-run=client -f "$1" 2>&1) || fail "$2 would be refused: $(tail -n 1 <<<"$out")" \
      "check the cluster's admission policies and these credentials"
  else
    out=$(kc apply -f "$1" 2>&1) || fail "could not apply $2: $(tail -n 1 <<<"$out")" \
      "check the message above; nothing else was changed after this step"
  fi
  while IFS= read -r line; do
    [[ -z $line ]] && continue
    note "$line"
    if [[ $line =~ \ (created|configured) ]]; then changed=$((changed + 1)); fi
  done <<<"$out"
}
# split KIND...: the objects of these kinds from the built manifests, into their own file.
split() {
  local file=$work/$1.yaml
  awk -v kinds=" ${*:2} " 'BEGIN { RS = "\n---\n"; ORS = "\n---\n" }
    { if (match($0, /(^|\n)kind: [A-Za-z]+/)) { k = substr($0, RSTART, RLENGTH); sub(/.*kind: /, "", k);
      if (index(kinds, " " k " ")) print } }' "$work/all.yaml" >"$file"
  printf '%s' "$file"
}

# --- namespace --------------------------------------------------------------------------------------------
step "namespace $namespace"
apply "$(split namespace Namespace)" "the namespace"

# --- enrollment -------------------------------------------------------------------------------------------
step "enrolling site $site with the hub at $hub"
# site_of: the siteId of the enrollment JSON on stdin.
site_of() { sed -n 's/.*"siteId" *: *"\([^"]*\)".*/\1/p' | head -n 1; }
enrolled_as=""
if existing=$(kc -n "$namespace" get secret "$SECRET" -o jsonpath='{.data.enrollment\.json}' 2>/dev/null) &&
  [[ -n $existing ]]; then
  enrolled_as=$(printf '%s' "$existing" | base64 -d | site_of)
  [[ $enrolled_as == "$site" ]] || fail "namespace $namespace already holds the enrollment of site \"$enrolled_as\"" \
    "use another --namespace, or delete secret $SECRET there to enroll this cluster as $site"
  note "already enrolled as $site (secret $SECRET); the token is not spent again"
else
  [[ -n $token ]] || fail "--token TOKEN is required to enroll" "ask the hub's operator: nephoran site token $site"
  if $dry_run; then
    note "would spend the token at $hub/v1/enroll and keep the site's credentials in secret $namespace/$SECRET"
    changed=$((changed + 1))
  else
    umask 077
    proposed=""
    [[ -n $labels_json ]] && proposed=",\"labels\":{$labels_json}"
    body="{\"token\":\"$token\",\"agentVersion\":\"bootstrap\"$proposed}"
    if ! code=$(curl -sS "${cacert[@]}" -o "$work/enrollment.json" -w '%{http_code}' --max-time 30 \
      -H 'content-type: application/json' --data-binary @- "${hub%/}/v1/enroll" <<<"$body" 2>"$work/err"); then
      fail "cannot reach the hub at $hub: $(tail -n 1 "$work/err")" \
        "check the URL and the VPN link to the hub${certs:+, and that $certs/ca.crt signed its certificate}"
    fi
    if [[ $code != 201 ]]; then
      why=$(sed -n 's/.*"message" *: *"\([^"]*\)".*/\1/p' "$work/enrollment.json" | head -n 1)
      fail "the hub refused the enrollment ($code): ${why:-$(head -c 200 "$work/enrollment.json")}" \
        "tokens are single-use and expire: ask for a new one (nephoran site token $site)"
    fi
    enrolled_as=$(site_of <"$work/enrollment.json")
    if [[ $enrolled_as != "$site" ]]; then
      fail "the token was issued for site \"$enrolled_as\", not \"$site\"" \
        "run again with --site $enrolled_as, or ask for a token for $site"
    fi
    # The credentials exist only in this answer: keep them before anything else can fail.
    status_token=$(head -c 24 /dev/urandom | base64 | tr -d '/+=\n')
    if ! out=$(kc -n "$namespace" create secret generic "$SECRET" --from-file=enrollment.json="$work/enrollment.json" \
      --from-literal=status-token="$status_token" 2>&1); then
      keep=$(mktemp "${TMPDIR:-/tmp}/nephoran-enrollment-$site.XXXXXX")
      cp "$work/enrollment.json" "$keep"
      fail "enrolled, but could not store the credentials: $(tail -n 1 <<<"$out")" \
        "they are kept in $keep (mode 0600): kubectl -n $namespace create secret generic $SECRET --from-file=enrollment.json=$keep --from-literal=status-token=\$(head -c 24 /dev/urandom | base64), then run this script again"
    fi
    kc -n "$namespace" label secret "$SECRET" app.kubernetes.io/part-of=nephoran "nephoran.io/site=$site" >/dev/null
    note "enrolled as $site; credentials kept in secret $namespace/$SECRET"
    changed=$((changed + 1))
  fi
fi

# --- RBAC, CRD, storage and the agent -----------------------------------------------------------------------
step "ServiceAccount and RBAC (what the agent needs: its workloads, namespaces, NetworkIntents, its CRD)"
apply "$(split rbac ServiceAccount ClusterRole ClusterRoleBinding)" "the RBAC objects"
step "NetworkIntent CRD"
apply "$(split crd CustomResourceDefinition)" "the CRD"
step "the agent (image $image)"
apply "$(split agent PersistentVolumeClaim ConfigMap Deployment)" "the agent's Deployment"

# --- ready? ---------------------------------------------------------------------------------------------------
if $dry_run; then
  step "dry run: nothing was changed ($changed change(s) would be made)"
  exit 0
fi
step "waiting up to ${wait_seconds}s for the agent to become ready"
if ! out=$(kc -n "$namespace" rollout status "deployment/$DEPLOYMENT" --timeout="${wait_seconds}s" 2>&1); then
  fail "the agent did not become ready: $(tail -n 1 <<<"$out")" \
    "look at: kubectl -n $namespace describe pod -l app.kubernetes.io/name=$DEPLOYMENT; kubectl -n $namespace logs deploy/$DEPLOYMENT"
fi
note "$(tail -n 1 <<<"$out")"

if [[ $changed -eq 0 ]]; then
  step "site $site was already bootstrapped: nothing changed"
else
  step "site $site is bootstrapped ($changed change(s))"
fi
cat <<EOF
    status page:  kubectl -n $namespace port-forward deploy/$DEPLOYMENT 9480   then http://127.0.0.1:9480/
    its token:    kubectl -n $namespace get secret $SECRET -o jsonpath='{.data.status-token}' | base64 -d
    intents:      kubectl get networkintents -A
EOF
