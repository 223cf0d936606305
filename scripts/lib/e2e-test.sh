# e2e.test: the upstream Kubernetes NetworkPolicy end-to-end specs (k8s.io/kubernetes/test/e2e/network/netpol)
# of the release the control plane pins, for the conformance run (scripts/test.d/70-conformance.sh, npm run
# conformance). Its test main is test/conformance/suite: upstream's flags and suite setup around the Netpol
# specs only, not upstream's test/e2e (every SIG's specs, several times the packages). Its module,
# test/conformance, requires k8s.io/kubernetes at the control plane's version with the same replace lines,
# and it is compiled with the control plane's flags (-trimpath, the same -ldflags), so every package it
# shares with kg-controlplane and kg-node comes out of Go's build cache. Cached like them, keyed by a hash
# of this file, the control plane's build library, the module's go.mod, go.sum and test main and the Go
# version. Sourced after log.sh and controlplane.sh.

e2etest_lib="${BASH_SOURCE[0]}"
e2etest_src="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/test/conformance"

e2etest_key() {
  (cat "$e2etest_lib" "$controlplane_lib" && cd "$e2etest_src" && cat go.mod go.sum suite/*.go && go version) |
    sha256sum | cut -c1-16
}

e2etest_binary() {
  echo "${KG_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kguardian}/e2e-test/$(e2etest_key)/e2e.test"
}

# e2etest_compile OUT: the build itself, `go test -c` of the test main (-vet=off: vetting would analyse
# every dependency, for nothing).
e2etest_compile() {
  (cd "$e2etest_src" && exec go test -c -vet=off -trimpath -ldflags="$(controlplane_ldflags)" -o "$1" ./suite)
}

# e2etest_build: builds e2e.test unless it is cached; prints its path on stdout. Keeps the two most
# recently used builds (each is ~150 MB).
e2etest_build() {
  command -v go >/dev/null || die "Go is needed to build e2e.test (see docs/conformance.md)"
  local bin out root log start pid
  bin=$(e2etest_binary)
  out=$(dirname "$bin")
  root=$(dirname "$out")
  mkdir -p "$out"
  exec 7>"$out/.lock"
  flock 7
  if [ ! -x "$bin" ]; then
    log="$out/build.log"
    step "building e2e.test (the upstream Netpol specs, test/conformance/suite) into $out"
    step "the first build compiles for a few minutes on 2 cores after kg-node's; later builds are cached"
    start=$SECONDS
    e2etest_compile "$bin.partial" >"$log" 2>&1 &
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do
      sleep 5
      if (( (SECONDS - start) % 60 < 5 )); then
        step "  still building: $((SECONDS - start))s"
      fi
    done
    if ! wait "$pid"; then
      tail -n 30 "$log" >&2
      exec 7>&-
      die "failed to build e2e.test (full log: $log)"
    fi
    mv "$bin.partial" "$bin"
    step "built e2e.test in $((SECONDS - start))s"
  fi
  exec 7>&-
  touch "$out"
  # shellcheck disable=SC2012 # names are hex keys
  ls -1t "$root" | tail -n +3 | while read -r old; do rm -rf "${root:?}/$old"; done
  echo "$bin"
}
