# ipset (Debian) and kube-router: kube-router's network policy controller, the enforcer of `scripts/cluster.sh up
# --enforcer kube-router` (docs/enforcement.md), keeps the pods each policy selects in ipsets.
if ! command -v ipset >/dev/null; then
  apt_install "kube-router (scripts/cluster.sh up --enforcer kube-router)" ipset
fi
# kube-router itself, built from the module test/enforcement/kube-router pins (scripts/lib/kube-router.sh).
# Under scripts/test.sh, its background builds make it (scripts/lib/builds.sh).
source scripts/lib/kube-router.sh
[ -n "${KG_BUILDS_IN_BACKGROUND:-}" ] || kuberouter_build >/dev/null
