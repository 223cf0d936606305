#!/usr/bin/env bash
# A real single-node Kubernetes cluster on this machine, without Docker (docs/cluster.md): the test
# control plane (kube-apiserver + etcd) on the node's own address, kube-controller-manager,
# kube-scheduler, a real kubelet on Debian's containerd + runc + the CNI bridge, kube-proxy
# (iptables), CoreDNS and a default StorageClass. Needs root.
#
#   scripts/cluster.sh up      [--dir DIR] [--enforcer kube-router|none]
#                                        start (or find running) and print the kubeconfig's path; with
#                                        --enforcer, NetworkPolicies are enforced (scripts/lib/enforcer.sh);
#                                        none stops a running enforcer and removes its rules and ipsets
#   scripts/cluster.sh down    [--dir DIR]   stop everything and put the host back as up found it
#   scripts/cluster.sh status  [--dir DIR]   say what runs; exit 1 when the cluster is not up
#   scripts/cluster.sh env     [--dir DIR]   KEY=value lines for scripts and tests (kubeconfig, kubectl, ...)
#
# Everything the cluster writes lives in DIR (default .cache/cluster, or $KG_CLUSTER_DIR):
# certificates, etcd, containerd's root, state and socket, the CNI config, the kubelet's root, the
# volumes, the logs. Only one cluster runs on a host at a time (kube-proxy's iptables chains have
# fixed names); it shares the host with the integration control plane, the playground and the
# kernel and end-to-end tests (distinct addresses, names and ports: scripts/lib/cluster.sh).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
source "$repo/scripts/lib/log.sh"
source "$repo/scripts/lib/controlplane.sh"
source "$repo/scripts/lib/kg-node.sh"
source "$repo/scripts/lib/cluster.sh"
source "$repo/scripts/lib/kube-router.sh"

usage() { die "usage: scripts/cluster.sh up|down|status|env [--dir DIR] [--enforcer kube-router|none]"; }

cmd=${1:-}
[ $# -gt 0 ] && shift
dir=${KG_CLUSTER_DIR:-$repo/.cache/cluster}
enforcer=
while [ $# -gt 0 ]; do
  case $1 in
    --dir) dir=$2; shift 2 ;;
    --enforcer) [ "$cmd" = up ] || usage; enforcer=$2; shift 2 ;;
    *) usage ;;
  esac
done
mkdir -p "$(dirname "$dir")"
dir="$(cd "$(dirname "$dir")" && pwd)/$(basename "$dir")"
# Components and their state.
cp_dir=$dir/controlplane
kubeconfig=$cp_dir/kubeconfig
kubectl=$cp_dir/kubectl
pki=$cp_dir/pki
ctr_dir=$dir/containerd
ctr_sock=$ctr_dir/containerd.sock
logs=$dir/logs
pids=$dir/pids
before=$dir/host-before
components=(kubelet kube-proxy kube-controller-manager kube-scheduler host-path-provisioner)

# The folder of the cluster running on this host, so that an up in another folder can tell a live
# cluster from one a killed run left behind. In /run: a reboot clears it along with the interfaces.
owner_file=/run/kg-cluster.owner

need_root() { [ "$(id -u)" = 0 ] || die "scripts/cluster.sh $cmd needs root (it runs a kubelet, containerd and kube-proxy)"; }

pid_of() {
  local pid
  pid=$(cat "$pids/$1" 2>/dev/null) || return 1
  kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# close_inherited_fds: closes every descriptor but stdin, stdout and stderr in this shell, so that
# the daemon it then becomes keeps none of its caller's: a lock held around "up" (flock) ends when
# up does, not with the cluster.
close_inherited_fds() {
  local fd
  for fd in /proc/$BASHPID/fd/*; do
    fd=${fd##*/}
    if [ "$fd" -gt 2 ]; then eval "exec $fd>&-"; fi
  done
}

# start NAME CMD...: runs CMD in its own session, logs to logs/NAME.log, records its pid.
start() {
  local name=$1
  shift
  if pid_of "$name" >/dev/null; then return 0; fi
  (
    close_inherited_fds
    exec setsid "$@" >>"$logs/$name.log" 2>&1 </dev/null
  ) &
  echo $! >"$pids/$name"
}

