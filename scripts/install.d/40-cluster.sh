# The real single-node cluster (scripts/cluster.sh, docs/cluster.md): Debian's containerd and runc for
# the kubelet, the CNI plugins (bridge, host-local, portmap) for pod networking, conntrack and iptables
# for kube-proxy. Nothing is started here: scripts/cluster.sh runs its own containerd in a private folder.
cluster_pkgs=()
command -v containerd >/dev/null || cluster_pkgs+=(containerd)
command -v runc >/dev/null || cluster_pkgs+=(runc)
[ -x /usr/lib/cni/bridge ] || cluster_pkgs+=(containernetworking-plugins)
command -v conntrack >/dev/null || cluster_pkgs+=(conntrack)
command -v iptables >/dev/null || cluster_pkgs+=(iptables)
if [ ${#cluster_pkgs[@]} -gt 0 ]; then
  apt_install scripts/cluster.sh "${cluster_pkgs[@]}"
fi
unset cluster_pkgs
# kg-node: the kubelet, controller manager, scheduler and kube-proxy in one binary, built with the
# control plane's module and flags (scripts/lib/kg-node.sh). Under scripts/test.sh, its background builds
# make it (scripts/lib/builds.sh).
source scripts/lib/controlplane.sh
source scripts/lib/kg-node.sh
[ -n "${KG_BUILDS_IN_BACKGROUND:-}" ] || kgnode_build >/dev/null
