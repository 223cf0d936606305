// The stand-in kubelet. It registers one Node whose kubelet endpoint is this process, and
// does the two kubelet jobs the tests need:
//   - pod port-forward: the API server proxies pods/portforward to the pod's node, which
//     speaks the kubelet's streaming protocol (SPDY or WebSocket) and dials the pod's
//     status.podIP. Only loopback pod IPs are dialled: a test that port-forwards sets its
//     pod's IP to 127.0.0.1 and listens there.
//   - pod deletion: a bound pod is deleted gracefully and stays Terminating until its
//     kubelet confirms; this one confirms at once, so namespaces can be deleted.
//
// It never starts a container and never writes pod status.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/component-base/version"
	"k8s.io/cri-streaming/pkg/streaming/portforward"
)

type kubelet struct {
	client   kubernetes.Interface
	nodeName string
	server   *http.Server
}

func startKubelet(ctx context.Context, cfg *rest.Config, p *pki, nodeName string) (*kubelet, error) {
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	k := &kubelet{client: client, nodeName: nodeName}

	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	cert, err := tls.X509KeyPair(p.kubeletServing.certPEM, p.kubeletServing.keyPEM)
	if err != nil {
		return nil, err
	}
	clientCAs := x509.NewCertPool()
	clientCAs.AddCert(p.ca.cert)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") })
	mux.HandleFunc("/portForward/{namespace}/{pod}", k.servePortForward)
	k.server = &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		// Only the API server, with its kubelet client certificate, may call.
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: clientCAs, MinVersion: tls.VersionTLS12},
	}
	go func() {
		if err := k.server.ServeTLS(listener, "", ""); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(os.Stderr, "kg-controlplane: kubelet server failed: %v\n", err)
		}
	}()

	if err := k.registerNode(ctx, listener.Addr().(*net.TCPAddr).Port); err != nil {
		_ = k.server.Close()
		return nil, err
	}
	k.confirmPodDeletions(ctx)
	return k, nil
}

func (k *kubelet) Close() { _ = k.server.Close() }

// registerNode creates (or takes over) the Node and reports it Ready with this
// process as its kubelet endpoint.
func (k *kubelet) registerNode(ctx context.Context, port int) error {
	nodes := k.client.CoreV1().Nodes()
	node, err := nodes.Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{
		Name:   k.nodeName,
		Labels: map[string]string{corev1.LabelHostname: k.nodeName, corev1.LabelOSStable: "linux", corev1.LabelArchStable: "amd64"},
	}}, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		node, err = nodes.Get(ctx, k.nodeName, metav1.GetOptions{})
	}
	if err != nil {
		return fmt.Errorf("failed to register node %s: %w", k.nodeName, err)
	}
	now := metav1.Now()
	capacity := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("2"),
		corev1.ResourceMemory: resource.MustParse("8Gi"),
		corev1.ResourcePods:   resource.MustParse("110"),
	}
	node.Status = corev1.NodeStatus{
		Capacity:    capacity,
		Allocatable: capacity,
		Addresses: []corev1.NodeAddress{
			{Type: corev1.NodeInternalIP, Address: "127.0.0.1"},
			{Type: corev1.NodeHostName, Address: k.nodeName},
		},
		DaemonEndpoints: corev1.NodeDaemonEndpoints{KubeletEndpoint: corev1.DaemonEndpoint{Port: int32(port)}},
		Conditions: []corev1.NodeCondition{{
			Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady",
			Message: "kg-controlplane stand-in kubelet (port-forward only, runs no containers)", LastHeartbeatTime: now, LastTransitionTime: now,
		}},
		NodeInfo: corev1.NodeSystemInfo{KubeletVersion: version.Get().GitVersion, OperatingSystem: "linux", Architecture: "amd64"},
	}
	if _, err := nodes.UpdateStatus(ctx, node, metav1.UpdateOptions{}); err != nil {
		return fmt.Errorf("failed to report node %s status: %w", k.nodeName, err)
	}
	return nil
}

// confirmPodDeletions removes, at once, every pod on this node that is being deleted.
func (k *kubelet) confirmPodDeletions(ctx context.Context) {
	factory := informers.NewSharedInformerFactoryWithOptions(k.client, 0, informers.WithTweakListOptions(func(o *metav1.ListOptions) {
		o.FieldSelector = fields.OneTermEqualSelector("spec.nodeName", k.nodeName).String()
	}))
	confirm := func(obj any) {
		pod, ok := obj.(*corev1.Pod)
		if !ok || pod.DeletionTimestamp == nil {
			return
		}
		zero := int64(0)
		err := k.client.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{
			GracePeriodSeconds: &zero, Preconditions: &metav1.Preconditions{UID: &pod.UID},
		})
		if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
			fmt.Fprintf(os.Stderr, "kg-controlplane: failed to finish deleting pod %s/%s: %v\n", pod.Namespace, pod.Name, err)
		}
	}
	_, _ = factory.Core().V1().Pods().Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    confirm,
		UpdateFunc: func(_, obj any) { confirm(obj) },
	})
	factory.Start(ctx.Done())
}

func (k *kubelet) servePortForward(w http.ResponseWriter, r *http.Request) {
	opts, err := portforward.NewV4Options(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	name := r.PathValue("namespace") + "/" + r.PathValue("pod")
	portforward.ServePortForward(w, r, podDialer{k.client}, name, "", opts,
		4*time.Hour, 30*time.Second, portforward.SupportedProtocols)
}

// podDialer connects a port-forward stream to a port of the pod's IP.
type podDialer struct{ client kubernetes.Interface }

func (d podDialer) PortForward(ctx context.Context, name string, _ string, port int32, stream io.ReadWriteCloser) error {
	namespace, podName, _ := strings.Cut(name, "/")
	pod, err := d.client.CoreV1().Pods(namespace).Get(ctx, podName, metav1.GetOptions{})
	if err != nil {
		return err
	}
	ip, err := netip.ParseAddr(pod.Status.PodIP)
	if err != nil {
		return fmt.Errorf("pod %s has no status.podIP to forward to", name)
	}
	if !ip.IsLoopback() {
		return fmt.Errorf("pod %s has podIP %s: the test control plane only forwards to loopback pod IPs (set status.podIP to 127.0.0.1)", name, ip)
	}
	var dialer net.Dialer
	conn, err := dialer.DialContext(ctx, "tcp", net.JoinHostPort(ip.String(), strconv.Itoa(int(port))))
	if err != nil {
		return fmt.Errorf("failed to connect to pod %s port %d: %w", name, port, err)
	}
	defer conn.Close()
	go func() {
		// Client to pod; when the client is done sending, say so to the pod.
		_, _ = io.Copy(conn, stream)
		if tcp, ok := conn.(*net.TCPConn); ok {
			_ = tcp.CloseWrite()
		}
	}()
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	// Pod to client, until the pod closes the connection.
	_, err = io.Copy(stream, conn)
	return err
}
