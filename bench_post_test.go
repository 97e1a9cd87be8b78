package portico_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/gorilla/websocket"
)

// benchPostConfig is cmd/portico/bench's WebSocket API (routes to a
// one-way MOCK), with a MOCK $connect route for the handshake benchmark.
const benchPostConfig = `
credentials:
  - accessKeyId: AKIDEXAMPLE
    secretAccessKey: wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
apis:
  - apiId: bench
    protocolType: WEBSOCKET
    routeSelectionExpression: $request.body.action
    integrations:
      - integrationId: mock
        integrationType: MOCK
    routes:
      - routeKey: $connect
        target: integrations/mock
      - routeKey: $default
        target: integrations/mock
    stages:
      - stageName: b
    limits:
      idleTimeout: 0
      maxConnectionDuration: 0
`

// rawClient sends pre-built HTTP/1.1 requests on one keep-alive connection
// and reads the answers without allocating, so that a benchmark's allocs/op
// are the server's.
type rawClient struct {
	c  net.Conn
	br *bufio.Reader
}

func dialRaw(b testing.TB, addr string) *rawClient {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	return &rawClient{c: c, br: bufio.NewReaderSize(c, 4096)}
}

// roundTrip writes req and reads one answer; it returns its status line's
// code.
func (rc *rawClient) roundTrip(b testing.TB, req []byte) int {
	if _, err := rc.c.Write(req); err != nil {
		b.Fatal(err)
	}
	return readHead(b, rc.br, true)
}

// readHead reads a response's head and, when body is set, its
// Content-Length body; it returns the status code.
func readHead(b testing.TB, br *bufio.Reader, body bool) int {
	status, length := 0, 0
	for first := true; ; first = false {
		line, err := br.ReadSlice('\n')
		if err != nil {
			b.Fatal(err)
		}
		if first {
			if len(line) < 12 {
				b.Fatalf("status line %q", line)
			}
			status = int(line[9]-'0')*100 + int(line[10]-'0')*10 + int(line[11]-'0')
			continue
		}
		if len(line) <= 2 {
			break
		}
		if len(line) > 16 && strings.EqualFold(string(line[:15]), "Content-Length:") {
			length, _ = strconv.Atoi(string(bytes.TrimSpace(line[15:])))
		}
	}
	if body && length > 0 {
		if _, err := br.Discard(length); err != nil {
			b.Fatal(err)
		}
	}
	return status
}

// drain reads and discards whatever c's peer sends, without allocating.
func drain(c net.Conn) {
	go func() {
		var buf [4096]byte
		for {
			if _, err := c.Read(buf[:]); err != nil {
				return
			}
		}
	}()
}

// signedPostBytes is a PostToConnection request for id as it goes on the
// wire, signed now with the aws-sdk-go-v2 signer: the benchmark replays it
// well within the 5-minute skew.
func signedPostBytes(b testing.TB, host, id string, data []byte) []byte {
	req, err := http.NewRequest(http.MethodPost, "http://"+host+"/b/@connections/"+strings.ReplaceAll(id, "=", "%3D"), bytes.NewReader(data))
	if err != nil {
		b.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret},
		req, hex.EncodeToString(sum[:]), "execute-api", "us-east-1", time.Now()); err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if err := req.Write(&buf); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkPostToConnection measures a signed PostToConnection of 100 bytes
