// Kubeconfigs: credentials embedded, so the file alone is enough.
package main

import (
	"os"
	"path/filepath"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

func writeKubeconfig(path string, ca, user keyPair, userName, server string) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["kg"] = &clientcmdapi.Cluster{
		Server:                   server,
		CertificateAuthorityData: ca.certPEM,
	}
	cfg.AuthInfos[userName] = &clientcmdapi.AuthInfo{
		ClientCertificateData: user.certPEM,
		ClientKeyData:         user.keyPEM,
	}
	cfg.Contexts["kg"] = &clientcmdapi.Context{Cluster: "kg", AuthInfo: userName, Namespace: "default"}
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
