package systemtest

import (
	"context"
	"fmt"
	"os"
	"testing"

	"go.temporal.io/sdk/testsuite"
)

// dev is the one Temporal dev server every test of this package shares;
// each test's stack uses its own task queue on it.
var dev *testsuite.DevServer

func TestMain(m *testing.M) {
	var err error
	dev, err = StartDevServer(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "systemtest:", err)
		os.Exit(1)
	}
	code := m.Run()
	_ = dev.Stop()
	os.Exit(code)
}
