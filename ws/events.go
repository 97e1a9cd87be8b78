package ws

import (
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/portico-gw/portico/integration"
	"github.com/portico-gw/portico/internal/clientaddr"
	"github.com/portico-gw/portico/internal/ids"
	"github.com/portico-gw/portico/internal/rawheader"
)

// The Lambda proxy events of WebSocket APIs (reference websocket-api.md §1).
// Which top-level keys exist depends on the event type:
//
//	CONNECT:    headers, multiValueHeaders, [queryStringParameters,
//	            multiValueQueryStringParameters when the URL had a query],
//	            [stageVariables], requestContext, isBase64Encoded
//	MESSAGE:    [stageVariables], requestContext, body, isBase64Encoded
//	DISCONNECT: headers, multiValueHeaders (Host, x-api-key, X-Forwarded-For,
//	            x-restapi), [stageVariables], requestContext, isBase64Encoded
//
// stageVariables is present only when the stage has variables (AWS behaviour
// unconfirmed; this is Portico's choice).
type event struct {
	Headers                         map[string]string   `json:"headers,omitempty"`
	MultiValueHeaders               map[string][]string `json:"multiValueHeaders,omitempty"`
	QueryStringParameters           map[string]string   `json:"queryStringParameters,omitempty"`
	MultiValueQueryStringParameters map[string][]string `json:"multiValueQueryStringParameters,omitempty"`
	StageVariables                  map[string]string   `json:"stageVariables,omitempty"`
	RequestContext                  requestContext      `json:"requestContext"`
	Body                            *string             `json:"body,omitempty"`
	IsBase64Encoded                 bool                `json:"isBase64Encoded"`
}

type requestContext struct {
	RouteKey             string         `json:"routeKey"`
	MessageID            string         `json:"messageId,omitempty"`
	DisconnectStatusCode *int           `json:"disconnectStatusCode,omitempty"`
	Authorizer           map[string]any `json:"authorizer,omitempty"`
	EventType            string         `json:"eventType"`
	ExtendedRequestID    string         `json:"extendedRequestId"`
	RequestTime          string         `json:"requestTime"`
	MessageDirection     string         `json:"messageDirection"`
	DisconnectReason     *string        `json:"disconnectReason,omitempty"`
	Stage                string         `json:"stage"`
	ConnectedAt          int64          `json:"connectedAt"`
	RequestTimeEpoch     int64          `json:"requestTimeEpoch"`
	Identity             identity       `json:"identity"`
	RequestID            string         `json:"requestId"`
	DomainName           string         `json:"domainName"`
	ConnectionID         string         `json:"connectionId"`
	APIID                string         `json:"apiId"`
}

type identity struct {
	UserAgent string `json:"userAgent,omitempty"`
	SourceIP  string `json:"sourceIp"`
}

func (c *conn) context(routeKey, eventType, requestID string, now time.Time) requestContext {
	return requestContext{
		RouteKey:          routeKey,
		Authorizer:        c.authorizer,
		EventType:         eventType,
		ExtendedRequestID: requestID,
		RequestTime:       now.UTC().Format(integration.RequestTimeLayout),
		MessageDirection:  "IN",
		Stage:             c.stage.Name,
		ConnectedAt:       c.connectedTime().UnixMilli(),
		RequestTimeEpoch:  now.UnixMilli(),
		Identity:          identity{UserAgent: c.userAgent.Value(), SourceIP: c.sourceIP},
		RequestID:         requestID,
		DomainName:        c.domainName.Value(),
		ConnectionID:      c.id,
		APIID:             c.api.id,
	}
}

func (c *conn) stageVariables() map[string]string {
	if len(c.stage.Variables) == 0 {
		return nil
	}
	return c.stage.Variables
}

func marshal(ev *event) []byte {
	b, err := json.Marshal(ev)
	if err != nil {
		// Only maps of strings and JSON-decoded authorizer values are
		// marshalled; this cannot fail.
		panic("ws: marshalling event: " + err.Error())
	}
	return b
}

// connectEvent builds the CONNECT event from the handshake request.
func (c *conn) connectEvent(r *http.Request, h map[string]string, mv map[string][]string, requestID string, now time.Time) []byte {
	ev := &event{
		Headers:           h,
		MultiValueHeaders: mv,
		StageVariables:    c.stageVariables(),
		RequestContext:    c.context("$connect", "CONNECT", requestID, now),
	}
	if r.URL.RawQuery != "" {
		ev.QueryStringParameters, ev.MultiValueQueryStringParameters = queryMaps(r.URL.RawQuery)
	}
	return marshal(ev)
}

