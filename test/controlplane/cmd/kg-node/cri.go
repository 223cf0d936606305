// cri-clean: stops and removes every pod sandbox of a container runtime, as `crictl rmp -fa`
// does. scripts/cluster.sh runs it when the cluster goes down, after the kubelet has stopped: a
// stopped sandbox has had its network torn down by the CNI plugins (veth, addresses) and its
// network namespace removed, and a removed one has no shim process or mount left.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"go.opentelemetry.io/otel/trace/noop"
	remote "k8s.io/cri-client/pkg"
)

func criClean(args []string) error {
	fs := flag.NewFlagSet("cri-clean", flag.ContinueOnError)
	endpoint := fs.String("endpoint", "", "the runtime's CRI socket, unix:///path (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *endpoint == "" {
		return errors.New("--endpoint is required")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	runtime, err := remote.NewRemoteRuntimeService(ctx, *endpoint, 10*time.Second, noop.NewTracerProvider(), false)
	if err != nil {
		return fmt.Errorf("failed to connect to %s: %w", *endpoint, err)
	}
	sandboxes, err := runtime.ListPodSandbox(ctx, nil)
	if err != nil {
		return fmt.Errorf("failed to list pod sandboxes: %w", err)
	}
	var errs []error
	for _, s := range sandboxes {
		name := s.GetMetadata().GetNamespace() + "/" + s.GetMetadata().GetName()
		if err := runtime.StopPodSandbox(ctx, s.Id); err != nil {
			errs = append(errs, fmt.Errorf("failed to stop pod %s: %w", name, err))
			continue
		}
		if err := runtime.RemovePodSandbox(ctx, s.Id); err != nil {
			errs = append(errs, fmt.Errorf("failed to remove pod %s: %w", name, err))
			continue
		}
		fmt.Fprintf(os.Stderr, "kg-node cri-clean: removed pod %s\n", name)
	}
	return errors.Join(errs...)
}
