#!/usr/bin/env bash
# The product's main job on its embedded defaults: sets up, then plans an example intent offline.
# Usage: scripts/start.sh ["intent text"]
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
bash scripts/setup.sh
text=${1:-"Create a URLLC slice with 1 ms latency"}
demo=$ROOT/.nephoran/demo
say "planning and applying on a local agent (site demo, directory target $demo/manifests): $text"
node agent/bin/nephoran.js apply --site demo --data "$demo" --target "directory:$demo/manifests" "$text"
say "manifests written:"
find "$demo/manifests" -name '*.yaml' | sort | sed "s#^$ROOT/##" >&2
cat >&2 <<'NEXT'

Try next:
  pnpm nephoran plan "Deploy 2 AMF and 3 SMF at edge01"
  pnpm nephoran plan --json "scale UPF to 3 replicas at edge-berlin-01"
  pnpm nephoran apply --site demo --data .nephoran/demo --target directory:.nephoran/demo/manifests "scale UPF to 2"
  pnpm nephoran agent --site edge01 --kubeconfig ~/.kube/config      # keep a real cluster converged
  pnpm nephoran catalog
NEXT
