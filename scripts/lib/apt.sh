# shellcheck shell=bash
# apt_install FOR [--no-install-recommends] PKG...: installs the Debian packages PKG (the missing ones a
# step of scripts/install.d found) that FOR needs. apt-get update runs at most once a run
# (KG_APT_UPDATED), and another apt-get's lock is waited for (up to 10 min) instead of failing. Not
# root: says what is skipped and what for, and goes on (a later step or test says what is missing).
# Sourced by scripts/install-deps.sh and scripts/playground.sh after log.sh and progress.sh.
apt_install() {
  local for=$1 opts=()
  shift
  if [ "${1:-}" = --no-install-recommends ]; then
    opts+=("$1")
    shift
  fi
  if [ "$(id -u)" != 0 ]; then
    warn "not root: skipping $* (apt-get needs root), for $for"
    return 0
  fi
  if [ -z "${KG_APT_UPDATED:-}" ]; then
    with_progress "apt-get update" env DEBIAN_FRONTEND=noninteractive apt-get update
    export KG_APT_UPDATED=1
  fi
  with_progress "installing $* (Debian packages, for $for)" \
    env DEBIAN_FRONTEND=noninteractive apt-get install -y -o DPkg::Lock::Timeout=600 "${opts[@]}" "$@"
}
