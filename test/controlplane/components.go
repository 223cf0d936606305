// Credentials for a real cluster's components: each gets a client certificate with the identity
// the API server's default RBAC bindings (and the Node authorizer, for the kubelet) expect, in a
// kubeconfig of its own next to the other certificates.
package main

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"path/filepath"
)

func writeComponentKubeconfigs(dir string, p *pki, server string) error {
	components := []struct {
		file string
		user pkix.Name
	}{
		{"kubelet.kubeconfig", p.kubeletServing.cert.Subject},
		{"kube-controller-manager.kubeconfig", pkix.Name{CommonName: "system:kube-controller-manager"}},
		{"kube-scheduler.kubeconfig", pkix.Name{CommonName: "system:kube-scheduler"}},
		{"kube-proxy.kubeconfig", pkix.Name{CommonName: "system:kube-proxy"}},
	}
	for _, c := range components {
		kp, err := p.issue(c.user, x509.ExtKeyUsageClientAuth, nil, nil)
		if err != nil {
			return err
		}
		if err := writeKubeconfig(filepath.Join(dir, c.file), p.ca, kp, c.user.CommonName, server); err != nil {
			return err
		}
	}
	return nil
}
