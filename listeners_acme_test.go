package portico_test

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
)

// TestACMEWiring checks what can be checked without reaching an ACME CA
// (these machines cannot reach Let's Encrypt): the server starts with
// tls.acme, creates its cache under dataDir, serves the HTTP-01 listener
// (which redirects ordinary requests to https), and refuses handshakes for
// names outside acme.hosts without asking the CA.
func TestACMEWiring(t *testing.T) {
	dataDir := t.TempDir()
	httpPort := freePort(t)
	b := newBackend(t, nil)
	gw := startGateway(t, chatConfig(b.URL, fmt.Sprintf(`dataDir: %s
tls:
  acme:
    hosts: [ws.example.com]
    directoryUrl: https://127.0.0.1:1/directory
    httpListen: 127.0.0.1:%d
`, dataDir, httpPort)))
	if fi, err := os.Stat(filepath.Join(dataDir, "acme")); err != nil || !fi.IsDir() {
		t.Fatalf("cache directory: %v", err)
	}
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest("GET", fmt.Sprintf("http://127.0.0.1:%d/dev", httpPort), nil)
	req.Host = "ws.example.com"
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "https://ws.example.com/dev" {
		t.Errorf("HTTP-01 listener: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	conn, err := tls.Dial("tcp", gw.Host, &tls.Config{ServerName: "evil.example.com", InsecureSkipVerify: true})
	if err == nil {
		conn.Close()
		t.Fatal("a handshake for a host outside acme.hosts succeeded")
	}
}
