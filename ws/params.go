package ws

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/portico-gw/portico/expr"
	"github.com/portico-gw/portico/integration"
	"github.com/portico-gw/portico/vtl"
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

func (c *conn) connectParams(r *http.Request, requestID string) *params {
	return &params{c: c, routeKey: "$connect", eventType: "CONNECT", requestID: requestID, req: r}
}

func (c *conn) messageParams(routeKey, requestID string, body []byte) *params {
	return &params{c: c, routeKey: routeKey, eventType: "MESSAGE", requestID: requestID, body: body}
}

func (c *conn) disconnectParams(requestID string) *params {
	return &params{c: c, routeKey: "$disconnect", eventType: "DISCONNECT", requestID: requestID}
}

var _ integration.TemplateSource = (*params)(nil)

// TemplateData implements integration.TemplateSource: $context, the
// stage's variables, and on $connect the headers and query string as
// $input.params().
func (p *params) TemplateData(body []byte) *vtl.Data {
	d := &vtl.Data{Body: body, Context: p.contextMap(), StageVariables: p.c.stage.Variables}
	if p.req != nil {
		d.Params.Header = make(map[string]string, len(p.req.Header))
		for k, v := range p.req.Header {
			d.Params.Header[k] = v[len(v)-1]
		}
		d.Params.QueryString = map[string]string{}
		for k, v := range p.req.URL.Query() {
			d.Params.QueryString[k] = v[len(v)-1]
		}
	}
	return d
}

// Value implements integration.ParamSource.
func (p *params) Value(ref *expr.Ref) (string, bool) {
	c := p.c
	switch ref.Root {
	case expr.Context:
		return p.contextValue(ref.Name)
	case expr.StageVariable:
		v, ok := c.stage.Variables[ref.Name]
		return v, ok
	case expr.RequestBody:
		if p.body == nil {
			return "", false
		}
		return ref.Select(p.body)
	}
	if p.req == nil {
		return "", false
	}
	switch ref.Root {
	case expr.RequestHeader:
		if strings.EqualFold(ref.Name, "Host") {
			return p.req.Host, true
		}
		vs := p.req.Header.Values(ref.Name)
		if len(vs) == 0 {
			return "", false
		}
		return vs[len(vs)-1], true
	case expr.RequestMultiValueHeader:
		vs := p.req.Header.Values(ref.Name)
		return strings.Join(vs, ","), len(vs) > 0
	case expr.RequestQueryString:
		vs := p.req.URL.Query()[ref.Name]
		if len(vs) == 0 {
			return "", false
		}
		return vs[len(vs)-1], true
	case expr.RequestMultiValueQueryString:
		vs := p.req.URL.Query()[ref.Name]
		return strings.Join(vs, ","), len(vs) > 0
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
		return c.domainName.Value(), true
	case "connectedAt":
		return strconv.FormatInt(c.connectedTime().UnixMilli(), 10), true
	case "identity.sourceIp":
		return c.sourceIP, true
	case "identity.userAgent":
		return c.userAgent.Value(), true
	case "messageId":
		if p.messageID == "" {
			return "", false
		}
		return p.messageID, true
	}
	if key, ok := strings.CutPrefix(name, "authorizer."); ok {
		return expr.ScalarText(c.authorizer[key])
	}
	return "", false
}

// contextMap returns $context for a mapping template: the variables
// contextValue knows, as nested maps (identity.sourceIp is
// identity["sourceIp"]), authorizer values as strings.
func (p *params) contextMap() map[string]any {
	c := p.c
	m := map[string]any{
		"connectionId": c.id, "requestId": p.requestID, "extendedRequestId": p.requestID, "apiId": c.api.id,
		"stage": c.stage.Name, "routeKey": p.routeKey, "eventType": p.eventType, "messageDirection": "IN",
		"domainName": c.domainName.Value(), "connectedAt": c.connectedTime().UnixMilli(),
		"identity": map[string]any{"sourceIp": c.sourceIP, "userAgent": c.userAgent.Value()},
	}
	if p.messageID != "" {
		m["messageId"] = p.messageID
	}
	if len(c.authorizer) > 0 {
		auth := make(map[string]any, len(c.authorizer))
		for k, v := range c.authorizer {
			if s, ok := expr.ScalarText(v); ok {
				auth[k] = s
			}
		}
		m["authorizer"] = auth
	}
	return m
}
