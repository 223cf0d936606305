# kube-router (its network policy controller is the real enforcer of `scripts/cluster.sh up --enforcer
# kube-router`, docs/enforcement.md), built from the Go module test/enforcement/kube-router that pins it.
# Cached like kg-node (scripts/lib/kg-node.sh): keyed by a hash of this file, the module's go.mod, go.sum
# and tools.go and the Go version, outside the work tree so a fresh clone of the same commit finds it.
# Sourced after log.sh.

kuberouter_lib="${BASH_SOURCE[0]}"
kuberouter_src="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/test/enforcement/kube-router"

kuberouter_key() {
  (cat "$kuberouter_lib" && cd "$kuberouter_src" && cat go.mod go.sum tools.go && go version) | sha256sum | cut -c1-16
}

kuberouter_binary() {
  echo "${KG_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kguardian}/kube-router/$(kuberouter_key)/kube-router"
}

# kuberouter_build: builds kube-router unless it is cached; prints its path on stdout. Keeps the three
# most recently used builds.
kuberouter_build() {
  command -v go >/dev/null || die "Go is needed to build kube-router (see docs/enforcement.md)"
  local bin out root log start
  bin=$(kuberouter_binary)
  out=$(dirname "$bin")
  root=$(dirname "$out")
  mkdir -p "$out"
  exec 7>"$out/.lock"
  flock 7
  if [ ! -x "$bin" ]; then
    log="$out/build.log"
    step "building kube-router into $out (a few minutes on 2 cores the first time; cached after)"
    start=$SECONDS
    if ! (cd "$kuberouter_src" && exec go build -v -trimpath -ldflags="-s -w" -o "$bin.partial" \
      github.com/cloudnativelabs/kube-router/v2/cmd/kube-router) >"$log" 2>&1; then
      tail -n 30 "$log" >&2
      exec 7>&-
      die "failed to build kube-router (full log: $log)"
    fi
    mv "$bin.partial" "$bin"
    step "built kube-router in $((SECONDS - start))s"
  fi
  exec 7>&-
  touch "$out"
  # shellcheck disable=SC2012 # names are hex keys
  ls -1t "$root" | tail -n +4 | while read -r old; do rm -rf "${root:?}/$old"; done
  echo "$bin"
}
