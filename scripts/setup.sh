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
say "building"
pnpm_ run --silent build >/dev/null
say "ready"
