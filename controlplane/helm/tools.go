//go:build tools

// Package tools pins helm's command for `go mod tidy`.
package tools

import _ "helm.sh/helm/v4/cmd/helm"
