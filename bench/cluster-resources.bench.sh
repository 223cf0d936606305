#!/usr/bin/env bash
# CPU and memory of each kguardian pod on the real cluster, idle and under the faults test's
# traffic (bench/cluster/resources.ts): brings a cluster up in a temporary folder, installs the
# chart, measures, writes the cluster-resources section of docs/BENCHMARKS.md, and takes the
# cluster down. Needs root; holds /tmp/kg-cluster.lock, since a host runs one cluster at a time.
# About 6 minutes with the images built (PHASE_S=60, three phases).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/log.sh
[ "$(id -u)" = 0 ] || die "the cluster resources benchmark needs root (scripts/cluster.sh)"
bash scripts/images.sh build pause coredns agnhost postgres kguardian-broker kguardian-evaluator kguardian-agent
flock /tmp/kg-cluster.lock node --import tsx bench/cluster/resources.ts
