// Where the API server listens and which Service ranges it allocates from. By default it is the
// integration tests' server: loopback only, one IPv4 Service range that nothing routes. With
// --node-ip it is the control plane of a real single-node cluster (scripts/cluster.sh): it listens
// on the node's address, which pods reach through the "kubernetes" Service.
package main

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
)

const defaultServiceCIDR = "10.96.0.0/16"

type network struct {
	// host is the address the API server binds to and advertises.
	host string
	// nodeIPs are the real node's addresses; none for the integration tests' server.
	nodeIPs      []net.IP
	serviceCIDRs []netip.Prefix
}

func parseNetwork(nodeIPs, serviceCIDRs string) (network, error) {
	n := network{host: "127.0.0.1"}
	for _, s := range splitList(nodeIPs) {
		ip := net.ParseIP(s)
		if ip == nil {
			return n, fmt.Errorf("--node-ip: %q is not an IP address", s)
		}
		n.nodeIPs = append(n.nodeIPs, ip)
	}
	if len(n.nodeIPs) > 0 {
		if n.nodeIPs[0].To4() == nil {
			return n, fmt.Errorf("--node-ip: the first address must be IPv4, not %s", n.nodeIPs[0])
		}
		n.host = n.nodeIPs[0].String()
	}
	for _, s := range splitList(serviceCIDRs) {
		prefix, err := netip.ParsePrefix(s)
		if err != nil {
			return n, fmt.Errorf("--service-cidr: %q is not a CIDR", s)
		}
		n.serviceCIDRs = append(n.serviceCIDRs, prefix.Masked())
	}
	if len(n.serviceCIDRs) == 0 {
		return n, fmt.Errorf("--service-cidr: at least one range is needed")
	}
	return n, nil
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// cluster tells whether real node components run beside this control plane.
func (n network) cluster() bool { return len(n.nodeIPs) > 0 }

func (n network) url(port int) string {
	return fmt.Sprintf("https://%s", net.JoinHostPort(n.host, fmt.Sprint(port)))
}

func (n network) serviceCIDRList() string {
	parts := make([]string, len(n.serviceCIDRs))
	for i, p := range n.serviceCIDRs {
		parts[i] = p.String()
	}
	return strings.Join(parts, ",")
}

// kubernetesServiceIPs are the "kubernetes" Service's ClusterIPs: the first address of each range.
// Pods reach the API server through them, so its serving certificate names them.
func (n network) kubernetesServiceIPs() []net.IP {
	ips := make([]net.IP, len(n.serviceCIDRs))
	for i, p := range n.serviceCIDRs {
		ips[i] = net.IP(p.Addr().Next().AsSlice())
	}
	return ips
}