# stop NAME: TERM, then KILL after 20 s.
stop() {
  local pid i
  pid=$(pid_of "$1") || { rm -f "$pids/$1"; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    warn "$1 (pid $pid) did not stop within 20s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "$pids/$1"
}

k() { "$kubectl" --kubeconfig "$kubeconfig" "$@"; }

# cluster_alive DIR: some process the cluster in DIR started still runs (a component, containerd,
# the enforcer or the control plane).
cluster_alive() {
  local f pid
  for f in "$1"/pids/* "$1/controlplane/pid"; do
    pid=$(cat "$f" 2>/dev/null) || continue
    kill -0 "$pid" 2>/dev/null && return 0
  done
  return 1
}

# claim_host: refuses to start beside a running cluster; takes down first one whose run was killed
# before its down (every process gone, the interfaces, chains and sysctls still in place), since
# nothing else would ever put that host back.
claim_host() {
  local owner
  if [ ! -f "$dir/.kg-cluster" ] && ip link show "$kgc_node_if" >/dev/null 2>&1; then
    owner=$(cat "$owner_file" 2>/dev/null || true)
    if [ -n "$owner" ] && [ "$owner" != "$dir" ] && [ -f "$owner/.kg-cluster" ] && ! cluster_alive "$owner"; then
      warn "a cluster was left behind in $owner (none of its processes runs: the run that started it ended without down); taking it down first"
      bash "$repo/scripts/cluster.sh" down --dir "$owner"
    else
      die "another cluster already runs on this host (interface $kgc_node_if exists, not made by $dir); stop it with its own scripts/cluster.sh down --dir${owner:+ $owner}"
    fi
  fi
  echo "$dir" >"$owner_file"
}

source "$repo/scripts/lib/enforcer.sh"

# wait_for WHAT SECONDS CMD...: polls CMD until it succeeds; dies naming WHAT after SECONDS.
wait_for() {
  local what=$1 limit=$2 start=$SECONDS
  shift 2
  until "$@" >/dev/null 2>&1; do
    if (( SECONDS - start > limit )); then
      die "$what was not ready within ${limit}s (logs: $logs)"
    fi
    sleep 0.2
  done
}

# The images the cluster itself runs (pause and CoreDNS), built and cached by scripts/images.sh.
image_ref() {
  bash "$repo/scripts/images.sh" list "$1" | awk -v n="$1" '$1 == n {print $2}'
}

# record_host: what down must put back, written once per cluster (up is idempotent).
record_host() {
  [ -f "$before/done" ] && return 0
  mkdir -p "$before"
  local key
  for key in "${kgc_sysctls[@]}"; do
    if [ -e "/proc/sys/${key//.//}" ]; then
      echo "$key=$(cat "/proc/sys/${key//.//}")"
    fi
  done >"$before/sysctls"
  # Chains that exist before, so down removes only those the cluster added.
  for family in iptables ip6tables; do
    for table in filter nat mangle raw; do
      "$family" -t "$table" -S 2>/dev/null | awk -v t="$table" '$1 == "-N" {print t, $2}'
    done >"$before/$family-chains"
  done
  ip netns list 2>/dev/null | awk '{print $1}' >"$before/netns"
  { ipset list -n 2>/dev/null || true; } >"$before/ipsets"
  for path in /var/log/containers /var/lib/cni /run/containerd /run/containerd/s; do
    [ -e "$path" ] && echo "$path"
  done >"$before/paths"
  touch "$before/done"
}

# make_cgroup_root: the kubelet's cgroup parent, in every hierarchy (it requires them to exist). A
# v1 cpuset group starts with no CPUs and no memory nodes: it gets its parent's.
make_cgroup_root() {
  local h
  for h in /sys/fs/cgroup/*/; do
    h=${h%/}
    [ -d "$h$kgc_cgroup_root" ] || mkdir "$h$kgc_cgroup_root"
    if [ -f "$h/cpuset.cpus" ] && [ -z "$(cat "$h$kgc_cgroup_root/cpuset.cpus")" ]; then
      cat "$h/cpuset.cpus" >"$h$kgc_cgroup_root/cpuset.cpus"
      cat "$h/cpuset.mems" >"$h$kgc_cgroup_root/cpuset.mems"
    fi
  done
}

# write_config FILE: stdin into FILE, unless FILE already holds exactly that, so a second up leaves a
# running component's configuration alone: kube-proxy exits as soon as its file is written, even with
# the same content ("content of the proxy server's configuration file was updated"), and nothing would
# start it again. A new content goes in by rename, so a reader (containerd watching the CNI folder)
# never sees it half written. Sets config_written=1 when it wrote.
config_written=0
write_config() {
  local file=$1 tmp
  tmp=$(mktemp "$file.XXXXXX")
  cat >"$tmp"
  if cmp -s "$tmp" "$file"; then
    rm -f "$tmp"
  else
    chmod 644 "$tmp"
    mv -f "$tmp" "$file"
    config_written=1
  fi
}

setup_network() {
  # A veth pair whose far end stays unused: this kernel may lack the dummy driver, and a veth
  # with both ends up has carrier, so its addresses are up (a port-less bridge's are not).
  if ! ip link show "$kgc_node_if" >/dev/null 2>&1; then
    ip link add "$kgc_node_if" type veth peer name "$kgc_node_if-p"
  fi
  ip addr replace "$kgc_node_ip4/32" dev "$kgc_node_if"
  # nodad: usable at once, not "tentative" for a second.
  ip -6 addr replace "$kgc_node_ip6/128" dev "$kgc_node_if" nodad
  ip link set "$kgc_node_if-p" up
  ip link set "$kgc_node_if" up
}

write_cni_config() {
  mkdir -p "$dir/cni" "$dir/cni-ipam"
  write_config "$dir/cni/10-$kgc_network.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "$kgc_network",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$kgc_bridge",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$dir/cni-ipam",
        "ranges": [[{"subnet": "$kgc_node_pod_range4"}], [{"subnet": "$kgc_node_pod_range6"}]],
        "routes": [{"dst": "0.0.0.0/0"}, {"dst": "::/0"}]
      }
    }
  ]
}
EOF
}

