package ws

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/portico-gw/portico/connections"
	"github.com/portico-gw/portico/integration"
	"github.com/portico-gw/portico/routing"
)

type invokerFunc func(ctx context.Context, req *integration.Request) (*integration.Response, error)

func (f invokerFunc) Invoke(ctx context.Context, req *integration.Request) (*integration.Response, error) {
	return f(ctx, req)
}

// testGateway is a Server with one API ("dev" stage) behind an httptest
// server: $default is two-way and calls message, $connect calls connect
// when it is set, and $disconnect counts.
type testGateway struct {
	srv         *Server
	reg         *connections.Registry
	url         string
	disconnects atomic.Int32
}

func newTestGateway(t testing.TB, connect, message integration.Invoker) *testGateway {
	t.Helper()
	g := &testGateway{reg: connections.NewRegistry()}
	srv, err := NewServer(Config{Registry: g.reg, NodeID: "AAAA"})
	if err != nil {
		t.Fatal(err)
	}
	g.srv = srv
	expr, err := routing.ParseSelectionExpression("$request.body.action")
	if err != nil {
		t.Fatal(err)
	}
	routes := []Route{
		{Key: "$default", Integration: message, TwoWay: true},
		{Key: "$disconnect", Integration: invokerFunc(func(context.Context, *integration.Request) (*integration.Response, error) {
			g.disconnects.Add(1)
			return &integration.Response{StatusCode: http.StatusOK}, nil
		})},
	}
	if connect != nil {
		routes = append(routes, Route{Key: "$connect", Integration: connect})
	}
	api, err := srv.NewAPI(APIConfig{
		APIID: "test", RouteSelection: expr, Stages: []Stage{{Name: "dev"}}, Routes: routes,
		Limits: Limits{WriteTimeout: 500 * time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		api.ServeHTTP(w, r, "dev", "/dev")
	}))
	t.Cleanup(ts.Close)
	t.Cleanup(func() { _ = srv.Shutdown(context.Background()) }) // runs first
	g.url = "ws" + strings.TrimPrefix(ts.URL, "http") + "/dev"
	return g
}

// dial opens a client connection; it returns nil when the gateway refused
// the handshake (shutting down).
func (g *testGateway) dial(t testing.TB) *websocket.Conn {
	t.Helper()
	c, resp, err := websocket.DefaultDialer.Dial(g.url, nil)
	if err != nil {
		if resp != nil && resp.StatusCode == http.StatusServiceUnavailable {
			return nil
		}
		t.Errorf("dial: %v", err)
		return nil
	}
	return c
}

// checkStopped asserts that the starter refuses and that every goroutine it
// started has returned, waiting at most a few seconds for the latter.
func checkStopped(t testing.TB, srv *Server) {
	t.Helper()
	if srv.startGoroutine(func() { t.Error("a goroutine started after Shutdown") }) {
		t.Error("startGoroutine accepted a goroutine after Shutdown")
	}
	select {
	case <-srv.allDone:
	case <-time.After(10 * time.Second):
		n, _ := srv.goroutines()
		t.Fatalf("%d tracked goroutines still running", n)
	}
	if n, stopped := srv.goroutines(); n != 0 || !stopped {
		t.Errorf("goroutines() = %d, %v; want 0, true", n, stopped)
	}
}

func echo(delay time.Duration) invokerFunc {
	return func(_ context.Context, req *integration.Request) (*integration.Response, error) {
		time.Sleep(delay)
		return &integration.Response{StatusCode: http.StatusOK, Body: req.Body}, nil
	}
}

