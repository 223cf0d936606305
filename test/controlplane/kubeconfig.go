// The admin kubeconfig: credentials embedded, so the file alone is enough.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

func writeKubeconfig(path string, p *pki, port int) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["kg"] = &clientcmdapi.Cluster{
		Server:                   fmt.Sprintf("https://127.0.0.1:%d", port),
		CertificateAuthorityData: p.ca.certPEM,
	}
	cfg.AuthInfos["kg-admin"] = &clientcmdapi.AuthInfo{
		ClientCertificateData: p.admin.certPEM,
		ClientKeyData:         p.admin.keyPEM,
	}
	cfg.Contexts["kg"] = &clientcmdapi.Context{Cluster: "kg", AuthInfo: "kg-admin", Namespace: "default"}
	cfg.CurrentContext = "kg"
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	// Written whole and then renamed: whoever waits for the file never reads half of it.
	tmp := path + ".tmp"
	if err := clientcmd.WriteToFile(*cfg, tmp); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
