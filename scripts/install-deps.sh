#!/usr/bin/env bash
# Installs everything the project needs on a fresh machine, and nothing when it is all there.
# Each part of the system adds its own idempotent step as scripts/install.d/NN-name.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/log.sh
source scripts/lib/progress.sh
source scripts/lib/apt.sh
for f in scripts/install.d/*.sh; do
  # shellcheck source=/dev/null
  source "$f"
done
