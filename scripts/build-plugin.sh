#!/usr/bin/env bash
# Builds the kubectl-kguardian plugin.
#   bash scripts/build-plugin.sh            dist/kubectl-kguardian.cjs + dist/client-node.cjs (the npm bin runs these)
#   bash scripts/build-plugin.sh --sea      also dist/kubectl-kguardian: a single executable for this machine
#   bash scripts/build-plugin.sh --release  also single executables for linux and darwin, amd64 and arm64, as
#                                           .tar.gz under ~/.cache/kguardian/plugin-release/, and krew/kguardian.yaml
#   bash scripts/build-plugin.sh --npm [DIR] also the npm package kubectl-kguardian-<version>.tgz (plugin/npm/) in DIR (dist/)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/log.sh

step "bundling the plugin into dist/"
node --import tsx plugin/bin/build.ts
case "${1:-}" in
  "") ;;
  --sea)
    step "building dist/kubectl-kguardian (single executable, this machine's node)"
    node --import tsx -e "import('./plugin/bin/sea.ts').then((m) => m.buildSea({ os: process.platform, nodeBinary: process.execPath, out: 'dist/kubectl-kguardian', codeCache: true }))"
    ;;
  --release)
    step "building the release archives and krew/kguardian.yaml"
    node --import tsx krew/release.ts "${@:2}"
    ;;
  --npm)
    step "packing the npm package (plugin/npm/package.json)"
    node --import tsx plugin/npm/pack.ts "${@:2}"
    ;;
  *) die "unknown option $1 (use --sea, --release or --npm)" ;;
esac
