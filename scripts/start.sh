#!/usr/bin/env bash
# The product's main job on its embedded defaults, on one machine with nothing else installed: a hub (REST
# API, SQLite, its embedded MQTT broker) and one edge agent enrolled with it, writing its site's manifests
# to a folder. Runs until Ctrl-C. Usage: scripts/start.sh ["an intent to create at once"]
# Ports: NEPHORAN_HUB_PORT (8080), NEPHORAN_BROKER_PORT (1883), NEPHORAN_STATUS_PORT (9480), all on 127.0.0.1.
# State: NEPHORAN_STATE (.nephoran in the clone).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1
bash scripts/setup.sh

HUB_PORT=${NEPHORAN_HUB_PORT:-8080}
BROKER_PORT=${NEPHORAN_BROKER_PORT:-1883}
STATUS_PORT=${NEPHORAN_STATUS_PORT:-9480}
STATE=${NEPHORAN_STATE:-$ROOT/.nephoran}
HUB_DATA=$STATE/hub
SITE=demo
SITE_DATA=$STATE/site-$SITE
HUB=http://127.0.0.1:$HUB_PORT
mkdir -p "$HUB_DATA" "$SITE_DATA"

for port in "$HUB_PORT" "$BROKER_PORT" "$STATUS_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    die "port $port on 127.0.0.1 is taken: stop what uses it, or set NEPHORAN_HUB_PORT / NEPHORAN_BROKER_PORT / NEPHORAN_STATUS_PORT"
  fi
done

pids=()
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'say "stopping"; exit 0' INT TERM
# ready URL: whether it answers 2xx.
ready() { node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$1"; }
# await_ready WHAT PID URL LOG: waits for URL to answer while PID runs; stops with its log otherwise.
await_ready() {
  for _ in $(seq 1 100); do
    ready "$3" && return 0
    kill -0 "$2" 2>/dev/null || { cat "$4" >&2; die "the $1 did not start"; }
    sleep 0.2
  done
  die "the $1 is not ready; see $4"
}

say "starting the hub on $HUB (embedded MQTT broker on 127.0.0.1:$BROKER_PORT, data in ${HUB_DATA#"$ROOT"/})"
node hub/bin/nephoran-hub.js hub --port "$HUB_PORT" --broker-port "$BROKER_PORT" --data "$HUB_DATA" \
  >"$STATE/hub.log" 2>&1 &
pids+=($!)
await_ready hub "${pids[0]}" "$HUB/readyz" "$STATE/hub.log"
# Without NEPHORAN_ADMIN_TOKEN the hub made one and keeps it here (mode 0600).
TOKEN=$(cat "$HUB_DATA/admin-token")
export NEPHORAN_HUB=$HUB NEPHORAN_TOKEN=$TOKEN

if [ ! -f "$SITE_DATA/enrollment.json" ]; then
  say "enrolling edge site '$SITE' (a one-time token from the hub, spent by the site)"
  enroll_token=$(node hub/bin/nephoran-hub.js site token "$SITE" --labels env=demo --json |
    node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>console.log(JSON.parse(s).token))')
  agent/bin/nephoran-agent enroll --hub "$HUB" --token "$enroll_token" --data "$SITE_DATA" >/dev/null
fi

say "starting the agent of site '$SITE' (manifests in ${SITE_DATA#"$ROOT"/}/manifests, status on 127.0.0.1:$STATUS_PORT)"
agent/bin/nephoran-agent agent --data "$SITE_DATA" --target "directory:$SITE_DATA/manifests" \
  --status-listen "127.0.0.1:$STATUS_PORT" --heartbeat 5 >"$STATE/agent.log" 2>&1 &
pids+=($!)
await_ready agent "${pids[1]}" "http://127.0.0.1:$STATUS_PORT/readyz" "$STATE/agent.log"

if [ $# -gt 0 ]; then
  say "creating the intent: $*"
  node hub/bin/nephoran-hub.js intent create "$*" --sites "$SITE"
fi

rel=${SITE_DATA#"$ROOT"/}
st=${STATE#"$ROOT"/}
cat >&2 <<EOF

Nephoran Edge is running: hub $HUB (console: $HUB/ui, API reference: $HUB/docs), site '$SITE' with its agent.
Logs: $st/hub.log, $st/agent.log. Ctrl-C stops both; their state stays in $st/.

Open the console at $HUB/ui and sign in with the admin token in $st/hub/admin-token, or try, in another terminal:
  export NEPHORAN_HUB=$HUB NEPHORAN_TOKEN=\$(cat $st/hub/admin-token)
  pnpm -s nephoran intent create "Deploy a basic AMF instance for testing" --sites $SITE
  pnpm -s nephoran intent watch <id>            # follow it until it settles at the hub
  pnpm -s nephoran intent create "Create a URLLC slice with 1 ms latency" --labels env=demo
  ls $rel/manifests/*                        # what the agent wrote for the site
  open http://127.0.0.1:$STATUS_PORT/                   # the agent's status page (JSON: /status, /metrics)
  curl -H "authorization: Bearer \$NEPHORAN_TOKEN" -H 'content-type: application/json' \\
    -d '{"text":"scale AMF to 3 replicas","siteSelector":{"names":["$SITE"]}}' $HUB/v1/intents
  curl "http://127.0.0.1:$STATUS_PORT/v1/search?q=which+function+terminates+the+N3+user+plane+tunnel"   # the site's knowledge

EOF
# Ctrl-C reaches the hub and the agent too; each stops cleanly and exits 0 (bash then skips its own INT
# trap, as the child handled the signal). Any other exit is a failure worth showing.
rc=0
wait -n "${pids[@]}" || rc=$?
if [ "$rc" -eq 0 ]; then
  say "stopped"
  exit 0
fi
die "a process stopped (exit code $rc); see ${STATE#"$ROOT"/}/hub.log and ${STATE#"$ROOT"/}/agent.log"
