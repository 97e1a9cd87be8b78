package connections

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/gorilla/websocket"

	"github.com/portico-gw/portico/internal/ids"
	"github.com/portico-gw/portico/internal/statusrec"
)

const (
	testKey    = "AKIDBODYTEST"
	testSecret = "body-test-secret"
)

// sinkConn is a connection of API "api", stage "dev" that records what it
// is sent.
type sinkConn struct {
	fakeConn
	max int
	mu  sync.Mutex
	got [][]byte
}

func (c *sinkConn) MaxMessageBytes() int { return c.max }
func (c *sinkConn) Send(b []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.got = append(c.got, bytes.Clone(b))
	return nil
}

func (c *sinkConn) SendPrepared(*websocket.PreparedMessage, int) error {
	return c.Send([]byte("(prepared)"))
}

func (c *sinkConn) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.got)
}

// bodyServer serves m at /dev/… for API "api" and counts the bytes Serve
// reads of each body and the calls of Serve that returned.
type bodyServer struct {
	*httptest.Server
	read     atomic.Int64
	returned atomic.Int64
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

func newBodyServer(t testing.TB, cfg ManagementConfig) (*bodyServer, *Management) {
	t.Helper()
	if cfg.Registry == nil {
		cfg.Registry = NewRegistry()
	}
	if cfg.Credentials == nil {
		cfg.Credentials = map[string]string{testKey: testSecret}
	}
	if cfg.NodeID == "" {
		cfg.NodeID = ids.NewNodeID()
	}
	m, err := NewManagement(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := &bodyServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer s.returned.Add(1)
		r.Body = countingBody{r.Body, &s.read}
		// As the gateway calls it: the body read deadline must reach the
		// connection through the status recorder.
		m.Serve(&statusrec.Writer{ResponseWriter: w}, r, "api", "dev", strings.TrimPrefix(r.URL.EscapedPath(), "/dev"))
	}))
	t.Cleanup(s.Close)
	return s, m
}

// signed returns a request signed as the SDKs sign @connections calls. A
// nil body is a request without one; chunked hides its length.
func signed(t testing.TB, method, url string, body []byte, chunked bool) *http.Request {
	t.Helper()
	var rd io.Reader = bytes.NewReader(body)
	if chunked {
		rd = io.MultiReader(bytes.NewReader(body)) // no length known to net/http
	}
	if body == nil {
		rd = nil
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: testKey, SecretAccessKey: testSecret},
		req, hex.EncodeToString(sum[:]), "execute-api", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	return req
}

func do(t testing.TB, req *http.Request) (int, http.Header, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// TestManagementBodyLimits: what Serve reads of a body, and the answers to
// bodies over the limit (defect 5 of issue 13: a signed POST over 1 MiB got
// 403 "signature does not match" instead of 413).
func TestManagementBodyLimits(t *testing.T) {
	reg := NewRegistry()
	node := ids.NewNodeID()
	conn := &sinkConn{fakeConn: fakeConn{id: ids.NewConnectionID(node)}, max: 1000}
	reg.Add(conn)
	s, _ := newBodyServer(t, ManagementConfig{Registry: reg, NodeID: node, MaxMessageBytes: func(string) int { return 1000 }})
	connURL := s.URL + "/dev/@connections/" + conn.ID()
	for _, tc := range []struct {
		name     string
		method   string
		url      string
		body     []byte
		chunked  bool
		status   int
		errType  string
		msg      string
		maxRead  int64
		received int // messages the connection has after the call
	}{
		{name: "post at the limit", method: "POST", url: connURL, body: bytes.Repeat([]byte("a"), 1000), status: 200, maxRead: 1000, received: 1},
		{name: "post at the limit, chunked", method: "POST", url: connURL, body: bytes.Repeat([]byte("b"), 1000), chunked: true, status: 200, maxRead: 1000, received: 2},
		{name: "post one byte over", method: "POST", url: connURL, body: bytes.Repeat([]byte("c"), 1001),
			status: 413, errType: "PayloadTooLargeException", msg: "Message too long", maxRead: 0, received: 2},
		{name: "post of 2 MiB", method: "POST", url: connURL, body: bytes.Repeat([]byte("d"), 2<<20),
			status: 413, errType: "PayloadTooLargeException", msg: "Message too long", maxRead: 0, received: 2},
		{name: "post of 2 MiB, chunked", method: "POST", url: connURL, body: bytes.Repeat([]byte("e"), 2<<20), chunked: true,
			status: 413, errType: "PayloadTooLargeException", msg: "Message too long", maxRead: 1001, received: 2},
		{name: "broadcast over the limit", method: "POST", url: s.URL + "/dev/@broadcast", body: bytes.Repeat([]byte("f"), 5000),
			status: 413, errType: "PayloadTooLargeException", msg: "Message too long", maxRead: 0, received: 2},
		{name: "broadcast, chunked", method: "POST", url: s.URL + "/dev/@broadcast", body: []byte("all"), chunked: true, status: 200, maxRead: 3, received: 3},
		{name: "get reads no body", method: "GET", url: connURL, body: bytes.Repeat([]byte("g"), 5000),
			status: 403, errType: "ForbiddenException", msg: "signature we calculated does not match", maxRead: 0, received: 3},
		{name: "get", method: "GET", url: connURL, status: 200, received: 3},
		{name: "list", method: "GET", url: s.URL + "/dev/@connections", status: 200, received: 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := s.read.Load()
			status, h, body := do(t, signed(t, tc.method, tc.url, tc.body, tc.chunked))
			if status != tc.status || h.Get("x-amzn-ErrorType") != tc.errType || !strings.Contains(body, tc.msg) {
				t.Errorf("%d %q %s; want %d %q %q", status, h.Get("x-amzn-ErrorType"), body, tc.status, tc.errType, tc.msg)
			}
			if n := s.read.Load() - before; n > tc.maxRead {
				t.Errorf("Serve read %d bytes of the body, want at most %d", n, tc.maxRead)
			}
			if n := conn.count(); n != tc.received {
				t.Errorf("the connection has %d messages, want %d", n, tc.received)
			}
		})
	}
}

