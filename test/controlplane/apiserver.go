// The kube-apiserver, configured the way the kube-apiserver command does it, with the
// flags a one-node test cluster needs: client certificates, ServiceAccount tokens, the
// Node and RBAC authorizers, and a kubelet client for pod port-forward.
package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/spf13/pflag"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	basecompatibility "k8s.io/component-base/compatibility"
	logsapi "k8s.io/component-base/logs/api/v1"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
	"k8s.io/kubernetes/cmd/kube-apiserver/app/options"
)

// serviceAccountIssuer is the "iss" of every ServiceAccount token this server signs.
const serviceAccountIssuer = "https://kubernetes.default.svc.cluster.local"

func apiServerArgs(p *pki, etcdServers string, n network, port int) []string {
	args := []string{
		"--etcd-servers=" + etcdServers,
		"--bind-address=" + n.host,
		"--advertise-address=" + n.host,
		fmt.Sprintf("--secure-port=%d", port),
		"--tls-cert-file=" + p.servingCert,
		"--tls-private-key-file=" + p.servingKey,
		"--client-ca-file=" + p.caFile,
		"--service-account-issuer=" + serviceAccountIssuer,
		"--service-account-key-file=" + p.saPub,
		"--service-account-signing-key-file=" + p.saKey,
		// Without kube-proxy (the integration tests) nothing routes to these addresses.
		"--service-cluster-ip-range=" + n.serviceCIDRList(),
		"--authorization-mode=Node,RBAC",
		"--kubelet-client-certificate=" + p.kubeletClientCert,
		"--kubelet-client-key=" + p.kubeletClientKey,
		"--kubelet-certificate-authority=" + p.caFile,
		"--kubelet-preferred-address-types=InternalIP",
		"--allow-privileged=true",
		"--profiling=false",
	}
	if !n.cluster() {
		// The "kubernetes" Service would get 127.0.0.1 as its endpoint, which endpoint
		// validation rejects; nothing in the integration tests needs it. In a real cluster
		// the node's address is its endpoint, reachable from pods.
		args = append(args, "--endpoint-reconciler-type=none")
	}
	return args
}

// startAPIServer validates the options and runs the server until ctx ends. The returned
// channel yields the server's result once it has stopped.
func startAPIServer(ctx context.Context, args []string) (<-chan error, error) {
	s := options.NewServerRunOptions()
	fs := pflag.NewFlagSet("kube-apiserver", pflag.ContinueOnError)
	for _, f := range s.Flags().FlagSets {
		fs.AddFlagSet(f)
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	registry := s.GenericServerRunOptions.ComponentGlobalsRegistry
	if err := registry.Set(); err != nil {
		return nil, err
	}
	if err := logsapi.ValidateAndApply(s.Logs, registry.FeatureGateFor(basecompatibility.DefaultKubeComponent)); err != nil {
		return nil, err
	}
	// The server's loopback clients should not log the warnings they cause themselves.
	rest.SetDefaultWarningHandler(rest.NoWarnings{})

	completed, err := s.Complete(ctx)
	if err != nil {
		return nil, err
	}
	if errs := completed.Validate(); len(errs) != 0 {
		return nil, utilerrors.NewAggregate(errs)
	}
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx, completed) }()
	return done, nil
}

// waitReady polls /readyz until it answers ok.
func waitReady(ctx context.Context, cfg *rest.Config, apiDone <-chan error) error {
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	deadline := time.After(3 * time.Minute)
	for {
		status := 0
		client.Discovery().RESTClient().Get().AbsPath("/readyz").Do(ctx).StatusCode(&status)
		if status == http.StatusOK {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-apiDone:
			return fmt.Errorf("kube-apiserver stopped before it was ready: %v", err)
		case <-deadline:
			return fmt.Errorf("kube-apiserver was not ready within 3 minutes (last /readyz status %d)", status)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// waitAPIServer stops the server and waits (a bounded time) for it to finish.
func waitAPIServer(stop context.CancelFunc, done <-chan error) {
	stop()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
	}
}