// messageEvent builds a MESSAGE event.
func (c *conn) messageEvent(routeKey, requestID string, body []byte) []byte {
	rc := c.context(routeKey, "MESSAGE", requestID, time.Now())
	rc.MessageID = ids.NewRequestID()
	s := string(body)
	return marshal(&event{
		StageVariables: c.stageVariables(),
		RequestContext: rc,
		Body:           &s,
	})
}

// disconnectEvent builds the DISCONNECT event, whose headers are the fixed
// set AWS sends.
func (c *conn) disconnectEvent(requestID string, code int, reason string) []byte {
	rc := c.context("$disconnect", "DISCONNECT", requestID, time.Now())
	rc.DisconnectStatusCode = &code
	rc.DisconnectReason = &reason
	return marshal(&event{
		Headers: map[string]string{
			"Host": c.domainName.Value(), "x-api-key": "", "X-Forwarded-For": "", "x-restapi": "",
		},
		MultiValueHeaders: map[string][]string{
			"Host": {c.domainName.Value()}, "x-api-key": {""}, "X-Forwarded-For": {""}, "x-restapi": {""},
		},
		StageVariables: c.stageVariables(),
		RequestContext: rc,
	})
}

// connectHeaders returns the CONNECT event's header maps: the client's
// handshake headers without the hop-by-hop Connection and Upgrade, plus the
// headers API Gateway adds. Names keep the client's spelling when the
// listener recorded it (package rawheader); otherwise headerName restores
// the usual spelling of the WebSocket headers.
func connectHeaders(r *http.Request, sourceIP string) (map[string]string, map[string][]string) {
	raw, _ := rawheader.For(r)
	nameOf := func(canonical string) string {
		if n, ok := raw[canonical]; ok {
			return n
		}
		return headerName(canonical)
	}
	single := make(map[string]string, len(r.Header)+5)
	multi := make(map[string][]string, len(r.Header)+5)
	set := func(name string, values []string) {
		single[name] = values[len(values)-1]
		multi[name] = values
	}
	set(nameOf("Host"), []string{r.Host})
	for name, values := range r.Header {
		switch name {
		case "Connection", "Upgrade", "X-Forwarded-For", "X-Forwarded-Port", "X-Forwarded-Proto", "X-Amzn-Trace-Id":
			continue
		}
		if len(values) > 0 {
			set(nameOf(name), values)
		}
	}
	client := clientaddr.From(r)
	prior := r.Header.Values("X-Forwarded-For")
	if client.Proxied {
		prior = client.Prior
	}
	xff := sourceIP
	if len(prior) > 0 {
		xff = strings.Join(prior, ", ") + ", " + sourceIP
	}
	proto, port := "http", "80"
	if client.TLS() {
		proto, port = "https", "443"
	}
	if addr, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if _, p, err := net.SplitHostPort(addr.String()); err == nil {
			port = p
		}
	}
	set("X-Amzn-Trace-Id", []string{traceID(time.Now())})
	set("X-Forwarded-For", []string{xff})
	set("X-Forwarded-Port", []string{port})
	set("X-Forwarded-Proto", []string{proto})
	return single, multi
}

// headerName restores conventional spellings that canonicalization loses.
func headerName(canonical string) string {
	if rest, ok := strings.CutPrefix(canonical, "Sec-Websocket-"); ok {
		return "Sec-WebSocket-" + rest
	}
	return canonical
}

// traceID makes an X-Ray style trace header value: Root=1-{epoch hex}-{96 random bits}.
func traceID(now time.Time) string { return ids.NewTraceID(now) }

// queryMaps parses a raw query into the single- and multi-value maps. The
// single-value map keeps the last value of a repeated key, as REST APIs do
// (unconfirmed for WebSocket APIs).
func queryMaps(raw string) (map[string]string, map[string][]string) {
	single := make(map[string]string)
	multi := make(map[string][]string)
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err1 := url.QueryUnescape(k)
		val, err2 := url.QueryUnescape(v)
		if err1 != nil {
			key = k
		}
		if err2 != nil {
			val = v
		}
		single[key] = val
		multi[key] = append(multi[key], val)
	}
	return single, multi
}
