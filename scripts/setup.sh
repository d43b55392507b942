#!/usr/bin/env bash
# Sets up a clone: checks Node, brings the pinned pnpm, installs the npm packages and builds the
# workspace. Safe to run again; it only does what is missing. Usage: scripts/setup.sh
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

require_node
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  say "installing pnpm $PNPM_VERSION"
  npm install --global --no-fund --no-audit "pnpm@$PNPM_VERSION" >/dev/null 2>&1 ||
    say "could not install pnpm globally; using it through npm exec"
fi
say "installing packages"
pnpm_ install --frozen-lockfile --reporter=silent
# The build is skipped when nothing it reads changed since the last one (npm start again is quick).
STAMP=$ROOT/node_modules/.nephoran-built
changed() {
  [ -f "$STAMP" ] || return 0
  for d in shared hub agent; do [ -d "$ROOT/$d/dist" ] || return 0; done
  [ -n "$(find "$ROOT/package.json" "$ROOT/pnpm-lock.yaml" "$ROOT/tsconfig.json" "$ROOT/shared" "$ROOT/hub" \
    "$ROOT/agent" \( -name node_modules -o -name dist -o -name dist-ui \) -prune -o -type f -newer "$STAMP" -print -quit)" ]
}
if changed; then
  say "building"
  # Stamped with the time the build started: a file changed during the build is built next time.
  touch "$STAMP.next"
  pnpm_ run --silent build >/dev/null
  mv "$STAMP.next" "$STAMP"
else
  say "build is up to date"
fi
say "ready"
