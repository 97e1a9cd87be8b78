package httpapi

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/portico-gw/portico/authorizer"
	"github.com/portico-gw/portico/config"
	"github.com/portico-gw/portico/integration"
	"github.com/portico-gw/portico/internal/accesslog"
	"github.com/portico-gw/portico/internal/ids"
	"github.com/portico-gw/portico/internal/sigv4"
	"github.com/portico-gw/portico/internal/statusrec"
	"github.com/portico-gw/portico/metrics"
	"github.com/portico-gw/portico/routing"
)

// MaxBodyBytes is API Gateway's payload limit for HTTP APIs: 10 MB.
const MaxBodyBytes = 10 << 20

// Config configures an API.
type Config struct {
	// API is the HTTP API's configuration. Required.
	API *config.API
	// AccountID appears in events. Zero means "000000000000".
	AccountID string
	// Region appears in ARNs. Zero means us-east-1.
	Region string
	// Credentials are the SigV4 keys AWS_IAM routes accept (access key ID →
	// secret).
	Credentials map[string]string
	// Env is what integrations share.
	Env integration.Env
	// Logger receives integration failures. Nil means discard.
	Logger *slog.Logger
	// Metrics receives request, route and authorizer counts. Nil means none.
	Metrics *metrics.Metrics
	// AccessLogs holds the access logger of each stage that has one, by
	// stage name. Nil means none.
	AccessLogs map[string]*accesslog.Logger
}

// API serves one HTTP API. It is immutable after New and safe for
// concurrent use.
type API struct {
	id, accountID string
	region        string
	verifier      *sigv4.Verifier
	routes        *routing.HTTPRoutes
	byKey         map[string]*route
	stages        map[string]*stage
	cors          *cors
	log           *slog.Logger
	metrics       *metrics.Metrics
}

type route struct {
	key    string
	kind   string // integrationType
	format string // AWS_PROXY payloadFormatVersion: "2.0" or "1.0"
	uri    string
	inv    integration.Invoker
	auth   *routeAuth
	// reqMap and respMap are the integration's requestParameters and
	// responseParameters; nil when it has none.
	reqMap  *requestMapping
	respMap *responseMapping
	metrics *metrics.Route // nil without metrics
}

type stage struct {
	name      string
	vars      map[string]string
	throttles map[string]*throttle // by route key; nil entries allow all
	// targets are the HTTP_PROXY routes' integration URIs with the stage's
	// variables filled, by route key.
	targets   map[string]*target
	metrics   *metrics.Stage    // nil without metrics
	accessLog *accesslog.Logger // nil without access logging
}

