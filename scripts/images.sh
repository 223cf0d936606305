#!/usr/bin/env bash
# Builds the container images a real cluster needs, with no Docker engine and no registry, and
# imports them into a containerd. See docs/images.md.
set -euo pipefail
# A failure inside $(...) (a key that could not be computed) stops the script too.
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
source scripts/lib/log.sh
source scripts/lib/progress.sh
source scripts/lib/images.sh

usage() {
  cat <<EOF
Usage: scripts/images.sh build [NAME...]
       scripts/images.sh load --containerd-address SOCK [NAME...]
       scripts/images.sh list [NAME...]

Builds container images without a Docker engine or a registry (buildah --isolation chroot,
mmdebstrap, the Go module proxy, npm), each cached by a hash of its inputs and rebuilt only
when they change, in \${KG_CACHE_DIR:-~/.cache/kguardian}/images/NAME/KEY/image.tar
(a docker-archive, as \`docker save\` writes it).

Commands:
  build [NAME...]   build the images (default: all), and the images they build on; prints
                    "NAME REF ARCHIVE" for each on stdout, progress on stderr
  load --containerd-address SOCK [NAME...]
                    build if needed, then import into containerd's k8s.io namespace
                    (ctr -a SOCK -n k8s.io images import); default: every image but the bases
  list [NAME...]    print "NAME REF ARCHIVE" per image (default: all), building nothing;
                    ARCHIVE exists once the image is built

Images (REF is kguardian.local/NAME:VERSION-KEY, KEY the first 12 digits of the cache key):
  pause                 the pod sandbox (static C binary, one layer); containerd's sandbox_image
  coredns               CoreDNS (static Go binary, one layer)
  agnhost               the Kubernetes e2e workload (serve-hostname, netexec, connect, ...)
  debian                Debian bookworm, slim (base)
  postgres              PostgreSQL from Debian's packages, for postgresql.image in the chart
  node                  Node.js on debian, named docker.io/library/node:VERSION-bookworm-slim (base)
  kguardian-broker, kguardian-evaluator, kguardian-agent
                        deploy/docker/*.Dockerfile; the three share one tag, for image.tag

Examples:
  scripts/images.sh build pause coredns
  scripts/images.sh load --containerd-address /run/kg/containerd.sock
  scripts/images.sh list | awk '\$1 == "pause" {print \$2}'
  tag=\$(scripts/images.sh list kguardian-broker | awk '{sub(/.*:/, "", \$2); print \$2}')
  helm install kguardian deploy/helm/kguardian --set image.registry=kguardian.local --set image.tag=\$tag
EOF
}

# names DEFAULT NAME...: the names given, or the default set (all, or cluster). The names are
# checked first by check_names, in this shell: a `die` inside $(...) would not stop the script.
names() {
  local default=$1
  shift
  if [ $# -gt 0 ]; then printf '%s\n' "$@"
  elif [ "$default" = cluster ]; then printf '%s\n' "${images_cluster[@]}"
  else printf '%s\n' "${images_all[@]}"; fi
}

check_names() {
  local n
  for n in "$@"; do
    images_known "$n" || die "unknown image '$n' (known: ${images_all[*]})"
  done
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
  -h | --help | help)
    usage
    ;;
  list)
    check_names "$@"
    for n in $(names all "$@"); do images_line "$n"; done
    ;;
  build)
    check_names "$@"
    [ "$(id -u)" = 0 ] || die "building images needs root (buildah --isolation chroot, mmdebstrap)"
    for n in $(names all "$@"); do images_build "$n"; done
    for n in $(names all "$@"); do images_line "$n"; done
    ;;
  load)
    sock=
    args=()
    while [ $# -gt 0 ]; do
      case $1 in
        --containerd-address) [ $# -ge 2 ] || die "--containerd-address needs a socket path"; sock=$2; shift 2 ;;
        --containerd-address=*) sock=${1#*=}; shift ;;
        -*) die "unknown option '$1' (see scripts/images.sh --help)" ;;
        *) args+=("$1"); shift ;;
      esac
    done
    [ -n "$sock" ] || die "load needs --containerd-address SOCK (the containerd to import into)"
    [ -S "$sock" ] || die "--containerd-address $sock: no socket there (is containerd running?)"
    command -v ctr >/dev/null || die "ctr is needed to load images (Debian package containerd)"
    check_names "${args[@]+"${args[@]}"}"
    todo=$(names cluster "${args[@]+"${args[@]}"}")
    [ "$(id -u)" = 0 ] || die "building images needs root (buildah --isolation chroot, mmdebstrap)"
    for n in $todo; do images_build "$n"; done
    for n in $todo; do
      read -r _ ref archive <<<"$(images_line "$n")"
      step "$n: importing $ref into containerd ($sock, namespace k8s.io)"
      ctr -a "$sock" -n k8s.io images import "$archive" >/dev/null \
        || die "$n: ctr images import failed for $archive"
    done
    ;;
  "")
    usage >&2
    exit 2
    ;;
  *)
    die "unknown command '$cmd' (see scripts/images.sh --help)"
    ;;
esac
