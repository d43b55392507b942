# shellcheck shell=bash
# Sourced by the test-env scripts (after they define `log`): Debian packages installed as root, waiting for
# another apt-get or dpkg (an unattended upgrade, another of these scripts) to let go of its lock instead of
# failing on it.

# apt_get ARGS…: apt-get, tried again every 5 s for up to 10 min while another holds the lock it needs.
apt_get() {
  local err tries=120
  err=$(mktemp)
  while :; do
    if DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@" 2>"$err"; then rm -f "$err"; return 0; fi
    if ! grep -q "Could not get lock" "$err" || [ "$tries" -eq 0 ]; then
      cat "$err" >&2; rm -f "$err"; return 1
    fi
    [ "$tries" -eq 120 ] && log "another apt-get or dpkg holds its lock; waiting"
    tries=$((tries - 1))
    sleep 5
  done
}

# apt_install PKG…: refresh the package lists and install PKG… (root only).
apt_install() {
  [ "$(id -u)" -eq 0 ] || { log "needs root for apt-get install $*"; return 1; }
  log "installing $*"
  apt_get update -qq
  apt_get install -y -qq --no-install-recommends "$@" >/dev/null
}