write_containerd_config() {
  local pause=$1
  mkdir -p "$ctr_dir"
  write_config "$ctr_dir/config.toml" <<EOF
version = 2
root = "$ctr_dir/root"
state = "$ctr_dir/state"
# /opt/containerd would be made by this plugin; nothing here uses it.
disabled_plugins = ["io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = "$ctr_sock"

[ttrpc]
  address = "$ctr_sock.ttrpc"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$pause"
  # Root in this environment lacks CAP_SYS_RESOURCE: runc cannot lower a sandbox's oom_score_adj.
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$ctr_dir/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$dir/cni"
    max_conf_num = 1
EOF
}

write_kubelet_config() {
  mkdir -p "$dir/kubelet" "$dir/pod-logs"
  write_config "$dir/kubelet/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $kgc_node_ip4
port: 10250
readOnlyPort: 0
healthzBindAddress: $kgc_node_ip4
healthzPort: 10248
tlsCertFile: $pki/kubelet.crt
tlsPrivateKeyFile: $pki/kubelet.key
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $pki/ca.crt}
authorization: {mode: Webhook}
containerRuntimeEndpoint: unix://$ctr_sock
cgroupDriver: cgroupfs
cgroupRoot: $kgc_cgroup_root
# This host has v1 controllers beside cgroup2 (hybrid), and swap may be on.
failCgroupV1: false
failSwapOn: false
clusterDNS: [$kgc_dns_ip]
clusterDomain: cluster.local
podLogsDirectory: $dir/pod-logs
serializeImagePulls: false
# Images are imported, never pulled: keep them all, whatever the disk's fill.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: 100Mi, nodefs.available: 1%, imagefs.available: 1%, nodefs.inodesFree: 1%}
nodeStatusReportFrequency: 10s
syncFrequency: 10s
fileCheckFrequency: 10s
EOF
}

