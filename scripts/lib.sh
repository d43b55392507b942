# Shared helpers for the project's scripts. Source it; do not run it.
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PNPM_VERSION=$(sed -n 's/.*"packageManager": "pnpm@\([0-9.]*\)".*/\1/p' "$ROOT/package.json")

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Runs the pinned pnpm: the installed one when its version matches, otherwise through npm exec.
pnpm_() {
  if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version 2>/dev/null)" = "$PNPM_VERSION" ]; then
    pnpm "$@"
  else
    npm exec --yes "pnpm@$PNPM_VERSION" -- "$@"
  fi
}

require_node() {
  command -v node >/dev/null 2>&1 || die "Node.js 20.19 or newer is needed: https://nodejs.org"
  local v major minor
  v=$(node -p 'process.versions.node')
  major=${v%%.*}; minor=${v#*.}; minor=${minor%%.*}
  if [ "$major" -lt 20 ] || { [ "$major" -eq 20 ] && [ "$minor" -lt 19 ]; }; then
    die "Node.js $v is too old: 20.19 or newer is needed"
  fi
}
