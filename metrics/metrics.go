package metrics

import (
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

const namespace = "portico"

// Outcome is the result of one route invocation.
type Outcome int

// The outcomes of a route invocation.
const (
	OK      Outcome = iota // the integration answered
	Error                  // it failed (unreachable, function error, malformed answer)
	Timeout                // it did not answer in time
)

var outcomeNames = [...]string{"ok", "error", "timeout"}

// Metrics is a node's metrics.
type Metrics struct {
	reg *prometheus.Registry

	connectionsOpen    *prometheus.GaugeVec
	connects           *prometheus.CounterVec
	disconnects        *prometheus.CounterVec
	messagesIn         *prometheus.CounterVec
	messagesOut        *prometheus.CounterVec
	sendQueueBytes     *prometheus.GaugeVec
	slowConsumerCloses *prometheus.CounterVec
	routeInvocations   *prometheus.CounterVec
	integrationLatency *prometheus.HistogramVec
	httpRequests       *prometheus.CounterVec
	throttled          *prometheus.CounterVec
	management         *prometheus.CounterVec
	authorizerResults  *prometheus.CounterVec
	authorizerCache    *prometheus.CounterVec
	inflightWaits      prometheus.Counter
	inflight           atomic.Pointer[func() (messages, bytes int64)] // read by the in-flight gauges
}

// LatencyBuckets are the integration latency histogram's buckets, in
// seconds, up to API Gateway's 29s integration timeout.
var LatencyBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 29}

// New returns a Metrics with its own registry, holding the Go runtime and
// process collectors as well.
func New() *Metrics {
	stage := []string{"api_id", "stage"}
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		connectionsOpen: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: namespace,
			Name: "websocket_connections_open", Help: "Open WebSocket connections."}, stage),
		connects: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace,
			Name: "websocket_connects_total", Help: "WebSocket handshakes by outcome: status 101, or the refusal's HTTP status."},
			[]string{"api_id", "stage", "status"}),
		disconnects: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace,
			Name: "websocket_disconnects_total", Help: "Closed WebSocket connections by close code (application codes folded into 3xxx and 4xxx)."},
			[]string{"api_id", "stage", "code"}),
		messagesIn: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace,
			Name: "websocket_messages_in_total", Help: "Text messages received from WebSocket clients."}, stage),
		messagesOut: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace,
			Name: "websocket_messages_out_total", Help: "Messages queued for WebSocket clients (@connections, broadcasts, route responses, error frames)."}, stage),
		sendQueueBytes: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: namespace,
			Name: "websocket_send_queue_bytes", Help: "Bytes waiting in WebSocket send queues."}, stage),
		slowConsumerCloses: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace,
			Name: "websocket_slow_consumer_closes_total", Help: "Connections closed because the client stopped reading (write timeout)."}, stage),
		routeInvocations: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace,
			Name: "route_invocations_total", Help: "Integration invocations by route key and outcome (ok, error, timeout)."},
			[]string{"api_id", "route_key", "outcome"}),
		integrationLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace,
			Name: "integration_latency_seconds", Help: "Integration latency by route key.", Buckets: LatencyBuckets},
			[]string{"api_id", "route_key"}),
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace,
			Name: "http_requests_total", Help: "HTTP API requests by route key (\"-\" when none matched) and status."},
			[]string{"api_id", "stage", "route_key", "status"}),
		throttled: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace,
			Name: "throttled_requests_total", Help: "Requests refused with 429 by stage throttling."},
			[]string{"api_id", "stage", "route_key"}),
		management: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace,
			Name: "management_calls_total", Help: "@connections API calls by HTTP method, operation and status."},
			[]string{"method", "operation", "status"}),
		authorizerResults: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace,
			Name: "authorizer_results_total", Help: "Authorizer decisions by type (JWT, CUSTOM, AWS_IAM) and result (allow, deny, error)."},
			[]string{"api_id", "type", "result"}),
		authorizerCache: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace,
			Name: "authorizer_cache_hits_total", Help: "Lambda authorizer answers served from the result cache."},
			[]string{"api_id"}),
		inflightWaits: prometheus.NewCounter(prometheus.CounterOpts{Namespace: namespace,
			Name: "websocket_inflight_waits_total", Help: "Times a WebSocket reader stopped reading its socket because the node's in-flight message bound was reached."}),
	}
	inflight := func(bytes bool) func() float64 {
		return func() float64 {
			f := m.inflight.Load()
			if f == nil {
				return 0
			}
			msgs, b := (*f)()
			if bytes {
				return float64(b)
			}
			return float64(msgs)
		}
	}
	m.reg.MustRegister(
		m.inflightWaits,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: namespace, Name: "websocket_inflight_messages",
			Help: "WebSocket messages whose integration call is running, across the node (bounded by limits.maxInFlightMessages)."}, inflight(false)),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: namespace, Name: "websocket_inflight_bytes",
			Help: "Payload bytes of those messages (bounded by limits.maxInFlightBytes)."}, inflight(true)),
	)
	m.reg.MustRegister(
		m.connectionsOpen, m.connects, m.disconnects, m.messagesIn, m.messagesOut, m.sendQueueBytes,
		m.slowConsumerCloses, m.routeInvocations, m.integrationLatency, m.httpRequests, m.throttled,
		m.management, m.authorizerResults, m.authorizerCache,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// Registry returns the registry, for tests and embedders that add their own
// collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus text format (or OpenMetrics,
// when the scraper asks for it).
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg, EnableOpenMetrics: true})
}

