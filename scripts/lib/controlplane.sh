# The test control plane's binary: how it is built, and its cache key (scripts/lib/cached-build.sh
# keeps it). Sourced by scripts/controlplane.sh and scripts/install.d/20-controlplane.sh; needs log.sh.

source "$(dirname "${BASH_SOURCE[0]}")/cached-build.sh"
controlplane_src="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/test/controlplane"

# controlplane_key: what makes the binary: the compile functions, the module's go.mod and go.sum, and
# the control plane's own sources (the package in the module's root).
controlplane_key() {
  cached_build_key controlplane_compile controlplane_go_build controlplane_ldflags -- \
    "$controlplane_src/go.mod" "$controlplane_src/go.sum" "$controlplane_src"/*.go
}

# The Kubernetes release the module pins (v1.36.3), stamped into the binary as its version:
# kubectl refuses to work with the unstamped "v0.0.0-master" of a plain go build.
controlplane_ldflags() {
  local v minor
  v=$(awk '$1 == "k8s.io/kubernetes" && $2 ~ /^v/ {print $2; exit}' "$controlplane_src/go.mod")
  minor=$(echo "$v" | cut -d. -f2)
  local flags="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $pkg.gitVersion=$v -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
  done
  echo "$flags"
}

# controlplane_go_build OUT PKG: the one go build command for every binary of this module (the
# control plane here, kg-node in scripts/lib/kg-node.sh). Identical flags keep Go's build cache
# shared between them: a package built for one is not compiled again for the other.
controlplane_go_build() {
  (cd "$controlplane_src" && exec go build -v -trimpath -ldflags="$(controlplane_ldflags)" -o "$1" "$2")
}

controlplane_binary() {
  cached_build_path controlplane "$(controlplane_key)" kg-controlplane
}

# controlplane_compile OUT: the build itself.
controlplane_compile() {
  controlplane_go_build "$1" .
}

# controlplane_build: builds the binary unless it is cached; prints its path on stdout. The three most
# recently used builds are kept.
controlplane_build() {
  cached_build "$(controlplane_binary)" 3 "the test control plane (kube-apiserver, etcd, kubectl)" \
    "the first build downloads ~90 MB of Go modules and compiles for about 8-15 minutes on 2 cores; later builds are cached" \
    controlplane_compile
}
