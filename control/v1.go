package control

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/portico-gw/portico/config"
)

// routesV1 are the apigateway (v1) operations the control plane serves:
// the REST API walkthrough of AWS's docs (rest APIs, resources, methods,
// method responses, integrations, integration responses, deployments and
// stages). The others answer BadRequestException naming the operation.
var routesV1 = []route{
	{Operation{"ImportRestApi", "POST", "/restapis?mode=import"}, importRestAPI},
	{Operation{"CreateRestApi", "POST", "/restapis"}, createRestAPI},
	{Operation{"GetRestApis", "GET", "/restapis"}, getRestAPIs},
	{Operation{"GetRestApi", "GET", "/restapis/{restapi_id}"}, getRestAPI},
	{Operation{"UpdateRestApi", "PATCH", "/restapis/{restapi_id}"}, updateRestAPI},
	{Operation{"PutRestApi", "PUT", "/restapis/{restapi_id}"}, putRestAPI},
	{Operation{"DeleteRestApi", "DELETE", "/restapis/{restapi_id}"}, deleteRestAPI},

	{Operation{"GetResources", "GET", "/restapis/{restapi_id}/resources"}, getResources},
	{Operation{"GetResource", "GET", "/restapis/{restapi_id}/resources/{resource_id}"}, getResource},
	{Operation{"CreateResource", "POST", "/restapis/{restapi_id}/resources/{parent_id}"}, createResource},
	{Operation{"UpdateResource", "PATCH", "/restapis/{restapi_id}/resources/{resource_id}"}, updateResource},
	{Operation{"DeleteResource", "DELETE", "/restapis/{restapi_id}/resources/{resource_id}"}, deleteResource},

	{Operation{"PutMethod", "PUT", "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}"}, putMethod},
	{Operation{"GetMethod", "GET", "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}"}, getMethod},
	{Operation{"UpdateMethod", "PATCH", "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}"}, updateMethod},
	{Operation{"DeleteMethod", "DELETE", "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}"}, deleteMethod},

	{Operation{"PutMethodResponse", "PUT", "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/responses/{status_code}"}, putMethodResponse},
	{Operation{"GetMethodResponse", "GET", "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/responses/{status_code}"}, getMethodResponse},
	{Operation{"UpdateMethodResponse", "PATCH", "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/responses/{status_code}"}, updateMethodResponse},
	{Operation{"DeleteMethodResponse", "DELETE", "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/responses/{status_code}"}, deleteMethodResponse},

	{Operation{"PutIntegration", "PUT", "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration"}, putIntegration},
	{Operation{"GetIntegration", "GET", "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration"}, getIntegrationV1},
	{Operation{"UpdateIntegration", "PATCH", "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration"}, updateIntegrationV1},
	{Operation{"DeleteIntegration", "DELETE", "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration"}, deleteIntegrationV1},

	{Operation{"PutIntegrationResponse", "PUT", "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration/responses/{status_code}"}, putIntegrationResponse},
	{Operation{"GetIntegrationResponse", "GET", "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration/responses/{status_code}"}, getIntegrationResponseV1},
	{Operation{"UpdateIntegrationResponse", "PATCH", "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration/responses/{status_code}"}, updateIntegrationResponseV1},
	{Operation{"DeleteIntegrationResponse", "DELETE", "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration/responses/{status_code}"}, deleteIntegrationResponseV1},

	{Operation{"CreateDeployment", "POST", "/restapis/{restapi_id}/deployments"}, createDeploymentV1},
	{Operation{"GetDeployments", "GET", "/restapis/{restapi_id}/deployments"}, getDeploymentsV1},
	{Operation{"GetDeployment", "GET", "/restapis/{restapi_id}/deployments/{deployment_id}"}, getDeploymentV1},
	{Operation{"UpdateDeployment", "PATCH", "/restapis/{restapi_id}/deployments/{deployment_id}"}, updateDeploymentV1},
	{Operation{"DeleteDeployment", "DELETE", "/restapis/{restapi_id}/deployments/{deployment_id}"}, deleteDeploymentV1},

	{Operation{"CreateAuthorizer", "POST", "/restapis/{restapi_id}/authorizers"}, createAuthorizerV1},
	{Operation{"GetAuthorizers", "GET", "/restapis/{restapi_id}/authorizers"}, getAuthorizersV1},
	{Operation{"GetAuthorizer", "GET", "/restapis/{restapi_id}/authorizers/{authorizer_id}"}, getAuthorizerV1},
	{Operation{"UpdateAuthorizer", "PATCH", "/restapis/{restapi_id}/authorizers/{authorizer_id}"}, updateAuthorizerV1},
	{Operation{"DeleteAuthorizer", "DELETE", "/restapis/{restapi_id}/authorizers/{authorizer_id}"}, deleteAuthorizerV1},

	{Operation{"CreateModel", "POST", "/restapis/{restapi_id}/models"}, createModelV1},
	{Operation{"GetModels", "GET", "/restapis/{restapi_id}/models"}, getModelsV1},
	{Operation{"GetModel", "GET", "/restapis/{restapi_id}/models/{model_name}"}, getModelV1},
	{Operation{"UpdateModel", "PATCH", "/restapis/{restapi_id}/models/{model_name}"}, updateModelV1},
	{Operation{"DeleteModel", "DELETE", "/restapis/{restapi_id}/models/{model_name}"}, deleteModelV1},

	{Operation{"CreateRequestValidator", "POST", "/restapis/{restapi_id}/requestvalidators"}, createRequestValidator},
	{Operation{"GetRequestValidators", "GET", "/restapis/{restapi_id}/requestvalidators"}, getRequestValidators},
	{Operation{"GetRequestValidator", "GET", "/restapis/{restapi_id}/requestvalidators/{requestvalidator_id}"}, getRequestValidator},
	{Operation{"UpdateRequestValidator", "PATCH", "/restapis/{restapi_id}/requestvalidators/{requestvalidator_id}"}, updateRequestValidator},
	{Operation{"DeleteRequestValidator", "DELETE", "/restapis/{restapi_id}/requestvalidators/{requestvalidator_id}"}, deleteRequestValidator},

	{Operation{"GetGatewayResponses", "GET", "/restapis/{restapi_id}/gatewayresponses"}, getGatewayResponses},
	{Operation{"GetGatewayResponse", "GET", "/restapis/{restapi_id}/gatewayresponses/{response_type}"}, getGatewayResponse},
	{Operation{"PutGatewayResponse", "PUT", "/restapis/{restapi_id}/gatewayresponses/{response_type}"}, putGatewayResponse},
	{Operation{"UpdateGatewayResponse", "PATCH", "/restapis/{restapi_id}/gatewayresponses/{response_type}"}, updateGatewayResponse},
	{Operation{"DeleteGatewayResponse", "DELETE", "/restapis/{restapi_id}/gatewayresponses/{response_type}"}, deleteGatewayResponse},

	{Operation{"CreateStage", "POST", "/restapis/{restapi_id}/stages"}, createStageV1},
	{Operation{"GetStages", "GET", "/restapis/{restapi_id}/stages"}, getStagesV1},
	{Operation{"GetStage", "GET", "/restapis/{restapi_id}/stages/{stage_name}"}, getStageV1},
	{Operation{"UpdateStage", "PATCH", "/restapis/{restapi_id}/stages/{stage_name}"}, updateStageV1},
	{Operation{"DeleteStage", "DELETE", "/restapis/{restapi_id}/stages/{stage_name}"}, deleteStageV1},

	{Operation{"GetExport", "GET", "/restapis/{restapi_id}/stages/{stage_name}/exports/{export_type}"}, getExport},

	{Operation{"TagResource", "PUT", "/tags/{resource_arn}"}, tagResourceV1},
	{Operation{"UntagResource", "DELETE", "/tags/{resource_arn}"}, untagResourceV1},
	{Operation{"GetTags", "GET", "/tags/{resource_arn}"}, getTagsV1},
}

