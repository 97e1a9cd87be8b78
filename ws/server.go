package ws

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/portico-gw/portico/connections"
	"github.com/portico-gw/portico/internal/timewheel"
	"github.com/portico-gw/portico/metrics"
	"github.com/portico-gw/portico/routing"
)

// Config configures the WebSocket mode of a node.
type Config struct {
	// Registry receives every open connection. Required.
	Registry *connections.Registry
	// NodeID is encoded in every connection ID. Required.
	NodeID string
	// Logger receives operational logs. Nil means discard.
	Logger *slog.Logger
	// DisconnectTimeout bounds each $disconnect invocation. Zero means 29s
	// (the integration's own timeout applies as well).
	DisconnectTimeout time.Duration
	// PublicURL replaces the scheme and host of callback URLs
	// ("https://ws.example.com"). Empty means the ones the client used.
	PublicURL string
	// Metrics receives connection, message and route counts. Nil means none.
	Metrics *metrics.Metrics
	// MaxInFlightMessages bounds the message invocations running at once
	// across the node's connections; a reader that finds the node full
	// stops reading its socket until one ends. Zero means 10,000.
	MaxInFlightMessages int
	// MaxInFlightBytes bounds the payload bytes of those messages (a
	// message larger than the bound runs alone). Zero means 256 MiB.
	MaxInFlightBytes int64
}

// Lifecycle hears of connections being established and closed; the cluster
// bus publishes these as events. Its methods must not block.
type Lifecycle interface {
	PublishConnect(connections.ConnectEvent)
	PublishDisconnect(connections.DisconnectEvent)
}

// Server owns the WebSocket connections of a node across its APIs: the shared
// timing wheel, the goroutines, and graceful shutdown.
type Server struct {
	registry *connections.Registry
	nodeID   string
	log      *slog.Logger
	wheel    *timewheel.Wheel
	discTO   time.Duration
	bufPool  *sync.Pool
	public   string
	life     Lifecycle // set before serving
	metrics  *metrics.Metrics
	inflight *inflightLimiter // the node's bound on message invocations (inflight.go)

	// Goroutines: every goroutine of the package starts through
	// startGoroutine, which counts it here; see goroutines.go.
	running atomic.Uint64 // goStopping once Shutdown began | goroutines running
	allDone chan struct{} // closed once goStopping is set and none is running

	mu         sync.Mutex
	conns      map[*conn]struct{} // guarded by mu; upgraded connections
	handshakes int                // guarded by mu; handshakes in progress
	closing    bool               // guarded by mu
	idle       chan struct{}      // guarded by mu; closed when conns and handshakes reach zero while closing
}