write_proxy_config() {
  mkdir -p "$dir/kube-proxy"
  write_config "$dir/kube-proxy/config.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $pki/kube-proxy.kubeconfig}
hostnameOverride: $kgc_node_name
mode: iptables
clusterCIDR: $kgc_pod_cidr4,$kgc_pod_cidr6
healthzBindAddress: $kgc_node_ip4:10256
metricsBindAddress: $kgc_node_ip4:10249
# Leave the host's conntrack table size and timeouts alone.
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
# Localhost NodePorts need route_localnet=1 on the host; not wanted here.
iptables: {localhostNodePorts: false}
nodePortAddresses: [$kgc_node_ip4/32, $kgc_node_ip6/128]
EOF
}

apply_manifests() {
  local coredns=$1
  sed -e "s|@COREDNS_IMAGE@|$coredns|" -e "s|@DNS_IP@|$kgc_dns_ip|" \
    -e "s|@DNS_IP6@|${kgc_service_cidr6%::/*}::a|" "$repo/test/cluster/manifests/coredns.yaml" |
    k apply --server-side --force-conflicts -f - >/dev/null
  k apply --server-side --force-conflicts -f "$repo/test/cluster/manifests/storage.yaml" >/dev/null
}

system_ready() {
  k wait --for=condition=Ready "node/$kgc_node_name" --timeout=0 &&
    [ "$(k -n kube-system get deploy coredns -o 'jsonpath={.status.readyReplicas}')" = 1 ]
}

up() {
  need_root
  local started=$SECONDS bin pause coredns
  for tool in containerd runc ctr iptables ip6tables /usr/lib/cni/bridge /usr/lib/cni/host-local; do
    command -v "$tool" >/dev/null || die "$tool is missing: run scripts/install-deps.sh (scripts/install.d/40-cluster.sh)"
  done
  claim_host
  mkdir -p "$dir" "$logs" "$pids"
  touch "$dir/.kg-cluster"
  bin=$(kgnode_build)
  pause=$(image_ref pause)
  coredns=$(image_ref coredns)
  [ -n "$pause" ] && [ -n "$coredns" ] || die "scripts/images.sh list names no pause or coredns image"
  record_host
  setup_network
  make_cgroup_root

  write_cni_config
  write_containerd_config "$pause"
  start containerd containerd --config "$ctr_dir/config.toml"
  # The images load while the control plane starts.
  (
    wait_for containerd 30 ctr --address "$ctr_sock" version
    bash "$repo/scripts/images.sh" load --containerd-address "$ctr_sock" pause coredns >>"$logs/images.log" 2>&1 ||
      die "failed to load the pause and CoreDNS images (log: $logs/images.log)"
  ) &
  local images=$!

  if ! bash "$repo/scripts/controlplane.sh" status --dir "$cp_dir" >/dev/null 2>&1; then
    # A new control plane has new certificates: whatever ran against an old one starts again.
    for c in "${components[@]}"; do stop "$c"; done
    bash "$repo/scripts/controlplane.sh" stop --dir "$cp_dir"
    (
      close_inherited_fds
      exec bash "$repo/scripts/controlplane.sh" start --dir "$cp_dir" --port "$kgc_api_port" --node-name "$kgc_node_name" \
        --node-ip "$kgc_node_ip4,$kgc_node_ip6" --service-cidr "$kgc_service_cidr4,$kgc_service_cidr6" >/dev/null
    )
  fi
  wait "$images" || exit 1

  write_kubelet_config
  config_written=0
  write_proxy_config
  # A running kube-proxy exits on a new configuration: start it again with it.
  if [ "$config_written" = 1 ]; then stop kube-proxy; fi
  start kubelet "$bin" kubelet --config "$dir/kubelet/config.yaml" --kubeconfig "$pki/kubelet.kubeconfig" \
    --hostname-override "$kgc_node_name" --node-ip "$kgc_node_ip4,$kgc_node_ip6" \
    --root-dir "$dir/kubelet/root" --cert-dir "$dir/kubelet/pki" --v 1
  start kube-proxy "$bin" kube-proxy --config "$dir/kube-proxy/config.yaml" --v 1
  start kube-controller-manager "$bin" kube-controller-manager --kubeconfig "$pki/kube-controller-manager.kubeconfig" \
    --authentication-kubeconfig "$pki/kube-controller-manager.kubeconfig" \
    --authorization-kubeconfig "$pki/kube-controller-manager.kubeconfig" \
    --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" \
    --cluster-signing-cert-file "$pki/ca.crt" --cluster-signing-key-file "$pki/ca.key" \
    --use-service-account-credentials --leader-elect=false --secure-port 0 --cluster-name kgc \
    --service-cluster-ip-range "$kgc_service_cidr4,$kgc_service_cidr6" --v 1
  start kube-scheduler "$bin" kube-scheduler --kubeconfig "$pki/kube-scheduler.kubeconfig" \
    --authentication-kubeconfig "$pki/kube-scheduler.kubeconfig" \
    --authorization-kubeconfig "$pki/kube-scheduler.kubeconfig" \
    --leader-elect=false --secure-port 0 --v 1
  start host-path-provisioner "$bin" host-path-provisioner --kubeconfig "$kubeconfig" \
    --dir "$dir/volumes" --node-name "$kgc_node_name"

  apply_manifests "$coredns"
  wait_for "the node and CoreDNS" 180 system_ready
  [ -z "$enforcer" ] && [ -f "$dir/enforcer" ] && enforcer=$(cat "$dir/enforcer")
  case $enforcer in
    '') ;;
    none) enforcer_remove ;;
    *) enforcer_start "$enforcer" ;;
  esac
  step "cluster up in $((SECONDS - started))s: node $kgc_node_name, API server https://$kgc_node_ip4:$kgc_api_port"
  echo "$kubeconfig"
}

