//go:build tools

// Package tools pins Temporal's CLI so that `go build` in this module
// builds `temporal server start-dev` from the Go module proxy.
package tools

import _ "github.com/temporalio/cli/cmd/temporal"