// NewServer returns a Server. Call Shutdown to stop it.
func NewServer(cfg Config) (*Server, error) {
	if cfg.Registry == nil || cfg.NodeID == "" {
		return nil, errors.New("ws: Config.Registry and Config.NodeID are required")
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.DisconnectTimeout <= 0 {
		cfg.DisconnectTimeout = 29 * time.Second
	}
	inflight := newInflightLimiter(int64(cfg.MaxInFlightMessages), cfg.MaxInFlightBytes, cfg.Metrics.InFlightWait)
	cfg.Metrics.InFlight(func() (int64, int64) { return inflight.load() })
	return &Server{
		inflight: inflight,
		registry: cfg.Registry,
		nodeID:   cfg.NodeID,
		log:      log,
		wheel:    timewheel.New(time.Second),
		discTO:   cfg.DisconnectTimeout,
		bufPool:  &sync.Pool{},
		public:   strings.TrimSuffix(cfg.PublicURL, "/"),
		metrics:  cfg.Metrics,
		conns:    make(map[*conn]struct{}),
		allDone:  make(chan struct{}),
	}, nil
}

// SetNodeID replaces the node ID. Call it only before the server serves.
func (s *Server) SetNodeID(id string) { s.nodeID = id }

// SetLifecycle installs the lifecycle hook. Call it only before the server
// serves.
func (s *Server) SetLifecycle(l Lifecycle) { s.life = l }

// NewAPI builds an API served by s.
func (s *Server) NewAPI(cfg APIConfig) (*API, error) {
	if cfg.APIID == "" {
		return nil, errors.New("ws: APIConfig.APIID is required")
	}
	if cfg.RouteSelection == nil {
		return nil, fmt.Errorf("ws: API %s: RouteSelection is required", cfg.APIID)
	}
	a := &API{
		srv:       s,
		id:        cfg.APIID,
		region:    cfg.Region,
		accountID: cfg.AccountID,
		limits:    cfg.Limits.withDefaults(),
	}
	t := &routeTable{
		stages:     make(map[string]*Stage, len(cfg.Stages)),
		selection:  cfg.RouteSelection,
		routes:     make(map[string]*Route, len(cfg.Routes)),
		authorizer: cfg.Authorizer,
	}
	if a.region == "" {
		a.region = "us-east-1"
	}
	for i := range cfg.Stages {
		st := cfg.Stages[i]
		st.metrics = s.metrics.Stage(cfg.APIID, st.Name)
		t.stages[st.Name] = &st
	}
	for i := range cfg.Routes {
		rt := cfg.Routes[i]
		if rt.Integration == nil {
			return nil, fmt.Errorf("ws: API %s: route %s has no integration", cfg.APIID, rt.Key)
		}
		rt.metrics = s.metrics.Route(cfg.APIID, rt.Key)
		t.routes[rt.Key] = &rt
	}
	a.table.Store(t)
	a.upgrader = websocket.Upgrader{
		// Connections hold no read buffer of net/http's and take a write
		// buffer from the pool only while writing (reference performance.md §3.1).
		// The read buffer is hijackGuard's (readBufferSize), which gorilla
		// reuses when ReadBufferSize is 0.
		ReadBufferSize:  0,
		WriteBufferSize: 4096,
		WriteBufferPool: s.bufPool,
		// Origins were checked before $connect ran.
		CheckOrigin: func(*http.Request) bool { return true },
		// API Gateway's permessage-deflate behaviour is unconfirmed; Portico
		// does not negotiate compression.
		EnableCompression: false,
		Error: func(w http.ResponseWriter, r *http.Request, status int, reason error) {
			http.Error(w, reason.Error(), status)
		},
	}
	return a, nil
}

// SelectionExpression returns the API's route selection expression.
func (a *API) SelectionExpression() *routing.Expression { return a.table.Load().selection }

func (s *Server) beginHandshake() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.handshakes++
	return true
}

func (s *Server) endHandshake() {
	s.mu.Lock()
	s.handshakes--
	s.checkIdleLocked()
	s.mu.Unlock()
}

// track records an upgraded connection. Shutdown waits for it.
func (s *Server) track(c *conn) {
	s.mu.Lock()
	s.conns[c] = struct{}{}
	s.mu.Unlock()
}

func (s *Server) isClosing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closing
}

func (s *Server) untrack(c *conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.checkIdleLocked()
	s.mu.Unlock()
}

func (s *Server) checkIdleLocked() {
	if s.closing && s.idle != nil && len(s.conns) == 0 && s.handshakes == 0 {
		close(s.idle)
		s.idle = nil
	}
}

// Len returns the number of open connections.
func (s *Server) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// Shutdown refuses new handshakes, closes every connection with 1001 "Going
// away", and waits until every connection is gone, every $disconnect has
// run and every goroutine of the server has returned. No goroutine starts
// once it began. When ctx ends first, the remaining sockets are closed at
// once and ctx.Err() is returned; their readers still run $disconnect
// afterwards. Shutdown is idempotent.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	if !s.closing {
		s.closing = true
		s.idle = make(chan struct{})
	}
	idle := s.idle
	all := s.connsLocked()
	s.checkIdleLocked()
	s.mu.Unlock()

	// Each close on a goroutine of its own, so that clients that do not
	// read cannot hold Shutdown past ctx one write timeout at a time. Then
	// stop the starter: a connection listed above is closed by its closer,
	// one tracked later finds s.closing in start.
	for _, c := range all {
		if !s.startGoroutine(c.goAway) {
			c.goAway() // a second Shutdown: the connection is already closing
		}
	}
	s.stopGoroutines()

	err := waitFor(ctx, idle)
	if err == nil {
		err = waitFor(ctx, s.allDone)
	}
	if err != nil {
		// Collect under s.mu, abort after: a conn's mu is never taken
		// under s.mu (doc.go).
		s.mu.Lock()
		left := s.connsLocked()
		s.mu.Unlock()
		for _, c := range left {
			c.abort()
		}
	}
	s.wheel.Stop()
	return err
}

// connsLocked returns the tracked connections. s.mu must be held.
func (s *Server) connsLocked() []*conn {
	all := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		all = append(all, c)
	}
	return all
}

// waitFor waits until ch is closed (a nil ch counts as closed) or ctx ends.
func waitFor(ctx context.Context, ch <-chan struct{}) error {
	if ch == nil {
		return nil
	}
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
