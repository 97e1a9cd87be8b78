package control

import (
	"net/http"

	"github.com/portico-gw/portico/config"
	"github.com/portico-gw/portico/openapi"
)

// OpenAPI import for HTTP APIs: ImportApi (PUT /v2/apis) and ReimportApi
// (PUT /v2/apis/{apiId}), the document in the JSON body's "body". The
// record is made by the converter that shows file-managed APIs
// (fileRecord), with new IDs as the create operations assign them; no
// stage is made, so nothing is served until CreateStage.

// importAPIInput is ImportApiRequest's and ReimportApiRequest's body.
type importAPIInput struct {
	Body *string `json:"body"`
}

// importAPIResult is ImportApiResponse: the Api with what the import
// ignored (importInfo and warnings list the same messages).
type importAPIResult struct {
	wireAPI
	ImportInfo []string `json:"importInfo,omitempty"`
	Warnings   []string `json:"warnings,omitempty"`
}

// readImport decodes the body and imports its document.
func readImport(in *call) (config.API, []string, *apiError) {
	var req importAPIInput
	if err := decode(in.body, &req); err != nil {
		return config.API{}, nil, err
	}
	if req.Body == nil {
		return config.API{}, nil, badRequest("Body is required")
	}
	opt, aerr := importOptions(in.query, "failOnWarnings")
	if aerr != nil {
		return config.API{}, nil, aerr
	}
	api, warnings, err := openapi.ImportHTTP(importBodyName, []byte(*req.Body), opt)
	if err != nil {
		return config.API{}, nil, importError(err)
	}
	if api.Name == "" {
		return config.API{}, nil, errNoTitle
	}
	return api, warnings, nil
}

// importedRecord makes the record of an imported API, with new IDs for
// its routes, integrations and authorizers.
func importedRecord(api config.API) *apiRecord {
	authIDs, integrationIDs := map[string]string{}, map[string]string{}
	for i := range api.Authorizers {
		id := newID(6, nil)
		authIDs[api.Authorizers[i].AuthorizerID] = id
		api.Authorizers[i].AuthorizerID = id
	}
	for i := range api.Integrations {
		id := newID(7, nil)
		integrationIDs[api.Integrations[i].IntegrationID] = id
		api.Integrations[i].IntegrationID = id
	}
	for i := range api.Routes {
		r := &api.Routes[i]
		if r.AuthorizerID != "" {
			r.AuthorizerID = authIDs[r.AuthorizerID]
		}
		if id, ok := integrationIDs[r.Target[min(len(r.Target), len("integrations/")):]]; ok {
			r.Target = "integrations/" + id
		}
	}
	rec := fileRecord(&api)
	for _, r := range rec.Routes {
		r.RouteID = newID(7, nil)
		if r.AuthorizationType == "" {
			r.AuthorizationType = "NONE"
		}
	}
	for _, in := range rec.Integrations {
		in.ConnectionType = "INTERNET"
	}
	return rec
}

func importAPI(c *Controller, in *call) (int, any, *apiError) {
	api, warnings, aerr := readImport(in)
	if aerr != nil {
		return 0, nil, aerr
	}
	rec := importedRecord(api)
	rec.Stages = nil
	a := &rec.API
	a.APIID = c.newAPIID(in.ctx)
	a.CreatedDate = c.timestamp()
	a.APIKeySelectionExpression = "$request.header.x-api-key"
	_, aerr = c.change(in.ctx, a.APIID, func(cur *apiRecord) (*apiRecord, any, *apiError) {
		if cur != nil {
			return nil, nil, conflict("API %s already exists", a.APIID)
		}
		return rec, nil, nil
	})
	if aerr != nil {
		return 0, nil, aerr
	}
	return http.StatusCreated, importAPIResult{wireAPI: c.view(rec), ImportInfo: warnings, Warnings: warnings}, nil
}

// reimportAPI replaces an HTTP API's routes, integrations, authorizers,
// CORS configuration, name and description with the document's; its
// stages and deployments stay (a stage with autoDeploy deploys the
// change).
func reimportAPI(c *Controller, in *call) (int, any, *apiError) {
	api, warnings, aerr := readImport(in)
	if aerr != nil {
		return 0, nil, aerr
	}
	id := in.params["apiId"]
	out, aerr := c.change(in.ctx, id, func(rec *apiRecord) (*apiRecord, any, *apiError) {
		if rec == nil {
			return nil, nil, errNoAPI(id)
		}
		if rec.API.ProtocolType != "HTTP" {
			return nil, nil, badRequest("ReimportApi is supported only for HTTP APIs")
		}
		next := importedRecord(api)
		rec.Routes, rec.Integrations, rec.Authorizers = next.Routes, next.Integrations, next.Authorizers
		rec.API.Name, rec.API.Description, rec.API.CorsConfiguration = next.API.Name, next.API.Description, next.API.CorsConfiguration
		return rec, importAPIResult{wireAPI: c.view(rec), ImportInfo: warnings, Warnings: warnings}, nil
	})
	if aerr != nil {
		return 0, nil, aerr
	}
	return http.StatusCreated, out, nil
}
