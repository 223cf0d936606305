// Certificates and keys: one self-signed CA signs the API server's serving certificate,
// the admin's and the API server's kubelet-client certificates, and the stand-in
// kubelet's serving certificate. A separate key signs ServiceAccount tokens.
package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"k8s.io/client-go/rest"
)

// pki holds the paths of every file the API server reads, and the PEM bytes the
// kubeconfig and the clients embed.
type pki struct {
	ca keyPair
	// Files named by kube-apiserver flags.
	caFile, caKey, servingCert, servingKey, kubeletClientCert, kubeletClientKey, saKey, saPub string
	// The kubelet's serving certificate, for the stand-in kubelet and for a real one.
	kubeletServingCert, kubeletServingKey string
	admin                                 keyPair
	kubeletServing                        keyPair
}

type keyPair struct {
	cert            *x509.Certificate
	key             crypto.Signer
	certPEM, keyPEM []byte
}

// writePKI writes a fresh set of certificates into dir. They live as long as the state
// folder, so they are made anew on every start.
func writePKI(dir, nodeName string, n network) (*pki, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	p := &pki{}
	var err error
	if p.ca, err = newCA("kg-controlplane-ca"); err != nil {
		return nil, err
	}
	serving, err := p.issue(pkix.Name{CommonName: "kube-apiserver"}, x509.ExtKeyUsageServerAuth,
		[]string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"},
		append([]net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}, append(n.kubernetesServiceIPs(), n.nodeIPs...)...))
	if err != nil {
		return nil, err
	}
	kubeletClient, err := p.issue(pkix.Name{CommonName: "kube-apiserver-kubelet-client", Organization: []string{"system:masters"}},
		x509.ExtKeyUsageClientAuth, nil, nil)
	if err != nil {
		return nil, err
	}
	if p.admin, err = p.issue(pkix.Name{CommonName: "kg-admin", Organization: []string{"system:masters"}},
		x509.ExtKeyUsageClientAuth, nil, nil); err != nil {
		return nil, err
	}
	if p.kubeletServing, err = p.issue(pkix.Name{CommonName: "system:node:" + nodeName, Organization: []string{"system:nodes"}},
		x509.ExtKeyUsageServerAuth, []string{"localhost", nodeName}, append([]net.IP{net.IPv4(127, 0, 0, 1)}, n.nodeIPs...)); err != nil {
		return nil, err
	}
	saKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	saKeyPEM, err := keyPEM(saKey)
	if err != nil {
		return nil, err
	}
	saPubDER, err := x509.MarshalPKIXPublicKey(saKey.Public())
	if err != nil {
		return nil, err
	}

	files := []struct {
		field *string
		name  string
		data  []byte
	}{
		{&p.caFile, "ca.crt", p.ca.certPEM},
		// Kept so that a real cluster's controller manager can sign certificates with it.
		{&p.caKey, "ca.key", p.ca.keyPEM},
		{&p.kubeletServingCert, "kubelet.crt", p.kubeletServing.certPEM},
		{&p.kubeletServingKey, "kubelet.key", p.kubeletServing.keyPEM},
		{&p.servingCert, "apiserver.crt", serving.certPEM},
		{&p.servingKey, "apiserver.key", serving.keyPEM},
		{&p.kubeletClientCert, "apiserver-kubelet-client.crt", kubeletClient.certPEM},
		{&p.kubeletClientKey, "apiserver-kubelet-client.key", kubeletClient.keyPEM},
		{&p.saKey, "sa.key", saKeyPEM},
		{&p.saPub, "sa.pub", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: saPubDER})},
	}
	for _, f := range files {
		*f.field = filepath.Join(dir, f.name)
		if err := os.WriteFile(*f.field, f.data, 0o600); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func newCA(name string) (keyPair, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return keyPair{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(10 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	return sign(tmpl, tmpl, key, key)
}

// issue makes a leaf certificate signed by the CA.
func (p *pki) issue(subject pkix.Name, usage x509.ExtKeyUsage, dnsNames []string, ips []net.IP) (keyPair, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return keyPair{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return keyPair{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      subject,
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{usage},
		DNSNames:     dnsNames,
		IPAddresses:  ips,
	}
	return sign(tmpl, p.ca.cert, key, p.ca.key)
}

func sign(tmpl, parent *x509.Certificate, key, parentKey crypto.Signer) (keyPair, error) {
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), parentKey)
	if err != nil {
		return keyPair{}, fmt.Errorf("failed to sign %q: %w", tmpl.Subject.CommonName, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return keyPair{}, err
	}
	kp, err := keyPEM(key)
	if err != nil {
		return keyPair{}, err
	}
	return keyPair{cert: cert, key: key, certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), keyPEM: kp}, nil
}

func keyPEM(key crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// adminRESTConfig is the client configuration this program itself uses.
func (p *pki) adminRESTConfig(server string) *rest.Config {
	return &rest.Config{
		Host: server,
		TLSClientConfig: rest.TLSClientConfig{
			CAData:   p.ca.certPEM,
			CertData: p.admin.certPEM,
			KeyData:  p.admin.keyPEM,
		},
		QPS:   100,
		Burst: 200,
	}
}
