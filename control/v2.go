package control

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// routes is the control plane's route table: the apigatewayv2 operations
// it serves. Operations() and the README list it.
var routes = []route{
	{Operation{"CreateApi", "POST", "/v2/apis"}, createAPI},
	{Operation{"GetApis", "GET", "/v2/apis"}, getAPIs},
	{Operation{"GetApi", "GET", "/v2/apis/{apiId}"}, getAPI},
	{Operation{"UpdateApi", "PATCH", "/v2/apis/{apiId}"}, updateAPI},
	{Operation{"DeleteApi", "DELETE", "/v2/apis/{apiId}"}, deleteAPI},

	{Operation{"CreateRoute", "POST", "/v2/apis/{apiId}/routes"}, createRoute},
	{Operation{"GetRoutes", "GET", "/v2/apis/{apiId}/routes"}, getRoutes},
	{Operation{"GetRoute", "GET", "/v2/apis/{apiId}/routes/{routeId}"}, getRoute},
	{Operation{"UpdateRoute", "PATCH", "/v2/apis/{apiId}/routes/{routeId}"}, updateRoute},
	{Operation{"DeleteRoute", "DELETE", "/v2/apis/{apiId}/routes/{routeId}"}, deleteRoute},

	{Operation{"CreateRouteResponse", "POST", "/v2/apis/{apiId}/routes/{routeId}/routeresponses"}, createRouteResponse},
	{Operation{"GetRouteResponses", "GET", "/v2/apis/{apiId}/routes/{routeId}/routeresponses"}, getRouteResponses},
	{Operation{"GetRouteResponse", "GET", "/v2/apis/{apiId}/routes/{routeId}/routeresponses/{routeResponseId}"}, getRouteResponse},
	{Operation{"UpdateRouteResponse", "PATCH", "/v2/apis/{apiId}/routes/{routeId}/routeresponses/{routeResponseId}"}, updateRouteResponse},
	{Operation{"DeleteRouteResponse", "DELETE", "/v2/apis/{apiId}/routes/{routeId}/routeresponses/{routeResponseId}"}, deleteRouteResponse},

	{Operation{"CreateIntegration", "POST", "/v2/apis/{apiId}/integrations"}, createIntegration},
	{Operation{"GetIntegrations", "GET", "/v2/apis/{apiId}/integrations"}, getIntegrations},
	{Operation{"GetIntegration", "GET", "/v2/apis/{apiId}/integrations/{integrationId}"}, getIntegration},
	{Operation{"UpdateIntegration", "PATCH", "/v2/apis/{apiId}/integrations/{integrationId}"}, updateIntegration},
	{Operation{"DeleteIntegration", "DELETE", "/v2/apis/{apiId}/integrations/{integrationId}"}, deleteIntegration},

	{Operation{"CreateIntegrationResponse", "POST", "/v2/apis/{apiId}/integrations/{integrationId}/integrationresponses"}, createIntegrationResponse},
	{Operation{"GetIntegrationResponses", "GET", "/v2/apis/{apiId}/integrations/{integrationId}/integrationresponses"}, getIntegrationResponses},
	{Operation{"GetIntegrationResponse", "GET", "/v2/apis/{apiId}/integrations/{integrationId}/integrationresponses/{integrationResponseId}"}, getIntegrationResponse},
	{Operation{"UpdateIntegrationResponse", "PATCH", "/v2/apis/{apiId}/integrations/{integrationId}/integrationresponses/{integrationResponseId}"}, updateIntegrationResponse},
	{Operation{"DeleteIntegrationResponse", "DELETE", "/v2/apis/{apiId}/integrations/{integrationId}/integrationresponses/{integrationResponseId}"}, deleteIntegrationResponse},

	{Operation{"CreateStage", "POST", "/v2/apis/{apiId}/stages"}, createStage},
	{Operation{"GetStages", "GET", "/v2/apis/{apiId}/stages"}, getStages},
	{Operation{"GetStage", "GET", "/v2/apis/{apiId}/stages/{stageName}"}, getStage},
	{Operation{"UpdateStage", "PATCH", "/v2/apis/{apiId}/stages/{stageName}"}, updateStage},
	{Operation{"DeleteStage", "DELETE", "/v2/apis/{apiId}/stages/{stageName}"}, deleteStage},

	{Operation{"CreateDeployment", "POST", "/v2/apis/{apiId}/deployments"}, createDeployment},
	{Operation{"GetDeployments", "GET", "/v2/apis/{apiId}/deployments"}, getDeployments},
	{Operation{"GetDeployment", "GET", "/v2/apis/{apiId}/deployments/{deploymentId}"}, getDeployment},
	{Operation{"UpdateDeployment", "PATCH", "/v2/apis/{apiId}/deployments/{deploymentId}"}, updateDeployment},
	{Operation{"DeleteDeployment", "DELETE", "/v2/apis/{apiId}/deployments/{deploymentId}"}, deleteDeployment},

	{Operation{"CreateAuthorizer", "POST", "/v2/apis/{apiId}/authorizers"}, createAuthorizer},
	{Operation{"GetAuthorizers", "GET", "/v2/apis/{apiId}/authorizers"}, getAuthorizers},
	{Operation{"GetAuthorizer", "GET", "/v2/apis/{apiId}/authorizers/{authorizerId}"}, getAuthorizer},
	{Operation{"UpdateAuthorizer", "PATCH", "/v2/apis/{apiId}/authorizers/{authorizerId}"}, updateAuthorizer},
	{Operation{"DeleteAuthorizer", "DELETE", "/v2/apis/{apiId}/authorizers/{authorizerId}"}, deleteAuthorizer},

	{Operation{"TagResource", "POST", "/v2/tags/{resource-arn}"}, tagResource},
	{Operation{"UntagResource", "DELETE", "/v2/tags/{resource-arn}"}, untagResource},
	{Operation{"GetTags", "GET", "/v2/tags/{resource-arn}"}, getTags},
}

