#!/usr/bin/env bash
# Builds the broker's web view (/ui/) into daemons/broker/ui/assets, where a broker run from the
# checkout (node --import tsx daemons/broker/main.ts, the playground) serves it from. The broker
# image builds its own copy (deploy/docker/broker.Dockerfile); nothing built is committed.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/log.sh
step "bundling the web view into daemons/broker/ui/assets/"
node --import tsx daemons/broker/ui/build.ts "$@"
