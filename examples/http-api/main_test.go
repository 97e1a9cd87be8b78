package main

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/portico-gw/portico/config"
	"github.com/portico-gw/portico/internal/readmetest"
)

// TestREADME runs the example in-process on free ports and every command of
// README.md's sh blocks against it, in order, in one bash session (so
// TOKEN=... carries over), and checks each command's output against the "# → " lines
// that follow it (package readmetest).
func TestREADME(t *testing.T) {
	readmetest.Run(t, "README.md", func(t *testing.T) *strings.Replacer {
		gateway, backend := startExample(t)
		return strings.NewReplacer("127.0.0.1:8081", gateway, "127.0.0.1:9100", backend)
	})
}

// startExample runs the example (run, as main does) with the backend and
// the gateway on free ports, until the test ends, and returns their
// addresses.
func startExample(t testing.TB) (gateway, backend string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan [2]net.Addr, 1)
	done := make(chan struct{})
	var runErr error
	go func() {
		defer close(done)
		runErr = run(ctx, options{
			ConfigPath: "portico.yaml",
			Backend:    "127.0.0.1:0",
			Listen:     "127.0.0.1:0",
			Ready:      func(gw, b net.Addr) { ready <- [2]net.Addr{gw, b} },
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
	case addrs := <-ready:
		return addrs[0].String(), addrs[1].String()
	case <-done:
		t.Fatalf("run returned before serving: %v", runErr)
	case <-time.After(30 * time.Second):
		t.Fatal("the example did not start in 30 s")
	}
	return "", ""
}

// TestRetarget checks that only URLs on the backend's default address move.
func TestRetarget(t *testing.T) {
	tests := []struct {
		name, uri, want string
	}{
		{"path", "http://127.0.0.1:9100/lambda", "http://127.0.0.1:5555/lambda"},
		{"placeholder", "http://127.0.0.1:9100/files/{proxy}", "http://127.0.0.1:5555/files/{proxy}"},
		{"bare", "http://127.0.0.1:9100", "http://127.0.0.1:5555"},
		{"longer port", "http://127.0.0.1:91000/x", "http://127.0.0.1:91000/x"},
		{"other host", "http://example.com/lambda", "http://example.com/lambda"},
		{"lambda ARN", "arn:aws:lambda:us-east-1:000000000000:function:f", "arn:aws:lambda:us-east-1:000000000000:function:f"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &config.File{APIs: []config.API{{
				Integrations: []config.Integration{{IntegrationURI: tc.uri}},
				Authorizers: []config.Authorizer{
					{AuthorizerURI: tc.uri},
					{JWTConfiguration: &config.JWTConfiguration{Issuer: tc.uri}},
				},
			}}}
			retarget(f, "http://"+DefaultBackend, "http://127.0.0.1:5555")
			api := f.APIs[0]
			for _, got := range []string{api.Integrations[0].IntegrationURI, api.Authorizers[0].AuthorizerURI, api.Authorizers[1].JWTConfiguration.Issuer} {
				if got != tc.want {
					t.Errorf("got %q, want %q", got, tc.want)
				}
			}
		})
	}
}
