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
  if [ "$(id -u)" != 0 ]; then
    warn "not root: skipping ${cluster_pkgs[*]} (apt-get needs root); scripts/cluster.sh needs them"
  else
    if [ -z "${KG_APT_UPDATED:-}" ]; then
      with_progress "apt-get update" env DEBIAN_FRONTEND=noninteractive apt-get update
      export KG_APT_UPDATED=1
    fi
    with_progress "installing ${cluster_pkgs[*]} (Debian packages, for scripts/cluster.sh)" \
      env DEBIAN_FRONTEND=noninteractive apt-get install -y -o DPkg::Lock::Timeout=600 "${cluster_pkgs[@]}"
  fi
fi
unset cluster_pkgs
# kg-node: the kubelet, controller manager, scheduler and kube-proxy in one binary, built with the
# control plane's module and flags (scripts/lib/kg-node.sh). Under scripts/test.sh, its background builds
# make it (scripts/lib/builds.sh).
source scripts/lib/controlplane.sh
source scripts/lib/kg-node.sh
[ -n "${KG_BUILDS_IN_BACKGROUND:-}" ] || kgnode_build >/dev/null