// ---- helpers

// paginateV1 pages items by ?limit= and ?position= (an opaque offset).
func paginateV1[T any](items []T, q url.Values) (itemPage[T], *apiError) {
	start := 0
	if tok := q.Get("position"); tok != "" {
		b, err := base64.RawURLEncoding.DecodeString(tok)
		n, err2 := strconv.Atoi(string(b))
		if err != nil || err2 != nil || n < 0 || n > len(items) {
			return itemPage[T]{}, badRequest("Invalid position")
		}
		start = n
	}
	end := len(items)
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 500 {
			return itemPage[T]{}, badRequest("Invalid limit %q: want 1 to 500", s)
		}
		end = min(start+n, len(items))
	}
	p := itemPage[T]{Items: items[start:end]}
	if p.Items == nil {
		p.Items = []T{}
	}
	if end < len(items) {
		p.Position = base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(end)))
	}
	return p, nil
}

// readRest returns the REST API id as a record: a file-managed API's view,
// or the stored record.
func (c *Controller) readRest(in *call) (*restRecord, *apiError) {
	id := in.params["restapi_id"]
	for _, a := range c.fileRestAPIs() {
		if a.RestAPIID == id {
			return fileRestRecord(&a), nil
		}
	}
	e, err := c.store.Get(in.ctx, restKey(id))
	switch {
	case errors.Is(err, ErrNotFound):
		return nil, errNoRestAPI
	case err != nil:
		c.log.Error("control plane: store failed", "error", err)
		return nil, errStore
	}
	rec := new(restRecord)
	if err := json.Unmarshal(e.Value, rec); err != nil {
		c.log.Error("control plane: store value", "key", e.Key, "error", err)
		return nil, errStore
	}
	return rec, nil
}

