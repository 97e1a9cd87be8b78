package control

import (
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/portico-gw/portico/config"
	"github.com/portico-gw/portico/openapi"
)

// Exports: apigateway GetExport (GET /restapis/{id}/stages/{stage}/
// exports/{oas30|swagger}) writes what a REST API's stage serves, its
// deployment's resources, as an OpenAPI document (package openapi);
// apigatewayv2 ExportApi (GET /v2/apis/{apiId}/exports/OAS30) writes an
// HTTP API, as a stage's deployment froze it or as it is now. Both answer
// the document itself, not JSON about it (rawAnswer).

// rawAnswer is an answer written as it is: a document, not JSON.
type rawAnswer struct {
	contentType string
	disposition string // Content-Disposition; empty: none
	body        []byte
}

// write writes the answer with status.
func (a rawAnswer) write(w http.ResponseWriter, status int) {
	w.Header().Set("Content-Type", a.contentType)
	if a.disposition != "" {
		w.Header().Set("Content-Disposition", a.disposition)
	}
	w.WriteHeader(status)
	_, _ = w.Write(a.body)
}

// exportVersionLayout is how AWS writes a REST API export's info.version:
// the deployment's creation date.
const exportVersionLayout = "2006-01-02T15:04:05Z"

// exportAccept reads GetExport's Accept header: application/json (also
// when absent or */*) or application/yaml. It reports false for others.
func exportAccept(accept string) (yaml, ok bool) {
	if strings.TrimSpace(accept) == "" {
		return false, true
	}
	for part := range strings.SplitSeq(accept, ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mt {
		case "application/json", "*/*", "application/*":
			return false, true
		case "application/yaml", "application/x-yaml", "text/yaml":
			return true, true
		}
	}
	return false, false
}

