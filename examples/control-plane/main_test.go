package main

import (
	"context"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/portico-gw/portico/internal/readmetest"
)

// TestREADME runs the example on free ports and every command of
// README.md's sh blocks against it (the AWS CLI against the control plane,
// curl against the APIs it made), checking each command's output against
// its "# → " lines (package readmetest).
func TestREADME(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("aws CLI not on PATH")
	}
	readmetest.Run(t, "README.md", func(t *testing.T) *strings.Replacer {
		gateway, admin, backend := startExample(t)
		return strings.NewReplacer("127.0.0.1:8082", gateway, "127.0.0.1:9092", admin, "127.0.0.1:9102", backend)
	})
}

// startExample runs the example until the test ends and returns its
// addresses.
func startExample(t testing.TB) (gateway, admin, backend string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan [3]net.Addr, 1)
	done := make(chan struct{})
	var runErr error
	go func() {
		defer close(done)
		runErr = run(ctx, options{
			ConfigPath: "portico.yaml", Backend: "127.0.0.1:0", Listen: "127.0.0.1:0", Admin: "127.0.0.1:0", DataDir: t.TempDir(),
			Ready: func(gw, adm, b net.Addr) { ready <- [3]net.Addr{gw, adm, b} },
		})
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		if runErr != nil {
			t.Errorf("run: %v", runErr)
		}
	})
	select {
	case a := <-ready:
		return a[0].String(), a[1].String(), a[2].String()
	case <-done:
		t.Fatalf("run returned before serving: %v", runErr)
	case <-time.After(30 * time.Second):
		t.Fatal("the example did not start in 30 s")
	}
	return "", "", ""
}
