# ipset (Debian) and kube-router: kube-router's network policy controller, the enforcer of `scripts/cluster.sh up
# --enforcer kube-router` (docs/enforcement.md), keeps the pods each policy selects in ipsets.
if ! command -v ipset >/dev/null; then
  if [ "$(id -u)" != 0 ]; then
    warn "not root: skipping ipset (apt-get needs root); scripts/cluster.sh up --enforcer kube-router needs it"
  else
    if [ -z "${KG_APT_UPDATED:-}" ]; then
      with_progress "apt-get update" env DEBIAN_FRONTEND=noninteractive apt-get update
      export KG_APT_UPDATED=1
    fi
    with_progress "installing ipset (Debian package, for kube-router)" \
      env DEBIAN_FRONTEND=noninteractive apt-get install -y -o DPkg::Lock::Timeout=600 ipset
  fi
fi
# kube-router itself, built from the module test/enforcement/kube-router pins (scripts/lib/kube-router.sh).
# Under scripts/test.sh, its background builds make it (scripts/lib/builds.sh).
source scripts/lib/kube-router.sh
[ -n "${KG_BUILDS_IN_BACKGROUND:-}" ] || kuberouter_build >/dev/null
