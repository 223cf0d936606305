# Image tests: builds every image with scripts/images.sh (each cached by a hash of its inputs, so a
# warm run rebuilds nothing; the first build takes tens of minutes, docs/images.md), then runs the
# vitest project `images` (*.images.test.ts): the script's caching and loading, and what each image
# holds and runs. Needs root (buildah, chroot); without it that is said loudly, and fails under CI.
step "image tests (scripts/images.sh)"
if [ "$(id -u)" != 0 ]; then
  test_skipped "image tests SKIPPED (not root: uid $(id -u))"
  if [ "${CI:-}" = true ]; then die "image tests cannot run without root under CI"; fi
else
  builds_need images
  npx vitest run --project images --reporter=default --reporter=json --outputFile.json=.cache/test-results/images.json
fi
