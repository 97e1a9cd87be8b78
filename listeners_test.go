package portico_test

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/gorilla/websocket"
	"github.com/nats-io/nats.go"
	dto "github.com/prometheus/client_model/go"

	"github.com/portico-gw/portico/config"
)

// testCert is a self-signed certificate for 127.0.0.1 and localhost.
type testCert struct {
	certPEM, keyPEM []byte
	pool            *x509.CertPool
	serial          int64
}

func newTestCert(t testing.TB, serial int64) testCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "portico test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return testCert{certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		keyPEM: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), pool: pool, serial: serial}
}

// write stores the certificate in dir/cert.pem and dir/key.pem.
func (c testCert) write(t testing.TB, dir string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "cert.pem"), c.certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "key.pem"), c.keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
}

func tlsKey(dir string) string {
	return fmt.Sprintf("tls: {certFile: %s, keyFile: %s}\n", filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem"))
}

// dialTLS opens a wss connection trusting pool and returns the serial of
// the certificate the server presented.
func dialTLS(t testing.TB, url string, pool *x509.CertPool, hdr http.Header) (*websocket.Conn, int64) {
	t.Helper()
	d := websocket.Dialer{TLSClientConfig: &tls.Config{RootCAs: pool}, HandshakeTimeout: 10 * time.Second}
	c, resp, err := d.Dial(url, hdr)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial %s: %v (status %d)", url, err, status)
	}
	t.Cleanup(func() { c.Close() })
	st := c.NetConn().(*tls.Conn).ConnectionState()
	return c, st.PeerCertificates[0].SerialNumber.Int64()
}

// connectEvents subscribes to the stage's lifecycle events on the gateway's
// embedded NATS server (nats.listen must be natsPort).
func connectEvents(t testing.TB, natsPort int) *nats.Subscription {
	t.Helper()
	nc := natsClient(t, fmt.Sprintf("nats://127.0.0.1:%d", natsPort))
	sub, err := nc.SubscribeSync("portico.events.chatapi001.dev.connect")
	if err != nil {
		t.Fatal(err)
	}
	_ = nc.Flush()
	return sub
}

type connectEvent struct {
	ConnectionID, CallbackURL string
	Identity                  struct{ SourceIP string }
}

func nextConnect(t testing.TB, sub *nats.Subscription) connectEvent {
	t.Helper()
	m, err := sub.NextMsg(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var ev connectEvent
	if err := json.Unmarshal(m.Data, &ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

// TestTLSWebSocketAndManagementAPI: over tls, a gorilla client connects
// with wss://, the callback URL is https://, and the AWS SDK's management
// client, given an http.Client that trusts the certificate, posts to the
// connection through it.
func TestTLSWebSocketAndManagementAPI(t *testing.T) {
	dir := t.TempDir()
	cert := newTestCert(t, 1)
	cert.write(t, dir)
	b := newBackend(t, nil)
	natsPort := freePort(t)
	var logs logBuffer
	gw := startGateway(t, chatConfig(b.URL, tlsKey(dir)+fmt.Sprintf("nats:\n  listen: 127.0.0.1:%d\n", natsPort)), debugLogger(&logs))
	sub := connectEvents(t, natsPort)
	logs.waitLog(t, "url=wss://"+gw.Host+"/dev connections_url=https://"+gw.Host+"/dev/@connections")

	c, serial := dialTLS(t, "wss://"+gw.Host+"/dev", cert.pool, nil)
	if serial != 1 {
		t.Fatalf("served certificate %d", serial)
	}
	ev := nextConnect(t, sub)
	if want := "https://" + gw.Host + "/dev/@connections"; ev.CallbackURL != want {
		t.Fatalf("callbackUrl %q, want %q", ev.CallbackURL, want)
	}
	if got := b.next(t, "CONNECT").Ev.Headers["X-Forwarded-Proto"]; got != "https" {
		t.Errorf("$connect X-Forwarded-Proto %q, want https", got)
	}
	client := apigatewaymanagementapi.New(apigatewaymanagementapi.Options{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(testAccessKey, testSecret, ""),
		BaseEndpoint: aws.String(strings.TrimSuffix(ev.CallbackURL, "/@connections")),
		HTTPClient:   &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: cert.pool}}},
	})
	if _, err := client.PostToConnection(t.Context(), &apigatewaymanagementapi.PostToConnectionInput{
		ConnectionId: aws.String(ev.ConnectionID), Data: []byte("over https")}); err != nil {
		t.Fatalf("PostToConnection: %v", err)
	}
	if got := readText(t, c); got != "over https" {
		t.Fatalf("got %q", got)
	}
	// Plain HTTP on the TLS port gets no answer but a closed connection.
	resp, err := http.Get(gw.URL + "/dev")
	if err == nil {
		resp.Body.Close()
		t.Errorf("plain HTTP on the TLS listener answered %d", resp.StatusCode)
	}
}

