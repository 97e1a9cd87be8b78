package ws

import (
	"context"
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

// This file holds what operators see of the WebSocket mode: access-log
// records and metrics for connects, messages and disconnects. Nothing here
// reads a message body or a header other than the User-Agent.

// handshake follows one upgrade request for its access-log line and the
// connects metric.
type handshake struct {
	statusrec.Writer                // Status: first status written; 101 once upgraded
	err              handshakeError // the gateway error written, if any
	connID           string
	latency          time.Duration // the $connect integration's
	upgraded         bool
}

// finishHandshake records the handshake's outcome.
func (a *API) finishHandshake(r *http.Request, st *Stage, h *handshake, requestID string, start time.Time) {
	status := h.Status
	if h.upgraded {
		status = http.StatusSwitchingProtocols // counted by ServeHTTP before the reader starts
	} else {
		st.metrics.Refused(status)
	}
	if log := a.srv.log; log.Enabled(r.Context(), slog.LevelDebug) {
		log.Debug("WebSocket handshake", "api_id", a.id, "stage", st.Name, "connection_id", h.connID, "request_id", requestID,
			"status", status, "error_message", h.err.message(), "connect_latency", h.latency, "origin", r.Header.Get("Origin"))
	}
	if st.AccessLog == nil {
		return
	}
	rec := &accesslog.Record{
		APIID: a.id, Stage: st.Name, RequestID: requestID, RouteKey: "$connect", EventType: "CONNECT",
		ConnectionID: h.connID, DomainName: r.Host, SourceIP: integration.SourceIP(r), UserAgent: r.UserAgent(),
		HTTPMethod: r.Method, Path: r.URL.Path, Protocol: r.Proto, Status: status,
		IntegrationLatency: h.latency, ResponseLatency: time.Since(start), RequestTime: start, ConnectedAt: start,
		ErrorMessage: h.err.message(),
	}
	st.AccessLog.Log(rec)
}

// message returns the "message" of a gateway error's body, or "".
func (e handshakeError) message() string {
	if e.body == "" {
		return ""
	}
	var m struct{ Message string }
	_ = json.Unmarshal([]byte(e.body), &m)
	return m.Message
}

// invoked records one route invocation.
func invoked(rt *Route, err error, took time.Duration) {
	rt.metrics.Invoked(metrics.OutcomeOf(err, isTimeout), took)
}

func isTimeout(err error) bool { return errors.Is(err, integration.ErrTimeout) }

// logMessage writes a MESSAGE access-log line.
func (c *conn) logMessage(routeKey, requestID string, start time.Time, status int, errMsg string, latency time.Duration, sent int) {
	l := c.stage.AccessLog
	if l == nil {
		return
	}
	l.Log(&accesslog.Record{
		APIID: c.api.id, Stage: c.stage.Name, RequestID: requestID, RouteKey: routeKey, EventType: "MESSAGE",
		ConnectionID: c.id, DomainName: c.domainName.Value(), SourceIP: c.sourceIP, UserAgent: c.userAgent.Value(),
		Status: status, ErrorMessage: errMsg, IntegrationLatency: latency, ResponseLength: int64(sent),
		ResponseLatency: time.Since(start), RequestTime: start, ConnectedAt: c.connectedTime(),
	})
}

// logDisconnect writes a DISCONNECT access-log line.
func (c *conn) logDisconnect(requestID string, start time.Time, code int, reason string, latency time.Duration, errMsg string) {
	l := c.stage.AccessLog
	if l == nil {
		return
	}
	status := http.StatusOK
	if errMsg != "" {
		status = http.StatusInternalServerError
	}
	l.Log(&accesslog.Record{
		APIID: c.api.id, Stage: c.stage.Name, RequestID: requestID, RouteKey: "$disconnect", EventType: "DISCONNECT",
		ConnectionID: c.id, DomainName: c.domainName.Value(), SourceIP: c.sourceIP, UserAgent: c.userAgent.Value(),
		Status: status, IntegrationError: errMsg, IntegrationLatency: latency, DisconnectStatusCode: code,
		DisconnectReason: reason, ResponseLatency: time.Since(start), RequestTime: start, ConnectedAt: c.connectedTime(),
	})
}

// debugRoute explains at debug level how a message was routed: the value
// of the route selection expression, and the route chosen, or why none was
// (no route has that key and there is no $default route).
func (c *conn) debugRoute(t *routeTable, data []byte, routeKey string, ok bool, requestID string) {
	log := c.api.srv.log
	if !log.Enabled(context.Background(), slog.LevelDebug) {
		return
	}
	key, isJSON := t.selection.Evaluate(data)
	attrs := []any{"api_id", c.api.id, "stage", c.stage.Name, "connection_id", c.id, "request_id", requestID,
		"expression", t.selection.String(), "expression_value", key, "json", isJSON}
	switch {
	case !ok:
		log.Debug("message matches no route and the API has no $default route: the client gets the Forbidden frame", attrs...)
	case routeKey == "$default" && key != "$default":
		log.Debug("message routed to $default: no route has the expression's value", attrs...)
	default:
		log.Debug("message routed", append(attrs, "route_key", routeKey)...)
	}
}
