package ws

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	dto "github.com/prometheus/client_model/go"

	"github.com/portico-gw/portico/integration"
	"github.com/portico-gw/portico/metrics"
)

func TestInflightLimiter(t *testing.T) {
	l := newInflightLimiter(2, 100, nil)
	if !l.tryAcquire(60) || l.tryAcquire(60) {
		t.Fatal("60 + 60 bytes fit in 100")
	}
	if m, b := l.load(); m != 1 || b != 60 {
		t.Fatalf("after a refusal: %d messages, %d bytes", m, b)
	}
	if !l.tryAcquire(40) || l.tryAcquire(0) {
		t.Fatal("the message bound is 2")
	}
	l.release(1, 60)
	l.release(1, 40)
	if !l.tryAcquire(500) {
		t.Fatal("a message larger than the byte bound must run alone")
	}
	if l.tryAcquire(1) {
		t.Fatal("nothing runs beside an oversized message")
	}
	l.release(1, 500)

	// A waiter gets the room a release gives back, and gives up when stop says so.
	if !l.tryAcquire(100) {
		t.Fatal("empty limiter refused")
	}
	got := make(chan bool)
	go func() { got <- l.wait(10, func() bool { return false }) }()
	waitUntil(t, func() bool { return l.waiting.Load() == 1 })
	l.release(1, 100)
	if !<-got {
		t.Fatal("wait returned false after a release")
	}
	if !l.tryAcquire(90) {
		t.Fatal("room left for 90 bytes")
	}
	var stop atomic.Bool
	go func() { got <- l.wait(10, stop.Load) }()
	waitUntil(t, func() bool { return l.waiting.Load() == 1 })
	stop.Store(true)
	l.wake()
	if <-got {
		t.Fatal("wait took room after stop")
	}
	if m, b := l.load(); m != 2 || b != 100 {
		t.Fatalf("%d messages, %d bytes in flight, want 2, 100", m, b)
	}
}

func waitUntil(t testing.TB, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 10s")
		}
		time.Sleep(time.Millisecond)
	}
}

// slowBackend is an echo integration that takes delay per message and
// records the most invocations it saw at once, on the node and per
// connection.
type slowBackend struct {
	delay   time.Duration
	mu      sync.Mutex
	running int
	max     int
	perConn map[string]int
	maxConn int
	nodeMax int64 // the most payload bytes the node's limiter held, sampled during calls
	srv     *Server
}

func (b *slowBackend) Invoke(_ context.Context, req *integration.Request) (*integration.Response, error) {
	var ev struct {
		RequestContext struct {
			ConnectionID string `json:"connectionId"`
		} `json:"requestContext"`
	}
	_ = json.Unmarshal(req.Event, &ev)
	id := ev.RequestContext.ConnectionID
	b.mu.Lock()
	b.running++
	b.max = max(b.max, b.running)
	b.perConn[id]++
	b.maxConn = max(b.maxConn, b.perConn[id])
	_, bytes := b.srv.inflight.load()
	b.nodeMax = max(b.nodeMax, bytes)
	b.mu.Unlock()
	time.Sleep(b.delay)
	b.mu.Lock()
	b.running--
	b.perConn[id]--
	b.mu.Unlock()
	return &integration.Response{StatusCode: http.StatusOK, Body: req.Body}, nil
}

// counterValue returns a metric's value from m's registry, 0 when absent.
func counterValue(t testing.TB, m *metrics.Metrics, name string) float64 {
	t.Helper()
	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		var sum float64
		for _, mt := range f.GetMetric() {
			sum += metricValue(mt)
		}
		return sum
	}
	return 0
}

func metricValue(m *dto.Metric) float64 {
	switch {
	case m.GetCounter() != nil:
		return m.GetCounter().GetValue()
	case m.GetGauge() != nil:
		return m.GetGauge().GetValue()
	}
	return 0
}

