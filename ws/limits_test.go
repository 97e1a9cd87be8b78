package ws_test

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestCloseCodesAndDisconnectEvents: the root package's
// TestDeleteConnectionCloses1000 covers a close asked for over @connections.
func TestCloseCodesAndDisconnectEvents(t *testing.T) {
	b := newBackend(t, nil)
	gw := startGateway(t, chatConfig(b.URL, `    limits:
      maxFrameBytes: 1024
      maxMessageBytes: 4096
`))

	expectDisconnect := func(t *testing.T, connID string, code int, reason string) {
		t.Helper()
		// Skip the $disconnect of connections earlier subtests closed.
		rc := b.next(t, "DISCONNECT").Ev.RequestContext
		for rc.ConnectionID != connID {
			rc = b.next(t, "DISCONNECT").Ev.RequestContext
		}
		if rc.DisconnectStatusCode != int64(code) || rc.DisconnectReason == nil || *rc.DisconnectReason != reason {
			got := "<nil>"
			if rc.DisconnectReason != nil {
				got = *rc.DisconnectReason
			}
			t.Errorf("$disconnect %d %q, want %d %q", rc.DisconnectStatusCode, got, code, reason)
		}
	}
	open := func(t *testing.T) (*websocket.Conn, string) {
		t.Helper()
		c := dial(t, gw.WS+"/dev", nil)
		return c, b.next(t, "CONNECT").Ev.RequestContext.ConnectionID
	}

	t.Run("binary frame closes 1003", func(t *testing.T) {
		c, id := open(t)
		_ = c.WriteMessage(websocket.BinaryMessage, []byte{1, 2, 3})
		if ce := readClose(t, c, 5*time.Second); ce.Code != websocket.CloseUnsupportedData {
			t.Errorf("close %d, want 1003", ce.Code)
		}
		expectDisconnect(t, id, 1003, "Binary frames are not supported")
	})
	t.Run("oversize frame closes 1009", func(t *testing.T) {
		c, id := open(t)
		// One frame of 2000 bytes: over the 1024-byte frame limit, under the message limit.
		_ = c.WriteMessage(websocket.TextMessage, []byte(`{"action":"sendmessage","x":"`+strings.Repeat("a", 2000)+`"}`))
		if ce := readClose(t, c, 5*time.Second); ce.Code != websocket.CloseMessageTooBig {
			t.Errorf("close %d, want 1009", ce.Code)
		}
		expectDisconnect(t, id, 1009, "Message too big")
	})
	t.Run("oversize fragmented message closes 1009", func(t *testing.T) {
		c, id := open(t)
		// Frames of at most 1000 bytes adding up to 5000 > 4096.
		w, err := c.NextWriter(websocket.TextMessage)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 5; i++ {
			_, _ = w.Write([]byte(strings.Repeat("b", 1000)))
		}
		_ = w.Close()
		if ce := readClose(t, c, 5*time.Second); ce.Code != websocket.CloseMessageTooBig {
			t.Errorf("close %d, want 1009", ce.Code)
		}
		expectDisconnect(t, id, 1009, "Message too big")
	})
	t.Run("fragmented message within limits is delivered", func(t *testing.T) {
		// gorilla's client writes 4 KB frames by default; a 900-byte write
		// buffer makes a 3000-byte message travel as four frames.
		d := websocket.Dialer{WriteBufferSize: 900}
		c2, _, err := d.Dial(gw.WS+"/dev", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c2.Close()
		b.next(t, "CONNECT")
		msg := `{"action":"sendmessage","x":"` + strings.Repeat("c", 3000) + `"}`
		if err := c2.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
			t.Fatal(err)
		}
		if got := b.next(t, "MESSAGE").Ev.Body; got != msg {
			t.Errorf("message of %d bytes arrived as %d bytes", len(msg), len(got))
		}
	})
	t.Run("client close code is reported", func(t *testing.T) {
		c, id := open(t)
		_ = c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, ""), time.Now().Add(time.Second))
		expectDisconnect(t, id, 1001, "")
	})
	t.Run("close without status is 1005", func(t *testing.T) {
		c, id := open(t)
		_ = c.WriteControl(websocket.CloseMessage, []byte{}, time.Now().Add(time.Second))
		expectDisconnect(t, id, 1005, "Client-side close frame status not set")
	})
	t.Run("dropped connection is 1006", func(t *testing.T) {
		c, id := open(t)
		_ = c.UnderlyingConn().Close()
		expectDisconnect(t, id, 1006, "")
	})
}

