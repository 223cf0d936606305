# shellcheck shell=bash
# The long builds of a test run (Helm, the control plane, kg-node, the images, e2e.test, kube-router), in
# one background job that scripts/test.sh starts before its first stage, so that a first run on a fresh
# machine compiles while the stages that need none of it (lint, typecheck, unit, integration, kernel,
# end to end) run. Each build is cached by content hash and takes its cache entry's lock: a stage that
# needs a build calls builds_need, which waits for that lock if the background job holds it, and builds
# it itself if the job has not got to it (or failed: then the stage shows the error). On a warm machine
# the job finds everything cached within a minute.
#
# The job runs niced, so the stages come first for the CPU; while a stage waits for one of its builds,
# builds_need gives the job normal priority. Sourced by scripts/test.sh after log.sh; the build
# libraries are sourced here.
builds_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$builds_dir/scripts/lib/progress.sh"
source "$builds_dir/scripts/lib/controlplane.sh"
source "$builds_dir/scripts/lib/kg-node.sh"
source "$builds_dir/scripts/lib/e2e-test.sh"
source "$builds_dir/scripts/lib/kube-router.sh"
source "$builds_dir/scripts/lib/helm.sh"

builds_nice=10
# The priorities are relative to the one this script was started with (a CI runner may start it
# niced): the stages keep it, the job runs builds_nice lower, never past the lowest (19).
builds_base_nice=$(nice)
builds_job_nice=$((builds_base_nice + builds_nice > 19 ? 19 : builds_base_nice + builds_nice))
builds_pid=
builds_log="$builds_dir/.cache/builds.log"

# builds_one NAME [IMAGE...]: one build, output on stdout and stderr. Images need root (buildah, mmdebstrap).
builds_one() {
  case $1 in
    helm) helm_build ;;
    controlplane) controlplane_build ;;
    kg-node) kgnode_build ;;
    e2e-test) e2etest_build ;;
    kube-router) kuberouter_build ;;
    images) shift; bash "$builds_dir/scripts/images.sh" build "$@" ;;
    *) die "builds_one: unknown build '$1'" ;;
  esac
}

# builds_all: what the background job builds, in the order the stages need it. The Debian-based bases
# (downloads from Debian's archive, dpkg) go beside the Go builds, which keep both cores busy.
builds_all() {
  local images=0 b
  [ "$(id -u)" = 0 ] && images=1
  if [ "$images" = 1 ]; then
    builds_step images debian postgres node &
  fi
  for b in helm controlplane kg-node; do builds_step "$b"; done
  [ "$images" = 1 ] && builds_step images
  for b in e2e-test kube-router; do builds_step "$b"; done
  wait
}

# builds_step NAME [IMAGE...]: one build of the job, in a subshell: a failing build exits (die) and
# closes its lock there, and the job goes on to the next.
builds_step() {
  local start=$SECONDS
  if (builds_one "$@" >/dev/null); then
    step "background build: $* ready after $((SECONDS - start))s"
  else
    warn "background build: $* failed after $((SECONDS - start))s (the stage that needs it builds it again and shows why)"
  fi
}

# builds_start: starts the background job (builds_all), niced, in a process group of its own (job
# control on for that one fork), so that renice and kill reach every compiler it starts.
builds_start() {
  mkdir -p "$(dirname "$builds_log")"
  : >"$builds_log"
  step "starting the builds in the background (log: $builds_log)"
  set -m
  (
    renice -n "$builds_job_nice" -p "$BASHPID" >/dev/null
    builds_all
  ) >>"$builds_log" 2>&1 </dev/null &
  builds_pid=$!
  set +m
}

# builds_stop: ends the background job and everything it started, if it still runs.
builds_stop() {
  [ -n "$builds_pid" ] || return 0
  kill -TERM -- "-$builds_pid" 2>/dev/null || true
  builds_pid=
}

# builds_need NAME [IMAGE...]: NAME built (waiting for the background job's build of it, at normal
# priority meanwhile), its progress on stderr.
builds_need() {
  local status=0
  if [ -n "$builds_pid" ] && kill -0 "$builds_pid" 2>/dev/null; then
    step "$1: waiting for it if the background build has it (log: $builds_log)"
    renice -n "$builds_base_nice" -g "$builds_pid" >/dev/null 2>&1 || true
  fi
  (builds_one "$@" >/dev/null) || status=$?
  if [ -n "$builds_pid" ]; then renice -n "$builds_job_nice" -g "$builds_pid" >/dev/null 2>&1 || true; fi
  return "$status"
}