// to a local WebSocket connection through net/http's server on loopback,
// against the bench's baseline (a handler that reads the body and writes
// it to a gorilla connection). The client replays one request's bytes and
// reads the answers without allocating, so allocs/op is the server's:
//
//	go test -run '^$' -bench BenchmarkPostToConnection -benchmem .
func BenchmarkPostToConnection(b *testing.B) {
	data := bytes.Repeat([]byte("x"), 100)
	b.Run("gateway", func(b *testing.B) {
		gw := startGateway(b, benchPostConfig)
		ws := dial(b, gw.WS+"/b", nil)
		drain(ws.UnderlyingConn())
		var id string
		for deadline := time.Now().Add(5 * time.Second); id == "" && time.Now().Before(deadline); {
			for _, c := range gw.Registry().Snapshot() {
				id = c.ID()
			}
		}
		req := signedPostBytes(b, gw.Host, id, data)
		rc := dialRaw(b, gw.Host)
		b.ReportAllocs()
		for b.Loop() {
			if st := rc.roundTrip(b, req); st != http.StatusOK {
				b.Fatalf("status %d", st)
			}
		}
	})
	b.Run("baseline", func(b *testing.B) {
		var mu sync.Mutex
		var conn *websocket.Conn
		ready := make(chan struct{})
		up := websocket.Upgrader{ReadBufferSize: 256, WriteBufferSize: 4096, WriteBufferPool: &sync.Pool{}}
		mux := http.NewServeMux()
		mux.HandleFunc("GET /b", func(w http.ResponseWriter, r *http.Request) {
			c, err := up.Upgrade(w, r, nil)
			if err != nil {
				return
			}
			conn = c
			close(ready)
			go func() {
				for {
					if _, _, err := c.ReadMessage(); err != nil {
						return
					}
				}
			}()
		})
		mux.HandleFunc("POST /post/{id}", func(w http.ResponseWriter, r *http.Request) {
			var buf bytes.Buffer
			if _, err := buf.ReadFrom(http.MaxBytesReader(nil, r.Body, 1<<20)); err != nil {
				http.Error(w, err.Error(), 400)
				return
			}
			_ = r.PathValue("id")
			mu.Lock()
			defer mu.Unlock()
			if err := conn.WriteMessage(websocket.TextMessage, buf.Bytes()); err != nil {
				http.Error(w, "gone", http.StatusGone)
			}
		})
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		srv := &http.Server{Handler: mux}
		go func() { _ = srv.Serve(l) }()
		b.Cleanup(func() { srv.Close() })
		host := l.Addr().String()
		ws := dial(b, "ws://"+host+"/b", nil)
		drain(ws.UnderlyingConn())
		<-ready
		req, _ := http.NewRequest(http.MethodPost, "http://"+host+"/post/1", bytes.NewReader(data))
		var raw bytes.Buffer
		_ = req.Write(&raw)
		rc := dialRaw(b, host)
		b.ReportAllocs()
		for b.Loop() {
			if st := rc.roundTrip(b, raw.Bytes()); st != http.StatusOK {
				b.Fatalf("status %d", st)
			}
		}
	})
}

// BenchmarkConnect measures one WebSocket handshake whose $connect route is
// a MOCK, and the close that follows it (the client closes its TCP
// connection after the 101; the server's $disconnect work runs in the
// background and is only partly counted). The client writes a fixed
// upgrade request and reads the 101 without allocating:
//
//	go test -run '^$' -bench BenchmarkConnect -benchmem .
func BenchmarkConnect(b *testing.B) {
	gw := startGateway(b, benchPostConfig)
	req := []byte("GET /b HTTP/1.1\r\nHost: " + gw.Host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nUser-Agent: bench\r\n\r\n")
	br := bufio.NewReaderSize(nil, 4096)
	b.ReportAllocs()
	for b.Loop() {
		c, err := net.Dial("tcp", gw.Host)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.Write(req); err != nil {
			b.Fatal(err)
		}
		br.Reset(c)
		if st := readHead(b, br, false); st != http.StatusSwitchingProtocols {
			b.Fatalf("status %d", st)
		}
		c.Close()
	}
	b.StopTimer()
	for deadline := time.Now().Add(5 * time.Second); gw.Registry().Len() > 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
}

// TestPostToConnectionWireHead pins the answer to a PostToConnection as it
// goes on the wire: 200, and exactly Content-Length: 0, Date and a UUID
// x-amzn-RequestId; the next request on the connection is answered too.
func TestPostToConnectionWireHead(t *testing.T) {
	gw := startGateway(t, benchPostConfig)
	ws := dial(t, gw.WS+"/b", nil)
	var id string
	for deadline := time.Now().Add(5 * time.Second); id == "" && time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		for _, c := range gw.Registry().Snapshot() {
			id = c.ID()
		}
	}
	req := signedPostBytes(t, gw.Host, id, []byte("hello"))
	c, err := net.Dial("tcp", gw.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	br := bufio.NewReader(c)
	for i := range 2 {
		if _, err := c.Write(req); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || len(resp.Header) != 3 || resp.Header.Get("Content-Length") != "0" ||
			resp.Header.Get("Date") == "" || !uuidPattern.MatchString(resp.Header.Get("X-Amzn-Requestid")) {
			t.Fatalf("POST %d: %d %v", i, resp.StatusCode, resp.Header)
		}
		if got := readText(t, ws); got != "hello" {
			t.Fatalf("client got %q", got)
		}
	}
}

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
