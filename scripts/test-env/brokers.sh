#!/usr/bin/env bash
# The message brokers the sync suites run against, from Debian: nats-server (JetStream) and mosquitto.
# The suites start their own instances on 127.0.0.1 with generated configs (test/harness/brokers.ts).
#
#   brokers.sh install   apt-get install nats-server mosquitto unless present (root)
#   brokers.sh check     exit 0 when both are installed
set -euo pipefail

log() { printf '[brokers] %s\n' "$*" >&2; }
# shellcheck source=scripts/test-env/apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt.sh"
have() { command -v nats-server >/dev/null 2>&1 && { command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ]; }; }

case "${1:-}" in
  install)
    if have; then log "nats-server and mosquitto present"; exit 0; fi
    apt_install nats-server mosquitto
    # Debian starts a system mosquitto on :1883; the suites use their own instances and ports.
    if command -v systemctl >/dev/null 2>&1; then systemctl disable --now mosquitto >/dev/null 2>&1 || true; fi
    pkill -x mosquitto 2>/dev/null || true
    have
    ;;
  check) have ;;
  *) echo "usage: brokers.sh install|check" >&2; exit 2 ;;
esac
