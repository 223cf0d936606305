# Container images built without a Docker engine or a registry: the cache, the content keys, the
# daemonless builder, and the archives containerd imports. Sourced by scripts/images.sh; needs log.sh
# and progress.sh. docs/images.md describes the images and the commands.
#
# Each image has a recipe, deploy/images/<recipe>/image.sh, sourced in a subshell. A recipe sets
#   image_version   the first part of the image's tag (the version of what it packages)
#   image_deps      the images it builds on (their archives are loaded into the builder first)
# and defines
#   image_inputs    prints what the image is made of beyond the recipe folder's own files (source
#                   files, tool versions): the cache key is a hash of all of it
#   image_build     ARCHIVE REF WORK: builds the image into ARCHIVE (docker-archive, tagged REF),
#                   with WORK as scratch space
# and may define image_ref (a reference other than kguardian.local/<name>:<tag>).
#
# An image lives in $(images_root)/<name>/<key>/image.tar, built once per key: a fresh clone of the
# same commit finds it built. The two most recently used keys of each image are kept.

images_repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# Part of every key. Bump it when a change to this file changes what an image holds (how layers
# are committed, its config): the recipes' own files are hashed, this file is not, so that
# changing how the cache is kept or how progress is shown does not rebuild every image.
images_format=1

# In build order: every image after the images it builds on. debian and node are the base images.
images_all=(pause coredns agnhost debian postgres node kguardian-broker kguardian-evaluator kguardian-agent)
# shellcheck disable=SC2034 # read by scripts/images.sh
# What `load` imports when no name is given: what runs in a cluster (the bases only build others).
images_cluster=(pause coredns agnhost postgres kguardian-broker kguardian-evaluator kguardian-agent)

images_root() {
  echo "${KG_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kguardian}/images"
}

images_known() {
  local n
  for n in "${images_all[@]}"; do [ "$n" = "$1" ] && return 0; done
  return 1
}

# The recipe folder of an image: the three kguardian images share one (they share their inputs).
images_recipe_dir() {
  case $1 in
    kguardian-*) echo "$images_repo/deploy/images/kguardian" ;;
    *) echo "$images_repo/deploy/images/$1" ;;
  esac
}

# images_recipe NAME CMD...: runs CMD in a subshell with NAME's recipe sourced.
images_recipe() {
  local name=$1
  shift
  (
    # shellcheck disable=SC2034 # read by the recipes
    image_name=$name
    # A recipe may run inside another's subshell (images_ref debian in node's recipe).
    unset -f image_ref image_inputs image_build
    # shellcheck disable=SC2034 # set by the recipes
    image_deps=() image_version=
    cd "$images_repo" || exit
    # shellcheck source=/dev/null
    source "$(images_recipe_dir "$name")/image.sh"
    "$@"
  )
}

images_deps_of() {
  # shellcheck disable=SC2154 # set by the recipe
  images_recipe "$1" eval 'printf "%s\n" "${image_deps[@]}"'
}