// exportExtensions splits ?extensions=integrations,authorizers.
func exportExtensions(v string) []string {
	var out []string
	for e := range strings.SplitSeq(v, ",") {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}

func getExport(c *Controller, in *call) (int, any, *apiError) {
	typ := in.params["export_type"]
	if typ != "oas30" && typ != "swagger" {
		return 0, nil, badRequest("Invalid export type specified: %s. Valid options are oas30, swagger", typ)
	}
	asYAML, ok := exportAccept(in.header.Get("Accept"))
	if !ok {
		return 0, nil, badRequest("Unsupported content type specified: %s. Valid options are application/json, application/yaml", in.header.Get("Accept"))
	}
	api, rec, stage, err := c.exportedRest(in)
	if err != nil {
		return 0, nil, err
	}
	opt := openapi.ExportOptions{Spec: typ, YAML: asYAML, Extensions: exportExtensions(in.query.Get("extensions")),
		Stage: stage, ServerURL: c.apiBase(api.RestAPIID), Version: c.now().UTC().Format(exportVersionLayout)}
	if rec != nil {
		a := rec.API
		opt.Policy, opt.MinimumCompressionSize = a.Policy, a.MinimumCompressionSize
		opt.DisableExecuteAPIEndpoint = a.DisableExecuteAPIEndpoint
		if e := a.EndpointConfiguration; e != nil {
			opt.VPCEndpointIDs = e.VpcEndpointIDs
		}
		if st := rec.stage(stage); st != nil {
			if d := rec.deployment(st.DeploymentID); d != nil && d.CreatedDate != nil {
				opt.Version = time.Time(*d.CreatedDate).UTC().Format(exportVersionLayout)
			}
		}
	}
	doc, expErr := openapi.ExportREST(api, opt)
	if expErr != nil {
		c.log.Error("control plane: export", "api_id", api.RestAPIID, "stage", stage, "error", expErr)
		return 0, nil, badRequest("%s", strings.TrimPrefix(expErr.Error(), "openapi: "))
	}
	ext := ".json"
	ct := "application/json"
	if asYAML {
		ext, ct = ".yaml", "application/yaml"
	}
	return http.StatusOK, rawAnswer{contentType: ct, body: doc,
		disposition: `attachment; filename="` + typ + "_" + opt.Version + ext + `"`}, nil
}

// exportedRest returns the REST API of the call as its stage serves it:
// the stage's deployment for a control-plane API (and its record), the
// API as the file writes it for a file-managed one.
func (c *Controller) exportedRest(in *call) (config.RestAPI, *restRecord, string, *apiError) {
	id, stage := in.params["restapi_id"], in.params["stage_name"]
	for _, a := range c.fileRestAPIs() {
		if a.RestAPIID != id {
			continue
		}
		for _, st := range a.Stages {
			if st.StageName == stage {
				a.Stages = []config.RestStage{st}
				return a, nil, stage, nil
			}
		}
		return config.RestAPI{}, nil, "", errNoStageV1
	}
	rec, err := c.readRest(in)
	if err != nil {
		return config.RestAPI{}, nil, "", err
	}
	st := rec.stage(stage)
	if st == nil {
		return config.RestAPI{}, nil, "", errNoStageV1
	}
	a := rec.API
	out := config.RestAPI{RestAPIID: a.ID, Name: a.Name, Description: a.Description,
		BinaryMediaTypes: slices.Clone(a.BinaryMediaTypes), APIKeySource: a.APIKeySource,
		Stages: []config.RestStage{{StageName: st.StageName, DeploymentID: st.DeploymentID}}}
	if d := rec.deployment(st.DeploymentID); d != nil {
		cd := deploymentToConfig(d)
		out.Resources, out.Authorizers, out.Models = cd.Resources, cd.Authorizers, cd.Models
		out.RequestValidators, out.GatewayResponses = cd.RequestValidators, cd.GatewayResponses
	}
	return out, rec, stage, nil
}

// apiBase is an API's base URL, without the stage, as apiEndpoint shows
// it: the data plane's /_aws/execute-api/{id}, or AWS's form.
func (c *Controller) apiBase(id string) string {
	return c.view(&apiRecord{API: wireAPI{APIID: id, ProtocolType: "HTTP"}}).APIEndpoint
}

func exportAPI(c *Controller, in *call) (int, any, *apiError) {
	if spec := in.params["specification"]; spec != "OAS30" {
		return 0, nil, badRequest("Invalid specification: %s. Valid options are OAS30", spec)
	}
	var asYAML bool
	switch out := in.query.Get("outputType"); out {
	case "JSON":
	case "YAML":
		asYAML = true
	case "":
		return 0, nil, badRequest("outputType is required. Valid options are JSON, YAML")
	default:
		return 0, nil, badRequest("Invalid outputType: %s. Valid options are JSON, YAML", out)
	}
	if v := in.query.Get("exportVersion"); v != "" && v != "1.0" {
		return 0, nil, badRequest("Invalid exportVersion: %s. The only supported version is 1.0", v)
	}
	ext := []string{"apigateway"}
	switch in.query.Get("includeExtensions") {
	case "", "true":
	case "false":
		ext = nil
	default:
		return 0, nil, badRequest("Invalid includeExtensions: %s. Valid options are true, false", in.query.Get("includeExtensions"))
	}
	rec, err := c.read(in.ctx, in.params["apiId"])
	if err != nil {
		return 0, nil, err
	}
	if rec.API.ProtocolType != "HTTP" {
		return 0, nil, badRequest("Export is only supported for HTTP APIs; %s is a %s API", rec.API.APIID, rec.API.ProtocolType)
	}
	snap := &snapshot{Routes: rec.Routes, Integrations: rec.Integrations, Authorizers: rec.Authorizers}
	stage := in.query.Get("stageName")
	if stage != "" {
		st, err := rec.stage(stage)
		if err != nil {
			return 0, nil, err
		}
		if d := rec.deployment(st.DeploymentID); d != nil {
			snap = &d.Snapshot
		}
	}
	api, _ := served(rec)
	d := snapshotToConfig("", snap)
	api.Routes, api.Integrations, api.Authorizers, api.Stages = d.Routes, d.Integrations, d.Authorizers, nil
	version := rec.API.Version
	if version == "" && rec.API.CreatedDate != nil {
		version = time.Time(*rec.API.CreatedDate).UTC().Format("2006-01-02 15:04:05UTC")
	}
	doc, expErr := openapi.ExportHTTP(api, openapi.ExportOptions{Spec: "oas30", YAML: asYAML, Extensions: ext, Stage: stage,
		ServerURL: c.apiBase(rec.API.APIID), Version: version})
	if expErr != nil {
		c.log.Error("control plane: export", "api_id", rec.API.APIID, "stage", stage, "error", expErr)
		return 0, nil, badRequest("The API cannot be exported: %s", strings.TrimPrefix(expErr.Error(), "openapi: "))
	}
	ct := "application/json"
	if asYAML {
		ct = "application/yaml"
	}
	return http.StatusOK, rawAnswer{contentType: ct, body: doc}, nil
}
