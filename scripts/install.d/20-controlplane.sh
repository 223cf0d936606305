# The test control plane (test/controlplane): a real kube-apiserver over embedded etcd.
# Built once per change of its sources; see docs/controlplane.md.
source scripts/lib/controlplane.sh
controlplane_build >/dev/null
