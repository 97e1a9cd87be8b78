package ws

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/portico-gw/portico/integration"
)

// params resolves requestParameters sources for one event (reference
// websocket-api.md §3.4): context.X, stageVariables.X,
// route.request.body.PATH (messages), and on $connect only
// route.request.header|querystring|multivalueheader|multivaluequerystring.NAME.
type params struct {
	c         *conn
	routeKey  string
	eventType string
	requestID string
	messageID string
	body      []byte        // MESSAGE only
	req       *http.Request // CONNECT only
}

var _ integration.ParamSource = (*params)(nil)

func (c *conn) connectParams(r *http.Request, requestID string) integration.ParamSource {
	return &params{c: c, routeKey: "$connect", eventType: "CONNECT", requestID: requestID, req: r}
}

func (c *conn) messageParams(routeKey, requestID string, body []byte) integration.ParamSource {
	return &params{c: c, routeKey: routeKey, eventType: "MESSAGE", requestID: requestID, body: body}
}

func (c *conn) disconnectParams(requestID string) integration.ParamSource {
	return &params{c: c, routeKey: "$disconnect", eventType: "DISCONNECT", requestID: requestID}
}

// Lookup implements integration.ParamSource.
func (p *params) Lookup(expr string) (string, bool) {
	c := p.c
	switch {
	case strings.HasPrefix(expr, "context."):
		return p.contextValue(expr[len("context."):])
	case strings.HasPrefix(expr, "stageVariables."):
		v, ok := c.stage.Variables[expr[len("stageVariables."):]]
		return v, ok
	case strings.HasPrefix(expr, "route.request.body."):
		if p.body == nil || !gjson.ValidBytes(p.body) {
			return "", false
		}
		r := gjson.GetBytes(p.body, expr[len("route.request.body."):])
		if !r.Exists() {
			return "", false
		}
		if r.Type == gjson.String {
			return r.Str, true
		}
		return r.Raw, true
	case p.req != nil && strings.HasPrefix(expr, "route.request.header."):
		name := expr[len("route.request.header."):]
		if strings.EqualFold(name, "Host") {
			return p.req.Host, true
		}
		vs := p.req.Header.Values(name)
		if len(vs) == 0 {
			return "", false
		}
		return vs[len(vs)-1], true
	case p.req != nil && strings.HasPrefix(expr, "route.request.multivalueheader."):
		vs := p.req.Header.Values(expr[len("route.request.multivalueheader."):])
		if len(vs) == 0 {
			return "", false
		}
		return strings.Join(vs, ","), true
	case p.req != nil && strings.HasPrefix(expr, "route.request.querystring."):
		vs, ok := p.req.URL.Query()[expr[len("route.request.querystring."):]]
		if !ok || len(vs) == 0 {
			return "", false
		}
		return vs[len(vs)-1], true
	case p.req != nil && strings.HasPrefix(expr, "route.request.multivaluequerystring."):
		vs, ok := p.req.URL.Query()[expr[len("route.request.multivaluequerystring."):]]
		if !ok || len(vs) == 0 {
			return "", false
		}
		return strings.Join(vs, ","), true
	}
	return "", false
}

func (p *params) contextValue(name string) (string, bool) {
	c := p.c
	switch name {
	case "connectionId":
		return c.id, true
	case "requestId", "extendedRequestId":
		return p.requestID, true
	case "apiId":
		return c.api.id, true
	case "stage":
		return c.stage.Name, true
	case "routeKey":
		return p.routeKey, true
	case "eventType":
		return p.eventType, true
	case "messageDirection":
		return "IN", true
	case "domainName":
		return c.domainName, true
	case "connectedAt":
		return strconv.FormatInt(c.connectedAt.UnixMilli(), 10), true
	case "identity.sourceIp":
		return c.sourceIP, true
	case "identity.userAgent":
		return c.userAgent, true
	case "messageId":
		if p.messageID == "" {
			return "", false
		}
		return p.messageID, true
	}
	if key, ok := strings.CutPrefix(name, "authorizer."); ok {
		v, ok := c.authorizer[key]
		if !ok {
			return "", false
		}
		switch v := v.(type) {
		case string:
			return v, true
		default:
			return gjsonString(v), true
		}
	}
	return "", false
}

func gjsonString(v any) string {
	switch v := v.(type) {
	case bool:
		return strconv.FormatBool(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	}
	return ""
}
