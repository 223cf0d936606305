# e2e.test: the upstream Kubernetes NetworkPolicy end-to-end specs (k8s.io/kubernetes/test/e2e/network/netpol)
# of the release the control plane pins, for the conformance run (scripts/test.d/70-conformance.sh, npm run
# conformance). Its test main is test/conformance/suite: upstream's flags and suite setup around the Netpol
# specs only, not upstream's test/e2e (every SIG's specs, several times the packages). Its module,
# test/conformance, requires k8s.io/kubernetes at the control plane's version with the same replace lines,
# and it is compiled with the control plane's flags (-trimpath, the same -ldflags), so every package it
# shares with kg-controlplane and kg-node comes out of Go's build cache. Kept like them
# (scripts/lib/cached-build.sh). Sourced after log.sh and controlplane.sh.

e2etest_src="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/test/conformance"

# e2etest_key: what makes the binary: the compile functions, the module's go.mod and go.sum, the test
# main, and the control plane's go.mod (controlplane_ldflags stamps the release it pins).
e2etest_key() {
  cached_build_key e2etest_compile controlplane_ldflags -- \
    "$e2etest_src/go.mod" "$e2etest_src/go.sum" "$e2etest_src"/suite/*.go "$controlplane_src/go.mod"
}

e2etest_binary() {
  cached_build_path e2e-test "$(e2etest_key)" e2e.test
}

# e2etest_compile OUT: the build itself, `go test -c` of the test main (-vet=off: vetting would analyse
# every dependency, for nothing).
e2etest_compile() {
  (cd "$e2etest_src" && exec go test -c -vet=off -trimpath -ldflags="$(controlplane_ldflags)" -o "$1" ./suite)
}

# e2etest_build: builds e2e.test unless it is cached; prints its path on stdout. Keeps the two most
# recently used builds (each is ~150 MB).
e2etest_build() {
  cached_build "$(e2etest_binary)" 2 "e2e.test (the upstream Netpol specs, test/conformance/suite)" \
    "the first build compiles for a few minutes on 2 cores after kg-node's; later builds are cached" \
    e2etest_compile
}
