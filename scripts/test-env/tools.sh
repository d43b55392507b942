#!/usr/bin/env bash
# Tools the suites need, from Debian: kubectl (the bootstrap script drives it), ShellCheck (every script
# is checked with it) and Chromium (the browser suites drive it through playwright-core).
#
#   tools.sh install   apt-get install what is missing (root)
#   tools.sh check     exit 0 when all are installed
set -euo pipefail

log() { printf '[tools] %s\n' "$*" >&2; }
# shellcheck source=scripts/test-env/apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt.sh"
missing() {
  local m=()
  command -v kubectl >/dev/null 2>&1 || m+=(kubernetes-client)
  command -v shellcheck >/dev/null 2>&1 || m+=(shellcheck)
  command -v chromium >/dev/null 2>&1 || m+=(chromium)
  printf '%s\n' "${m[@]}"
}

case "${1:-}" in
  install)
    mapfile -t need < <(missing | sed '/^$/d')
    if [ "${#need[@]}" -eq 0 ]; then log "kubectl, shellcheck and chromium present"; exit 0; fi
    apt_install "${need[@]}"
    [ -z "$(missing | sed '/^$/d')" ]
    ;;
  check) [ -z "$(missing | sed '/^$/d')" ] ;;
  *) echo "usage: tools.sh install|check" >&2; exit 2 ;;
esac
