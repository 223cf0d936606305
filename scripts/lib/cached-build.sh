# shellcheck shell=bash
# The Go binaries the tests build once and keep (the control plane, kg-node, e2e.test, kube-router,
# Helm): their cache keys, and the one build step they share. Sourced by the build libraries
# (controlplane.sh, kg-node.sh, e2e-test.sh, kube-router.sh, helm.sh); needs log.sh.
#
# A binary lives in ~/.cache/kguardian/<name>/<key>/, outside the work tree, so a fresh clone of the
# same commit (as CI makes) finds it built. Its key hashes exactly what makes it, as the images' keys
# do (scripts/lib/images.sh): the bodies of the shell functions that compile it (`declare -f`, so
# comments and the rest of its library do not count), the files it is compiled from (by their path in
# the repository, so the checkout's place does not count), the Go version and cached_build_format. The
# step that runs a build (lock, progress lines, log, pruning) is in no key: changing how builds are run
# or shown rebuilds nothing, and a build library can share code without every key hashing it.

cached_build_repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$cached_build_repo/scripts/lib/progress.sh"

# Part of every key. Bump it when a change to this file changes what a binary is (how a compile
# function is called, the environment it gets).
cached_build_format=1

# cached_build_path NAME KEY FILE: where NAME's build of KEY keeps FILE; nothing, and a failure, when
# KEY is empty (its cached_build_key failed).
cached_build_path() {
  [ -n "$2" ] || return 1
  echo "${KG_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kguardian}/$1/$2/$3"
}

# cached_build_key FUNCTION... -- FILE...: 16 hex digits over the functions' bodies, the files' paths
# (relative to the repository) and contents, the Go version and the format. Prints nothing and fails
# when a function is not defined or a file cannot be read, so a key never silently leaves one out.
cached_build_key() {
  local inputs f
  inputs=$(
    echo "format $cached_build_format"
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
      declare -f "$1" || { echo "cached_build_key: no function $1" >&2; exit 1; }
      shift
    done
    [ "${1:-}" = -- ] && shift
    for f in "$@"; do
      [ -f "$f" ] && [ -r "$f" ] || { echo "cached_build_key: cannot read $f" >&2; exit 1; }
      echo "file ${f#"$cached_build_repo"/} $(sha256sum <"$f" | cut -c1-64)"
    done
    go version
  ) || return 1
  sha256sum <<<"$inputs" | cut -c1-16
}

# cached_build BINARY KEEP WHAT HINT COMPILE [ARG...]: prints BINARY's path (one cached_build_path
# gave), built first unless it is there: HINT (how long a first build takes) is shown, and
# `COMPILE ARG... OUT` writes the binary to OUT, its output in build.log beside it, a progress line
# now and then. A lock on the entry keeps two runs from building it at
# once (the background builds of scripts/test.sh and a stage that needs it); the KEEP most recently
# used entries of the name are kept.
cached_build() {
  local bin=$1 keep=$2 what=$3 hint=$4 out root lock
  shift 4
  [ -n "$bin" ] || die "cached_build: no path for $what (its cache key could not be computed)"
  out=$(dirname "$bin")
  root=$(dirname "$out")
  mkdir -p "$out"
  exec {lock}>"$out/.lock"
  flock "$lock"
  if [ ! -x "$bin" ]; then
    command -v go >/dev/null || die "Go is needed to build $what"
    rm -f "$bin.partial"
    [ -z "$hint" ] || step "$hint"
    if ! with_progress "building $what into $out (log: $out/build.log)" \
      cached_build_logged "$out/build.log" "$@" "$bin.partial"; then
      exec {lock}>&-
      die "failed to build $what (full log: $out/build.log)"
    fi
    mv "$bin.partial" "$bin"
  fi
  exec {lock}>&-
  touch "$out"
  # shellcheck disable=SC2012 # names are hex keys or versions
  ls -1t "$root" | tail -n +"$((keep + 1))" | while read -r old; do rm -rf "${root:?}/$old"; done
  echo "$bin"
}

# cached_build_logged LOG CMD...: CMD's output on stdout (what with_progress shows) and in LOG.
cached_build_logged() {
  local log=$1
  shift
  "$@" 2>&1 | tee "$log"
  return "${PIPESTATUS[0]}"
}
