# kg-node (test/controlplane/cmd/kg-node): the kubelet, kube-controller-manager, kube-scheduler and
# kube-proxy in one binary, for scripts/cluster.sh. Cached like the control plane's binary, keyed by a
# hash of its sources, the module's go.mod and go.sum and the Go version, and built with the same
# command (controlplane_go_build) so that the packages it shares with the control plane are compiled
# once. Sourced after log.sh and controlplane.sh.

kgnode_lib="${BASH_SOURCE[0]}"

kgnode_key() {
  (cat "$kgnode_lib" "$controlplane_lib" && cd "$controlplane_src" && cat go.mod go.sum cmd/kg-node/*.go && go version) |
    sha256sum | cut -c1-16
}

kgnode_binary() {
  echo "${KG_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kguardian}/kg-node/$(kgnode_key)/kg-node"
}

# kgnode_build: builds kg-node unless it is cached; prints its path on stdout. Keeps the three most
# recently used builds.
kgnode_build() {
  command -v go >/dev/null || die "Go is needed to build kg-node (see docs/cluster.md)"
  local bin out root log start pid n
  bin=$(kgnode_binary)
  out=$(dirname "$bin")
  root=$(dirname "$out")
  mkdir -p "$out"
  exec 8>"$out/.lock"
  flock 8
  if [ ! -x "$bin" ]; then
    log="$out/build.log"
    step "building kg-node (kubelet, kube-controller-manager, kube-scheduler, kube-proxy) into $out"
    step "the first build compiles for about 15-25 minutes on 2 cores (less after the control plane's); later builds are cached"
    start=$SECONDS
    controlplane_go_build "$bin.partial" ./cmd/kg-node >"$log" 2>&1 &
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do
      sleep 5
      if (( (SECONDS - start) % 60 < 5 )); then
        n=$(grep -c '^[a-z]' "$log" || true)
        step "  still building: $((SECONDS - start))s, $n packages compiled"
      fi
    done
    if ! wait "$pid"; then
      tail -n 30 "$log" >&2
      exec 8>&-
      die "failed to build kg-node (full log: $log)"
    fi
    mv "$bin.partial" "$bin"
    step "built kg-node in $((SECONDS - start))s"
  fi
  exec 8>&-
  touch "$out"
  # shellcheck disable=SC2012 # names are hex keys
  ls -1t "$root" | tail -n +4 | while read -r old; do rm -rf "${root:?}/$old"; done
  echo "$bin"
}
