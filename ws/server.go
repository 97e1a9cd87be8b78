package ws

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
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

	wg sync.WaitGroup // every goroutine the server starts

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
	return &Server{
		registry: cfg.Registry,
		nodeID:   cfg.NodeID,
		log:      log,
		wheel:    timewheel.New(time.Second),
		discTO:   cfg.DisconnectTimeout,
		bufPool:  &sync.Pool{},
		public:   strings.TrimSuffix(cfg.PublicURL, "/"),
		metrics:  cfg.Metrics,
		conns:    make(map[*conn]struct{}),
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
		ReadBufferSize:  256,
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

// go runs f on a goroutine the server waits for.
func (s *Server) goTracked(f func()) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		f()
	}()
}

// Len returns the number of open connections.
func (s *Server) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// Shutdown refuses new handshakes, closes every connection with 1001 "Going
// away", and waits until every connection is gone and every $disconnect has
// run. When ctx ends first, the remaining sockets are closed at once and
// ctx.Err() is returned. Shutdown is idempotent.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	if !s.closing {
		s.closing = true
		s.idle = make(chan struct{})
	}
	idle := s.idle
	all := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		all = append(all, c)
	}
	s.checkIdleLocked()
	s.mu.Unlock()

	for _, c := range all {
		c.closeWith(websocket.CloseGoingAway, reasonGoingAway)
	}
	done := make(chan struct{})
	go func() {
		if idle != nil {
			<-idle
		}
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		s.wheel.Stop()
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		for c := range s.conns {
			c.abort()
		}
		s.mu.Unlock()
		s.wheel.Stop()
		return ctx.Err()
	}
}