// ---- helpers

// decode reads a JSON object body into v; an empty body is {}.
func decode(body []byte, v any) *Error {
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return badRequest("Invalid request body: %s", jsonMessage(err))
	}
	return nil
}

func jsonMessage(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return "wrong type for " + te.Field + ": want " + te.Type.String()
	}
	return err.Error()
}

// patch applies a partial JSON object to *dst: every key the body holds
// replaces that field whole (maps and lists included), every other field
// stays. This is apigatewayv2's PATCH.
func patch[T any](dst *T, body []byte) *Error {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
		return errBadJSON
	}
	cur, err := json.Marshal(dst)
	if err != nil {
		return errBadJSON
	}
	merged := map[string]json.RawMessage{}
	_ = json.Unmarshal(cur, &merged)
	for k, v := range fields {
		merged[k] = v
	}
	b, _ := json.Marshal(merged)
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		return badRequest("Invalid request body: %s", jsonMessage(err))
	}
	*dst = out
	return nil
}

// paginate pages items by ?maxResults= and ?nextToken= (an opaque offset).
func paginate[T any](items []T, q url.Values) (page[T], *Error) {
	start := 0
	if tok := q.Get("nextToken"); tok != "" {
		b, err := base64.RawURLEncoding.DecodeString(tok)
		n, err2 := strconv.Atoi(string(b))
		if err != nil || err2 != nil || n < 0 || n > len(items) {
			return page[T]{}, badRequest("Invalid nextToken")
		}
		start = n
	}
	end := len(items)
	if s := q.Get("maxResults"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return page[T]{}, badRequest("Invalid maxResults %q: want a positive number", s)
		}
		end = min(start+n, len(items))
	}
	p := page[T]{Items: items[start:end]}
	if p.Items == nil {
		p.Items = []T{}
	}
	if end < len(items) {
		p.NextToken = base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(end)))
	}
	return p, nil
}

// read returns the API id as a record: a file-managed API's view, or the
// stored record.
func (c *Controller) read(ctx context.Context, id string) (*apiRecord, *Error) {
	for _, a := range c.fileAPIs() {
		if a.APIID == id {
			return fileRecord(&a), nil
		}
	}
	e, err := c.store.Get(ctx, apiKey(id))
	switch {
	case errors.Is(err, ErrNotFound):
		return nil, errNoAPI(id)
	case err != nil:
		c.log.Error("control plane: store failed", "error", err)
		return nil, errStore
	}
	rec := new(apiRecord)
	if err := json.Unmarshal(e.Value, rec); err != nil {
		c.log.Error("control plane: store value", "key", e.Key, "error", err)
		return nil, errStore
	}
	return rec, nil
}

// update runs fn on the stored API of the call's apiId.
func (c *Controller) update(in *call, fn func(rec *apiRecord) (any, *Error)) (any, *Error) {
	id := in.params["apiId"]
	return c.change(in.ctx, id, func(rec *apiRecord) (*apiRecord, any, *Error) {
		if rec == nil {
			return nil, nil, errNoAPI(id)
		}
		out, err := fn(rec)
		return rec, out, err
	})
}

// view is the API as the wire shows it, with its apiEndpoint.
func (c *Controller) view(rec *apiRecord) API {
	a := rec.API
	scheme := "https"
	if a.ProtocolType == "WEBSOCKET" {
		scheme = "wss"
	}
	base := ""
	if c.cfg.Endpoint != nil {
		base = c.cfg.Endpoint()
	}
	if base == "" {
		a.APIEndpoint = scheme + "://" + a.APIID + ".execute-api." + c.region() + ".amazonaws.com"
		return a
	}
	if a.ProtocolType == "WEBSOCKET" {
		base = strings.Replace(strings.Replace(base, "https://", "wss://", 1), "http://", "ws://", 1)
	}
	a.APIEndpoint = strings.TrimSuffix(base, "/") + "/_aws/execute-api/" + a.APIID
	return a
}

func (c *Controller) region() string {
	if c.cfg.File.Region != "" {
		return c.cfg.File.Region
	}
	return "us-east-1"
}

func (c *Controller) timestamp() *Timestamp {
	t := Timestamp(c.now())
	return &t
}

// ---- APIs

