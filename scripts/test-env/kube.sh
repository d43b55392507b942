#!/usr/bin/env bash
# A real Kubernetes API for the tests: etcd + kube-apiserver + kube-controller-manager (v1.20.2) built
# from Debian's 'kubernetes' source package with Debian's Go, once, into a cache outside the clone.
#
#   kube.sh install   Debian packages the build and etcd need (apt-get; root)
#   kube.sh build     build into $NEPHORAN_CACHE/kube/bin unless already there (~6.5 min on 2 cores)
#   kube.sh start DIR start on 127.0.0.1:${KUBE_PORT:-6443}, state in DIR; prints KUBECONFIG=…
#   kube.sh stop DIR  stop what start started
#   kube.sh bin       print the folder holding the binaries (exit 1 when not built)
set -euo pipefail
CACHE=${NEPHORAN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nephoran}
KUBE=$CACHE/kube
BIN=$KUBE/bin
PORT=${KUBE_PORT:-6443}
ETCD_PORT=${KUBE_ETCD_PORT:-23790}
ETCD_PEER_PORT=${KUBE_ETCD_PEER_PORT:-$((ETCD_PORT + 1))}
KCM_PORT=${KUBE_KCM_PORT:-$((PORT + 3814))}
TOKEN=${KUBE_TOKEN:-nephoran-test-token}
WHAT="cmd/kube-apiserver cmd/kube-controller-manager"

log() { printf '[kube] %s\n' "$*" >&2; }
# shellcheck source=scripts/test-env/apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt.sh"

built() { [ -x "$BIN/kube-apiserver" ] && [ -x "$BIN/kube-controller-manager" ]; }