// Shutdown while clients send, messages are being invoked and answered,
// @connections-style Sends and Deletes race it and clients close on their
// own: it returns nil, every connection ran $disconnect, and no goroutine
// starts or runs afterwards.
func TestShutdown_WhileClosingAndInFlight(t *testing.T) {
	g := newTestGateway(t, nil, echo(2*time.Millisecond))
	const clients = 24
	var wg sync.WaitGroup
	connected := 0
	for i := 0; i < clients; i++ {
		c := g.dial(t)
		if c == nil {
			t.Fatal("handshake refused before Shutdown")
		}
		connected++
		wg.Add(2)
		go func() { // reads until the gateway closes; answers its close
			defer wg.Done()
			for {
				if _, _, err := c.ReadMessage(); err != nil {
					return
				}
			}
		}()
		go func(i int) { // sends until the connection ends; some close early
			defer wg.Done()
			for n := 0; ; n++ {
				if i%4 == 0 && n == 20 {
					_ = c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
					return
				}
				if err := c.WriteMessage(websocket.TextMessage, []byte(`{"action":"x","n":1}`)); err != nil {
					return
				}
				time.Sleep(time.Millisecond)
			}
		}(i)
	}
	for i := 0; i < 2; i++ { // clients that never read: their writers back up
		c := g.dial(t)
		if c == nil {
			t.Fatal("handshake refused before Shutdown")
		}
		defer c.Close()
		connected++
	}
	posted := []byte(strings.Repeat("p", 4096))
	stop := make(chan struct{})
	var pokers sync.WaitGroup
	pokers.Add(1)
	go func() { // @connections POSTs and a few DELETEs while it all happens
		defer pokers.Done()
		for n := 0; ; n++ {
			select {
			case <-stop:
				return
			default:
			}
			for i, c := range g.reg.Snapshot() {
				_ = c.Send(posted)
				if n == 3 && i%5 == 0 {
					_ = c.Delete()
				}
			}
			time.Sleep(time.Millisecond)
		}
	}()

	time.Sleep(50 * time.Millisecond) // let messages flow
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := g.srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	checkStopped(t, g.srv)
	if n := g.srv.Len(); n != 0 {
		t.Errorf("%d connections still tracked", n)
	}
	if n := g.reg.Len(); n != 0 {
		t.Errorf("%d connections still registered", n)
	}
	if n := int(g.disconnects.Load()); n != connected {
		t.Errorf("$disconnect ran %d times for %d connections", n, connected)
	}
	close(stop)
	pokers.Wait()
	wg.Wait()
	if err := g.srv.Shutdown(ctx); err != nil {
		t.Errorf("second Shutdown: %v", err)
	}
}

// A client that never answers the close keeps Shutdown from finishing: past
// its ctx, Shutdown aborts the remaining sockets and returns ctx.Err(),
// while other clients connect and leave. The tracked goroutines (readers
// running $disconnect) finish afterwards, and none starts.
func TestShutdown_TimeoutAbortsSilentClient(t *testing.T) {
	var connecting atomic.Int32
	connect := invokerFunc(func(context.Context, *integration.Request) (*integration.Response, error) {
		connecting.Add(1)
		time.Sleep(time.Duration(connecting.Load()%5) * time.Millisecond)
		return &integration.Response{StatusCode: http.StatusOK}, nil
	})
	g := newTestGateway(t, connect, echo(0))

	silent := g.dial(t) // never reads: never sees the close, never answers
	if silent == nil {
		t.Fatal("handshake refused before Shutdown")
	}
	defer silent.Close()
	all := g.reg.Snapshot()
	if len(all) != 1 {
		t.Fatalf("%d connections registered, want 1", len(all))
	}
	sc := all[0].(*conn)

	stop := make(chan struct{})
	var churn sync.WaitGroup
	for w := 0; w < 4; w++ {
		churn.Add(1)
		go func() { // connections come and go across Shutdown
			defer churn.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				c := g.dial(t)
				if c == nil {
					time.Sleep(time.Millisecond)
					continue
				}
				go func() {
					for {
						if _, _, err := c.ReadMessage(); err != nil {
							c.Close()
							return
						}
					}
				}()
				_ = c.WriteMessage(websocket.TextMessage, []byte(`{"action":"x"}`))
				_ = c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
			}
		}()
	}
	time.Sleep(30 * time.Millisecond)

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if err := g.srv.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown = %v, want %v", err, context.DeadlineExceeded)
	}
	close(stop)
	churn.Wait()

	// The silent client's socket was aborted before Shutdown returned (its
	// close grace, 2s, had not run out).
	sc.mu.Lock()
	nc := sc.netConn
	sc.mu.Unlock()
	if err := nc.SetDeadline(time.Time{}); !errors.Is(err, net.ErrClosed) {
		t.Errorf("the silent client's socket is still open after Shutdown (%v)", err)
	}
	checkStopped(t, g.srv)
	if n := g.srv.Len(); n != 0 {
		t.Errorf("%d connections still tracked", n)
	}
}