# kill_shims: the runc shims of this containerd (cri-clean normally ends them all).
kill_shims() {
  local pid
  for pid in $(pgrep -f containerd-shim-runc-v2 || true); do
    if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "-address $ctr_sock "; then
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
}

# remove_chains [REGEX]: removes the chains the cluster added whose names match REGEX (default: every
# KUBE-* and CNI-* chain), and the rules that jump to them.
remove_chains() {
  local family table chain names=${1:-^(KUBE|CNI)-}
  for family in iptables ip6tables; do
    for table in filter nat mangle raw; do
      # Rules that jump to a chain the cluster added go first, then the chains themselves.
      "$family" -t "$table" -S 2>/dev/null | awk '$1 == "-N" {print $2}' | while read -r chain; do
        [[ $chain =~ $names ]] || continue
        grep -qx "$table $chain" "$before/$family-chains" 2>/dev/null && continue
        "$family" -t "$table" -S 2>/dev/null | awk -v c="$chain" '$1 == "-A" && $2 != c && / -j / {for (i = 1; i <= NF; i++) if ($i == "-j" && $(i + 1) == c) print}' |
          while read -r rule; do
            # eval: iptables -S quotes comments with spaces.
            eval "$family -t $table ${rule/-A/-D}"
          done
        echo "$table $chain"
      done | while read -r table chain; do
        "$family" -t "$table" -F "$chain" 2>/dev/null || true
        "$family" -t "$table" -X "$chain" 2>/dev/null || true
      done
    done
  done
}

