#!/usr/bin/env bash
# PostgreSQL 15 from Debian, for the hub's PostgreSQL store suites. The suites start their own server on a
# free 127.0.0.1 port in a temporary folder (test/harness/postgres.ts); the package's own cluster is stopped.
#
#   postgres.sh install   apt-get install postgresql-15 unless present (root)
#   postgres.sh check     exit 0 when it is installed
set -euo pipefail

BIN=/usr/lib/postgresql/15/bin
log() { printf '[postgres] %s\n' "$*" >&2; }
# shellcheck source=scripts/test-env/apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt.sh"
have() { [ -x "$BIN/initdb" ] && [ -x "$BIN/postgres" ] && id postgres >/dev/null 2>&1; }

case "${1:-}" in
  install)
    if have; then log "PostgreSQL 15 present"; exit 0; fi
    apt_install postgresql-15
    # Debian may start a cluster on :5432; the suites run their own servers and ports.
    if command -v systemctl >/dev/null 2>&1; then systemctl disable --now postgresql >/dev/null 2>&1 || true; fi
    if command -v pg_ctlcluster >/dev/null 2>&1; then pg_ctlcluster 15 main stop >/dev/null 2>&1 || true; fi
    have
    ;;
  check) have ;;
  *) echo "usage: postgres.sh install|check" >&2; exit 2 ;;
esac
