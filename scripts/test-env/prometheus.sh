#!/usr/bin/env bash
# Prometheus from Debian, for the intent assurance suites: they start their own server on a free 127.0.0.1
# port in a temporary folder (test/harness/prometheus.ts), scraping exporters the tests control. The
# package's own service is stopped.
#
#   prometheus.sh install   apt-get install prometheus unless present (root)
#   prometheus.sh check     exit 0 when it is installed
set -euo pipefail

log() { printf '[prometheus] %s\n' "$*" >&2; }
# shellcheck source=scripts/test-env/apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt.sh"
have() { command -v prometheus >/dev/null 2>&1; }

case "${1:-}" in
  install)
    if have; then log "prometheus present"; exit 0; fi
    apt_install prometheus
    # Debian may start it on :9090; the suites run their own servers and ports.
    if command -v systemctl >/dev/null 2>&1; then systemctl disable --now prometheus >/dev/null 2>&1 || true; fi
    pkill -x prometheus >/dev/null 2>&1 || true
    have
    ;;
  check) have ;;
  *) echo "usage: prometheus.sh install|check" >&2; exit 2 ;;
esac
