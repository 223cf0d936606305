# The three kguardian images, built from deploy/docker/<component>.Dockerfile exactly as
# `docker build -f deploy/docker/<component>.Dockerfile .` would, by buildah (no Docker engine),
# over the node base made here. The build context is the repository's files that git tracks or
# does not ignore, so the key covers all of it and nothing local (node_modules, dist) leaks in.
# The three share one key and tag (the chart's image.tag is one value for all three).
# shellcheck shell=bash disable=SC2034,SC2154 # variables read (and image_name set) by scripts/lib/images.sh
image_version=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' package.json)
image_deps=(node)

# What the Dockerfiles copy, and the Dockerfiles with their ignore files.
kguardian_context=(package.json package-lock.json tsconfig.json deploy/docker policy contracts runtime daemons bpf)

kguardian_files() {
  git ls-files -z --cached --others --exclude-standard -- "${kguardian_context[@]}" |
    while IFS= read -r -d '' f; do [ -f "$f" ] && printf '%s\0' "$f"; done
}

image_inputs() {
  kguardian_files | sort -z | xargs -0 sha256sum
  # The agent's eBPF object is built against this kernel's BTF (bpf/Makefile).
  sha256sum /sys/kernel/btf/vmlinux
}

# kguardian_npm_ca WORK: on a machine whose npm trusts an extra CA (a TLS-inspecting proxy, as on
# this project's machines), prints buildah options that give the build's RUN steps the same trust:
# npm's global config (/usr/local/etc/npmrc for a Node in /usr/local) on a read-only volume. A
# volume is not part of any layer, so nothing of it reaches an image, and the Dockerfiles stay as
# plain Docker builds them.
kguardian_npm_ca() {
  local work=$1 ca
  ca=$(npm config get cafile 2>/dev/null || true)
  [ -n "$ca" ] && [ "$ca" != null ] && [ "$ca" != undefined ] && [ -f "$ca" ] || return 0
  mkdir -p "$work/npm-etc"
  cp "$ca" "$work/npm-etc/build-ca.crt"
  echo "cafile=/usr/local/etc/build-ca.crt" >"$work/npm-etc/npmrc"
  echo "--volume=$work/npm-etc:/usr/local/etc:ro"
}

image_build() {
  local archive=$1 ref=$2 work=$3 component=${image_name#kguardian-} ca_opts
  mkdir -p "$work/context"
  kguardian_files | xargs -0 cp --parents -a -t "$work/context"
  ca_opts=$(kguardian_npm_ca "$work")
  # shellcheck disable=SC2086 # none or one option, with no spaces
  images_buildah bud --isolation chroot --network host --layers --pull=never $ca_opts \
    -f "$work/context/deploy/docker/$component.Dockerfile" \
    --ignorefile "$work/context/deploy/docker/$component.Dockerfile.dockerignore" \
    -t "$ref" "$work/context"
  images_buildah push --quiet "$ref" "docker-archive:$archive:$ref"
}