// TestTLSReloadKeepsConnections: Reload reads the certificate files again;
// new connections get the new certificate, open ones stay open, and a
// bad certificate is an error that keeps the old one.
func TestTLSReloadKeepsConnections(t *testing.T) {
	dir := t.TempDir()
	first, second := newTestCert(t, 1), newTestCert(t, 2)
	first.write(t, dir)
	b := newBackend(t, nil)
	yaml := chatConfig(b.URL, tlsKey(dir))
	gw := startGateway(t, yaml)
	both := first.pool.Clone()
	both.AddCert(mustParseCert(t, second.certPEM))

	old, serial := dialTLS(t, "wss://"+gw.Host+"/dev", both, nil)
	if serial != 1 {
		t.Fatalf("served %d, want 1", serial)
	}
	b.next(t, "CONNECT")
	second.write(t, dir)
	if err := gw.Reload(parseConfig(t, yaml)); err != nil {
		t.Fatalf("Reload: %v", err)
	}
	if _, serial := dialTLS(t, "wss://"+gw.Host+"/dev", both, nil); serial != 2 {
		t.Fatalf("after Reload, served %d, want 2", serial)
	}
	b.next(t, "CONNECT")
	// The connection made before the reload still works.
	if err := old.WriteMessage(websocket.TextMessage, []byte(`{"action":"sendmessage"}`)); err != nil {
		t.Fatal(err)
	}
	b.next(t, "MESSAGE")

	// A key that does not match: Reload fails, the second certificate stays.
	if err := os.WriteFile(filepath.Join(dir, "key.pem"), first.keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	err := gw.Reload(parseConfig(t, yaml))
	if err == nil || !strings.Contains(err.Error(), "the old certificate stays") {
		t.Fatalf("Reload with a mismatched key: %v", err)
	}
	if _, serial := dialTLS(t, "wss://"+gw.Host+"/dev", both, nil); serial != 2 {
		t.Fatalf("after a failed Reload, served %d, want 2", serial)
	}
}

func mustParseCert(t testing.TB, p []byte) *x509.Certificate {
	t.Helper()
	blk, _ := pem.Decode(p)
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func parseConfig(t testing.TB, yaml string) *config.File {
	t.Helper()
	f, err := config.Parse("test.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestAdminTLS: adminTls serves /healthz over https.
func TestAdminTLS(t *testing.T) {
	dir := t.TempDir()
	cert := newTestCert(t, 7)
	cert.write(t, dir)
	b := newBackend(t, nil)
	adminTLS := strings.Replace(tlsKey(dir), "tls:", "adminTls:", 1)
	gw := startGateway(t, chatConfig(b.URL, "admin: 127.0.0.1:0\n"+adminTLS))
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: cert.pool}}}
	resp, err := hc.Get("https://" + gw.AdminAddr().String() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.TLS == nil || resp.TLS.PeerCertificates[0].SerialNumber.Int64() != 7 {
		t.Fatalf("admin over TLS: %d", resp.StatusCode)
	}
}

// TestTrustedProxies: from a trusted proxy, X-Forwarded-For names the
// client (the rightmost untrusted entry) and X-Forwarded-Proto the
// callback URL's scheme; from anyone else both change nothing.
func TestTrustedProxies(t *testing.T) {
	hdr := http.Header{"X-Forwarded-For": {"6.6.6.6, 198.51.100.7"}, "X-Forwarded-Proto": {"https"}}
	for _, tc := range []struct {
		name, extra           string
		sourceIP, scheme, xff string
	}{
		{"untrusted", "", "127.0.0.1", "http", "6.6.6.6, 198.51.100.7, 127.0.0.1"},
		{"trusted", "trustedProxies: [127.0.0.0/8]\n", "198.51.100.7", "https", "6.6.6.6, 198.51.100.7"},
		{"other proxy trusted", "trustedProxies: [10.0.0.0/8]\n", "127.0.0.1", "http", "6.6.6.6, 198.51.100.7, 127.0.0.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBackend(t, nil)
			natsPort := freePort(t)
			gw := startGateway(t, chatConfig(b.URL, tc.extra+fmt.Sprintf("nats:\n  listen: 127.0.0.1:%d\n", natsPort)))
			sub := connectEvents(t, natsPort)
			dial(t, gw.WS+"/dev", hdr)
			ev := nextConnect(t, sub)
			if ev.Identity.SourceIP != tc.sourceIP || ev.CallbackURL != tc.scheme+"://"+gw.Host+"/dev/@connections" {
				t.Errorf("connect event: sourceIp %q callbackUrl %q", ev.Identity.SourceIP, ev.CallbackURL)
			}
			got := b.next(t, "CONNECT").Ev
			if got.RequestContext.Identity.SourceIP != tc.sourceIP || got.Headers["X-Forwarded-For"] != tc.xff || got.Headers["X-Forwarded-Proto"] != tc.scheme {
				t.Errorf("$connect event: sourceIp %q, X-Forwarded-For %q, X-Forwarded-Proto %q",
					got.RequestContext.Identity.SourceIP, got.Headers["X-Forwarded-For"], got.Headers["X-Forwarded-Proto"])
			}
		})
	}
}

// TestIdleKeepAliveConnectionsClosed is the regression test of attack
// defect 2: keep-alive connections idle past timeouts.idle are closed by
// the gateway.
func TestIdleKeepAliveConnectionsClosed(t *testing.T) {
	b := newBackend(t, nil)
	gw := startGateway(t, chatConfig(b.URL, "timeouts: {idle: 300ms}\n"))
	const n = 20
	conns := make([]net.Conn, n)
	for i := range conns {
		c, err := net.Dial("tcp", gw.Host)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns[i] = c
		fmt.Fprintf(c, "GET /dev HTTP/1.1\r\nHost: %s\r\n\r\n", gw.Host)
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.Close {
			t.Fatal("the server closed after the first request; keep-alive expected")
		}
	}
	for i, c := range conns {
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Read(make([]byte, 1)); err != io.EOF {
			t.Fatalf("connection %d: read %v, want EOF (closed by the server)", i, err)
		}
	}
}

// TestBodyDeadlineSparesWebSockets: a client that holds back its body is
// cut off after timeouts.readBody; a WebSocket connection lives on past
// every listener timeout.
func TestBodyDeadlineSparesWebSockets(t *testing.T) {
	b := newBackend(t, nil)
	gw := startGateway(t, chatConfig(b.URL, "timeouts: {readHeader: 200ms, readBody: 300ms, idle: 300ms}\n"))
	ws := dial(t, gw.WS+"/dev", nil)
	b.next(t, "CONNECT")

	c, err := net.Dial("tcp", gw.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "POST /dev/@connections/AAAAAAAAAAAAAAA= HTTP/1.1\r\nHost: %s\r\nContent-Length: 1000\r\n\r\nonly a little", gw.Host)
	start := time.Now()
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err = io.Copy(io.Discard, c)
	if err != nil || time.Since(start) > 5*time.Second {
		t.Fatalf("held-back body: connection ended with %v after %v", err, time.Since(start))
	}

	for range 2 {
		time.Sleep(600 * time.Millisecond) // past readHeader, readBody and idle
		if err := ws.WriteMessage(websocket.TextMessage, []byte(`{"action":"sendmessage"}`)); err != nil {
			t.Fatal(err)
		}
		b.next(t, "MESSAGE")
	}
}

// TestConnectionCap is the regression test of attack defect 3: over
// maxConnections, new clients get a 503 at once (upgrades and requests),
// the refusals are counted, and capacity comes back when connections close.
func TestConnectionCap(t *testing.T) {
	b := newBackend(t, nil)
	gw := startGateway(t, chatConfig(b.URL, "maxConnections: 2\n"))
	first := dial(t, gw.WS+"/dev", nil)
	dial(t, gw.WS+"/dev", nil)

	_, resp, err := websocket.DefaultDialer.Dial(gw.WS+"/dev", nil)
	if err == nil || resp == nil {
		t.Fatalf("third upgrade: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 503 || string(body) != `{"message":"Service Unavailable"}` || resp.Header.Get("x-amzn-ErrorType") != "ServiceUnavailableException" || !resp.Close {
		t.Fatalf("over the cap: %d %s %v", resp.StatusCode, body, resp.Header)
	}
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	r2, err := hc.Get(gw.URL + "/dev")
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	if r2.StatusCode != 503 {
		t.Fatalf("plain request over the cap: %d", r2.StatusCode)
	}
	if got := counter(t, gw, "portico_connections_rejected_total"); got != 2 {
		t.Errorf("portico_connections_rejected_total = %v, want 2", got)
	}

	first.Close()
	b.next(t, "DISCONNECT")
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, resp, err := websocket.DefaultDialer.Dial(gw.WS+"/dev", nil)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no capacity after a close: %v (%v)", err, resp)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func counter(t testing.TB, gw *gateway, name string) float64 {
	t.Helper()
	mfs, err := gw.Metrics().Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			var m *dto.Metric = mf.GetMetric()[0]
			return m.GetCounter().GetValue()
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}
