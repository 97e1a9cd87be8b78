package ws

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/portico-gw/portico/connections"
	"github.com/portico-gw/portico/integration"
	"github.com/portico-gw/portico/internal/accesslog"
	"github.com/portico-gw/portico/internal/clientaddr"
	"github.com/portico-gw/portico/internal/ids"
	"github.com/portico-gw/portico/internal/rawheader"
	"github.com/portico-gw/portico/internal/statusrec"
	"github.com/portico-gw/portico/metrics"
	"github.com/portico-gw/portico/routing"
)

// Route is one route of a WebSocket API.
type Route struct {
	// Key is the route key: $connect, $disconnect, $default or a custom key.
	Key string
	// Integration is the route's target.
	Integration integration.Invoker
	// TwoWay is true when the route has a $default route response: the
	// integration's body is then sent back to the client.
	TwoWay bool

	metrics *metrics.Route // set by NewAPI; nil without metrics
	// noEvent is set (by New) for a MOCK integration, which reads no
	// Lambda proxy event: $connect, messages and $disconnect then build
	// none.
	noEvent bool
}

// Limits are an API's gateway limits. Zero values mean the AWS defaults,
// except the two timeouts, where the defaults are applied by config
// conversion and zero disables them.
type Limits struct {
	MaxFrameBytes         int           // zero means 32768
	MaxMessageBytes       int           // zero means 131072
	IdleTimeout           time.Duration // zero disables
	MaxConnectionDuration time.Duration // zero disables
	SendQueueBytes        int           // zero means 1 MiB
	WriteTimeout          time.Duration // zero means 1s
	// MaxInFlight bounds a connection's message invocations running at
	// once; the reader runs the one that reaches it itself, which stops it
	// reading the socket until that one ends. Zero means 16.
	MaxInFlight int
	// AllowedOrigins lists exact origins ("https://app.example.com"),
	// wildcard-host origins ("https://*.example.com") or "*". Empty means any
	// Origin, and also requests without one.
	AllowedOrigins []string
}

func (l Limits) withDefaults() Limits {
	if l.MaxFrameBytes <= 0 {
		l.MaxFrameBytes = 32 << 10
	}
	if l.MaxMessageBytes <= 0 {
		l.MaxMessageBytes = 128 << 10
	}
	if l.SendQueueBytes <= 0 {
		l.SendQueueBytes = 1 << 20
	}
	if l.WriteTimeout <= 0 {
		l.WriteTimeout = time.Second
	}
	if l.MaxInFlight <= 0 {
		l.MaxInFlight = defaultMaxInFlight
	}
	return l
}

// Stage is one stage of an API.
type Stage struct {
	Name      string
	Variables map[string]string
	// AccessLog receives a line per connect, message and disconnect. Nil
	// means none.
	AccessLog *accesslog.Logger

	metrics *metrics.Stage // set by NewAPI; nil without metrics
}

// ConnectRequest is what an Authorizer sees of a $connect.
type ConnectRequest struct {
	Request        *http.Request
	APIID          string
	Stage          string
	StageVariables map[string]string
	ConnectionID   string
	RequestID      string
	ConnectedAt    time.Time
	// Event is the $connect event (JSON) as the $connect integration would
	// receive it, before any authorizer context: the base of a REQUEST
	// authorizer's event.
	Event []byte
}

// Decision is an authorizer's answer. A deny is a decision, not an error.
type Decision struct {
	Allow bool
	// Status is the handshake status of a deny: 401, 403 or 429. Zero
	// means 403.
	Status int
	// QuotaExceeded, with Status 429, says that the usage plan's quota
	// refused the connection ({"message":"Limit Exceeded"}); a 429
	// without it is the plan's throttle ({"message":"Too Many Requests"}).
	QuotaExceeded bool
	// Context becomes requestContext.authorizer in every later event of the
	// connection (principalId and the authorizer's context keys).
	Context map[string]any
}

