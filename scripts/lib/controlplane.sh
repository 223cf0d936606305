# The test control plane's binary: where it is cached, and how it is built.
# Sourced by scripts/controlplane.sh and scripts/install.d/20-controlplane.sh; needs log.sh.
#
# The binary is keyed by a hash of the Go sources, go.mod, go.sum and the Go version, and
# kept outside the work tree (in ~/.cache/kguardian) so that a fresh clone of the same
# commit, as CI makes, finds it built already.

controlplane_src="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/test/controlplane"

controlplane_lib="${BASH_SOURCE[0]}"

controlplane_key() {
  (cat "$controlplane_lib" && cd "$controlplane_src" && cat go.mod go.sum ./*.go && go version) | sha256sum | cut -c1-16
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
  echo "${KG_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kguardian}/controlplane/$(controlplane_key)/kg-controlplane"
}

# controlplane_build: builds the binary unless it is cached; prints its path on stdout.
# A lock keeps two test runs from building the same binary at once; the three most
# recently used builds are kept.
controlplane_build() {
  command -v go >/dev/null || die "Go is needed to build the test control plane (see docs/controlplane.md)"
  local bin out root
  bin=$(controlplane_binary)
  out=$(dirname "$bin")
  root=$(dirname "$out")
  mkdir -p "$out"
  exec 9>"$out/.lock"
  flock 9
  if [ ! -x "$bin" ]; then
    if ! controlplane_compile "$bin"; then
      exec 9>&-
      die "failed to build the test control plane (full log: $out/build.log)"
    fi
  fi
  exec 9>&-
  touch "$out"
  # shellcheck disable=SC2012 # names are hex keys
  ls -1t "$root" | tail -n +4 | while read -r old; do rm -rf "${root:?}/$old"; done
  echo "$bin"
}

controlplane_compile() {
  local bin=$1 log start pid n
  log="$(dirname "$bin")/build.log"
  step "building the test control plane (kube-apiserver, etcd, kubectl) into $(dirname "$bin")"
  step "the first build downloads ~90 MB of Go modules and compiles for about 8-15 minutes on 2 cores; later builds are cached"
  start=$SECONDS
  controlplane_go_build "$bin.partial" . >"$log" 2>&1 &
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
    return 1
  fi
  mv "$bin.partial" "$bin"
  step "built the test control plane in $((SECONDS - start))s"
}