// updateRest runs fn on the stored REST API of the call's restapi_id.
func (c *Controller) updateRest(in *call, fn func(rec *restRecord) (any, *apiError)) (any, *apiError) {
	return c.changeRest(in.ctx, in.params["restapi_id"], func(rec *restRecord) (*restRecord, any, *apiError) {
		if rec == nil {
			return nil, nil, errNoRestAPI
		}
		out, err := fn(rec)
		return rec, out, err
	})
}

// method finds the call's resource and method.
func method(rec *restRecord, in *call) (*wireResource, *wireMethod, *apiError) {
	r := rec.resource(in.params["resource_id"])
	if r == nil {
		return nil, nil, errNoResource
	}
	m := r.ResourceMethods[strings.ToUpper(in.params["http_method"])]
	if m == nil {
		return r, nil, errNoMethod
	}
	return r, m, nil
}

var httpMethods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"}

// ---- REST APIs

func createRestAPI(c *Controller, in *call) (int, any, *apiError) {
	var req wireRestAPI
	if err := decode(in.body, &req); err != nil {
		return 0, nil, err
	}
	if req.Name == "" {
		return 0, nil, badRequest("Invalid REST API name specified")
	}
	switch req.APIKeySource {
	case "":
		req.APIKeySource = "HEADER"
	case "HEADER", "AUTHORIZER":
	default:
		return 0, nil, badRequest("Invalid API Key source specified: %s", req.APIKeySource)
	}
	if req.EndpointConfiguration == nil || len(req.EndpointConfiguration.Types) == 0 {
		req.EndpointConfiguration = &wireEndpointConfiguration{Types: []string{"EDGE"}, IPAddressType: "ipv4"}
	}
	req.CreatedDate = c.epochNow()
	req.ID = c.newAPIID(in.ctx)
	req.RootResourceID = newID(10, nil)
	rec := &restRecord{API: req, Resources: []*wireResource{{ID: req.RootResourceID, Path: "/"}}}
	_, err := c.changeRest(in.ctx, req.ID, func(cur *restRecord) (*restRecord, any, *apiError) {
		if cur != nil {
			return nil, nil, conflict("REST API %s already exists", req.ID)
		}
		return rec, nil, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, rec.API, nil
}

func getRestAPIs(c *Controller, in *call) (int, any, *apiError) {
	var items []wireRestAPI
	for _, a := range c.fileRestAPIs() {
		items = append(items, fileRestRecord(&a).API)
	}
	recs, err := c.restRecords(in.ctx)
	if err != nil {
		c.log.Error("control plane: store failed", "error", err)
		return 0, nil, errStore
	}
	for _, rec := range recs {
		items = append(items, rec.API)
	}
	p, apiErr := paginateV1(items, in.query)
	if apiErr != nil {
		return 0, nil, apiErr
	}
	return http.StatusOK, p, nil
}

func getRestAPI(c *Controller, in *call) (int, any, *apiError) {
	rec, err := c.readRest(in)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, rec.API, nil
}

func deleteRestAPI(c *Controller, in *call) (int, any, *apiError) {
	_, err := c.changeRest(in.ctx, in.params["restapi_id"], func(rec *restRecord) (*restRecord, any, *apiError) {
		if rec == nil {
			return nil, nil, errNoRestAPI
		}
		return nil, nil, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusAccepted, nil, nil
}

// ---- resources

func getResources(c *Controller, in *call) (int, any, *apiError) {
	rec, err := c.readRest(in)
	if err != nil {
		return 0, nil, err
	}
	items := slices.Clone(rec.Resources)
	slices.SortStableFunc(items, func(a, b *wireResource) int { return strings.Compare(a.Path, b.Path) })
	p, err := paginateV1(items, in.query)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, p, nil
}

func getResource(c *Controller, in *call) (int, any, *apiError) {
	rec, err := c.readRest(in)
	if err != nil {
		return 0, nil, err
	}
	r := rec.resource(in.params["resource_id"])
	if r == nil {
		return 0, nil, errNoResource
	}
	return http.StatusOK, r, nil
}

// maxResources is AWS's limit of resources per REST API.
const maxResources = 300

func createResource(c *Controller, in *call) (int, any, *apiError) {
	var req struct {
		PathPart string `json:"pathPart"`
	}
	if err := decode(in.body, &req); err != nil {
		return 0, nil, err
	}
	if msg := config.CheckRestPathPart(req.PathPart); msg != "" {
		return 0, nil, badRequest("Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus sign before the closing brace: %s", msg)
	}
	out, err := c.updateRest(in, func(rec *restRecord) (any, *apiError) {
		parent := rec.resource(in.params["parent_id"])
		if parent == nil {
			return nil, errNoResource
		}
		if strings.HasSuffix(parent.PathPart, "+}") {
			return nil, badRequest("Cannot create a child of a resource with a greedy path variable: %s", parent.PathPart)
		}
		if len(rec.Resources) >= maxResources {
			return nil, &apiError{Status: http.StatusTooManyRequests, Type: "LimitExceededException",
				Message: "Limit exceeded: a REST API has at most 300 resources"}
		}
		for _, r := range rec.Resources {
			if r.ParentID != parent.ID {
				continue
			}
			if r.PathPart == req.PathPart {
				return nil, conflict("Another resource with the same parent already has this name: %s", req.PathPart)
			}
			if strings.HasPrefix(r.PathPart, "{") && strings.HasPrefix(req.PathPart, "{") {
				return nil, badRequest("A sibling (%s) of this resource already has a variable path part -- only one is allowed", r.PathPart)
			}
		}
		path := strings.TrimSuffix(parent.Path, "/") + "/" + req.PathPart
		r := &wireResource{ID: newID(6, func(id string) bool { return rec.resource(id) != nil }), ParentID: parent.ID,
			PathPart: req.PathPart, Path: path}
		rec.Resources = append(rec.Resources, r)
		return r, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, out, nil
}

func deleteResource(c *Controller, in *call) (int, any, *apiError) {
	_, err := c.updateRest(in, func(rec *restRecord) (any, *apiError) {
		r := rec.resource(in.params["resource_id"])
		switch {
		case r == nil:
			return nil, errNoResource
		case r.Path == "/":
			return nil, badRequest("Cannot delete root resource")
		}
		rec.Resources = slices.DeleteFunc(rec.Resources, func(x *wireResource) bool {
			return x.Path == r.Path || strings.HasPrefix(x.Path, r.Path+"/")
		})
		return nil, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusAccepted, nil, nil
}

// ---- methods

func putMethod(c *Controller, in *call) (int, any, *apiError) {
	var req wireMethod
	if err := decode(in.body, &req); err != nil {
		return 0, nil, err
	}
	name := strings.ToUpper(in.params["http_method"])
	if !slices.Contains(httpMethods, name) {
		return 0, nil, badRequest("Invalid HttpMethod specified. Valid options are %s", strings.Join(httpMethods, ","))
	}
	switch req.AuthorizationType {
	case "NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS":
	case "":
		return 0, nil, badRequest("Invalid authorization type specified: authorizationType is required")
	default:
		return 0, nil, badRequest("Invalid authorization type specified. Valid options are NONE,AWS_IAM,CUSTOM,COGNITO_USER_POOLS")
	}
	if (req.AuthorizationType == "CUSTOM" || req.AuthorizationType == "COGNITO_USER_POOLS") && req.AuthorizerID == "" {
		return 0, nil, badRequest("Invalid authorizer ID specified. Setting the authorization type to %s requires a valid authorizer.", req.AuthorizationType)
	}
	req.HTTPMethod, req.MethodResponses, req.MethodIntegration = name, nil, nil
	out, err := c.updateRest(in, func(rec *restRecord) (any, *apiError) {
		r := rec.resource(in.params["resource_id"])
		if r == nil {
			return nil, errNoResource
		}
		if r.ResourceMethods[name] != nil {
			return nil, conflict("Method already exists for this resource")
		}
		if req.AuthorizerID != "" && rec.authorizer(req.AuthorizerID) == nil {
			return nil, badRequest("Invalid authorizer ID specified")
		}
		if r.ResourceMethods == nil {
			r.ResourceMethods = map[string]*wireMethod{}
		}
		m := req
		r.ResourceMethods[name] = &m
		return &m, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, out, nil
}

func getMethod(c *Controller, in *call) (int, any, *apiError) {
	rec, err := c.readRest(in)
	if err != nil {
		return 0, nil, err
	}
	_, m, err := method(rec, in)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, m, nil
}

func deleteMethod(c *Controller, in *call) (int, any, *apiError) {
	_, err := c.updateRest(in, func(rec *restRecord) (any, *apiError) {
		r, _, err := method(rec, in)
		if err != nil {
			return nil, err
		}
		delete(r.ResourceMethods, strings.ToUpper(in.params["http_method"]))
		return nil, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

// ---- method responses

// statusCodeOK reports whether s is a status code as AWS takes it.
func statusCodeOK(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && len(s) == 3 && n >= 100 && n <= 599
}

func putMethodResponse(c *Controller, in *call) (int, any, *apiError) {
	var req wireMethodResponse
	if err := decode(in.body, &req); err != nil {
		return 0, nil, err
	}
	code := in.params["status_code"]
	if !statusCodeOK(code) {
		return 0, nil, badRequest("Invalid Response status code specified")
	}
	for k := range req.ResponseParameters {
		if !strings.HasPrefix(k, "method.response.header.") || k == "method.response.header." {
			return 0, nil, badRequest("Invalid mapping expression specified: %s", k)
		}
	}
	req.StatusCode = code
	out, err := c.updateRest(in, func(rec *restRecord) (any, *apiError) {
		_, m, err := method(rec, in)
		if err != nil {
			return nil, err
		}
		if m.MethodResponses == nil {
			m.MethodResponses = map[string]*wireMethodResponse{}
		}
		mr := req
		m.MethodResponses[code] = &mr
		return &mr, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, out, nil
}

func getMethodResponse(c *Controller, in *call) (int, any, *apiError) {
	rec, err := c.readRest(in)
	if err != nil {
		return 0, nil, err
	}
	_, m, err := method(rec, in)
	if err != nil {
		return 0, nil, err
	}
	mr := m.MethodResponses[in.params["status_code"]]
	if mr == nil {
		return 0, nil, errNoResponseV1
	}
	return http.StatusOK, mr, nil
}

func deleteMethodResponse(c *Controller, in *call) (int, any, *apiError) {
	_, err := c.updateRest(in, func(rec *restRecord) (any, *apiError) {
		_, m, err := method(rec, in)
		if err != nil {
			return nil, err
		}
		if m.MethodResponses[in.params["status_code"]] == nil {
			return nil, errNoResponseV1
		}
		delete(m.MethodResponses, in.params["status_code"])
		return nil, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

// ---- integrations

func putIntegration(c *Controller, in *call) (int, any, *apiError) {
	var req wireRestIntegration
	if err := decode(in.body, &req); err != nil {
		return 0, nil, err
	}
	switch req.Type {
	case "AWS", "AWS_PROXY", "HTTP", "HTTP_PROXY":
		if req.URI == "" {
			return 0, nil, badRequest("Invalid HTTP endpoint specified for URI")
		}
		if req.HTTPMethod == "" {
			return 0, nil, badRequest("Enumeration value for HttpMethod must be non-empty")
		}
	case "MOCK":
	case "":
		return 0, nil, badRequest("Invalid integration type specified: type is required")
	default:
		return 0, nil, badRequest("Invalid integration type specified. Valid options are HTTP,HTTP_PROXY,AWS,AWS_PROXY,MOCK")
	}
	req.HTTPMethod = strings.ToUpper(req.HTTPMethod)
	if req.HTTPMethod != "" && !slices.Contains(httpMethods, req.HTTPMethod) {
		return 0, nil, badRequest("Invalid HttpMethod specified. Valid options are %s", strings.Join(httpMethods, ","))
	}
	switch req.PassthroughBehavior {
	case "":
		req.PassthroughBehavior = "WHEN_NO_MATCH"
	case "WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER":
	default:
		return 0, nil, badRequest("Invalid passthrough behavior specified: %s", req.PassthroughBehavior)
	}
	if req.TimeoutInMillis == 0 {
		req.TimeoutInMillis = 29000
	}
	if req.TimeoutInMillis < 50 || req.TimeoutInMillis > 29000 {
		return 0, nil, badRequest("Timeout should be between 50 ms and 29000 ms")
	}
	if req.ConnectionType == "" {
		req.ConnectionType = "INTERNET"
	}
	if req.CacheKeyParameters == nil {
		req.CacheKeyParameters = []string{}
	}
	req.IntegrationResponses = nil
	out, err := c.updateRest(in, func(rec *restRecord) (any, *apiError) {
		r, m, err := method(rec, in)
		if err != nil {
			return nil, err
		}
		i := req
		if i.CacheNamespace == "" {
			i.CacheNamespace = r.ID
		}
		m.MethodIntegration = &i
		return &i, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, out, nil
}

// integration finds the call's method's integration.
func integration(rec *restRecord, in *call) (*wireRestIntegration, *apiError) {
	_, m, err := method(rec, in)
	if err != nil {
		return nil, err
	}
	if m.MethodIntegration == nil {
		return nil, errNoIntegrationV1
	}
	return m.MethodIntegration, nil
}

func getIntegrationV1(c *Controller, in *call) (int, any, *apiError) {
	rec, err := c.readRest(in)
	if err != nil {
		return 0, nil, err
	}
	i, err := integration(rec, in)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, i, nil
}

func deleteIntegrationV1(c *Controller, in *call) (int, any, *apiError) {
	_, err := c.updateRest(in, func(rec *restRecord) (any, *apiError) {
		if _, err := integration(rec, in); err != nil {
			return nil, err
		}
		_, m, _ := method(rec, in)
		m.MethodIntegration = nil
		return nil, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

func putIntegrationResponse(c *Controller, in *call) (int, any, *apiError) {
	var req wireRestIntegrationResponse
	if err := decode(in.body, &req); err != nil {
		return 0, nil, err
	}
	code := in.params["status_code"]
	if !statusCodeOK(code) {
		return 0, nil, badRequest("Invalid Response status code specified")
	}
	req.StatusCode = code
	out, err := c.updateRest(in, func(rec *restRecord) (any, *apiError) {
		_, m, err := method(rec, in)
		if err != nil {
			return nil, err
		}
		if m.MethodIntegration == nil {
			return nil, errNoIntegrationV1
		}
		if m.MethodResponses[code] == nil {
			return nil, errNoResponseV1
		}
		if m.MethodIntegration.IntegrationResponses == nil {
			m.MethodIntegration.IntegrationResponses = map[string]*wireRestIntegrationResponse{}
		}
		ir := req
		m.MethodIntegration.IntegrationResponses[code] = &ir
		return &ir, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, out, nil
}

func getIntegrationResponseV1(c *Controller, in *call) (int, any, *apiError) {
	rec, err := c.readRest(in)
	if err != nil {
		return 0, nil, err
	}
	i, err := integration(rec, in)
	if err != nil {
		return 0, nil, err
	}
	ir := i.IntegrationResponses[in.params["status_code"]]
	if ir == nil {
		return 0, nil, errNoResponseV1
	}
	return http.StatusOK, ir, nil
}

func deleteIntegrationResponseV1(c *Controller, in *call) (int, any, *apiError) {
	_, err := c.updateRest(in, func(rec *restRecord) (any, *apiError) {
		i, err := integration(rec, in)
		if err != nil {
			return nil, err
		}
		if i.IntegrationResponses[in.params["status_code"]] == nil {
			return nil, errNoResponseV1
		}
		delete(i.IntegrationResponses, in.params["status_code"])
		return nil, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

// ---- deployments

// maxStages is AWS's limit of stages per REST API.
const maxStages = 10

func createDeploymentV1(c *Controller, in *call) (int, any, *apiError) {
	var req struct {
		StageName        string            `json:"stageName"`
		StageDescription string            `json:"stageDescription"`
		Description      string            `json:"description"`
		Variables        map[string]string `json:"variables"`
		TracingEnabled   bool              `json:"tracingEnabled"`
	}
	if err := decode(in.body, &req); err != nil {
		return 0, nil, err
	}
	out, err := c.updateRest(in, func(rec *restRecord) (any, *apiError) {
		if !slices.ContainsFunc(rec.Resources, func(r *wireResource) bool { return len(r.ResourceMethods) > 0 }) {
			return nil, errNoMethods
		}
		frozen, err := deepCopy(restDeploymentRecord{Resources: rec.Resources, GatewayResponses: rec.GatewayResponses,
			Authorizers: rec.Authorizers, Models: rec.Models, RequestValidators: rec.RequestValidators})
		if err != nil {
			c.log.Error("control plane: creating a deployment", "rest_api_id", rec.API.ID, "error", err)
			return nil, errInternal
		}
		d := &frozen
		d.wireRestDeployment = wireRestDeployment{ID: newID(6, func(id string) bool { return rec.deployment(id) != nil }),
			Description: req.Description, CreatedDate: c.epochNow()}
		rec.Deployments = append(rec.Deployments, d)
		if req.StageName != "" {
			st := rec.stage(req.StageName)
			if st == nil {
				if len(rec.Stages) >= maxStages {
					return nil, &apiError{Status: http.StatusTooManyRequests, Type: "LimitExceededException",
						Message: "Limit exceeded: a REST API has at most 10 stages"}
				}
				st = &wireRestStage{StageName: req.StageName, Description: req.StageDescription, CreatedDate: d.CreatedDate,
					TracingEnabled: req.TracingEnabled}
				rec.Stages = append(rec.Stages, st)
			}
			if err := checkStageName(req.StageName); err != nil {
				return nil, err
			}
			st.DeploymentID, st.LastUpdatedDate = d.ID, d.CreatedDate
			if len(req.Variables) > 0 {
				if st.Variables == nil {
					st.Variables = map[string]string{}
				}
				maps.Copy(st.Variables, req.Variables)
			}
		}
		return d.wireRestDeployment, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, out, nil
}

func getDeploymentsV1(c *Controller, in *call) (int, any, *apiError) {
	rec, err := c.readRest(in)
	if err != nil {
		return 0, nil, err
	}
	items := make([]wireRestDeployment, 0, len(rec.Deployments))
	for _, d := range rec.Deployments {
		items = append(items, d.wireRestDeployment)
	}
	p, err := paginateV1(items, in.query)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, p, nil
}

func getDeploymentV1(c *Controller, in *call) (int, any, *apiError) {
	rec, err := c.readRest(in)
	if err != nil {
		return 0, nil, err
	}
	d := rec.deployment(in.params["deployment_id"])
	if d == nil {
		return 0, nil, errNoDeploymentV1
	}
	return http.StatusOK, d.wireRestDeployment, nil
}

func deleteDeploymentV1(c *Controller, in *call) (int, any, *apiError) {
	_, err := c.updateRest(in, func(rec *restRecord) (any, *apiError) {
		id := in.params["deployment_id"]
		if rec.deployment(id) == nil {
			return nil, errNoDeploymentV1
		}
		if slices.ContainsFunc(rec.Stages, func(st *wireRestStage) bool { return st.DeploymentID == id }) {
			return nil, badRequest("Active stages pointing to this deployment must be moved or deleted")
		}
		rec.Deployments = slices.DeleteFunc(rec.Deployments, func(d *restDeploymentRecord) bool { return d.ID == id })
		return nil, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusAccepted, nil, nil
}

// ---- stages

func checkStageName(name string) *apiError {
	if name == "" || len(name) > 128 || strings.IndexFunc(name, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_')
	}) >= 0 {
		return badRequest("Stage name only allows a-zA-Z0-9_-")
	}
	return nil
}

func createStageV1(c *Controller, in *call) (int, any, *apiError) {
	var req wireRestStage
	if err := decode(in.body, &req); err != nil {
		return 0, nil, err
	}
	if err := checkStageName(req.StageName); err != nil {
		return 0, nil, err
	}
	if req.DeploymentID == "" {
		return 0, nil, badRequest("Invalid deployment identifier specified: deploymentId is required")
	}
	out, err := c.updateRest(in, func(rec *restRecord) (any, *apiError) {
		if rec.stage(req.StageName) != nil {
			return nil, conflict("Stage already exists")
		}
		if rec.deployment(req.DeploymentID) == nil {
			return nil, errNoDeploymentV1
		}
		if len(rec.Stages) >= maxStages {
			return nil, &apiError{Status: http.StatusTooManyRequests, Type: "LimitExceededException",
				Message: "Limit exceeded: a REST API has at most 10 stages"}
		}
		st := req
		st.CreatedDate = c.epochNow()
		st.LastUpdatedDate = st.CreatedDate
		st.CacheClusterStatus = ""
		rec.Stages = append(rec.Stages, &st)
		return &st, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, out, nil
}

func getStagesV1(c *Controller, in *call) (int, any, *apiError) {
	rec, err := c.readRest(in)
	if err != nil {
		return 0, nil, err
	}
	items := rec.Stages
	if id := in.query.Get("deploymentId"); id != "" {
		items = slices.DeleteFunc(slices.Clone(items), func(st *wireRestStage) bool { return st.DeploymentID != id })
	}
	if items == nil {
		items = []*wireRestStage{}
	}
	return http.StatusOK, itemPage[*wireRestStage]{Items: items}, nil
}

func getStageV1(c *Controller, in *call) (int, any, *apiError) {
	rec, err := c.readRest(in)
	if err != nil {
		return 0, nil, err
	}
	st := rec.stage(in.params["stage_name"])
	if st == nil {
		return 0, nil, errNoStageV1
	}
	return http.StatusOK, st, nil
}

func deleteStageV1(c *Controller, in *call) (int, any, *apiError) {
	_, err := c.updateRest(in, func(rec *restRecord) (any, *apiError) {
		name := in.params["stage_name"]
		if rec.stage(name) == nil {
			return nil, errNoStageV1
		}
		rec.Stages = slices.DeleteFunc(rec.Stages, func(st *wireRestStage) bool { return st.StageName == name })
		return nil, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusAccepted, nil, nil
}

// patchOp is one of apigateway's patchOperations.
type patchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value string `json:"value"`
	From  string `json:"from"`
}

// patchOps reads a PATCH body: {"patchOperations":[…]}.
func patchOps(body []byte) ([]patchOp, *apiError) {
	var req struct {
		PatchOperations []patchOp `json:"patchOperations"`
	}
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	for _, op := range req.PatchOperations {
		switch op.Op {
		case "add", "remove", "replace", "move", "copy", "test":
		default:
			return nil, badRequest("Invalid patch operation specified. Must be one of: [add, remove, replace, move, copy, test]")
		}
	}
	return req.PatchOperations, nil
}

// unescapePointer undoes a JSON pointer segment's escapes (~1 is /, ~0 ~).
func unescapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
}

func updateStageV1(c *Controller, in *call) (int, any, *apiError) {
	ops, err := patchOps(in.body)
	if err != nil {
		return 0, nil, err
	}
	out, err := c.updateRest(in, func(rec *restRecord) (any, *apiError) {
		st := rec.stage(in.params["stage_name"])
		if st == nil {
			return nil, errNoStageV1
		}
		for _, op := range ops {
			if err := patchStage(rec, st, op); err != nil {
				return nil, err
			}
		}
		st.LastUpdatedDate = c.epochNow()
		return st, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, out, nil
}

// patchStage applies one patch operation to st: the paths /variables/NAME
// (add, replace, remove), /deploymentId, /description,
// /cacheClusterEnabled and /tracingEnabled (replace), and the method
// settings (see patchMethodSetting).
func patchStage(rec *restRecord, st *wireRestStage, op patchOp) *apiError {
	if name, ok := strings.CutPrefix(op.Path, "/variables/"); ok {
		name = unescapePointer(name)
		switch op.Op {
		case "add", "replace":
			if st.Variables == nil {
				st.Variables = map[string]string{}
			}
			st.Variables[name] = op.Value
		case "remove":
			delete(st.Variables, name)
		default:
			return errUnsupportedPatchPath(op.Op, op.Path)
		}
		return nil
	}
	if parts := strings.Split(strings.TrimPrefix(op.Path, "/"), "/"); len(parts) >= 2 && (parts[0] == "*" || strings.HasPrefix(parts[0], "~1")) {
		return patchMethodSetting(st, op, parts)
	}
	if op.Op != "replace" {
		return errUnsupportedPatchPath(op.Op, op.Path)
	}
	switch op.Path {
	case "/deploymentId":
		if rec.deployment(op.Value) == nil {
			return errNoDeploymentV1
		}
		st.DeploymentID = op.Value
	case "/description":
		st.Description = op.Value
	case "/cacheClusterEnabled", "/tracingEnabled":
		b, err := strconv.ParseBool(op.Value)
		if err != nil {
			return badRequest("Invalid value %q for %s: want true or false", op.Value, op.Path)
		}
		if op.Path == "/tracingEnabled" {
			st.TracingEnabled = b
		} else {
			st.CacheClusterEnabled = b
		}
	default:
		return errUnsupportedPatchPath(op.Op, op.Path)
	}
	return nil
}

// patchMethodSetting applies one patch operation on a stage's method
// settings: /{resourcePath}/{method}/{group}/{setting} (replace; the
// resource path with "/" written "~1", or "*"), or /{resourcePath}/{method}
// (remove). The settings' key is {resourcePath}/{method} as written
// ("*/*", "~1pets/GET"); a new key starts with AWS's defaults.
func patchMethodSetting(st *wireRestStage, op patchOp, parts []string) *apiError {
	key := parts[0] + "/" + parts[1]
	if len(parts) == 2 {
		if op.Op != "remove" {
			return errUnsupportedPatchPath(op.Op, op.Path)
		}
		delete(st.MethodSettings, key)
		return nil
	}
	if len(parts) != 4 || op.Op != "replace" {
		return errUnsupportedPatchPath(op.Op, op.Path)
	}
	ms := st.MethodSettings[key]
	if ms == nil {
		ms = &wireMethodSetting{LoggingLevel: "OFF", ThrottlingBurstLimit: 5000, ThrottlingRateLimit: 10000, CacheTTLInSeconds: 300,
			RequireAuthorizationForCacheControl: true, UnauthorizedCacheControlHeaderStrategy: "SUCCEED_WITH_RESPONSE_HEADER"}
	}
	boolValue := func(dst *bool) *apiError {
		b, err := strconv.ParseBool(op.Value)
		if err != nil {
			return badRequest("Invalid value %q for %s: want true or false", op.Value, op.Path)
		}
		*dst = b
		return nil
	}
	var err *apiError
	switch parts[2] + "/" + parts[3] {
	case "throttling/rateLimit":
		f, perr := strconv.ParseFloat(op.Value, 64)
		if perr != nil || f < 0 {
			return badRequest("Invalid value %q for %s: want a non-negative number", op.Value, op.Path)
		}
		ms.ThrottlingRateLimit = f
	case "throttling/burstLimit":
		n, perr := strconv.Atoi(op.Value)
		if perr != nil || n < 0 {
			return badRequest("Invalid value %q for %s: want a non-negative integer", op.Value, op.Path)
		}
		ms.ThrottlingBurstLimit = n
	case "metrics/enabled":
		err = boolValue(&ms.MetricsEnabled)
	case "logging/dataTrace":
		err = boolValue(&ms.DataTraceEnabled)
	case "logging/loglevel":
		if !slices.Contains([]string{"OFF", "ERROR", "INFO"}, op.Value) {
			return badRequest("Invalid value %q for %s: want OFF, ERROR or INFO", op.Value, op.Path)
		}
		ms.LoggingLevel = op.Value
	case "caching/enabled":
		err = boolValue(&ms.CachingEnabled)
	case "caching/dataEncrypted":
		err = boolValue(&ms.CacheDataEncrypted)
	case "caching/requireAuthorizationForCacheControl":
		err = boolValue(&ms.RequireAuthorizationForCacheControl)
	case "caching/ttlInSeconds":
		n, perr := strconv.Atoi(op.Value)
		if perr != nil || n < 0 || n > 3600 {
			return badRequest("Invalid value %q for %s: want 0 to 3600", op.Value, op.Path)
		}
		ms.CacheTTLInSeconds = n
	case "caching/unauthorizedCacheControlHeaderStrategy":
		ms.UnauthorizedCacheControlHeaderStrategy = op.Value
	default:
		return errUnsupportedPatchPath(op.Op, op.Path)
	}
	if err != nil {
		return err
	}
	if st.MethodSettings == nil {
		st.MethodSettings = map[string]*wireMethodSetting{}
	}
	st.MethodSettings[key] = ms
	return nil
}