// New builds the API from its configuration, which config.Load has
// validated.
func New(cfg Config) (*API, error) {
	c := cfg.API
	if c == nil {
		return nil, errors.New("httpapi: Config.API is nil")
	}
	if c.ProtocolType != "HTTP" {
		return nil, fmt.Errorf("httpapi: API %s is %s, not HTTP", c.APIID, c.ProtocolType)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &API{
		id:        c.APIID,
		accountID: cmp.Or(cfg.AccountID, "000000000000"),
		region:    cmp.Or(cfg.Region, "us-east-1"),
		verifier:  authorizer.NewIAMVerifier(cfg.Credentials),
		byKey:     make(map[string]*route, len(c.Routes)),
		stages:    make(map[string]*stage, len(c.Stages)),
		cors:      newCORS(c.CorsConfiguration),
		log:       log.With("api_id", c.APIID),
		metrics:   cfg.Metrics,
	}
	integrations := make(map[string]*config.Integration, len(c.Integrations))
	for i := range c.Integrations {
		integrations[c.Integrations[i].IntegrationID] = &c.Integrations[i]
	}
	built, err := authorizer.FromConfig(c, cfg.Env)
	if err != nil {
		return nil, fmt.Errorf("httpapi: API %s: %w", c.APIID, err)
	}
	keys := make([]string, 0, len(c.Routes))
	for _, r := range c.Routes {
		keys = append(keys, r.RouteKey)
		id := strings.TrimPrefix(r.Target, "integrations/")
		in := integrations[id]
		if in == nil {
			return nil, fmt.Errorf("httpapi: API %s route %q: integration %q not found", c.APIID, r.RouteKey, id)
		}
		rt, err := newRoute(r.RouteKey, c, in, cfg.Env)
		if err != nil {
			return nil, fmt.Errorf("httpapi: API %s route %q: %w", c.APIID, r.RouteKey, err)
		}
		rt.auth = newRouteAuth(r, built)
		rt.metrics = cfg.Metrics.Route(c.APIID, r.RouteKey)
		a.byKey[r.RouteKey] = rt
	}
	if a.routes, err = routing.NewHTTPRoutes(keys); err != nil {
		return nil, fmt.Errorf("httpapi: API %s: %w", c.APIID, err)
	}
	for _, s := range c.Stages {
		st := &stage{name: s.StageName, vars: s.StageVariables, throttles: make(map[string]*throttle, len(keys)),
			metrics: cfg.Metrics.Stage(c.APIID, s.StageName), accessLog: cfg.AccessLogs[s.StageName]}
		for _, k := range keys {
			settings := s.DefaultRouteSettings
			if rs, ok := s.RouteSettings[k]; ok {
				settings = &rs
			}
			st.throttles[k] = newThrottle(settings)
			if rt := a.byKey[k]; rt.kind == "HTTP_PROXY" {
				if st.targets == nil {
					st.targets = make(map[string]*target)
				}
				st.targets[k] = newTarget(rt.uri, s.StageVariables)
			}
		}
		a.stages[s.StageName] = st
	}
	return a, nil
}

func newRoute(key string, api *config.API, in *config.Integration, env integration.Env) (*route, error) {
	switch in.IntegrationType {
	case "AWS_PROXY", "HTTP_PROXY", "NATS":
	default:
		return nil, fmt.Errorf("integrationType %s is not available to HTTP APIs; use AWS_PROXY, HTTP_PROXY or NATS", in.IntegrationType)
	}
	spec, err := integration.SpecFromConfig(api, in)
	if err != nil {
		return nil, err
	}
	// The mode applies requestParameters itself (HTTP API parameter
	// mapping), and has no templates.
	spec.RequestParameters, spec.RequestTemplates, spec.Responses = nil, nil, nil
	rt := &route{key: key, kind: in.IntegrationType, uri: in.IntegrationURI}
	if in.IntegrationType == "AWS_PROXY" {
		rt.format = integration.PayloadFormat(api, in)
	}
	if rt.reqMap, err = newRequestMapping(in.RequestParameters); err != nil {
		return nil, err
	}
	if rt.respMap, err = newResponseMapping(in.ResponseParameters); err != nil {
		return nil, err
	}
	if rt.inv, err = integration.New(spec, env); err != nil {
		return nil, err
	}
	return rt, nil
}

// ServeHTTP serves one request addressed to stageName; rest is the escaped
// path after the stage ("/items/1").
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request, stageName, rest string) {
	requestID := ids.NewRequestID()
	st := a.stages[stageName]
	if st == nil {
		errNotFound.write(w, requestID)
		return
	}
	// The answer's recorder and the request are one allocation.
	ex := &exchange{obs: observed{Writer: statusrec.Writer{ResponseWriter: w}}}
	obs := &ex.obs
	w = obs
	defer a.finish(r, st, obs, requestID, time.Now())
	if rest == "" {
		rest = "/"
	}
	if a.cors != nil && isPreflight(r) {
		if m, ok := a.routes.Match(http.MethodOptions, rest); !ok || !strings.HasPrefix(m.RouteKey, "OPTIONS ") {
			a.cors.preflight(w, r, requestID)
			return
		}
	}
	if a.cors != nil {
		// Gateway answers (404, 401, 403, 429, 5xx) carry the CORS headers
		// too, so that a browser can read them (Portico's choice; AWS's
		// behaviour is unconfirmed). Integration answers are decorated again
		// in respond, replacing the backend's.
		a.cors.decorate(w.Header(), r)
	}
	m, ok := a.routes.MatchDeferred(r.Method, rest)
	if !ok {
		errNotFound.write(w, requestID)
		return
	}
	rt := a.byKey[m.RouteKey]
	obs.routeKey = m.RouteKey
	if !st.throttles[m.RouteKey].allow() {
		st.metrics.Throttled(m.RouteKey)
		errThrottled.write(w, requestID)
		return
	}
	q := &ex.q
	*q = request{
		r: r, apiID: a.id, accountID: a.accountID, stage: st.name, stageVars: st.vars,
		routeKey: m.RouteKey, rest: rest, match: m, requestID: requestID, now: time.Now(),
		format: cmp.Or(rt.format, "2.0"),
	}
	log := reqLog{a.log, st.name, m.RouteKey, requestID}
	// HTTP_PROXY streams the body, unless SigV4 must hash it first.
	if rt.kind != "HTTP_PROXY" || rt.auth.kind == "AWS_IAM" || rt.reqMap.readsBody() {
		body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxBodyBytes))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				errTooLarge.write(w, requestID)
				return
			}
			log.Debug("reading the request body", "error", err)
			errInternal.write(w, requestID)
			return
		}
		q.body = body
	}
	if !a.authorize(r.Context(), w, q, rt.auth, log) {
		return
	}
	if rt.kind == "HTTP_PROXY" {
		a.forward(w, q, st, rt, log, obs)
		return
	}
	body := q.body
	var err error
	req := &integration.Request{Body: body}
	if rt.kind == "AWS_PROXY" {
		eq := q
		if rt.reqMap != nil {
			eq = q.mapped(rt.reqMap)
		}
		var ev any = eq.eventV2()
		if rt.format == "1.0" {
			ev = eq.eventV1()
		}
		if req.Event, err = json.Marshal(ev); err != nil {
			log.Error("encoding the event", "error", err)
			errInternal.write(w, requestID)
			return
		}
	}
	start := time.Now()
	resp, err := rt.inv.Invoke(r.Context(), req)
	invoked(obs, rt, err, time.Since(start))
	if err != nil {
		a.failed(w, r, err, requestID, log)
		return
	}
	status := resp.StatusCode
	if resp.Header == nil {
		resp.Header = http.Header{}
	}
	if rt.respMap != nil {
		src := responseSource{request: requestSource{q}, header: resp.Header.Clone(), body: resp.Body}
		status = rt.respMap.apply(status, resp.Header, src)
	}
	a.respond(w, q, status, resp.Header)
	_, _ = w.Write(resp.Body)
}

