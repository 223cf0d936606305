// Command kg-controlplane runs a real Kubernetes control plane on loopback for kguardian's
// integration tests: an embedded etcd, the kube-apiserver of the pinned k8s.io/kubernetes
// release, the two controllers that tests lean on (default ServiceAccounts, namespace
// deletion) and a stand-in kubelet that serves pod port-forward to loopback pod IPs and
// finishes pod deletion. No Pod ever runs: tests write pod status themselves.
//
// Invoked as "kubectl" (by a symlink named kubectl, or with "kubectl" as its first
// argument) it is the kubectl of the same release, so the tests' kubectl always matches
// the server whatever the machine has installed.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

// config is everything the command line sets.
type config struct {
	dir         string
	kubeconfig  string
	port        int
	nodeName    string
	exitWithPID int
	network     network
}

func main() {
	if args, ok := kubectlArgs(os.Args); ok {
		runKubectl(args)
		return
	}
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "kg-controlplane: %v\n", err)
		os.Exit(2)
	}
	if err := run(cfg); err != nil {
		fmt.Fprintf(os.Stderr, "kg-controlplane: %v\n", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("kg-controlplane", flag.ContinueOnError)
	fs.StringVar(&cfg.dir, "dir", "", "state folder: certificates, etcd data (required)")
	fs.StringVar(&cfg.kubeconfig, "kubeconfig", "", "where to write the admin kubeconfig (default DIR/kubeconfig)")
	fs.IntVar(&cfg.port, "port", 0, "kube-apiserver port on 127.0.0.1 (0 picks a free one)")
	fs.StringVar(&cfg.nodeName, "node-name", "kg-node", "name of the one Node, served by the stand-in kubelet")
	fs.IntVar(&cfg.exitWithPID, "exit-with-pid", 0, "stop when this process is gone (the test runner), so nothing outlives it")
	nodeIPs := fs.String("node-ip", "", "real-cluster mode (scripts/cluster.sh): the node's IPs, comma-separated, IPv4 first; "+
		"the API server listens on the first, and the stand-in kubelet and built-in controllers are left to real ones")
	serviceCIDRs := fs.String("service-cidr", defaultServiceCIDR, "Service IP ranges, comma-separated (one per IP family)")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	var err error
	if cfg.network, err = parseNetwork(*nodeIPs, *serviceCIDRs); err != nil {
		return cfg, err
	}
	if cfg.dir == "" {
		return cfg, errors.New("--dir is required")
	}
	dir, err := filepath.Abs(cfg.dir)
	if err != nil {
		return cfg, err
	}
	cfg.dir = dir
	if cfg.kubeconfig == "" {
		cfg.kubeconfig = filepath.Join(dir, "kubeconfig")
	}
	return cfg, nil
}

// run starts every part in order, waits for a signal (or the watched process to go), and
// stops them in reverse order.
func run(cfg config) error {
	started := time.Now()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if cfg.exitWithPID > 0 {
		ctx = exitWithProcess(ctx, cfg.exitWithPID)
	}

	certs, err := writePKI(filepath.Join(cfg.dir, "pki"), cfg.nodeName, cfg.network)
	if err != nil {
		return fmt.Errorf("failed to create certificates: %w", err)
	}

	etcd, etcdServers, err := startEtcd(filepath.Join(cfg.dir, "etcd"))
	if err != nil {
		return fmt.Errorf("failed to start etcd: %w", err)
	}
	defer etcd.Close()

	port := cfg.port
	if port == 0 {
		if port, err = freePort(cfg.network.host); err != nil {
			return err
		}
	}
	apiCtx, stopAPI := context.WithCancel(context.Background())
	apiDone, err := startAPIServer(apiCtx, apiServerArgs(certs, etcdServers, cfg.network, port))
	if err != nil {
		stopAPI()
		return fmt.Errorf("failed to configure kube-apiserver: %w", err)
	}
	defer waitAPIServer(stopAPI, apiDone)

	restCfg := certs.adminRESTConfig(cfg.network.url(port))
	if err := waitReady(ctx, restCfg, apiDone); err != nil {
		return err
	}

	if cfg.network.cluster() {
		// The real kubelet, controller manager, scheduler and kube-proxy connect with these.
		if err := writeComponentKubeconfigs(filepath.Join(cfg.dir, "pki"), certs, cfg.network.url(port)); err != nil {
			return fmt.Errorf("failed to write the components' kubeconfigs: %w", err)
		}
	} else {
		kl, err := startKubelet(ctx, restCfg, certs, cfg.nodeName)
		if err != nil {
			return fmt.Errorf("failed to start the stand-in kubelet: %w", err)
		}
		defer kl.Close()

		if err := startControllers(ctx, restCfg); err != nil {
			return fmt.Errorf("failed to start controllers: %w", err)
		}
	}

	if err := writeKubeconfig(cfg.kubeconfig, certs.ca, certs.admin, "kg-admin", cfg.network.url(port)); err != nil {
		return fmt.Errorf("failed to write kubeconfig: %w", err)
	}
	fmt.Fprintf(os.Stderr, "kg-controlplane: ready in %.1fs at %s, kubeconfig %s\n",
		time.Since(started).Seconds(), cfg.network.url(port), cfg.kubeconfig)

	select {
	case <-ctx.Done():
		fmt.Fprintln(os.Stderr, "kg-controlplane: stopping")
		return nil
	case err := <-apiDone:
		return fmt.Errorf("kube-apiserver stopped: %v", err)
	}
}

// exitWithProcess returns a context that ends when process pid no longer exists.
func exitWithProcess(parent context.Context, pid int) context.Context {
	ctx, cancel := context.WithCancel(parent)
	go func() {
		defer cancel()
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
					fmt.Fprintf(os.Stderr, "kg-controlplane: process %d is gone\n", pid)
					return
				}
			}
		}
	}()
	return ctx
}
