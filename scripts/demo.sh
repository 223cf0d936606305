#!/usr/bin/env bash
# The README's first command: the local playground (scripts/playground.sh, docs/playground.md).
# The whole kguardian pipeline on loopback, a policy with a mistake, what kguardian reports about
# it, the fix and the promote command; Ctrl-C stops it and removes everything it made.
set -euo pipefail
exec bash "$(dirname "$0")/playground.sh" "$@"
