package httpapi

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/portico-gw/portico/integration"
	"github.com/portico-gw/portico/internal/accesslog"
	"github.com/portico-gw/portico/internal/statusrec"
	"github.com/portico-gw/portico/metrics"
)

// This file holds what operators see of an HTTP API: one access-log line and
// one request count per request. Neither reads a body, a header other than
// the User-Agent, or the query string.

// observed follows one request's answer: its status, body length, matched
// route, the integration's latency and the gateway's error message.
type observed struct {
	statusrec.Writer
	routeKey string
	latency  time.Duration
	err      gatewayError
}

// Flush passes a streaming HTTP_PROXY answer on as it comes.
func (o *observed) Flush() { _ = http.NewResponseController(o.ResponseWriter).Flush() }

// finish counts the request and writes its access-log line.
func (a *API) finish(r *http.Request, st *stage, o *observed, requestID string, start time.Time) {
	status := o.Status
	if status == 0 {
		status = http.StatusOK // nothing written: net/http answers 200
	}
	st.metrics.HTTPRequest(o.routeKey, status)
	debug := a.log.Enabled(r.Context(), slog.LevelDebug)
	if st.accessLog == nil && !debug {
		return
	}
	var errMsg string
	if o.err.body != "" {
		var m struct{ Message string }
		_ = json.Unmarshal([]byte(o.err.body), &m)
		errMsg = m.Message
	}
	if debug {
		routeKey := o.routeKey
		if routeKey == "" {
			routeKey = "(no route matches the method and path)"
		}
		a.log.Debug("HTTP API request", "stage", st.name, "request_id", requestID, "method", r.Method, "path", r.URL.EscapedPath(),
			"route_key", routeKey, "status", status, "error_message", errMsg, "integration_latency", o.latency)
	}
	if st.accessLog == nil {
		return
	}
	st.accessLog.Log(&accesslog.Record{
		APIID: a.id, Stage: st.name, RequestID: requestID, RouteKey: o.routeKey, DomainName: r.Host,
		SourceIP: sourceIPOf(r), UserAgent: r.UserAgent(), HTTPMethod: r.Method, Path: r.URL.Path,
		Protocol: r.Proto, Status: status, ResponseLength: o.Written, ErrorMessage: errMsg,
		IntegrationLatency: o.latency, ResponseLatency: time.Since(start), RequestTime: start,
	})
}

// invoked records one route invocation on o and in the route's metrics.
func invoked(o *observed, rt *route, err error, took time.Duration) {
	o.latency = took
	rt.metrics.Invoked(metrics.OutcomeOf(err, func(err error) bool { return errors.Is(err, integration.ErrTimeout) }), took)
}

func sourceIPOf(r *http.Request) string {
	return (&request{r: r}).sourceIP()
}