install_deps() {
  local need=()
  command -v go >/dev/null 2>&1 || need+=(golang-go)
  command -v dpkg-source >/dev/null 2>&1 || need+=(dpkg-dev)
  [ -d /usr/share/gocode/src/github.com/modern-go/reflect2 ] || need+=(golang-github-modern-go-reflect2-dev)
  command -v rsync >/dev/null 2>&1 || need+=(rsync)
  command -v etcd >/dev/null 2>&1 || need+=(etcd-server)
  command -v openssl >/dev/null 2>&1 || need+=(openssl)
  command -v curl >/dev/null 2>&1 || need+=(curl)
  [ ${#need[@]} -eq 0 ] && return 0
  apt_install "${need[@]}"
}

build() {
  if built; then log "already built in $BIN"; return 0; fi
  install_deps
  local work=$KUBE/work
  mkdir -p "$work/lists/partial" "$work/src" "$work/srcparts" "$BIN"
  # A private deb-src list derived from the machine's apt sources; the system's apt config is untouched.
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources >"$work/srcparts/debian.sources"
  else
    grep -h '^deb ' /etc/apt/sources.list 2>/dev/null | sed 's/^deb /deb-src /' >"$work/srcparts/debian.list"
  fi
  local apt=(-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$work/srcparts" -o Dir::State::Lists="$work/lists")
  apt-get "${apt[@]}" update -qq
  (cd "$work/src" && rm -rf k8s ./*.dsc ./*.tar.* && apt-get "${apt[@]}" source --download-only kubernetes >/dev/null 2>&1)
  (cd "$work/src" && dpkg-source -x kubernetes_*.dsc k8s >/dev/null)
  local src=$work/src/k8s
  # Go >= 1.18 with the vendored reflect2 v1.0.1 panics in json-iterator map decoding; use Debian's 1.0.2.
  local r=$src/vendor/github.com/modern-go/reflect2
  rm -f "$r"/*.go "$r"/*.s
  for f in /usr/share/gocode/src/github.com/modern-go/reflect2/*.go /usr/share/gocode/src/github.com/modern-go/reflect2/*.s; do
    case "$f" in *_test.go) ;; *) [ -e "$f" ] && cp "$f" "$r/" ;; esac
  done
  log "building $WHAT (several minutes)"
  (
    cd "$src"
    export GOPATH=$src/.go CGO_ENABLED=0 GOPROXY=off HOME=$work/home GOCACHE=$work/gocache
    mkdir -p .go/src/k8s.io "$HOME"
    ln -sfn ../../.. .go/src/k8s.io/kubernetes
    make WHAT="$WHAT" GOLDFLAGS="-s -w" >"$work/make.log" 2>&1 || { tail -30 "$work/make.log" >&2; exit 1; }
    for w in $WHAT; do cp "_output/local/bin/linux/amd64/$(basename "$w")" "$BIN/"; done
  )
  rm -rf "$src" "$work/gocache"
  log "built: $(find "$BIN" -maxdepth 1 -type f -printf '%f ')"
}

wait_for() { # description timeout-seconds command…
  local what=$1 t=$2; shift 2
  local end=$((SECONDS + t))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $end ] || { log "timed out waiting for $what"; return 1; }
    sleep 0.2
  done
}

# alive STATE NAME: the process started as NAME is still running (it did not lose its port to another).
alive() {
  kill -0 "$(cat "$1/$2.pid")" 2>/dev/null || { log "$2 exited: $(tail -n 3 "$1/logs/$2.log" | tr '\n' ' ')"; return 1; }
}

start() {
  local s=${1:?state dir}
  built || { log "not built: run '$0 build' first"; exit 1; }
  command -v etcd >/dev/null 2>&1 || install_deps
  mkdir -p "$s/pki" "$s/certs" "$s/logs"
  [ -f "$s/pki/sa.key" ] || {
    openssl genrsa -out "$s/pki/sa.key" 2048 2>/dev/null
    openssl rsa -in "$s/pki/sa.key" -pubout -out "$s/pki/sa.pub" 2>/dev/null
  }
  echo "$TOKEN,admin,admin-uid,system:masters" >"$s/tokens.csv"
  etcd --name t --data-dir "$s/etcd" --listen-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-cluster "t=http://127.0.0.1:$ETCD_PEER_PORT" \
    --unsafe-no-fsync >"$s/logs/etcd.log" 2>&1 &
  echo $! >"$s/etcd.pid"
  wait_for etcd 30 curl -sf "http://127.0.0.1:$ETCD_PORT/health"
  alive "$s" etcd
  "$BIN/kube-apiserver" --etcd-servers="http://127.0.0.1:$ETCD_PORT" --bind-address=127.0.0.1 --advertise-address=127.0.0.1 \
    --secure-port="$PORT" --cert-dir="$s/certs" --token-auth-file="$s/tokens.csv" --authorization-mode=RBAC \
    --service-account-issuer=https://kubernetes.default.svc --service-account-key-file="$s/pki/sa.pub" \
    --service-account-signing-key-file="$s/pki/sa.key" --service-cluster-ip-range=10.96.0.0/24 \
    --endpoint-reconciler-type=none --disable-admission-plugins=ServiceAccount --allow-privileged=true \
    >"$s/logs/apiserver.log" 2>&1 &
  echo $! >"$s/apiserver.pid"
  wait_for kube-apiserver 90 curl -sfk -H "Authorization: Bearer $TOKEN" "https://127.0.0.1:$PORT/readyz"
  alive "$s" apiserver
  cat >"$s/kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters: [{name: test, cluster: {server: "https://127.0.0.1:$PORT", insecure-skip-tls-verify: true}}]
users: [{name: admin, user: {token: $TOKEN}}]
contexts: [{name: test, context: {cluster: test, user: admin, namespace: default}}]
current-context: test
KC
  "$BIN/kube-controller-manager" --kubeconfig="$s/kubeconfig" --bind-address=127.0.0.1 --secure-port="$KCM_PORT" --port=0 \
    --leader-elect=false --service-account-private-key-file="$s/pki/sa.key" --root-ca-file="$s/certs/apiserver.crt" \
    --controllers='*,-nodeipam,-nodelifecycle,-route,-cloud-node-lifecycle,-service,-csrsigning' >"$s/logs/kcm.log" 2>&1 &
  echo $! >"$s/kcm.pid"
  wait_for kube-controller-manager 60 curl -sfk "https://127.0.0.1:$KCM_PORT/healthz"
  # A healthz answered by another instance on a reused port is not this one's: it must still be running.
  sleep 1
  alive "$s" kcm
  echo "KUBECONFIG=$s/kubeconfig"
}

stop() {
  local s=${1:?state dir}
  for p in kcm apiserver etcd; do
    if [ -f "$s/$p.pid" ]; then kill "$(cat "$s/$p.pid")" 2>/dev/null || true; rm -f "$s/$p.pid"; fi
  done
}

case "${1:-}" in
  install) install_deps ;;
  build) build ;;
  start) start "${2:-}" ;;
  stop) stop "${2:-}" ;;
  bin) built && echo "$BIN" ;;
  *) sed -n '2,10p' "$0" >&2; exit 2 ;;
esac