# images_key NAME: 16 hex digits over everything the image is made of, its bases' keys included.
images_key() {
  local name=$1 dep
  {
    # The recipe, not the name: the images of one recipe share a key, and so a tag.
    echo "recipe $(basename "$(images_recipe_dir "$name")")"
    echo "format $images_format"
    (cd "$(images_recipe_dir "$name")" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
    images_recipe "$name" image_inputs
    for dep in $(images_deps_of "$name"); do echo "base $dep $(images_key "$dep")"; done
  } | sha256sum | cut -c1-16
}

images_ref_for() {
  local name=$1 key=$2
  images_recipe "$name" eval '
    if declare -F image_ref >/dev/null; then image_ref
    else echo "kguardian.local/$image_name:$image_version-'"${key:0:12}"'"; fi'
}

# images_ref NAME: the reference NAME's image has now.
images_ref() {
  images_ref_for "$1" "$(images_key "$1")"
}

images_dir_for() {
  echo "$(images_root)/$1/$2"
}

# images_line NAME: "NAME REF ARCHIVE", the line `list` prints.
images_line() {
  local key
  key=$(images_key "$1")
  echo "$1 $(images_ref_for "$1" "$key") $(images_dir_for "$1" "$key")/image.tar"
}

# The builder: buildah with a private store under the cache, so nothing lands in /var/lib/containers
# and two checkouts share the layers they have in common.
images_buildah() {
  local store
  store="$(images_root)/.buildah"
  buildah --root "$store/root" --runroot "$store/run" --storage-driver overlay "$@"
}

# images_use_base NAME: puts NAME's archive into the builder's store under its reference, so that a
# FROM line (or `buildah from`) names it with no registry.
images_use_base() {
  local name=$1 key ref id
  key=$(images_key "$name")
  ref=$(images_ref_for "$name" "$key")
  id=$(images_buildah pull --quiet "docker-archive:$(images_dir_for "$name" "$key")/image.tar")
  # Tagged by its ID: the store may hold an older image under the same name.
  images_buildah tag "$id" "$ref"
}

# images_from_rootfs ARCHIVE REF ROOTFS [buildah config options...]: a single-layer image holding
# ROOTFS, files owned by root, dated at the epoch so equal inputs give an equal layer.
images_from_rootfs() {
  local archive=$1 ref=$2 rootfs=$3 c
  shift 3
  c=$(images_buildah from --quiet scratch)
  images_buildah copy --quiet "$c" "$rootfs" / >/dev/null
  images_buildah config "$@" "$c"
  images_commit "$c" "$archive" "$ref" --squash
}

# images_commit CONTAINER ARCHIVE REF [--squash]: writes the working container as a docker-archive,
# its changes as one layer over its base's (or, with --squash, everything as one layer).
images_commit() {
  local c=$1 archive=$2 ref=$3
  shift 3
  images_buildah commit --quiet --rm --timestamp 0 "$@" "$c" "docker-archive:$archive:$ref" >/dev/null
}

# images_build NAME: builds NAME (and first the images it builds on) unless its key is cached.
images_build() {
  local name=$1 dep key dir ref start lib
  lib="$images_repo/scripts/lib/images.sh"
  for dep in $(images_deps_of "$name"); do images_build "$dep"; done
  key=$(images_key "$name")
  dir=$(images_dir_for "$name" "$key")
  ref=$(images_ref_for "$name" "$key")
  mkdir -p "$dir"
  exec 8>"$dir/.lock"
  flock 8
  if [ -f "$dir/image.tar" ]; then
    step "$name: cached ($ref)"
  else
    step "$name: building $ref"
    start=$SECONDS
    rm -rf "$dir/work"
    mkdir -p "$dir/work"
    for dep in $(images_deps_of "$name"); do images_use_base "$dep"; done
    if ! with_progress "$name: image_build (log: $dir/build.log)" \
      bash -c 'set -euo pipefail; source "$1"; source "$2"; source "$3"; images_recipe "$4" image_build "$5" "$6" "$7" 2>&1 | tee "$8"; exit "${PIPESTATUS[0]}"' \
      _ "$images_repo/scripts/lib/log.sh" "$images_repo/scripts/lib/progress.sh" "$lib" \
      "$name" "$dir/image.tar.partial" "$ref" "$dir/work" "$dir/build.log"; then
      exec 8>&-
      die "$name: build failed (log: $dir/build.log)"
    fi
    mv "$dir/image.tar.partial" "$dir/image.tar"
    rm -rf "$dir/work"
    echo "$((SECONDS - start))" >"$dir/build-seconds"
    step "$name: built in $((SECONDS - start))s, $(du -h "$dir/image.tar" | cut -f1) archive"
  fi
  echo "$ref" >"$dir/ref"
  exec 8>&-
  touch "$dir"
  # shellcheck disable=SC2012 # names are hex keys
  ls -1t "$(dirname "$dir")" | tail -n +3 | while read -r old; do rm -rf "$(dirname "$dir")/${old:?}"; done
}
