# The real single-node cluster's fixed names and addresses (scripts/cluster.sh, docs/cluster.md).
# Sourced by scripts/cluster.sh and by the tests that check what it leaves on the host.
#
# Everything is named kgc* and numbered in 10.254.0.0/16 and fd6b:6763::/32, away from the
# kernel tests' lab (10.250.X.0/24, fd00:4b47::), the playground (10.252.7.0/24), the end-to-end
# stack (10.253.X.0/24), the integration control plane (127.0.0.1, Services 10.96.0.0/16, nothing
# routed) and this machine's resolver (10.255.255.53).
kgc_node_name=kgc-node
# An interface of its own holds the node's addresses: the API server, the kubelet and kube-proxy listen
# there, and pods reach it through their default route (the bridge), so the "kubernetes" Service
# has an endpoint every pod can reach.
kgc_node_if=kgc-node
kgc_node_ip4=10.254.0.1
kgc_node_ip6=fd6b:6763::1
kgc_bridge=kgc0
# The CNI network's name: host-local and libcni name their files after it.
kgc_network=kgc
kgc_pod_cidr4=10.254.128.0/17
kgc_pod_cidr6=fd6b:6763:1::/56
kgc_node_pod_range4=10.254.128.0/24
kgc_node_pod_range6=fd6b:6763:1::/64
kgc_service_cidr4=10.254.16.0/20
kgc_service_cidr6=fd6b:6763:0:16::/112
kgc_dns_ip=10.254.16.10
kgc_api_port=6443
# The kubelet's cgroups go under this parent in every hierarchy (cgroupfs driver), not the
# default /kubepods, so nothing else's cgroups are touched.
kgc_cgroup_root=/kgc
# Sysctls the kubelet, kube-proxy and the bridge plugin may set; up records them and down puts
# them back.
kgc_sysctls=(
  net.ipv4.ip_forward
  net.ipv6.conf.all.forwarding
  net.ipv6.conf.default.forwarding
  net.ipv4.conf.all.route_localnet
  net.bridge.bridge-nf-call-iptables
  net.bridge.bridge-nf-call-ip6tables
  vm.overcommit_memory
  vm.panic_on_oom
  kernel.panic
  kernel.panic_on_oops
  kernel.keys.root_maxkeys
  kernel.keys.root_maxbytes
  net.netfilter.nf_conntrack_max
  net.netfilter.nf_conntrack_tcp_timeout_established
  net.netfilter.nf_conntrack_tcp_timeout_close_wait
  net.netfilter.nf_conntrack_tcp_be_liberal
)
