package ws

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/portico-gw/portico/connections"
	"github.com/portico-gw/portico/integration"
	"github.com/portico-gw/portico/routing"
)

// rawGateway is a Server with one API ("dev" stage) behind an httptest
// server, for clients that write frames by hand: $default is two-way and
// calls message (counted), and each $disconnect's status code and reason
// arrive on disconnects.
type rawGateway struct {
	srv         *Server
	addr        string // host:port
	url         string // ws://host:port/dev
	messages    atomic.Int64
	disconnects chan closeStatus
}

func newRawGateway(t testing.TB, cfg Config, lim Limits, message integration.Invoker) *rawGateway {
	t.Helper()
	g := &rawGateway{disconnects: make(chan closeStatus, 1024)}
	if cfg.Registry == nil {
		cfg.Registry = connections.NewRegistry()
	}
	if cfg.NodeID == "" {
		cfg.NodeID = "AAAA"
	}
	srv, err := NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	g.srv = srv
	expr, err := routing.ParseSelectionExpression("$request.body.action")
	if err != nil {
		t.Fatal(err)
	}
	counted := invokerFunc(func(ctx context.Context, req *integration.Request) (*integration.Response, error) {
		g.messages.Add(1)
		return message.Invoke(ctx, req)
	})
	disconnect := invokerFunc(func(_ context.Context, req *integration.Request) (*integration.Response, error) {
		var ev struct {
			RequestContext struct {
				DisconnectStatusCode int    `json:"disconnectStatusCode"`
				DisconnectReason     string `json:"disconnectReason"`
			} `json:"requestContext"`
		}
		if err := json.Unmarshal(req.Event, &ev); err != nil {
			t.Errorf("$disconnect event: %v", err)
		}
		g.disconnects <- closeStatus{ev.RequestContext.DisconnectStatusCode, ev.RequestContext.DisconnectReason}
		return &integration.Response{StatusCode: http.StatusOK}, nil
	})
	if lim.WriteTimeout == 0 {
		lim.WriteTimeout = 500 * time.Millisecond
	}
	api, err := srv.NewAPI(APIConfig{
		APIID: "test", RouteSelection: expr, Stages: []Stage{{Name: "dev"}}, Limits: lim,
		Routes: []Route{{Key: "$default", Integration: counted, TwoWay: true}, {Key: "$disconnect", Integration: disconnect}},
	})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		api.ServeHTTP(w, r, "dev", "/dev")
	}))
	t.Cleanup(ts.Close)
	t.Cleanup(func() { _ = srv.Shutdown(context.Background()) }) // runs first
	g.addr = strings.TrimPrefix(ts.URL, "http://")
	g.url = "ws://" + g.addr + "/dev"
	return g
}

// nextDisconnect returns the status the next $disconnect reported.
func (g *rawGateway) nextDisconnect(t testing.TB) closeStatus {
	t.Helper()
	select {
	case st := <-g.disconnects:
		return st
	case <-time.After(10 * time.Second):
		t.Fatal("no $disconnect")
		return closeStatus{}
	}
}

// rawClient is a WebSocket client that writes frames by hand on the socket
// left by its handshake.
type rawClient struct {
	net.Conn
	br *bufio.Reader
}

func (g *rawGateway) dialRaw(t testing.TB) *rawClient {
	t.Helper()
	nc, err := net.Dial("tcp", g.addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = nc.Close() })
	_, err = fmt.Fprintf(nc, "GET /dev HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", g.addr)
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(nc)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("handshake: %s", resp.Status)
	}
	return &rawClient{Conn: nc, br: br}
}

// Frame header bits.
const (
	finBit  = 0x80
	rsv1Bit = 0x40
)

var testMaskKey = [4]byte{0x37, 0xfa, 0x21, 0x3d}

// clientFrame is one frame as a client sends it: b0 (FIN, RSV and opcode
// bits) and the payload, masked unless masked is false.
func clientFrame(b0 byte, payload []byte, masked bool) []byte {
	var maskBit byte
	if masked {
		maskBit = 0x80
	}
	var b []byte
	switch n := len(payload); {
	case n < 126:
		b = []byte{b0, maskBit | byte(n)}
	case n < 1<<16:
		b = []byte{b0, maskBit | 126, byte(n >> 8), byte(n)}
	default:
		b = []byte{b0, maskBit | 127}
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	if !masked {
		return append(b, payload...)
	}
	b = append(b, testMaskKey[:]...)
	for i, c := range payload {
		b = append(b, c^testMaskKey[i&3])
	}
	return b
}

// closePayload is a close frame's payload: code and reason.
func closePayload(code int, reason string) []byte {
	return append([]byte{byte(code >> 8), byte(code)}, reason...)
}

// readFrame reads one frame from the gateway.
func (c *rawClient) readFrame(t testing.TB) (opcode byte, payload []byte) {
	t.Helper()
	op, p, err := c.nextFrame()
	if err != nil {
		t.Fatal(err)
	}
	return op, p
}

// nextFrame reads one frame from the gateway within 10 s.
func (c *rawClient) nextFrame() (opcode byte, payload []byte, err error) {
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	var h [2]byte
	if _, err := io.ReadFull(c.br, h[:]); err != nil {
		return 0, nil, fmt.Errorf("reading a frame header: %w", err)
	}
	if h[1]&0x80 != 0 {
		return 0, nil, errors.New("the gateway sent a masked frame")
	}
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		var l [2]byte
		_, _ = io.ReadFull(c.br, l[:])
		n = uint64(binary.BigEndian.Uint16(l[:]))
	case 127:
		var l [8]byte
		_, _ = io.ReadFull(c.br, l[:])
		n = binary.BigEndian.Uint64(l[:])
	}
	p := make([]byte, n)
	if _, err := io.ReadFull(c.br, p); err != nil {
		return 0, nil, fmt.Errorf("reading a payload: %w", err)
	}
	return h[0] & 0x0f, p, nil
}

// readClose reads frames until the gateway's close frame and returns its
// code (1005 for an empty one) and reason.
func (c *rawClient) readClose(t testing.TB) (code int, reason string) {
	t.Helper()
	for {
		op, p := c.readFrame(t)
		if op != opClose {
			continue
		}
		if len(p) < 2 {
			return 1005, ""
		}
		return int(binary.BigEndian.Uint16(p)), string(p[2:])
	}
}