// Authorizer decides whether a $connect may proceed. It is the seam for the
// shared authorizer layer.
type Authorizer interface {
	Authorize(ctx context.Context, req *ConnectRequest) (Decision, error)
}

// APIConfig describes one WebSocket API.
type APIConfig struct {
	APIID     string
	Region    string // zero means us-east-1
	AccountID string
	Stages    []Stage
	// RouteSelection is the API's route selection expression. Required.
	RouteSelection *routing.Expression
	Routes         []Route
	Limits         Limits
	// Authorizer guards $connect. Nil means none.
	Authorizer Authorizer
}

// API serves one WebSocket API. Build it with Server.NewAPI.
type API struct {
	srv       *Server
	id        string
	region    string
	accountID string
	limits    Limits
	upgrader  websocket.Upgrader
	// table is what a configuration reload replaces; connections read it
	// for each message, so a reload applies to open connections at once.
	table atomic.Pointer[routeTable]
}

// routeTable is an API's stages, routes and $connect authorizer. It is
// immutable; Replace swaps it whole.
type routeTable struct {
	stages     map[string]*Stage
	selection  *routing.Expression
	routes     map[string]*Route
	authorizer Authorizer
}

func (t *routeTable) hasRoute(key string) bool {
	_, ok := t.routes[key]
	return ok
}

// Replace makes next's stages, routes, route selection expression and
// authorizer a's own, for new connections and for the next message of
// every open one (a configuration reload). Limits stay a's: they shape
// connections that are open. next must come from the same Server.
func (a *API) Replace(next *API) {
	a.table.Store(next.table.Load())
}

// ID returns the API's ID.
func (a *API) ID() string { return a.id }

// Limits returns the API's effective limits.
func (a *API) Limits() Limits { return a.limits }