// A handshake whose $connect answers after Shutdown stopped the starter
// still completes: its reader runs on the handshake's goroutine, the client
// gets 1001 "Going away" and $disconnect runs before Shutdown returns.
func TestShutdown_HandshakeCompletingAfterStop(t *testing.T) {
	entered := make(chan struct{})
	release := make(chan struct{})
	connect := invokerFunc(func(context.Context, *integration.Request) (*integration.Response, error) {
		close(entered)
		<-release
		return &integration.Response{StatusCode: http.StatusOK}, nil
	})
	g := newTestGateway(t, connect, echo(0))

	type dialed struct {
		c   *websocket.Conn
		err error
	}
	dc := make(chan dialed, 1)
	go func() {
		c, _, err := websocket.DefaultDialer.Dial(g.url, nil)
		dc <- dialed{c, err}
	}()
	<-entered
	done := make(chan error, 1)
	go func() { done <- g.srv.Shutdown(context.Background()) }()
	for {
		if _, stopped := g.srv.goroutines(); stopped {
			break
		}
		time.Sleep(time.Millisecond)
	}
	close(release)

	d := <-dc
	if d.err != nil {
		t.Fatalf("dial: %v", d.err)
	}
	defer d.c.Close()
	_, _, err := d.c.ReadMessage()
	if !websocket.IsCloseError(err, websocket.CloseGoingAway) {
		t.Fatalf("read: %v, want close 1001", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if n := g.disconnects.Load(); n != 1 {
		t.Errorf("$disconnect ran %d times, want 1", n)
	}
	checkStopped(t, g.srv)
}

// The starter refuses once stopped, and allDone closes when the last
// goroutine returns, whichever comes first.
func TestStartGoroutine(t *testing.T) {
	for _, tc := range []struct {
		name        string
		runningStop bool // a goroutine is still running when the starter stops
	}{
		{"none running", false},
		{"one running", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, err := NewServer(Config{Registry: connections.NewRegistry(), NodeID: "AAAA"})
			if err != nil {
				t.Fatal(err)
			}
			defer srv.wheel.Stop()
			release := make(chan struct{})
			if tc.runningStop && !srv.startGoroutine(func() { <-release }) {
				t.Fatal("startGoroutine refused before stop")
			}
			srv.stopGoroutines()
			srv.stopGoroutines() // idempotent
			if srv.startGoroutine(func() {}) {
				t.Fatal("startGoroutine accepted after stop")
			}
			if tc.runningStop {
				select {
				case <-srv.allDone:
					t.Fatal("allDone closed while a goroutine runs")
				default:
				}
				close(release)
			}
			<-srv.allDone
			if n, stopped := srv.goroutines(); n != 0 || !stopped {
				t.Errorf("goroutines() = %d, %v", n, stopped)
			}
		})
	}
}

// Once the starter is stopped, a writer that cannot finish at once is not
// handed to a goroutine: a half-written frame is finished (or times out) on
// the caller's goroutine, the writing claim is released, and nothing new
// runs.
func TestWriterRefusedAfterStop(t *testing.T) {
	g := newTestGateway(t, nil, echo(0))
	client := g.dial(t) // never reads
	if client == nil {
		t.Fatal("handshake refused")
	}
	defer client.Close()
	c := g.reg.Snapshot()[0].(*conn)
	before, _ := g.srv.goroutines() // the reader
	g.srv.stopGoroutines()

	posted := []byte(strings.Repeat("p", 64<<10))
	for i := 0; ; i++ {
		err := c.Send(posted)
		if errors.Is(err, connections.ErrGone) {
			break
		}
		if err != nil && !errors.Is(err, connections.ErrQueueFull) {
			t.Fatalf("Send: %v", err)
		}
		if i > 10000 {
			t.Fatal("the connection never filled its socket")
		}
	}
	c.mu.Lock()
	writing, st := c.writing, c.closeAs
	c.mu.Unlock()
	if writing {
		t.Error("the writing claim was not released")
	}
	if st != closeWriteTimeout {
		t.Errorf("closed as %+v, want %+v", st, closeWriteTimeout)
	}
	if n, _ := g.srv.goroutines(); n > before {
		t.Errorf("%d tracked goroutines, %d before the stop", n, before)
	}
	if err := g.srv.Shutdown(context.Background()); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	checkStopped(t, g.srv)
}
