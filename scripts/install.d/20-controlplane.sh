# The test control plane (test/controlplane): a real kube-apiserver over embedded etcd.
# Built once per change of its sources; see docs/controlplane.md. Under scripts/test.sh, its background
# builds make it (scripts/lib/builds.sh).
source scripts/lib/controlplane.sh
[ -n "${KG_BUILDS_IN_BACKGROUND:-}" ] || controlplane_build >/dev/null
