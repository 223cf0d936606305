//go:build tools

// Package kuberouter pins kube-router, whose network policy controller scripts/lib/kube-router.sh
// builds from this module (go build github.com/cloudnativelabs/kube-router/v2/cmd/kube-router).
package kuberouter

import _ "github.com/cloudnativelabs/kube-router/v2/cmd/kube-router"