// exchange is what ServeHTTP allocates for a request: the recorder of its
// answer and the request.
type exchange struct {
	obs observed
	q   request
}

// copyBuffers are forward's buffers for streaming answers, of io.Copy's
// size: the statusrec.Writer hides net/http's pooled ReadFrom, so io.Copy
// would allocate one per request.
var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// mapped returns a copy of q as the integration sees it after request
// parameter mapping: the headers, query and path the mapping produced.
// References resolve against the request as it arrived.
func (q *request) mapped(m *requestMapping) *request {
	r2 := q.r.Clone(q.r.Context())
	query := r2.URL.Query()
	path := q.rest
	m.apply(r2.Header, query, &path, requestSource{q})
	r2.URL.RawQuery = query.Encode()
	out := *q
	out.r, out.rest = r2, path
	return &out
}

// reqLog logs for one request with its stage, route key and request ID.
// The attributes are added only when something is logged: building a
// logger with them for every request would cost allocations on the hot
// path.
type reqLog struct {
	base                       *slog.Logger
	stage, routeKey, requestID string
}

func (l reqLog) log(level slog.Level, msg string, args []any) {
	if !l.base.Enabled(context.Background(), level) {
		return
	}
	args = append(args, "stage", l.stage, "route_key", l.routeKey, "request_id", l.requestID)
	l.base.Log(context.Background(), level, msg, args...)
}

func (l reqLog) Debug(msg string, args ...any) { l.log(slog.LevelDebug, msg, args) }
func (l reqLog) Warn(msg string, args ...any)  { l.log(slog.LevelWarn, msg, args) }
func (l reqLog) Error(msg string, args ...any) { l.log(slog.LevelError, msg, args) }

