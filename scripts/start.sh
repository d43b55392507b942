#!/usr/bin/env bash
# The product's main job on its embedded defaults: sets up, then plans an example intent offline.
# Usage: scripts/start.sh ["intent text"]
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
bash scripts/setup.sh
text=${1:-"Create a URLLC slice with 1 ms latency on edge01 and edge02"}
say "planning: $text"
node agent/bin/nephoran.js plan --offline "$text"
cat >&2 <<'NEXT'

Try next:
  pnpm nephoran plan "Deploy 2 AMF and 3 SMF at edge01"
  pnpm nephoran plan --json "scale UPF to 3 replicas at edge-berlin-01"
  pnpm nephoran catalog
  pnpm nephoran schema IntentPlan
NEXT
