// host-path-provisioner: a StorageClass provisioner for the one-node cluster. For every claim of
// a class whose provisioner is provisionerName it makes a folder under --dir and a "local"
// PersistentVolume bound to the claim and pinned to the node; when such a volume is released it
// removes the folder and the volume. A local volume (unlike hostPath) takes the pod's fsGroup, as
// a cloud disk does, so the chart's PostgreSQL (uid 999) owns its data as on any cluster.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/util/workqueue"
)

const provisionerName = "kguardian.local/host-path"

// The annotations the PersistentVolume controller and external provisioners agree on.
const (
	annStorageProvisioner = "volume.kubernetes.io/storage-provisioner"
	annProvisionedBy      = "pv.kubernetes.io/provisioned-by"
)

type provisioner struct {
	client   kubernetes.Interface
	dir      string
	nodeName string
	classes  cache.Indexer
	claims   cache.Indexer
	volumes  cache.Indexer
	queue    workqueue.TypedRateLimitingInterface[string]
}

func runProvisioner(args []string) error {
	fs := flag.NewFlagSet("host-path-provisioner", flag.ContinueOnError)
	kubeconfig := fs.String("kubeconfig", "", "kubeconfig of a user allowed to manage PersistentVolumes (required)")
	dir := fs.String("dir", "", "folder the volumes are made in (required)")
	nodeName := fs.String("node-name", "", "the node the volumes are on (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *kubeconfig == "" || *dir == "" || *nodeName == "" {
		return errors.New("--kubeconfig, --dir and --node-name are required")
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		return err
	}
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	factory := informers.NewSharedInformerFactory(client, 0)
	p := &provisioner{
		client: client, dir: *dir, nodeName: *nodeName,
		classes: factory.Storage().V1().StorageClasses().Informer().GetIndexer(),
		claims:  factory.Core().V1().PersistentVolumeClaims().Informer().GetIndexer(),
		volumes: factory.Core().V1().PersistentVolumes().Informer().GetIndexer(),
		queue:   workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[string]()),
	}
	enqueue := func(prefix string) cache.ResourceEventHandlerFuncs {
		add := func(obj any) {
			if key, err := cache.MetaNamespaceKeyFunc(obj); err == nil {
				p.queue.Add(prefix + key)
			}
		}
		return cache.ResourceEventHandlerFuncs{AddFunc: add, UpdateFunc: func(_, obj any) { add(obj) }}
	}
	_, _ = factory.Core().V1().PersistentVolumeClaims().Informer().AddEventHandler(enqueue("claim/"))
	_, _ = factory.Core().V1().PersistentVolumes().Informer().AddEventHandler(enqueue("volume/"))
	factory.Start(ctx.Done())
	factory.WaitForCacheSync(ctx.Done())
	go func() {
		<-ctx.Done()
		p.queue.ShutDown()
	}()
	for {
		key, shutdown := p.queue.Get()
		if shutdown {
			return nil
		}
		if err := p.sync(ctx, key); err != nil {
			fmt.Fprintf(os.Stderr, "kg-node host-path-provisioner: %s: %v\n", key, err)
			p.queue.AddRateLimited(key)
		} else {
			p.queue.Forget(key)
		}
		p.queue.Done(key)
	}
}

func (p *provisioner) sync(ctx context.Context, key string) error {
	if name, ok := strings.CutPrefix(key, "volume/"); ok {
		return p.syncVolume(ctx, name)
	}
	name, _ := strings.CutPrefix(key, "claim/")
	obj, exists, err := p.claims.GetByKey(name)
	if err != nil || !exists {
		return err
	}
	claim := obj.(*corev1.PersistentVolumeClaim)
	if claim.Spec.VolumeName != "" || claim.Annotations[annStorageProvisioner] != provisionerName || claim.DeletionTimestamp != nil {
		return nil
	}
	volumeName := "pvc-" + string(claim.UID)
	if _, exists, _ := p.volumes.GetByKey(volumeName); exists {
		return nil
	}
	reclaim := corev1.PersistentVolumeReclaimDelete
	if claim.Spec.StorageClassName != nil {
		if obj, ok, _ := p.classes.GetByKey(*claim.Spec.StorageClassName); ok {
			if class := obj.(*storagev1.StorageClass); class.ReclaimPolicy != nil {
				reclaim = *class.ReclaimPolicy
			}
		}
	}
	path := filepath.Join(p.dir, volumeName)
	if err := os.MkdirAll(path, 0o777); err != nil {
		return err
	}
	// MkdirAll applies the umask; every pod user may write, as with local-path-provisioner.
	if err := os.Chmod(path, 0o777); err != nil {
		return err
	}
	volume := &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: volumeName, Annotations: map[string]string{annProvisionedBy: provisionerName}},
		Spec: corev1.PersistentVolumeSpec{
			Capacity:                      corev1.ResourceList{corev1.ResourceStorage: claim.Spec.Resources.Requests[corev1.ResourceStorage]},
			AccessModes:                   claim.Spec.AccessModes,
			PersistentVolumeReclaimPolicy: reclaim,
			StorageClassName:              ptrValue(claim.Spec.StorageClassName),
			VolumeMode:                    claim.Spec.VolumeMode,
			ClaimRef: &corev1.ObjectReference{
				Kind: "PersistentVolumeClaim", APIVersion: "v1",
				Namespace: claim.Namespace, Name: claim.Name, UID: claim.UID,
			},
			PersistentVolumeSource: corev1.PersistentVolumeSource{Local: &corev1.LocalVolumeSource{Path: path}},
			NodeAffinity: &corev1.VolumeNodeAffinity{Required: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
				MatchExpressions: []corev1.NodeSelectorRequirement{{
					Key: corev1.LabelHostname, Operator: corev1.NodeSelectorOpIn, Values: []string{p.nodeName},
				}},
			}}}},
		},
	}
	_, err = p.client.CoreV1().PersistentVolumes().Create(ctx, volume, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	if err == nil {
		fmt.Fprintf(os.Stderr, "kg-node host-path-provisioner: made %s for claim %s/%s in %s\n", volumeName, claim.Namespace, claim.Name, path)
	}
	return err
}

// syncVolume deletes a released volume this provisioner made, and its folder.
func (p *provisioner) syncVolume(ctx context.Context, name string) error {
	obj, exists, err := p.volumes.GetByKey(name)
	if err != nil || !exists {
		return err
	}
	volume := obj.(*corev1.PersistentVolume)
	if volume.Annotations[annProvisionedBy] != provisionerName || volume.Status.Phase != corev1.VolumeReleased ||
		volume.Spec.PersistentVolumeReclaimPolicy != corev1.PersistentVolumeReclaimDelete || volume.Spec.Local == nil {
		return nil
	}
	path := volume.Spec.Local.Path
	if filepath.Dir(path) != p.dir {
		return fmt.Errorf("volume %s is at %s, outside %s: left alone", name, path, p.dir)
	}
	if err := os.RemoveAll(path); err != nil {
		return err
	}
	err = p.client.CoreV1().PersistentVolumes().Delete(ctx, name, metav1.DeleteOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

func ptrValue(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