// ServeHTTP handles a request addressed to one of the API's stages:
// basePath is the escaped base path that addressed the stage ("/dev"), from
// which the connection's callback URL is made. Management API paths are not
// handled here.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request, stageName, basePath string) {
	defer rawheader.Release(r) // the header spelling is needed only by $connect
	requestID := ids.NewRequestID()
	table := a.table.Load()
	stage, ok := table.stages[stageName]
	if !ok {
		errOriginForbidden.write(w, requestID) // same 403 Forbidden as an unknown stage
		return
	}
	hs := &handshake{Writer: statusrec.Writer{ResponseWriter: w}}
	w = hs
	defer a.finishHandshake(r, stage, hs, requestID, time.Now())
	if !websocket.IsWebSocketUpgrade(r) {
		errUpgradeRequired.write(w, requestID)
		return
	}
	if !validHandshake(r) {
		errBadHandshake.write(w, requestID)
		return
	}
	if !originAllowed(a.limits.AllowedOrigins, r.Header.Get("Origin")) {
		errOriginForbidden.write(w, requestID)
		return
	}
	if !a.srv.beginHandshake() {
		errShuttingDown.write(w, requestID)
		return
	}
	defer a.srv.endHandshake()

	connectedAt := time.Now()
	c := a.newConn(r, stage, connectedAt)
	callbackURL := a.srv.callbackURL(r, basePath)
	hs.connID = c.id
	ctx := r.Context()
	// The headers as the client spelled them can be read once (package
	// rawheader): the authorizer's event and $connect's share them.
	var headers map[string]string
	var multiHeaders map[string][]string
	if connect, hasConnect := table.routes["$connect"]; hasConnect && !connect.noEvent || table.authorizer != nil {
		headers, multiHeaders = connectHeaders(r, c.sourceIP)
	}

	if table.authorizer != nil {
		d, err := table.authorizer.Authorize(ctx, &ConnectRequest{
			Request: r, APIID: a.id, Stage: stage.Name, StageVariables: stage.Variables,
			ConnectionID: c.id, RequestID: requestID, ConnectedAt: connectedAt,
			Event: c.connectEvent(r, headers, multiHeaders, requestID, connectedAt),
		})
		switch {
		case err != nil && ctx.Err() != nil:
			a.srv.log.Debug("client left during the $connect authorizer", "api_id", a.id, "stage", stage.Name, "connection_id", c.id)
			errAuthorizerFailure.write(w, requestID)
			return
		case err != nil:
			a.srv.log.Warn("authorizer failed", "api_id", a.id, "stage", stage.Name, "connection_id", c.id, "error", err)
			errAuthorizerFailure.write(w, requestID)
			return
		case !d.Allow && d.Status == http.StatusUnauthorized:
			errUnauthorized.write(w, requestID)
			return
		case !d.Allow && d.Status == http.StatusTooManyRequests && d.QuotaExceeded:
			errQuotaExceeded.write(w, requestID)
			return
		case !d.Allow && d.Status == http.StatusTooManyRequests:
			errThrottled.write(w, requestID)
			return
		case !d.Allow:
			errAuthorizerDenied.write(w, requestID)
			return
		}
		c.authorizer = d.Context
	}

	var responseHeader http.Header
	if route, ok := table.routes["$connect"]; ok {
		var ev []byte
		if !route.noEvent {
			ev = c.connectEvent(r, headers, multiHeaders, requestID, connectedAt)
		}
		start := time.Now()
		params := c.connectParams(r, requestID)
		resp, err := route.Integration.Invoke(ctx, &integration.Request{Event: ev, Params: params, Template: params})
		hs.latency = time.Since(start)
		invoked(route, err, hs.latency)
		switch {
		case errors.Is(err, integration.ErrTimeout):
			errConnectTimeout.write(w, requestID)
			return
		case err != nil && ctx.Err() != nil:
			// The client left while $connect ran: not the integration's fault.
			a.srv.log.Debug("client left during $connect", "api_id", a.id, "stage", stage.Name, "connection_id", c.id, "request_id", requestID)
			errConnectFailed.write(w, requestID)
			return
		case err != nil:
			a.srv.log.Warn("$connect integration failed", "api_id", a.id, "stage", stage.Name, "connection_id", c.id, "request_id", requestID, "error", err)
			errConnectFailed.write(w, requestID)
			return
		case resp.StatusCode < 200 || resp.StatusCode > 299:
			writeRejection(w, resp, requestID)
			return
		}
		// The canonical spelling: Get then allocates no key.
		if p := resp.Header.Get("Sec-Websocket-Protocol"); p != "" {
			responseHeader = http.Header{"Sec-Websocket-Protocol": {p}}
		}
	}

	// Register before the 101 is written, so that a POST racing the
	// handshake's completion is queued rather than answered 410.
	a.srv.registry.Add(c)
	guard := &hijackGuard{ResponseWriter: w, maxFrame: int64(a.limits.MaxFrameBytes)}
	wsConn, err := a.upgrader.Upgrade(guard, r, responseHeader)
	if err != nil {
		a.srv.registry.Remove(c)
		a.srv.log.Debug("upgrade failed", "api_id", a.id, "connection_id", c.id, "error", err)
		return
	}
	// A connection upgraded after Shutdown began is still tracked and
	// started: start closes it with 1001, and its $disconnect runs.
	a.srv.track(c)
	hs.upgraded = true
	stage.metrics.Connected()
	readerStarted := c.start(wsConn, guard.conn)
	if life := a.srv.life; life != nil {
		life.PublishConnect(connections.ConnectEvent{
			ConnectionID: c.id,
			CallbackURL:  callbackURL,
			APIID:        a.id,
			Stage:        stage.Name,
			ConnectedAt:  connectedAt.UnixMilli(),
			Identity:     connections.EventIdentity{SourceIP: c.sourceIP, UserAgent: c.userAgent.Value()},
			Authorizer:   c.authorizer,
		})
	}
	if !readerStarted {
		// Shutdown stopped the starter: this goroutine, a handshake that
		// Shutdown waits for, reads until the close completes.
		c.readLoop()
	}
}