// Clients flooding a slow backend: the node never runs more invocations
// (or holds more message bytes) than its bounds, no connection more than
// its own, readers wait instead of dropping, and every message is answered.
func TestInFlightBounds(t *testing.T) {
	for _, tc := range []struct {
		name     string
		cfg      Config
		perConn  int
		size     int
		wantNode int
	}{
		{"message bound", Config{MaxInFlightMessages: 4}, 3, 100, 4},
		{"byte bound", Config{MaxInFlightMessages: 100, MaxInFlightBytes: 3*1000 + 500}, 16, 1000, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := metrics.New()
			tc.cfg.Metrics = m
			backend := &slowBackend{delay: 5 * time.Millisecond, perConn: map[string]int{}}
			g := newRawGateway(t, tc.cfg, Limits{MaxInFlight: tc.perConn}, backend)
			backend.srv = g.srv
			const clients, perClient = 6, 25
			msg := []byte(`{"action":"x","pad":"` + strings.Repeat("p", tc.size-len(`{"action":"x","pad":""}`)) + `"}`)
			var wg sync.WaitGroup
			for range clients {
				c, _, err := websocket.DefaultDialer.Dial(g.url, nil)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				wg.Add(2)
				go func() {
					defer wg.Done()
					for range perClient {
						if err := c.WriteMessage(websocket.TextMessage, msg); err != nil {
							t.Error(err)
							return
						}
					}
				}()
				go func() {
					defer wg.Done()
					_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
					for i := range perClient {
						if _, data, err := c.ReadMessage(); err != nil || len(data) != len(msg) {
							t.Errorf("answer %d: %d bytes, %v", i, len(data), err)
							return
						}
					}
				}()
			}
			wg.Wait()
			if got := g.messages.Load(); got != clients*perClient {
				t.Errorf("%d messages invoked, want %d", got, clients*perClient)
			}
			if backend.max > tc.wantNode {
				t.Errorf("%d invocations at once, node bound %d", backend.max, tc.wantNode)
			}
			if maxBytes := int64(tc.wantNode * len(msg)); backend.nodeMax > maxBytes {
				t.Errorf("%d message bytes in flight at once, want at most %d", backend.nodeMax, maxBytes)
			}
			if backend.maxConn > tc.perConn {
				t.Errorf("%d invocations at once on one connection, bound %d", backend.maxConn, tc.perConn)
			}
			if backend.max < tc.wantNode {
				t.Logf("only %d invocations at once: the bound was not reached", backend.max)
			}
			if w := counterValue(t, m, "portico_websocket_inflight_waits_total"); w == 0 {
				t.Error("no reader waited for room")
			}
			waitUntil(t, func() bool { return counterValue(t, m, "portico_websocket_inflight_messages") == 0 })
			if n, b := g.srv.inflight.load(); n != 0 || b != 0 {
				t.Errorf("%d messages, %d bytes still in flight", n, b)
			}
		})
	}
}

// blockingBackend holds every invocation until released.
type blockingBackend struct {
	started chan struct{}
	release chan struct{}
}

func (b *blockingBackend) Invoke(_ context.Context, req *integration.Request) (*integration.Response, error) {
	b.started <- struct{}{}
	<-b.release
	return &integration.Response{StatusCode: http.StatusOK, Body: req.Body}, nil
}

// A reader waiting for room on a full node ends its wait when its
// connection is deleted, and when the node shuts down.
func TestInFlightWaitEnds(t *testing.T) {
	m := metrics.New()
	backend := &blockingBackend{started: make(chan struct{}, 16), release: make(chan struct{})}
	g := newRawGateway(t, Config{MaxInFlightMessages: 1, Metrics: m}, Limits{}, backend)
	dial := func() *websocket.Conn {
		c, _, err := websocket.DefaultDialer.Dial(g.url, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		go func() { // answers the gateway's close
			for {
				if _, _, err := c.ReadMessage(); err != nil {
					return
				}
			}
		}()
		return c
	}
	holder := dial()
	if err := holder.WriteMessage(websocket.TextMessage, []byte("hold")); err != nil {
		t.Fatal(err)
	}
	<-backend.started // the node is full

	waiters := []*websocket.Conn{dial(), dial(), dial()}
	for _, c := range waiters {
		for range 3 {
			if err := c.WriteMessage(websocket.TextMessage, []byte("wait")); err != nil {
				t.Fatal(err)
			}
		}
	}
	waitUntil(t, func() bool { return g.srv.inflight.waiting.Load() == 3 })

	// DeleteConnection on a waiting connection: its reader stops waiting
	// and $disconnect runs while the node is still full.
	snap := g.srv.registry.Snapshot()
	deleted := 0
	for _, c := range snap {
		if c.(*conn).inflight.Load() == 0 && deleted == 0 {
			if err := c.Delete(); err != nil {
				t.Fatal(err)
			}
			deleted++
		}
	}
	if st := g.nextDisconnect(t); st != closeDeleted {
		t.Errorf("$disconnect reported %+v, want %+v", st, closeDeleted)
	}
	if n := g.srv.inflight.waiting.Load(); n != 2 {
		t.Errorf("%d readers waiting, want 2", n)
	}

	// Shutdown ends the other waits. The held invocation ends when
	// released, as an integration's own timeout would end it.
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		done <- g.srv.Shutdown(ctx)
	}()
	waitUntil(t, func() bool { return g.srv.inflight.waiting.Load() == 0 })
	close(backend.release)
	if err := <-done; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	checkStopped(t, g.srv)
	for range 3 {
		g.nextDisconnect(t)
	}
	if got := g.messages.Load(); got != 1 {
		t.Errorf("%d messages invoked, want only the one that held the node", got)
	}
	if w := counterValue(t, m, "portico_websocket_inflight_waits_total"); w != 3 {
		t.Errorf("%v waits counted, want 3", w)
	}
}