// NATS registers the bus's state, read at scrape time: whether the node is
// connected, and how often it reconnected. Call it once, when the bus exists.
func (m *Metrics) NATS(connected func() bool, reconnects func() uint64) {
	if m == nil {
		return
	}
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: namespace, Name: "nats_connected",
			Help: "1 when the node's NATS connection is up."}, func() float64 {
			if connected() {
				return 1
			}
			return 0
		}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: namespace, Name: "nats_reconnects_total",
			Help: "Reconnections of the node's NATS connection."}, func() float64 { return float64(reconnects()) }),
	)
}

// InFlight installs what the in-flight gauges read at scrape time: the
// node's WebSocket messages whose integration call is running, and their
// payload bytes. A later call replaces an earlier one.
func (m *Metrics) InFlight(load func() (messages, bytes int64)) {
	if m != nil {
		m.inflight.Store(&load)
	}
}

// InFlightWait counts a WebSocket reader that waited for the node's
// in-flight bound.
func (m *Metrics) InFlightWait() {
	if m != nil {
		m.inflightWaits.Inc()
	}
}

// Management counts one @connections API call. operation is one of
// PostToConnection, GetConnection, DeleteConnection, Broadcast,
// ListConnections or Other.
func (m *Metrics) Management(method, operation string, status int) {
	if m == nil {
		return
	}
	switch method {
	case http.MethodGet, http.MethodPost, http.MethodDelete, http.MethodPut, http.MethodPatch, http.MethodHead:
	default:
		method = "other"
	}
	m.management.WithLabelValues(method, operation, statusLabel(status)).Inc()
}

// Authorizer counts one authorizer decision: result is allow, deny or error;
// cached is true when a Lambda authorizer's answer came from its cache.
func (m *Metrics) Authorizer(apiID, kind, result string, cached bool) {
	if m == nil {
		return
	}
	m.authorizerResults.WithLabelValues(apiID, kind, result).Inc()
	if cached {
		m.authorizerCache.WithLabelValues(apiID).Inc()
	}
}

// Stage is one API stage's pre-resolved children.
type Stage struct {
	m             *Metrics
	apiID, stage  string
	open          prometheus.Gauge
	in, out       prometheus.Counter
	queue         prometheus.Gauge
	slowConsumers prometheus.Counter
	connected     prometheus.Counter // status 101
}

// Stage returns the children of an API stage. A nil Metrics returns nil.
func (m *Metrics) Stage(apiID, stage string) *Stage {
	if m == nil {
		return nil
	}
	return &Stage{
		m: m, apiID: apiID, stage: stage,
		open:          m.connectionsOpen.WithLabelValues(apiID, stage),
		in:            m.messagesIn.WithLabelValues(apiID, stage),
		out:           m.messagesOut.WithLabelValues(apiID, stage),
		queue:         m.sendQueueBytes.WithLabelValues(apiID, stage),
		slowConsumers: m.slowConsumerCloses.WithLabelValues(apiID, stage),
		connected:     m.connects.WithLabelValues(apiID, stage, "101"),
	}
}

