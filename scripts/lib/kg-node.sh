# kg-node (test/controlplane/cmd/kg-node): the kubelet, kube-controller-manager, kube-scheduler and
# kube-proxy in one binary, for scripts/cluster.sh. Built with the control plane's command
# (controlplane_go_build) so that the packages it shares with the control plane are compiled once, and
# kept like it (scripts/lib/cached-build.sh). Sourced after log.sh and controlplane.sh.

# kgnode_key: what makes the binary: the compile functions, the module's go.mod and go.sum, and
# kg-node's own sources.
kgnode_key() {
  cached_build_key kgnode_compile controlplane_go_build controlplane_ldflags -- \
    "$controlplane_src/go.mod" "$controlplane_src/go.sum" "$controlplane_src"/cmd/kg-node/*.go
}

kgnode_binary() {
  cached_build_path kg-node "$(kgnode_key)" kg-node
}

# kgnode_compile OUT: the build itself.
kgnode_compile() {
  controlplane_go_build "$1" ./cmd/kg-node
}

# kgnode_build: builds kg-node unless it is cached; prints its path on stdout. Keeps the three most
# recently used builds.
kgnode_build() {
  cached_build "$(kgnode_binary)" 3 "kg-node (kubelet, kube-controller-manager, kube-scheduler, kube-proxy)" \
    "the first build compiles for about 15-25 minutes on 2 cores (less after the control plane's); later builds are cached" \
    kgnode_compile
}
