// CoreDNS with only the plugins a cluster's DNS uses: the Corefile of test/cluster/manifests/coredns.yaml,
// kubeadm's default Corefile (which adds prometheus, forward, loop and reload), and hosts, bind, log and
// whoami for tests and debugging. Upstream's main imports every plugin (cloud providers' SDKs, etcd,
// dnstap, ...), which more than doubles a cold build; a Corefile naming a plugin left out here fails at
// start with "unknown directive". The plugins' order in the chain stays upstream's (dnsserver.Directives).
package main

import (
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/forward"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/hosts"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loadbalance"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/loop"
	_ "github.com/coredns/coredns/plugin/metrics"
	_ "github.com/coredns/coredns/plugin/ready"
	_ "github.com/coredns/coredns/plugin/reload"
	_ "github.com/coredns/coredns/plugin/whoami"
)

func main() {
	coremain.Run()
}