func createAPI(c *Controller, in *call) (int, any, *Error) {
	var req createAPIInput
	if err := decode(in.body, &req); err != nil {
		return 0, nil, err
	}
	if req.Name == "" {
		return 0, nil, badRequest("Name is required")
	}
	switch req.ProtocolType {
	case "WEBSOCKET":
		if req.RouteSelectionExpression == "" {
			return 0, nil, badRequest("RouteSelectionExpression is required for WEBSOCKET APIs")
		}
		if req.Target != "" || req.RouteKey != "" {
			return 0, nil, badRequest("Quick create (target, routeKey) is supported only for HTTP APIs")
		}
	case "HTTP":
		req.RouteSelectionExpression = "${request.method} ${request.path}"
	default:
		return 0, nil, errProtocol
	}
	a := req.API
	a.APIEndpoint, a.APIGatewayManaged = "", false
	a.CreatedDate = c.timestamp()
	a.APIID = newID(10, func(id string) bool {
		if c.isTaken(id) {
			return true
		}
		_, err := c.store.Get(in.ctx, apiKey(id))
		return err == nil
	})
	if a.APIKeySelectionExpression == "" && a.ProtocolType == "WEBSOCKET" {
		a.APIKeySelectionExpression = "$request.header.x-api-key"
	}
	rec := &apiRecord{API: a}
	if req.Target != "" {
		quickCreate(c, rec, req.Target, req.RouteKey)
	} else if req.RouteKey != "" {
		return 0, nil, badRequest("RouteKey requires Target (quick create)")
	}
	_, err := c.change(in.ctx, a.APIID, func(cur *apiRecord) (*apiRecord, any, *Error) {
		if cur != nil {
			return nil, nil, conflict("API %s already exists", a.APIID)
		}
		return rec, nil, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, c.view(rec), nil
}

// quickCreate adds what AWS's quick create adds to an HTTP API: an
// integration to target (a Lambda ARN → AWS_PROXY with payload 2.0, a URL
// → HTTP_PROXY), a route (routeKey, default $default) to it, and the
// $default stage with autoDeploy.
func quickCreate(c *Controller, rec *apiRecord, target, routeKey string) {
	in := Integration{APIGatewayManaged: true, ConnectionType: "INTERNET", IntegrationID: newID(7, nil), IntegrationURI: target}
	if strings.HasPrefix(target, "arn:") {
		in.IntegrationType, in.PayloadFormatVersion = "AWS_PROXY", "2.0"
	} else {
		in.IntegrationType, in.IntegrationMethod, in.PayloadFormatVersion = "HTTP_PROXY", "ANY", "1.0"
	}
	rec.Integrations = append(rec.Integrations, &integrationRecord{Integration: in})
	if routeKey == "" {
		routeKey = "$default"
	}
	rec.Routes = append(rec.Routes, &routeRecord{Route: Route{APIGatewayManaged: true, AuthorizationType: "NONE",
		RouteID: newID(7, nil), RouteKey: routeKey, Target: "integrations/" + in.IntegrationID}})
	now := c.timestamp()
	rec.Stages = append(rec.Stages, &Stage{APIGatewayManaged: true, AutoDeploy: true, CreatedDate: now, LastUpdatedDate: now,
		StageName: "$default"})
}

func getAPIs(c *Controller, in *call) (int, any, *Error) {
	var items []API
	for _, a := range c.fileAPIs() {
		items = append(items, c.view(fileRecord(&a)))
	}
	recs, err := c.records(in.ctx)
	if err != nil {
		c.log.Error("control plane: store failed", "error", err)
		return 0, nil, errStore
	}
	for _, rec := range recs {
		items = append(items, c.view(rec))
	}
	p, apiErr := paginate(items, in.query)
	if apiErr != nil {
		return 0, nil, apiErr
	}
	return http.StatusOK, p, nil
}

func getAPI(c *Controller, in *call) (int, any, *Error) {
	rec, err := c.read(in.ctx, in.params["apiId"])
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, c.view(rec), nil
}

func updateAPI(c *Controller, in *call) (int, any, *Error) {
	var quick struct {
		RouteKey *string `json:"routeKey"`
		Target   *string `json:"target"`
	}
	if err := decode(in.body, &quick); err != nil {
		return 0, nil, err
	}
	out, err := c.update(in, func(rec *apiRecord) (any, *Error) {
		a := rec.API
		if err := patch(&a, in.body); err != nil {
			return nil, err
		}
		if err := requick(rec, quick.RouteKey, quick.Target); err != nil {
			return nil, err
		}
		if a.ProtocolType != rec.API.ProtocolType {
			return nil, badRequest("ProtocolType cannot be changed")
		}
		if a.Name == "" {
			return nil, badRequest("Name cannot be empty")
		}
		a.APIID, a.CreatedDate, a.APIEndpoint, a.APIGatewayManaged, a.Tags = rec.API.APIID, rec.API.CreatedDate, "", rec.API.APIGatewayManaged, rec.API.Tags
		if a.ProtocolType == "HTTP" {
			a.RouteSelectionExpression = rec.API.RouteSelectionExpression
		}
		rec.API = a
		return c.view(rec), nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, out, nil
}

// requick changes what quick create made, as UpdateApi's routeKey and
// target do: the managed route's key and the managed integration's URI.
func requick(rec *apiRecord, routeKey, target *string) *Error {
	if routeKey == nil && target == nil {
		return nil
	}
	r := slices.IndexFunc(rec.Routes, func(r *routeRecord) bool { return r.APIGatewayManaged })
	i := slices.IndexFunc(rec.Integrations, func(i *integrationRecord) bool { return i.APIGatewayManaged })
	if r < 0 || i < 0 {
		return badRequest("RouteKey and Target can be updated only on an API made by quick create")
	}
	if routeKey != nil {
		rec.Routes[r].RouteKey = *routeKey
	}
	if target != nil {
		rec.Integrations[i].IntegrationURI = *target
	}
	return nil
}

func deleteAPI(c *Controller, in *call) (int, any, *Error) {
	id := in.params["apiId"]
	_, err := c.change(in.ctx, id, func(rec *apiRecord) (*apiRecord, any, *Error) {
		if rec == nil {
			return nil, nil, errNoAPI(id)
		}
		return nil, nil, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

// ---- routes

func (rec *apiRecord) route(id string) (*routeRecord, *Error) {
	for _, r := range rec.Routes {
		if r.RouteID == id {
			return r, nil
		}
	}
	return nil, errNoRoute(id)
}

func createRoute(c *Controller, in *call) (int, any, *Error) {
	var r Route
	if err := decode(in.body, &r); err != nil {
		return 0, nil, err
	}
	if r.RouteKey == "" {
		return 0, nil, badRequest("RouteKey is required")
	}
	if r.AuthorizationType == "" {
		r.AuthorizationType = "NONE"
	}
	r.APIGatewayManaged = false
	out, err := c.update(in, func(rec *apiRecord) (any, *Error) {
		if slices.ContainsFunc(rec.Routes, func(x *routeRecord) bool { return x.RouteKey == r.RouteKey }) {
			return nil, conflict("Route with key %s already exists for this API", r.RouteKey)
		}
		r.RouteID = newID(7, func(id string) bool { _, e := rec.route(id); return e == nil })
		rec.Routes = append(rec.Routes, &routeRecord{Route: r})
		return r, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, out, nil
}

func getRoutes(c *Controller, in *call) (int, any, *Error) {
	rec, err := c.read(in.ctx, in.params["apiId"])
	if err != nil {
		return 0, nil, err
	}
	items := make([]Route, 0, len(rec.Routes))
	for _, r := range rec.Routes {
		items = append(items, r.Route)
	}
	p, err := paginate(items, in.query)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, p, nil
}

func getRoute(c *Controller, in *call) (int, any, *Error) {
	rec, err := c.read(in.ctx, in.params["apiId"])
	if err != nil {
		return 0, nil, err
	}
	r, err := rec.route(in.params["routeId"])
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, r.Route, nil
}

func updateRoute(c *Controller, in *call) (int, any, *Error) {
	out, err := c.update(in, func(rec *apiRecord) (any, *Error) {
		r, err := rec.route(in.params["routeId"])
		if err != nil {
			return nil, err
		}
		next := r.Route
		if err := patch(&next, in.body); err != nil {
			return nil, err
		}
		next.RouteID, next.APIGatewayManaged = r.RouteID, r.APIGatewayManaged
		if next.RouteKey == "" {
			return nil, badRequest("RouteKey cannot be empty")
		}
		if next.RouteKey != r.RouteKey && slices.ContainsFunc(rec.Routes, func(x *routeRecord) bool { return x.RouteKey == next.RouteKey }) {
			return nil, conflict("Route with key %s already exists for this API", next.RouteKey)
		}
		r.Route = next
		return next, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, out, nil
}

func deleteRoute(c *Controller, in *call) (int, any, *Error) {
	_, err := c.update(in, func(rec *apiRecord) (any, *Error) {
		r, err := rec.route(in.params["routeId"])
		if err != nil {
			return nil, err
		}
		rec.Routes = slices.DeleteFunc(rec.Routes, func(x *routeRecord) bool { return x == r })
		return nil, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

// ---- route responses

func (r *routeRecord) response(id string) (*RouteResponse, *Error) {
	for _, rr := range r.Responses {
		if rr.RouteResponseID == id {
			return rr, nil
		}
	}
	return nil, errNoRouteResponse(id)
}

func createRouteResponse(c *Controller, in *call) (int, any, *Error) {
	var rr RouteResponse
	if err := decode(in.body, &rr); err != nil {
		return 0, nil, err
	}
	if rr.RouteResponseKey == "" {
		return 0, nil, badRequest("RouteResponseKey is required")
	}
	out, err := c.update(in, func(rec *apiRecord) (any, *Error) {
		r, err := rec.route(in.params["routeId"])
		if err != nil {
			return nil, err
		}
		if slices.ContainsFunc(r.Responses, func(x *RouteResponse) bool { return x.RouteResponseKey == rr.RouteResponseKey }) {
			return nil, conflict("RouteResponse with key %s already exists for this Route", rr.RouteResponseKey)
		}
		rr.RouteResponseID = newID(6, func(id string) bool { _, e := r.response(id); return e == nil })
		r.Responses = append(r.Responses, &rr)
		return rr, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, out, nil
}

func getRouteResponses(c *Controller, in *call) (int, any, *Error) {
	rec, err := c.read(in.ctx, in.params["apiId"])
	if err != nil {
		return 0, nil, err
	}
	r, err := rec.route(in.params["routeId"])
	if err != nil {
		return 0, nil, err
	}
	items := make([]RouteResponse, 0, len(r.Responses))
	for _, rr := range r.Responses {
		items = append(items, *rr)
	}
	p, err := paginate(items, in.query)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, p, nil
}

func getRouteResponse(c *Controller, in *call) (int, any, *Error) {
	rec, err := c.read(in.ctx, in.params["apiId"])
	if err != nil {
		return 0, nil, err
	}
	r, err := rec.route(in.params["routeId"])
	if err != nil {
		return 0, nil, err
	}
	rr, err := r.response(in.params["routeResponseId"])
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, rr, nil
}

func updateRouteResponse(c *Controller, in *call) (int, any, *Error) {
	out, err := c.update(in, func(rec *apiRecord) (any, *Error) {
		r, err := rec.route(in.params["routeId"])
		if err != nil {
			return nil, err
		}
		rr, err := r.response(in.params["routeResponseId"])
		if err != nil {
			return nil, err
		}
		next := *rr
		if err := patch(&next, in.body); err != nil {
			return nil, err
		}
		next.RouteResponseID = rr.RouteResponseID
		*rr = next
		return next, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, out, nil
}

func deleteRouteResponse(c *Controller, in *call) (int, any, *Error) {
	_, err := c.update(in, func(rec *apiRecord) (any, *Error) {
		r, err := rec.route(in.params["routeId"])
		if err != nil {
			return nil, err
		}
		rr, err := r.response(in.params["routeResponseId"])
		if err != nil {
			return nil, err
		}
		r.Responses = slices.DeleteFunc(r.Responses, func(x *RouteResponse) bool { return x == rr })
		return nil, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

// ---- integrations

func (rec *apiRecord) integration(id string) (*integrationRecord, *Error) {
	for _, in := range rec.Integrations {
		if in.IntegrationID == id {
			return in, nil
		}
	}
	return nil, errNoIntegration(id)
}

var integrationTypes = []string{"AWS", "AWS_PROXY", "HTTP", "HTTP_PROXY", "MOCK", "NATS"}

func createIntegration(c *Controller, in *call) (int, any, *Error) {
	var ig Integration
	if err := decode(in.body, &ig); err != nil {
		return 0, nil, err
	}
	if !slices.Contains(integrationTypes, ig.IntegrationType) {
		return 0, nil, badRequest("Invalid integration type specified. Must be one of [AWS, AWS_PROXY, HTTP, HTTP_PROXY, MOCK] (or NATS, a Portico extension)")
	}
	ig.APIGatewayManaged = false
	if ig.ConnectionType == "" {
		ig.ConnectionType = "INTERNET"
	}
	out, err := c.update(in, func(rec *apiRecord) (any, *Error) {
		if ig.PayloadFormatVersion == "" && rec.API.ProtocolType == "WEBSOCKET" {
			ig.PayloadFormatVersion = "1.0"
		}
		ig.IntegrationID = newID(7, func(id string) bool { _, e := rec.integration(id); return e == nil })
		rec.Integrations = append(rec.Integrations, &integrationRecord{Integration: ig})
		return ig, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, out, nil
}

func getIntegrations(c *Controller, in *call) (int, any, *Error) {
	rec, err := c.read(in.ctx, in.params["apiId"])
	if err != nil {
		return 0, nil, err
	}
	items := make([]Integration, 0, len(rec.Integrations))
	for _, ig := range rec.Integrations {
		items = append(items, ig.Integration)
	}
	p, err := paginate(items, in.query)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, p, nil
}

func getIntegration(c *Controller, in *call) (int, any, *Error) {
	rec, err := c.read(in.ctx, in.params["apiId"])
	if err != nil {
		return 0, nil, err
	}
	ig, err := rec.integration(in.params["integrationId"])
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, ig.Integration, nil
}

func updateIntegration(c *Controller, in *call) (int, any, *Error) {
	out, err := c.update(in, func(rec *apiRecord) (any, *Error) {
		ig, err := rec.integration(in.params["integrationId"])
		if err != nil {
			return nil, err
		}
		next := ig.Integration
		if err := patch(&next, in.body); err != nil {
			return nil, err
		}
		next.IntegrationID, next.APIGatewayManaged = ig.IntegrationID, ig.APIGatewayManaged
		if !slices.Contains(integrationTypes, next.IntegrationType) {
			return nil, badRequest("Invalid integration type specified. Must be one of [AWS, AWS_PROXY, HTTP, HTTP_PROXY, MOCK] (or NATS, a Portico extension)")
		}
		ig.Integration = next
		return next, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, out, nil
}

func deleteIntegration(c *Controller, in *call) (int, any, *Error) {
	_, err := c.update(in, func(rec *apiRecord) (any, *Error) {
		ig, err := rec.integration(in.params["integrationId"])
		if err != nil {
			return nil, err
		}
		target := "integrations/" + ig.IntegrationID
		if i := slices.IndexFunc(rec.Routes, func(r *routeRecord) bool { return r.Target == target }); i >= 0 {
			return nil, conflict("Integration %s is the target of route %s; change the route first", ig.IntegrationID, rec.Routes[i].RouteID)
		}
		rec.Integrations = slices.DeleteFunc(rec.Integrations, func(x *integrationRecord) bool { return x == ig })
		return nil, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

// ---- integration responses

func (ig *integrationRecord) response(id string) (*IntegrationResponse, *Error) {
	for _, ir := range ig.Responses {
		if ir.IntegrationResponseID == id {
			return ir, nil
		}
	}
	return nil, errNoIntegrationResponse(id)
}

func createIntegrationResponse(c *Controller, in *call) (int, any, *Error) {
	var ir IntegrationResponse
	if err := decode(in.body, &ir); err != nil {
		return 0, nil, err
	}
	if ir.IntegrationResponseKey == "" {
		return 0, nil, badRequest("IntegrationResponseKey is required")
	}
	out, err := c.update(in, func(rec *apiRecord) (any, *Error) {
		ig, err := rec.integration(in.params["integrationId"])
		if err != nil {
			return nil, err
		}
		if slices.ContainsFunc(ig.Responses, func(x *IntegrationResponse) bool { return x.IntegrationResponseKey == ir.IntegrationResponseKey }) {
			return nil, conflict("IntegrationResponse with key %s already exists for this Integration", ir.IntegrationResponseKey)
		}
		ir.IntegrationResponseID = newID(6, func(id string) bool { _, e := ig.response(id); return e == nil })
		ig.Responses = append(ig.Responses, &ir)
		return ir, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, out, nil
}

func getIntegrationResponses(c *Controller, in *call) (int, any, *Error) {
	rec, err := c.read(in.ctx, in.params["apiId"])
	if err != nil {
		return 0, nil, err
	}
	ig, err := rec.integration(in.params["integrationId"])
	if err != nil {
		return 0, nil, err
	}
	items := make([]IntegrationResponse, 0, len(ig.Responses))
	for _, ir := range ig.Responses {
		items = append(items, *ir)
	}
	p, err := paginate(items, in.query)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, p, nil
}

func getIntegrationResponse(c *Controller, in *call) (int, any, *Error) {
	rec, err := c.read(in.ctx, in.params["apiId"])
	if err != nil {
		return 0, nil, err
	}
	ig, err := rec.integration(in.params["integrationId"])
	if err != nil {
		return 0, nil, err
	}
	ir, err := ig.response(in.params["integrationResponseId"])
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, ir, nil
}

func updateIntegrationResponse(c *Controller, in *call) (int, any, *Error) {
	out, err := c.update(in, func(rec *apiRecord) (any, *Error) {
		ig, err := rec.integration(in.params["integrationId"])
		if err != nil {
			return nil, err
		}
		ir, err := ig.response(in.params["integrationResponseId"])
		if err != nil {
			return nil, err
		}
		next := *ir
		if err := patch(&next, in.body); err != nil {
			return nil, err
		}
		next.IntegrationResponseID = ir.IntegrationResponseID
		*ir = next
		return next, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, out, nil
}

func deleteIntegrationResponse(c *Controller, in *call) (int, any, *Error) {
	_, err := c.update(in, func(rec *apiRecord) (any, *Error) {
		ig, err := rec.integration(in.params["integrationId"])
		if err != nil {
			return nil, err
		}
		ir, err := ig.response(in.params["integrationResponseId"])
		if err != nil {
			return nil, err
		}
		ig.Responses = slices.DeleteFunc(ig.Responses, func(x *IntegrationResponse) bool { return x == ir })
		return nil, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

// ---- stages

func (rec *apiRecord) stage(name string) (*Stage, *Error) {
	for _, st := range rec.Stages {
		if st.StageName == name {
			return st, nil
		}
	}
	return nil, errNoStage(name)
}

func createStage(c *Controller, in *call) (int, any, *Error) {
	var st Stage
	if err := decode(in.body, &st); err != nil {
		return 0, nil, err
	}
	if st.StageName == "" {
		return 0, nil, badRequest("StageName is required")
	}
	st.APIGatewayManaged, st.LastDeploymentStatusMessage = false, ""
	out, err := c.update(in, func(rec *apiRecord) (any, *Error) {
		if !stageNameRE.MatchString(st.StageName) && (st.StageName != "$default" || rec.API.ProtocolType != "HTTP") {
			return nil, badRequest("Invalid stage name %s: use letters, digits, _ or - ($default only for HTTP APIs)", st.StageName)
		}
		if _, err := rec.stage(st.StageName); err == nil {
			return nil, conflict("Stage %s already exists", st.StageName)
		}
		if st.DeploymentID != "" && rec.deployment(st.DeploymentID) == nil {
			return nil, errNoDeployment(st.DeploymentID)
		}
		st.CreatedDate = c.timestamp()
		st.LastUpdatedDate = st.CreatedDate
		s := &st
		rec.Stages = append(rec.Stages, s) // change deploys it at once when it has autoDeploy
		return s, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, *out.(*Stage), nil
}

func getStages(c *Controller, in *call) (int, any, *Error) {
	rec, err := c.read(in.ctx, in.params["apiId"])
	if err != nil {
		return 0, nil, err
	}
	items := make([]Stage, 0, len(rec.Stages))
	for _, st := range rec.Stages {
		items = append(items, *st)
	}
	p, err := paginate(items, in.query)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, p, nil
}

func getStage(c *Controller, in *call) (int, any, *Error) {
	rec, err := c.read(in.ctx, in.params["apiId"])
	if err != nil {
		return 0, nil, err
	}
	st, err := rec.stage(in.params["stageName"])
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, st, nil
}

func updateStage(c *Controller, in *call) (int, any, *Error) {
	out, err := c.update(in, func(rec *apiRecord) (any, *Error) {
		st, err := rec.stage(in.params["stageName"])
		if err != nil {
			return nil, err
		}
		next := *st
		if err := patch(&next, in.body); err != nil {
			return nil, err
		}
		next.StageName, next.CreatedDate, next.APIGatewayManaged, next.Tags = st.StageName, st.CreatedDate, st.APIGatewayManaged, st.Tags
		if next.DeploymentID != st.DeploymentID && rec.deployment(next.DeploymentID) == nil {
			return nil, errNoDeployment(next.DeploymentID)
		}
		next.LastUpdatedDate = c.timestamp()
		*st = next // change deploys it at once when autoDeploy is on
		return st, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, *out.(*Stage), nil
}

func deleteStage(c *Controller, in *call) (int, any, *Error) {
	_, err := c.update(in, func(rec *apiRecord) (any, *Error) {
		st, err := rec.stage(in.params["stageName"])
		if err != nil {
			return nil, err
		}
		rec.Stages = slices.DeleteFunc(rec.Stages, func(x *Stage) bool { return x == st })
		return nil, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

var stageNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)

// ---- deployments

func createDeployment(c *Controller, in *call) (int, any, *Error) {
	var req struct {
		Description string `json:"description"`
		StageName   string `json:"stageName"`
	}
	if err := decode(in.body, &req); err != nil {
		return 0, nil, err
	}
	out, err := c.update(in, func(rec *apiRecord) (any, *Error) {
		var st *Stage
		if req.StageName != "" {
			var err *Error
			if st, err = rec.stage(req.StageName); err != nil {
				return nil, err
			}
		}
		d := c.newDeployment(rec, req.Description, false)
		if st != nil {
			st.DeploymentID, st.LastUpdatedDate = d.DeploymentID, d.CreatedDate
		}
		return d.Deployment, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, out, nil
}

func getDeployments(c *Controller, in *call) (int, any, *Error) {
	rec, err := c.read(in.ctx, in.params["apiId"])
	if err != nil {
		return 0, nil, err
	}
	items := make([]Deployment, 0, len(rec.Deployments))
	for _, d := range rec.Deployments {
		items = append(items, d.Deployment)
	}
	p, err := paginate(items, in.query)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, p, nil
}

func getDeployment(c *Controller, in *call) (int, any, *Error) {
	rec, err := c.read(in.ctx, in.params["apiId"])
	if err != nil {
		return 0, nil, err
	}
	id := in.params["deploymentId"]
	d := rec.deployment(id)
	if d == nil {
		return 0, nil, errNoDeployment(id)
	}
	return http.StatusOK, d.Deployment, nil
}

func updateDeployment(c *Controller, in *call) (int, any, *Error) {
	var req struct {
		Description *string `json:"description"`
	}
	if err := decode(in.body, &req); err != nil {
		return 0, nil, err
	}
	out, err := c.update(in, func(rec *apiRecord) (any, *Error) {
		id := in.params["deploymentId"]
		d := rec.deployment(id)
		if d == nil {
			return nil, errNoDeployment(id)
		}
		if req.Description != nil {
			d.Description = *req.Description
		}
		return d.Deployment, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, out, nil
}

func deleteDeployment(c *Controller, in *call) (int, any, *Error) {
	_, err := c.update(in, func(rec *apiRecord) (any, *Error) {
		id := in.params["deploymentId"]
		d := rec.deployment(id)
		if d == nil {
			return nil, errNoDeployment(id)
		}
		if slices.ContainsFunc(rec.Stages, func(st *Stage) bool { return st.DeploymentID == id }) {
			return nil, badRequest("Active stages pointing to this deployment must be moved or deleted")
		}
		rec.Deployments = slices.DeleteFunc(rec.Deployments, func(x *deploymentRecord) bool { return x == d })
		return nil, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

// ---- authorizers

func (rec *apiRecord) authorizer(id string) (*Authorizer, *Error) {
	for _, a := range rec.Authorizers {
		if a.AuthorizerID == id {
			return a, nil
		}
	}
	return nil, errNoAuthorizer(id)
}

func createAuthorizer(c *Controller, in *call) (int, any, *Error) {
	var au Authorizer
	if err := decode(in.body, &au); err != nil {
		return 0, nil, err
	}
	if au.Name == "" {
		return 0, nil, badRequest("Name is required")
	}
	if au.AuthorizerType != "REQUEST" && au.AuthorizerType != "JWT" {
		return 0, nil, badRequest("Invalid authorizer type specified. Must be one of [REQUEST, JWT]")
	}
	out, err := c.update(in, func(rec *apiRecord) (any, *Error) {
		au.AuthorizerID = newID(6, func(id string) bool { _, e := rec.authorizer(id); return e == nil })
		a := au
		rec.Authorizers = append(rec.Authorizers, &a)
		return a, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, out, nil
}

func getAuthorizers(c *Controller, in *call) (int, any, *Error) {
	rec, err := c.read(in.ctx, in.params["apiId"])
	if err != nil {
		return 0, nil, err
	}
	items := make([]Authorizer, 0, len(rec.Authorizers))
	for _, a := range rec.Authorizers {
		items = append(items, *a)
	}
	p, err := paginate(items, in.query)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, p, nil
}

func getAuthorizer(c *Controller, in *call) (int, any, *Error) {
	rec, err := c.read(in.ctx, in.params["apiId"])
	if err != nil {
		return 0, nil, err
	}
	a, err := rec.authorizer(in.params["authorizerId"])
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, a, nil
}

func updateAuthorizer(c *Controller, in *call) (int, any, *Error) {
	out, err := c.update(in, func(rec *apiRecord) (any, *Error) {
		a, err := rec.authorizer(in.params["authorizerId"])
		if err != nil {
			return nil, err
		}
		next := *a
		if err := patch(&next, in.body); err != nil {
			return nil, err
		}
		next.AuthorizerID = a.AuthorizerID
		*a = next
		return next, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, out, nil
}

func deleteAuthorizer(c *Controller, in *call) (int, any, *Error) {
	_, err := c.update(in, func(rec *apiRecord) (any, *Error) {
		a, err := rec.authorizer(in.params["authorizerId"])
		if err != nil {
			return nil, err
		}
		if i := slices.IndexFunc(rec.Routes, func(r *routeRecord) bool { return r.AuthorizerID == a.AuthorizerID }); i >= 0 {
			return nil, conflict("Authorizer %s is used by route %s; change the route first", a.AuthorizerID, rec.Routes[i].RouteID)
		}
		rec.Authorizers = slices.DeleteFunc(rec.Authorizers, func(x *Authorizer) bool { return x == a })
		return nil, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

// ---- tags

// taggable parses an ARN of an API (arn:aws:apigateway:REGION::/apis/ID)
// or of one of its stages (…/apis/ID/stages/NAME).
func taggable(arn string) (apiID, stage string, ok bool) {
	_, path, found := strings.Cut(arn, "::/apis/")
	if !found || !strings.HasPrefix(arn, "arn:") {
		return "", "", false
	}
	apiID, rest, _ := strings.Cut(path, "/")
	if rest == "" {
		return apiID, "", apiID != ""
	}
	stage, found = strings.CutPrefix(rest, "stages/")
	return apiID, stage, found && apiID != "" && stage != "" && !strings.Contains(stage, "/")
}

func tagsOf(rec *apiRecord, stage string) (*map[string]string, *Error) {
	if stage == "" {
		return &rec.API.Tags, nil
	}
	st, err := rec.stage(stage)
	if err != nil {
		return nil, err
	}
	return &st.Tags, nil
}

func tagResource(c *Controller, in *call) (int, any, *Error) {
	arn := in.params["resource-arn"]
	apiID, stage, ok := taggable(arn)
	if !ok {
		return 0, nil, badRequest("Invalid resource ARN %s: want arn:aws:apigateway:REGION::/apis/ID or .../apis/ID/stages/NAME", arn)
	}
	var req struct {
		Tags map[string]string `json:"tags"`
	}
	if err := decode(in.body, &req); err != nil {
		return 0, nil, err
	}
	in.params["apiId"] = apiID
	_, err := c.update(in, func(rec *apiRecord) (any, *Error) {
		tags, err := tagsOf(rec, stage)
		if err != nil {
			return nil, err
		}
		if *tags == nil {
			*tags = make(map[string]string, len(req.Tags))
		}
		for k, v := range req.Tags {
			(*tags)[k] = v
		}
		return nil, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, struct{}{}, nil
}

func untagResource(c *Controller, in *call) (int, any, *Error) {
	arn := in.params["resource-arn"]
	apiID, stage, ok := taggable(arn)
	if !ok {
		return 0, nil, badRequest("Invalid resource ARN %s", arn)
	}
	in.params["apiId"] = apiID
	_, err := c.update(in, func(rec *apiRecord) (any, *Error) {
		tags, err := tagsOf(rec, stage)
		if err != nil {
			return nil, err
		}
		for _, k := range in.query["tagKeys"] {
			delete(*tags, k)
		}
		return nil, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

func getTags(c *Controller, in *call) (int, any, *Error) {
	arn := in.params["resource-arn"]
	apiID, stage, ok := taggable(arn)
	if !ok {
		return 0, nil, badRequest("Invalid resource ARN %s", arn)
	}
	rec, err := c.read(in.ctx, apiID)
	if err != nil {
		return 0, nil, err
	}
	tags, err := tagsOf(rec, stage)
	if err != nil {
		return 0, nil, err
	}
	out := struct {
		Tags map[string]string `json:"tags"`
	}{*tags}
	if out.Tags == nil {
		out.Tags = map[string]string{}
	}
	return http.StatusOK, out, nil
}
