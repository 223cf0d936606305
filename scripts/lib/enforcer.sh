# shellcheck shell=bash
# The NetworkPolicy enforcer of `scripts/cluster.sh up --enforcer kube-router` (docs/enforcement.md):
# kube-router's network policy controller alone, as a host process. Sourced by scripts/cluster.sh
# after its helpers (start, stop, pid_of, wait_for, k) and scripts/lib/kube-router.sh.
#
# The choice is kept in DIR/enforcer, so a later `up` without the flag keeps it and `down` knows what
# to remove. The cluster's CNI (bridge) enforces nothing: without --enforcer, NetworkPolicies are
# stored and never applied, which is what an audit of them wants.

enforcers=(kube-router)

# node_has_ipv4: the kubelet has reported the node's InternalIP; kube-router exits at start without it
# ("IPv4 was enabled but no IPv4 address was found on node").
node_has_ipv4() {
  [ -n "$(k get node "$kgc_node_name" -o 'jsonpath={.status.addresses[?(@.type=="InternalIP")].address}')" ]
}

# kuberouter_syncs_above N: kube-router's log holds more than N finished syncs.
kuberouter_syncs_above() {
  local n
  n=$(grep -c 'sync iptables took' "$logs/kube-router.log" 2>/dev/null) || true
  [ "${n:-0}" -gt "$1" ]
}

# enforcer_start NAME: records NAME and starts it once the node has its address, then waits for its
# first sync, so policies are enforced when up returns. IPv4 only: kube-router v2.1.0's IPv6
# policies are known broken (fixed in v2.1.1, which the module proxy does not serve).
enforcer_start() {
  local name=$1 bin synced=0
  case " ${enforcers[*]} " in *" $name "*) ;; *) die "unknown enforcer '$name' (known: ${enforcers[*]})" ;; esac
  command -v ipset >/dev/null || die "ipset is missing: run scripts/install-deps.sh (scripts/install.d/42-kube-router.sh)"
  echo "$name" >"$dir/enforcer"
  bin=$(kuberouter_build)
  wait_for "the node's InternalIP" 120 node_has_ipv4
  # The log is appended to: a kube-router started again (after `up --enforcer none`) must sync
  # once more than the syncs of the one before it. A running one has synced already.
  if ! pid_of kube-router >/dev/null; then
    synced=$(grep -c 'sync iptables took' "$logs/kube-router.log" 2>/dev/null) || true
  fi
  start kube-router "$bin" --kubeconfig "$kubeconfig" --hostname-override "$kgc_node_name" \
    --run-firewall=true --run-router=false --run-service-proxy=false --enable-ipv4=true --enable-ipv6=false \
    --service-cluster-ip-range "$kgc_service_cidr4" --health-port 0 --metrics-port 0 --v 1
  wait_for "kube-router's first sync" 120 kuberouter_syncs_above "${synced:-0}"
}

# enforcer_remove: `up --enforcer none`: stops the enforcer, removes its chains and the rules that jump
# to them (KUBE-ROUTER-*, KUBE-NWPLCY-*, KUBE-POD-FW-*; kube-proxy's chains stay) and its ipsets, and
# forgets the choice, so NetworkPolicies are stored and no longer applied. Stopping kube-router alone
# would leave its last rules in force.
enforcer_remove() {
  [ -f "$dir/enforcer" ] || return 0
  enforcer_stop
  remove_chains '^(KUBE-ROUTER|KUBE-NWPLCY|KUBE-POD-FW)-'
  remove_ipsets
  rm -f "$dir/enforcer"
}

# enforcer_stop: stops the enforcer. Its iptables chains (KUBE-ROUTER-*, KUBE-NWPLCY-*, KUBE-POD-FW-*) go
# with the cluster's other KUBE-* chains (remove_chains); its ipsets with remove_ipsets, after them.
enforcer_stop() {
  stop kube-router
}

# remove_ipsets: destroys the ipsets that up did not find (kube-router's), once no rule uses them.
remove_ipsets() {
  command -v ipset >/dev/null || return 0
  local set
  ipset list -n 2>/dev/null | while read -r set; do
    grep -qxF "$set" "$before/ipsets" 2>/dev/null && continue
    ipset destroy "$set" 2>/dev/null || warn "failed to destroy ipset $set"
  done
}
