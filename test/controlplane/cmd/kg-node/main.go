// Command kg-node runs the node and controller components of the real single-node cluster that
// scripts/cluster.sh starts beside the test control plane (docs/cluster.md): the kubelet,
// kube-controller-manager, kube-scheduler and kube-proxy of the pinned k8s.io/kubernetes release,
// plus two small helpers of its own: host-path-provisioner (the cluster's StorageClass) and
// cri-clean (removes every pod sandbox when the cluster goes down).
//
// One binary for the four, chosen by its first argument (or by the name it is invoked as), so
// that they are linked once and compiled with the control plane's module, versions and flags:
// every package they share with it comes from the same Go build cache.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	_ "time/tzdata" // CronJob time zones, as kube-controller-manager's own main has it

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	proxy "k8s.io/kubernetes/cmd/kube-proxy/app"
	scheduler "k8s.io/kubernetes/cmd/kube-scheduler/app"
	kubelet "k8s.io/kubernetes/cmd/kubelet/app"
)

// components maps each name to the constructor of its upstream command.
var components = map[string]func() *cobra.Command{
	"kubelet":                 func() *cobra.Command { return kubelet.NewKubeletCommand(context.Background()) },
	"kube-controller-manager": controllermanager.NewControllerManagerCommand,
	"kube-scheduler":          func() *cobra.Command { return scheduler.NewSchedulerCommand() },
	"kube-proxy":              proxy.NewProxyCommand,
}

// helpers are this program's own commands.
var helpers = map[string]func(args []string) error{
	"host-path-provisioner": runProvisioner,
	"cri-clean":             criClean,
}

func main() {
	if len(os.Args) > 1 {
		if helper, ok := helpers[os.Args[1]]; ok {
			if err := helper(os.Args[2:]); err != nil {
				fmt.Fprintf(os.Stderr, "kg-node %s: %v\n", os.Args[1], err)
				os.Exit(1)
			}
			return
		}
	}
	name := filepath.Base(os.Args[0])
	args := os.Args[1:]
	if _, ok := components[name]; !ok && len(args) > 0 {
		name, args = args[0], args[1:]
	}
	newCommand, ok := components[name]
	if !ok {
		names := make([]string, 0, len(components)+len(helpers))
		for n := range components {
			names = append(names, n)
		}
		for n := range helpers {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Fprintf(os.Stderr, "usage: kg-node %s [FLAGS]\n", strings.Join(names, "|"))
		os.Exit(2)
	}
	command := newCommand()
	command.SetArgs(args)
	os.Exit(cli.Run(command))
}
