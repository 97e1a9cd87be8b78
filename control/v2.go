package control

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// routes is the control plane's route table: the apigatewayv2 operations
// it serves, then the apigateway (v1) ones. Operations() and the README
// list it.
var routes = slices.Concat(routesV2, routesV2Deletes, routesV1, routesV1Usage, routesV1Plans, routesV1UsageCounts)

// routesV2 are the apigatewayv2 operations the control plane serves.
var routesV2 = []route{
	{Operation{"CreateApi", "POST", "/v2/apis"}, createAPI},
	{Operation{"GetApis", "GET", "/v2/apis"}, getAPIs},
	{Operation{"GetApi", "GET", "/v2/apis/{apiId}"}, getAPI},
	{Operation{"UpdateApi", "PATCH", "/v2/apis/{apiId}"}, updateAPI},
	{Operation{"DeleteApi", "DELETE", "/v2/apis/{apiId}"}, deleteAPI},
	{Operation{"ImportApi", "PUT", "/v2/apis"}, importAPI},
	{Operation{"ReimportApi", "PUT", "/v2/apis/{apiId}"}, reimportAPI},

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

	{Operation{"ExportApi", "GET", "/v2/apis/{apiId}/exports/{specification}"}, exportAPI},

	{Operation{"TagResource", "POST", "/v2/tags/{resource-arn}"}, tagResource},
	{Operation{"UntagResource", "DELETE", "/v2/tags/{resource-arn}"}, untagResource},
	{Operation{"GetTags", "GET", "/v2/tags/{resource-arn}"}, getTags},
}

// ---- helpers

// decode reads a JSON object body into v; an empty body is {}.
func decode(body []byte, v any) *apiError {
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
func patch[T any](dst *T, body []byte) *apiError {
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
func paginate[T any](items []T, q url.Values) (page[T], *apiError) {
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
func (c *Controller) read(ctx context.Context, id string) (*apiRecord, *apiError) {
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
		return nil, storeError(err)
	}
	rec := new(apiRecord)
	if err := json.Unmarshal(e.Value, rec); err != nil {
		c.log.Error("control plane: store value", "key", e.Key, "error", err)
		return nil, errStore
	}
	return rec, nil
}

// update runs fn on the stored API of the call's apiId.
func (c *Controller) update(in *call, fn func(rec *apiRecord) (any, *apiError)) (any, *apiError) {
	id := in.params["apiId"]
	return c.change(in.ctx, id, func(rec *apiRecord) (*apiRecord, any, *apiError) {
		if rec == nil {
			return nil, nil, errNoAPI(id)
		}
		out, err := fn(rec)
		return rec, out, err
	})
}

// view is the API as the wire shows it, with its apiEndpoint.
func (c *Controller) view(rec *apiRecord) wireAPI {
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

func (c *Controller) timestamp() *timestamp {
	t := timestamp(c.now())
	return &t
}

// ---- APIs

func createAPI(c *Controller, in *call) (int, any, *apiError) {
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
	a := req.wireAPI
	a.APIEndpoint, a.APIGatewayManaged = "", false
	a.CreatedDate = c.timestamp()
	a.APIID = c.newAPIID(in.ctx)
	if a.APIKeySelectionExpression == "" { // AWS's default, HTTP APIs included
		a.APIKeySelectionExpression = "$request.header.x-api-key"
	}
	rec := &apiRecord{API: a}
	if req.Target != "" {
		quickCreate(c, rec, req.Target, req.RouteKey)
	} else if req.RouteKey != "" {
		return 0, nil, badRequest("RouteKey requires Target (quick create)")
	}
	_, err := c.change(in.ctx, a.APIID, func(cur *apiRecord) (*apiRecord, any, *apiError) {
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
	in := wireIntegration{APIGatewayManaged: true, ConnectionType: "INTERNET", IntegrationID: newID(7, nil), IntegrationURI: target}
	if strings.HasPrefix(target, "arn:") {
		in.IntegrationType, in.PayloadFormatVersion = "AWS_PROXY", "2.0"
	} else {
		in.IntegrationType, in.IntegrationMethod, in.PayloadFormatVersion = "HTTP_PROXY", "ANY", "1.0"
	}
	rec.Integrations = append(rec.Integrations, &integrationRecord{wireIntegration: in})
	if routeKey == "" {
		routeKey = "$default"
	}
	rec.Routes = append(rec.Routes, &routeRecord{wireRoute: wireRoute{APIGatewayManaged: true, AuthorizationType: "NONE",
		RouteID: newID(7, nil), RouteKey: routeKey, Target: "integrations/" + in.IntegrationID}})
	now := c.timestamp()
	rec.Stages = append(rec.Stages, &wireStage{APIGatewayManaged: true, AutoDeploy: true, CreatedDate: now, LastUpdatedDate: now,
		StageName: "$default"})
}

func getAPIs(c *Controller, in *call) (int, any, *apiError) {
	var items []wireAPI
	for _, a := range c.fileAPIs() {
		items = append(items, c.view(fileRecord(&a)))
	}
	recs, err := c.records(in.ctx)
	if err != nil {
		c.log.Error("control plane: store failed", "error", err)
		return 0, nil, storeError(err)
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

func getAPI(c *Controller, in *call) (int, any, *apiError) {
	rec, err := c.read(in.ctx, in.params["apiId"])
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, c.view(rec), nil
}

func updateAPI(c *Controller, in *call) (int, any, *apiError) {
	var quick struct {
		RouteKey *string `json:"routeKey"`
		Target   *string `json:"target"`
	}
	if err := decode(in.body, &quick); err != nil {
		return 0, nil, err
	}
	out, err := c.update(in, func(rec *apiRecord) (any, *apiError) {
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
func requick(rec *apiRecord, routeKey, target *string) *apiError {
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

func deleteAPI(c *Controller, in *call) (int, any, *apiError) {
	id := in.params["apiId"]
	_, err := c.change(in.ctx, id, func(rec *apiRecord) (*apiRecord, any, *apiError) {
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