// holdBack sends a request's headers and all of a body of size bytes but
// the last over a raw connection, and returns the status line the server
// answers while the last byte is held back ("" if none came within wait).
func holdBack(t testing.TB, addr, head string, size int, wait time.Duration) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Error(err)
		return ""
	}
	defer c.Close()
	if _, err := io.WriteString(c, head+fmt.Sprintf("Content-Length: %d\r\n\r\n", size)); err != nil {
		t.Error(err)
		return ""
	}
	// Write the body from another goroutine: a server that does not read
	// it lets the socket buffers fill, and the write blocks until close.
	go func() { _, _ = c.Write(make([]byte, size-1)) }()
	_ = c.SetReadDeadline(time.Now().Add(wait))
	line, _ := bufio.NewReader(c).ReadString('\n')
	return strings.TrimSpace(line)
}

// TestManagementRefusesBeforeReadingTheBody is the regression test of
// defect 1 of issue 13: an unsigned request pinned 1 MiB of the gateway's
// memory with no time limit. Many clients each send 1 MiB and hold back the
// last byte: unsigned or with an unknown key, they are answered 403 without
// their body being read and Serve returns; with a valid key the body is read
// within the body read timeout, after which the request is answered 408.
func TestManagementRefusesBeforeReadingTheBody(t *testing.T) {
	reg := NewRegistry()
	node := ids.NewNodeID()
	conn := &sinkConn{fakeConn: fakeConn{id: ids.NewConnectionID(node)}, max: 128 << 10}
	reg.Add(conn)
	s, _ := newBodyServer(t, ManagementConfig{Registry: reg, NodeID: node, BodyReadTimeout: 300 * time.Millisecond})
	addr := s.Listener.Addr().String()
	post := "POST /dev/@connections/" + conn.ID() + " HTTP/1.1\r\nHost: " + addr + "\r\n"
	now := time.Now().UTC()
	sigHeaders := func(key string) string {
		return "X-Amz-Date: " + now.Format("20060102T150405Z") + "\r\n" +
			"Authorization: AWS4-HMAC-SHA256 Credential=" + key + "/" + now.Format("20060102") + "/us-east-1/execute-api/aws4_request, " +
			"SignedHeaders=host;x-amz-date, Signature=" + strings.Repeat("0", 64) + "\r\n"
	}
	const clients = 40
	for _, tc := range []struct {
		name, head string
		size       int
		want       string
	}{
		{"unsigned", post, 1 << 20, "HTTP/1.1 403 Forbidden"},
		{"unknown key", post + sigHeaders("AKIDUNKNOWN"), 1 << 20, "HTTP/1.1 403 Forbidden"},
		{"over the limit", post + sigHeaders(testKey), 1 << 20, "HTTP/1.1 413 Request Entity Too Large"},
		{"known key, body held back", post + sigHeaders(testKey), 100 << 10, "HTTP/1.1 408 Request Timeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := s.read.Load()
			returned := s.returned.Load()
			var wg sync.WaitGroup
			for range clients {
				wg.Go(func() {
					// Generous: the answer is immediate, or comes after the
					// 300 ms body read timeout.
					if got := holdBack(t, addr, tc.head, tc.size, 20*time.Second); got != tc.want {
						t.Errorf("answered %q while the last byte was held back, want %q", got, tc.want)
					}
				})
			}
			wg.Wait()
			if n := s.returned.Load() - returned; n != clients {
				t.Errorf("Serve returned for %d of %d requests", n, clients)
			}
			if tc.want == "HTTP/1.1 408 Request Timeout" {
				return // the bodies were read, up to the deadline
			}
			if n := s.read.Load() - before; n != 0 {
				t.Errorf("Serve read %d bytes of bodies it refused", n)
			}
		})
	}
}