// Connected counts a completed handshake and an open connection.
func (s *Stage) Connected() {
	if s != nil {
		s.connected.Inc()
		s.open.Inc()
	}
}

// Refused counts a handshake answered with status instead of 101.
func (s *Stage) Refused(status int) {
	if s != nil {
		s.m.connects.WithLabelValues(s.apiID, s.stage, statusLabel(status)).Inc()
	}
}

// Disconnected counts a closed connection by its close code.
func (s *Stage) Disconnected(code int) {
	if s != nil {
		s.open.Dec()
		s.m.disconnects.WithLabelValues(s.apiID, s.stage, closeCodeLabel(code)).Inc()
	}
}

// MessageIn counts a message from a client.
func (s *Stage) MessageIn() {
	if s != nil {
		s.in.Inc()
	}
}

// MessageOut counts a message queued for a client.
func (s *Stage) MessageOut() {
	if s != nil {
		s.out.Inc()
	}
}

// QueueBytes adds delta (negative when drained) to the queued bytes.
func (s *Stage) QueueBytes(delta int) {
	if s != nil && delta != 0 {
		s.queue.Add(float64(delta))
	}
}

// SlowConsumer counts a connection closed for not reading.
func (s *Stage) SlowConsumer() {
	if s != nil {
		s.slowConsumers.Inc()
	}
}

// HTTPRequest counts an HTTP API request; routeKey is "" when no route
// matched.
func (s *Stage) HTTPRequest(routeKey string, status int) {
	if s == nil {
		return
	}
	if routeKey == "" {
		routeKey = "-"
	}
	s.m.httpRequests.WithLabelValues(s.apiID, s.stage, routeKey, statusLabel(status)).Inc()
}

// Throttled counts a request of routeKey refused with 429 by throttling.
func (s *Stage) Throttled(routeKey string) {
	if s != nil {
		s.m.throttled.WithLabelValues(s.apiID, s.stage, routeKey).Inc()
	}
}

// Route is one route's pre-resolved children.
type Route struct {
	outcomes [len(outcomeNames)]prometheus.Counter
	latency  prometheus.Observer
}

// Route returns the children of a route. A nil Metrics returns nil.
func (m *Metrics) Route(apiID, routeKey string) *Route {
	if m == nil {
		return nil
	}
	r := &Route{latency: m.integrationLatency.WithLabelValues(apiID, routeKey)}
	for i, name := range outcomeNames {
		r.outcomes[i] = m.routeInvocations.WithLabelValues(apiID, routeKey, name)
	}
	return r
}

// Invoked counts one invocation and observes its latency.
func (r *Route) Invoked(o Outcome, took time.Duration) {
	if r == nil {
		return
	}
	r.outcomes[o].Inc()
	r.latency.Observe(took.Seconds())
}

// OutcomeOf classifies an invocation's error: nil is OK, a timeout (as
// isTimeout says) is Timeout, anything else Error.
func OutcomeOf(err error, isTimeout func(error) bool) Outcome {
	switch {
	case err == nil:
		return OK
	case isTimeout(err):
		return Timeout
	default:
		return Error
	}
}

// statusLabel keeps HTTP statuses to the 100-599 range.
func statusLabel(status int) string {
	if status < 100 || status > 599 {
		return "other"
	}
	return statusLabels[status-100]
}

// statusLabels holds the labels of statuses 100-599, made once rather than
// by an allocation per counted request.
var statusLabels = func() (l [500]string) {
	for i := range l {
		l[i] = strconv.Itoa(100 + i)
	}
	return l
}()

// closeCodeLabel keeps close codes bounded: the RFC 6455 codes as
// themselves, the registered (3000-3999) and private (4000-4999) ranges
// folded.
func closeCodeLabel(code int) string {
	switch {
	case code >= 1000 && code <= 1015:
		return strconv.Itoa(code)
	case code >= 3000 && code <= 3999:
		return "3xxx"
	case code >= 4000 && code <= 4999:
		return "4xxx"
	default:
		return "other"
	}
}
