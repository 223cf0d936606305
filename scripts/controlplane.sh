#!/usr/bin/env bash
# Starts, stops or reports the test control plane: a real kube-apiserver over embedded etcd
# on 127.0.0.1, with a stand-in kubelet for port-forward (docs/controlplane.md).
#
#   scripts/controlplane.sh start  [--dir DIR] [--port N] [--exit-with-pid PID]
#                                  [--node-name NAME --node-ip IPS --service-cidr CIDRS]   (a real cluster's: scripts/cluster.sh)
#   scripts/controlplane.sh stop   [--dir DIR]
#   scripts/controlplane.sh status [--dir DIR]
#
# start builds the binary if needed, waits until /readyz is ok and prints the admin
# kubeconfig's path on stdout (everything else goes to stderr). DIR holds the state,
# the log and a kubectl of the server's release; stop ends the process and removes DIR.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
source "$repo/scripts/lib/log.sh"
source "$repo/scripts/lib/controlplane.sh"

usage() { die "usage: scripts/controlplane.sh start|stop|status [--dir DIR] [--port N] [--exit-with-pid PID]"; }

cmd=${1:-}
[ $# -gt 0 ] && shift
dir=${KG_CONTROLPLANE_DIR:-$repo/.cache/controlplane/run}
port=0
exit_pid=""
cluster_args=()
while [ $# -gt 0 ]; do
  case $1 in
    --dir) dir=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --exit-with-pid) exit_pid=$2; shift 2 ;;
    --node-ip | --service-cidr | --node-name) cluster_args+=("$1" "$2"); shift 2 ;;
    *) usage ;;
  esac
done
[ "$cmd" = start ] && mkdir -p "$dir"
dir=$(cd "$dir" 2>/dev/null && pwd || echo "$dir")
marker="$dir/.kg-controlplane"

running_pid() {
  local pid
  pid=$(cat "$dir/pid" 2>/dev/null) || return 1
  kill -0 "$pid" 2>/dev/null && echo "$pid"
}

ready() {
  [ -f "$dir/kubeconfig" ] && "$dir/kubectl" --kubeconfig "$dir/kubeconfig" get --raw /readyz >/dev/null 2>&1
}

start() {
  local pid bin started
  if pid=$(running_pid); then
    die "a control plane already runs in $dir (pid $pid); stop it first"
  fi
  bin=$(controlplane_build)
  touch "$marker"
  rm -rf "$dir/kubeconfig" "$dir/etcd" "$dir/pki"
  ln -sfn "$bin" "$dir/kubectl"
  started=$SECONDS
  # setsid: a Ctrl-C meant for the caller must not kill it half-way; --exit-with-pid or
  # "stop" ends it.
  setsid "$bin" --dir "$dir" --port "$port" ${exit_pid:+--exit-with-pid "$exit_pid"} "${cluster_args[@]}" \
    >"$dir/controlplane.log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$dir/pid"
  until ready; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 40 "$dir/controlplane.log" >&2
      die "the control plane exited before it was ready (log: $dir/controlplane.log)"
    fi
    if (( SECONDS - started > 180 )); then
      stop
      die "the control plane was not ready within 180s"
    fi
    sleep 0.2
  done
  step "control plane ready in $((SECONDS - started))s: $(grep -o 'https://[0-9.]*:[0-9]*' "$dir/controlplane.log" | head -n 1)"
  echo "$dir/kubeconfig"
}

stop() {
  local pid i
  if pid=$(running_pid); then
    kill -TERM "$pid"
    for ((i = 0; i < 150; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
      warn "the control plane (pid $pid) did not stop within 30s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  # Remove only a folder this script made.
  if [ -f "$marker" ]; then
    rm -rf "$dir"
  fi
}

status() {
  local pid
  if pid=$(running_pid) && ready; then
    echo "running (pid $pid), kubeconfig $dir/kubeconfig"
  else
    echo "not running"
    return 1
  fi
}

case $cmd in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) usage ;;
esac