// callbackURL is the base the client used (or PublicURL's scheme and host):
// https when the client came over TLS, to this node or to a trusted proxy,
// plus the stage's base path and /@connections.
func (s *Server) callbackURL(r *http.Request, basePath string) string {
	if s.public != "" {
		return s.public + basePath + "/@connections"
	}
	return clientaddr.From(r).Scheme + "://" + r.Host + basePath + "/@connections"
}

// writeRejection passes a non-2xx $connect answer through as the handshake
// response: its status, its headers (Location of a 301, WWW-Authenticate of
// a 401, ...) and its body. Hop-by-hop and framing headers are the
// gateway's own.
func writeRejection(w http.ResponseWriter, resp *integration.Response, requestID string) {
	h := w.Header()
	for name, values := range resp.Header {
		switch http.CanonicalHeaderKey(name) {
		case "Connection", "Upgrade", "Content-Length", "Transfer-Encoding", "Keep-Alive", "Sec-Websocket-Accept", "Sec-Websocket-Protocol":
			continue
		}
		h[http.CanonicalHeaderKey(name)] = values
	}
	h.Set("x-amzn-RequestId", requestID)
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(resp.Body)
}

// validHandshake checks what gorilla would check after $connect ran, so that
// a malformed upgrade is refused before any integration is invoked.
func validHandshake(r *http.Request) bool {
	if r.Method != http.MethodGet || r.Header.Get("Sec-Websocket-Version") != "13" {
		return false
	}
	return validKey(r.Header.Get("Sec-Websocket-Key"))
}

// validKey reports whether s is a Sec-WebSocket-Key: standard base64 of 16
// bytes. A key of the usual size is decoded on the stack.
func validKey(s string) bool {
	if len(s) > 32 {
		key, err := base64.StdEncoding.DecodeString(s)
		return err == nil && len(key) == 16
	}
	var dst [24]byte // base64.StdEncoding.DecodedLen(32)
	n, err := base64.StdEncoding.Decode(dst[:], []byte(s))
	return err == nil && n == 16
}

// originAllowed implements limits.allowedOrigins.
func originAllowed(allowed []string, origin string) bool {
	if len(allowed) == 0 {
		return true
	}
	if origin == "" {
		return false
	}
	origin = strings.ToLower(origin)
	for _, a := range allowed {
		a = strings.ToLower(a)
		switch {
		case a == "*" || a == origin:
			return true
		case strings.Contains(a, "://*."):
			scheme, host, _ := strings.Cut(a, "://*.")
			os, ohost, ok := strings.Cut(origin, "://")
			if ok && os == scheme && strings.HasSuffix(ohost, "."+host) {
				return true
			}
		}
	}
	return false
}

// hijackGuard hands gorilla a net.Conn that enforces the frame size limit.
type hijackGuard struct {
	http.ResponseWriter
	maxFrame int64
	conn     *frameGuard
}

func (g *hijackGuard) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	nc, brw, err := http.NewResponseController(g.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, fmt.Errorf("hijacking: %w", err)
	}
	g.conn = newFrameGuard(rawheader.Unwrap(nc), g.maxFrame)
	if brw.Reader.Buffered() > 0 {
		// gorilla refuses this (the client sent data before the 101).
		return g.conn, brw, nil
	}
	// gorilla takes this reader as its own (Upgrader.ReadBufferSize is 0
	// and it is over 256 bytes), so the guard sees what gorilla holds.
	g.conn.setReadBuffer(bufio.NewReaderSize(g.conn, readBufferSize))
	return g.conn, bufio.NewReadWriter(g.conn.br, brw.Writer), nil
}

// readBufferSize is each connection's read buffer, gorilla's bufio.Reader:
// over 256 bytes, since gorilla reuses a hijacked reader only then, and
// the whole of its allocation size class.
const readBufferSize = 288
