# kube-router (its network policy controller is the real enforcer of `scripts/cluster.sh up --enforcer
# kube-router`, docs/enforcement.md), built from the Go module test/enforcement/kube-router that pins it,
# and kept like the control plane (scripts/lib/cached-build.sh). Sourced after log.sh.

source "$(dirname "${BASH_SOURCE[0]}")/cached-build.sh"
kuberouter_src="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/test/enforcement/kube-router"

# kuberouter_key: what makes the binary: the compile function and the module (go.mod, go.sum and
# tools.go, which imports kube-router so that the module pins it).
kuberouter_key() {
  cached_build_key kuberouter_compile -- "$kuberouter_src/go.mod" "$kuberouter_src/go.sum" "$kuberouter_src/tools.go"
}

kuberouter_binary() {
  cached_build_path kube-router "$(kuberouter_key)" kube-router
}

# kuberouter_compile OUT: the build itself.
kuberouter_compile() {
  (cd "$kuberouter_src" && exec go build -v -trimpath -ldflags="-s -w" -o "$1" \
    github.com/cloudnativelabs/kube-router/v2/cmd/kube-router)
}

# kuberouter_build: builds kube-router unless it is cached; prints its path on stdout. Keeps the three
# most recently used builds.
kuberouter_build() {
  cached_build "$(kuberouter_binary)" 3 kube-router "the first build compiles for a few minutes on 2 cores; later builds are cached" \
    kuberouter_compile
}