remove_cgroups() {
  local h
  for h in /sys/fs/cgroup/*; do
    [ -d "$h$kgc_cgroup_root" ] || continue
    find "$h$kgc_cgroup_root" -depth -type d -exec rmdir {} + 2>/dev/null || true
    [ -d "$h$kgc_cgroup_root" ] && warn "cgroup $h$kgc_cgroup_root is still there (a process left in it?)"
  done
  return 0
}

down() {
  need_root
  if [ ! -f "$dir/.kg-cluster" ]; then
    step "no cluster in $dir"
    return 0
  fi
  local bin
  bin=$(kgnode_binary)
  enforcer_stop
  stop kubelet
  if pid_of containerd >/dev/null && [ -x "$bin" ]; then
    "$bin" cri-clean --endpoint "unix://$ctr_sock" >>"$logs/cri-clean.log" 2>&1 ||
      warn "cri-clean failed (log: $logs/cri-clean.log); removing what is left by hand"
  fi
  for c in kube-proxy kube-controller-manager kube-scheduler host-path-provisioner; do stop "$c"; done
  [ -x "$bin" ] && "$bin" kube-proxy --cleanup >>"$logs/kube-proxy-cleanup.log" 2>&1 || true
  stop containerd
  kill_shims
  bash "$repo/scripts/controlplane.sh" stop --dir "$cp_dir" || true

  # Mounts under the folder (pod volumes, container root filesystems), deepest first.
  { findmnt -rn -o TARGET | grep -F "$dir/" || true; } | sort -r | while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m" || true
  done
  # Network namespaces the runtime made and did not remove.
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep '^cni-' || true); do
    grep -qx "$ns" "$before/netns" 2>/dev/null || ip netns delete "$ns" || true
  done
  if ip link show "$kgc_bridge" >/dev/null 2>&1; then
    ip -o link show master "$kgc_bridge" | awk -F': ' '{print $2}' | cut -d@ -f1 | while read -r port; do
      ip link delete "$port" 2>/dev/null || true
    done
    ip link delete "$kgc_bridge"
  fi
  ip link delete "$kgc_node_if" 2>/dev/null || true
  remove_chains
  remove_ipsets
  remove_cgroups
  if [ -f "$before/sysctls" ]; then
    while IFS='=' read -r key value; do
      [ "$(cat "/proc/sys/${key//.//}" 2>/dev/null)" = "$value" ] || sysctl -q -w "$key=$value" >/dev/null || warn "failed to restore $key=$value"
    done <"$before/sysctls"
  fi
  # The kubelet's links to container logs, and folders the runtime made outside DIR.
  if [ -d /var/log/containers ]; then
    find /var/log/containers -maxdepth 1 -type l -lname "$dir/*" -delete
  fi
  for path in /var/log/containers /var/lib/cni/results /var/lib/cni /run/containerd/s /run/containerd; do
    grep -qx "$path" "$before/paths" 2>/dev/null || rmdir "$path" 2>/dev/null || true
  done
  rm -rf "$dir"
  if [ "$(cat "$owner_file" 2>/dev/null)" = "$dir" ]; then rm -f "$owner_file"; fi
  step "cluster down; host restored"
}

status() {
  local c pid bad=0
  if [ ! -f "$dir/.kg-cluster" ]; then
    echo "not running"
    return 1
  fi
  if ! bash "$repo/scripts/controlplane.sh" status --dir "$cp_dir" >/dev/null 2>&1; then
    echo "control plane: not running"
    bad=1
  else
    echo "control plane: https://$kgc_node_ip4:$kgc_api_port"
  fi
  [ -f "$dir/enforcer" ] && components+=("$(cat "$dir/enforcer")")
  for c in containerd "${components[@]}"; do
    if pid=$(pid_of "$c"); then echo "$c: running (pid $pid)"; else echo "$c: not running"; bad=1; fi
  done
  if [ $bad = 0 ]; then
    k get nodes -o wide 2>/dev/null || bad=1
    echo "kubeconfig: $kubeconfig"
  fi
  return $bad
}

env_lines() {
  echo "KUBECONFIG=$kubeconfig"
  echo "KUBECTL=$kubectl"
  echo "CONTAINERD_ADDRESS=$ctr_sock"
  echo "NODE_NAME=$kgc_node_name"
  echo "NODE_IP=$kgc_node_ip4"
  echo "CLUSTER_DIR=$dir"
  echo "ENFORCER=$(cat "$dir/enforcer" 2>/dev/null || true)"
}

case $cmd in
  up) up ;;
  down) down ;;
  status) status ;;
  env) env_lines ;;
  *) usage ;;
esac