// failed answers an integration failure: a timeout is 503, anything else
// (function error, malformed response, unreachable backend) is 500.
func (a *API) failed(w http.ResponseWriter, r *http.Request, err error, requestID string, log reqLog) {
	if r.Context().Err() != nil {
		return // the client left
	}
	if errors.Is(err, integration.ErrTimeout) {
		log.Warn("integration timed out", "error", err)
		errServiceUnavailable.write(w, requestID)
		return
	}
	log.Warn("integration failed", "error", err)
	errInternal.write(w, requestID)
}

// respond writes status and header with the gateway's own fields.
func (a *API) respond(w http.ResponseWriter, q *request, status int, header http.Header) {
	h := w.Header()
	for k, v := range header {
		h[k] = v
	}
	q.idHeader[0] = q.requestID
	setRequestIDValues(h, q.idHeader[:])
	if a.cors != nil {
		a.cors.decorate(h, q.r)
	}
	w.WriteHeader(status)
}

// forward proxies the whole request to an HTTP_PROXY integration, streaming
// both bodies. The $default route (and only it) appends the request path to
// the integration URI, as AWS does; {name} in the URI takes path parameters
// and ${stageVariables.name} stage variables; the client's query string is
// passed on.
func (a *API) forward(w http.ResponseWriter, q *request, st *stage, rt *route, log reqLog, obs *observed) {
	f, ok := rt.inv.(integration.Forwarder)
	if !ok {
		log.Error("HTTP_PROXY invoker cannot forward")
		errInternal.write(w, q.requestID)
		return
	}
	r := q.r
	t := st.targets[rt.key]
	if t == nil { // New builds one per stage for every HTTP_PROXY route
		t = newTarget(rt.uri, st.vars)
	}
	uri := t.fillFunc(q.param)
	var target string
	fast := false
	header := r.Header // Forward copies it, with the fields below set
	if rt.reqMap == nil {
		target, fast = fastTarget(uri, rt.key == "$default", q.rest, r.URL.RawQuery)
	}
	if !fast {
		u, err := targetURL(uri, q, rt)
		if err != nil {
			log.Warn("building the integration URL", "error", err)
			errInternal.write(w, q.requestID)
			return
		}
		if rt.reqMap != nil {
			header = header.Clone()
			query := u.Query()
			path := u.EscapedPath()
			rt.reqMap.apply(header, query, &path, requestSource{q})
			u.RawQuery = query.Encode()
			u.RawPath = path
			u.Path, _ = url.PathUnescape(path)
		}
		target = u.String()
	}
	var body io.Reader
	switch {
	case q.body != nil:
		body = bytes.NewReader(q.body)
	case r.ContentLength > 0 && r.ContentLength <= MaxBodyBytes:
		body = r.Body // net/http ends it at its Content-Length: under the limit
	case r.ContentLength != 0:
		body = http.MaxBytesReader(nil, r.Body, MaxBodyBytes)
	}
	q.forward = integration.ForwardRequest{
		URL: target, Method: r.Method, Header: header, Set: q.forwardFields(), Body: body, ContentLength: r.ContentLength,
	}
	start := time.Now()
	resp, err := f.Forward(r.Context(), &q.forward)
	invoked(obs, rt, err, time.Since(start)) // until the response header
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			errTooLarge.write(w, q.requestID)
			return
		}
		a.failed(w, r, err, q.requestID, log)
		return
	}
	defer resp.Body.Close()
	status := resp.StatusCode
	var out io.Reader = resp.Body
	if rt.respMap != nil {
		var body []byte
		if rt.respMap.readsBody(status) {
			if body, err = io.ReadAll(io.LimitReader(resp.Body, MaxBodyBytes)); err != nil {
				a.failed(w, r, err, q.requestID, log)
				return
			}
			out = bytes.NewReader(body)
		}
		src := responseSource{request: requestSource{q}, header: resp.Header.Clone(), body: body}
		status = rt.respMap.apply(status, resp.Header, src)
	}
	a.respond(w, q, status, resp.Header)
	buf := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(buf)
	if _, err := io.CopyBuffer(w, out, *buf); err != nil {
		log.Debug("streaming the integration response", "error", err)
	}
}
