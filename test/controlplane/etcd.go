// The embedded etcd: one member on loopback, fsync off (the data lives only as long as
// the test run), logging only errors.
package main

import (
	"fmt"
	"net"
	"net/url"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
)

// startEtcd returns the running member and its client URL.
func startEtcd(dir string) (*embed.Etcd, string, error) {
	clientPort, err := freePort("127.0.0.1")
	if err != nil {
		return nil, "", err
	}
	peerPort, err := freePort("127.0.0.1")
	if err != nil {
		return nil, "", err
	}
	clientURL := url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", clientPort)}
	peerURL := url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", peerPort)}

	cfg := embed.NewConfig()
	cfg.Dir = dir
	cfg.Name = "kg"
	cfg.ListenClientUrls = []url.URL{clientURL}
	cfg.AdvertiseClientUrls = []url.URL{clientURL}
	cfg.ListenPeerUrls = []url.URL{peerURL}
	cfg.AdvertisePeerUrls = []url.URL{peerURL}
	cfg.InitialCluster = "kg=" + peerURL.String()
	cfg.LogLevel = "error"
	cfg.UnsafeNoFsync = true

	etcd, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, "", err
	}
	select {
	case <-etcd.Server.ReadyNotify():
		return etcd, clientURL.String(), nil
	case err := <-etcd.Err():
		etcd.Close()
		return nil, "", err
	case <-time.After(60 * time.Second):
		etcd.Close()
		return nil, "", fmt.Errorf("etcd was not ready within 60s")
	}
}

// freePort asks the kernel for a free port on host. Another process could take it
// before it is used; on this single-user test machine that is rare enough.
func freePort(host string) (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return 0, fmt.Errorf("failed to find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