func TestIdleAndMaxDurationClose1001(t *testing.T) {
	b := newBackend(t, nil)
	gw := startGateway(t, chatConfig(b.URL, `    limits:
      idleTimeout: 2s
      maxConnectionDuration: 4s
`))
	start := time.Now()
	idle := dial(t, gw.WS+"/dev", nil)
	idleID := b.next(t, "CONNECT").Ev.RequestContext.ConnectionID
	busy := dial(t, gw.WS+"/dev", nil)
	busyID := b.next(t, "CONNECT").Ev.RequestContext.ConnectionID

	// Keep "busy" active so only the 4 s maximum closes it.
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		tick := time.NewTicker(500 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				_ = busy.WriteMessage(websocket.TextMessage, []byte(`{"action":"nosuch"}`))
			}
		}
	}()
	ce := readClose(t, idle, 10*time.Second)
	if ce.Code != websocket.CloseGoingAway || ce.Text != "Going away" {
		t.Errorf("idle close %d %q, want 1001 Going away", ce.Code, ce.Text)
	}
	if d := time.Since(start); d < 2*time.Second || d > 5*time.Second {
		t.Errorf("idle close after %v, want about 2s", d)
	}
	ce = readClose(t, busy, 10*time.Second)
	if ce.Code != websocket.CloseGoingAway {
		t.Errorf("max-duration close %d, want 1001", ce.Code)
	}
	if d := time.Since(start); d < 4*time.Second {
		t.Errorf("busy connection closed after %v, before its 4s maximum", d)
	}
	seen := map[string]int64{}
	for len(seen) < 2 {
		ev := b.next(t, "DISCONNECT").Ev.RequestContext
		seen[ev.ConnectionID] = ev.DisconnectStatusCode
	}
	if seen[idleID] != 1001 || seen[busyID] != 1001 {
		t.Errorf("disconnect codes %v, want 1001 for both", seen)
	}
}

func TestIdleConnectionsCostOneGoroutine(t *testing.T) {
	if testing.Short() {
		t.Skip("holds 1,000 connections")
	}
	gw := startGateway(t, `
apis:
  - apiId: idleapi001
    protocolType: WEBSOCKET
    routeSelectionExpression: $request.body.action
    integrations:
      - integrationId: mock
        integrationType: MOCK
    routes:
      - routeKey: $default
        target: integrations/mock
    stages:
      - stageName: dev
`)
	const n = 1000
	settle := func() int {
		var g int
		for i := 0; i < 20; i++ {
			runtime.GC()
			time.Sleep(50 * time.Millisecond)
			g = runtime.NumGoroutine()
		}
		return g
	}
	before := settle()
	conns := make([]*websocket.Conn, 0, n)
	for i := 0; i < n; i++ {
		c, _, err := websocket.DefaultDialer.Dial(gw.WS+"/dev", nil)
		if err != nil {
			t.Fatalf("dial %d: %v", i, err)
		}
		conns = append(conns, c)
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	after := settle()
	perConn := float64(after-before) / n
	t.Logf("%d idle connections: %d goroutines before, %d after: %.3f per connection", n, before, after, perConn)
	if perConn > 1.1 {
		t.Errorf("%.3f goroutines per idle connection, want at most 1.1", perConn)
	}
	if got := gw.Registry.Len(); got != n {
		t.Errorf("registry holds %d connections, want %d", got, n)
	}
}
