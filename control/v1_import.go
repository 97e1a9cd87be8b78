package control

import (
	"cmp"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/portico-gw/portico/config"
	"github.com/portico-gw/portico/openapi"
	"gopkg.in/yaml.v3"
)

// OpenAPI import for REST APIs: ImportRestApi (POST /restapis?mode=import)
// and PutRestApi (PUT /restapis/{restapi_id}?mode=overwrite|merge), the
// raw document as the body. Package openapi reads the document into a
// config.RestAPI; the record is made from it by the converter that shows
// file-managed APIs (fileRestRecord), with IDs assigned as the create
// operations assign them. Nothing is served before CreateDeployment.

// importBodyName names the document in import errors ("body:12:5: ...").
const importBodyName = "body"

// errNoTitle refuses a document without info.title: it names the API.
var errNoTitle = badRequest("Errors found during import:\n\t%s: info.title: the API's name is required", importBodyName)

// restImportResult is ImportRestApi's and PutRestApi's answer: the
// RestApi with the import's warnings.
type restImportResult struct {
	wireRestAPI
	Warnings []string `json:"warnings,omitempty"`
}

// importOptions reads ?basepath= and the fail-on-warnings flag (v1
// spells it failonwarnings, v2 failOnWarnings).
func importOptions(q url.Values, failKey string) (openapi.ImportOptions, *apiError) {
	opt := openapi.ImportOptions{BasePath: q.Get("basepath")}
	switch opt.BasePath {
	case "", "ignore", "prepend", "split":
	default:
		return opt, badRequest("Invalid basepath %q: valid values are ignore, prepend and split", opt.BasePath)
	}
	switch v := q.Get(failKey); v {
	case "", "false":
	case "true":
		opt.FailOnWarnings = true
	default:
		return opt, badRequest("Invalid %s %q: want true or false", failKey, v)
	}
	return opt, nil
}

// importError answers a document the import refused: 400
// BadRequestException, as AWS words it ("Errors found during import:" or
// "Warnings found during import:", then one problem per line, each with
// the document's line and column).
func importError(err error) *apiError {
	if we, ok := errors.AsType[*openapi.WarningsError](err); ok {
		return badRequest("%s", we.Error())
	}
	var lines []string
	if l, ok := errors.AsType[config.ErrorList](err); ok {
		for _, e := range l {
			lines = append(lines, e.Error())
		}
	} else {
		lines = append(lines, err.Error())
	}
	return badRequest("Errors found during import:\n\t%s", strings.Join(lines, "\n\t"))
}

// restDocExtras are the parts of a REST API's document that the config
// model does not hold and the RestApi does.
type restDocExtras struct {
	Info struct {
		Version string `yaml:"version"`
	} `yaml:"info"`
	MinimumCompressionSize *int `yaml:"x-amazon-apigateway-minimum-compression-size"`
	EndpointConfiguration  *struct {
		Types                     []string `yaml:"types"`
		VpcEndpointIDs            []string `yaml:"vpcEndpointIds"`
		IPAddressType             string   `yaml:"ipAddressType"`
		DisableExecuteAPIEndpoint bool     `yaml:"disableExecuteApiEndpoint"`
	} `yaml:"x-amazon-apigateway-endpoint-configuration"`
	Policy any `yaml:"x-amazon-apigateway-policy"`
}

// applyExtras sets a's version, minimum compression size, endpoint
// configuration and policy from the document (already read by the
// importer, so a decoding problem here only leaves a field unset).
func applyExtras(a *wireRestAPI, doc []byte, q url.Values) {
	var x restDocExtras
	_ = yaml.Unmarshal(doc, &x)
	a.Version = x.Info.Version
	if x.MinimumCompressionSize != nil {
		a.MinimumCompressionSize = x.MinimumCompressionSize
	}
	if e := x.EndpointConfiguration; e != nil {
		a.EndpointConfiguration = &wireEndpointConfiguration{Types: upperAll(e.Types), VpcEndpointIDs: e.VpcEndpointIDs, IPAddressType: e.IPAddressType}
		a.DisableExecuteAPIEndpoint = e.DisableExecuteAPIEndpoint
	}
	if t := q.Get("endpointConfigurationTypes"); t != "" {
		a.EndpointConfiguration = &wireEndpointConfiguration{Types: upperAll(strings.Split(t, ","))}
	}
	if a.EndpointConfiguration == nil || len(a.EndpointConfiguration.Types) == 0 {
		a.EndpointConfiguration = &wireEndpointConfiguration{Types: []string{"EDGE"}}
	}
	if a.EndpointConfiguration.IPAddressType == "" {
		a.EndpointConfiguration.IPAddressType = "ipv4"
	}
	switch p := x.Policy.(type) {
	case nil:
	case string:
		a.Policy = p
	default:
		if b, err := json.Marshal(jsonable(p)); err == nil {
			a.Policy = string(b)
		}
	}
}

// jsonable turns yaml.v3's map[string]any / map[any]any trees into ones
// encoding/json writes.
func jsonable(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			v[k] = jsonable(e)
		}
	case []any:
		for i, e := range v {
			v[i] = jsonable(e)
		}
	}
	return v
}

func upperAll(s []string) []string {
	out := make([]string, 0, len(s))
	for _, t := range s {
		out = append(out, strings.ToUpper(strings.TrimSpace(t)))
	}
	return out
}

// importedRest gives an imported API's parts their IDs: a resource keeps
// the ID of cur's resource at the same path, an authorizer, model or
// request validator the ID of cur's one of the same name; the others get
// new IDs, and methods name the new authorizer and validator IDs.
func importedRest(api *config.RestAPI, cur *restRecord) {
	ids := map[string]string{}
	if cur != nil {
		for _, r := range cur.Resources {
			ids["r"+r.Path] = r.ID
		}
		for _, a := range cur.Authorizers {
			ids["a"+a.Name] = a.ID
		}
		for _, m := range cur.Models {
			ids["m"+m.Name] = m.ID
		}
		for _, v := range cur.RequestValidators {
			ids["v"+v.Name] = v.ID
		}
	}
	id := func(key string, n int) string {
		if v, ok := ids[key]; ok {
			return v
		}
		ids[key] = newID(n, nil)
		return ids[key]
	}
	authIDs, validatorIDs := map[string]string{}, map[string]string{}
	for i := range api.Authorizers {
		a := &api.Authorizers[i]
		authIDs[a.ID] = id("a"+a.Name, 6)
		a.ID = authIDs[a.ID]
	}
	for i := range api.RequestValidators {
		v := &api.RequestValidators[i]
		validatorIDs[v.ID] = id("v"+v.Name, 6)
		v.ID = validatorIDs[v.ID]
	}
	for i := range api.Models {
		api.Models[i].ID = id("m"+api.Models[i].Name, 6)
	}
	byPath := map[string]string{}
	for i := range api.Resources {
		r := &api.Resources[i]
		r.ID = id("r"+r.Path, 10)
		byPath[r.Path] = r.ID
		for name, m := range r.ResourceMethods {
			if m.AuthorizerID != "" {
				m.AuthorizerID = authIDs[m.AuthorizerID]
			}
			if m.RequestValidatorID != "" {
				m.RequestValidatorID = validatorIDs[m.RequestValidatorID]
			}
			r.ResourceMethods[name] = m
		}
	}
	for i := range api.Resources {
		r := &api.Resources[i]
		if r.Path != "/" {
			parent := r.Path[:strings.LastIndexByte(r.Path, '/')]
			r.ParentID = byPath[cmp.Or(parent, "/")]
		}
	}
}

// readRestImport imports the call's document (the raw body).
func readRestImport(in *call) (config.RestAPI, []string, *apiError) {
	opt, aerr := importOptions(in.query, "failonwarnings")
	if aerr != nil {
		return config.RestAPI{}, nil, aerr
	}
	api, warnings, err := openapi.ImportREST(importBodyName, in.body, opt)
	if err != nil {
		return config.RestAPI{}, nil, importError(err)
	}
	if api.Name == "" {
		return config.RestAPI{}, nil, errNoTitle
	}
	return api, warnings, nil
}

func importRestAPI(c *Controller, in *call) (int, any, *apiError) {
	api, warnings, aerr := readRestImport(in)
	if aerr != nil {
		return 0, nil, aerr
	}
	importedRest(&api, nil)
	rec := fileRestRecord(&api)
	rec.Stages = nil
	a := &rec.API
	a.ID = c.newAPIID(in.ctx)
	a.CreatedDate = c.epochNow()
	a.EndpointConfiguration = nil
	applyExtras(a, in.body, in.query)
	_, aerr = c.changeRest(in.ctx, a.ID, func(cur *restRecord) (*restRecord, any, *apiError) {
		if cur != nil {
			return nil, nil, conflict("REST API %s already exists", a.ID)
		}
		return rec, nil, nil
	})
	if aerr != nil {
		return 0, nil, aerr
	}
	return http.StatusCreated, restImportResult{wireRestAPI: rec.API, Warnings: warnings}, nil
}

func putRestAPI(c *Controller, in *call) (int, any, *apiError) {
	mode := in.query.Get("mode")
	switch mode {
	case "":
		mode = "merge" // the model's default
	case "merge", "overwrite":
	default:
		return 0, nil, badRequest("Invalid mode %q: valid values are merge and overwrite", mode)
	}
	api, warnings, aerr := readRestImport(in)
	if aerr != nil {
		return 0, nil, aerr
	}
	out, aerr := c.updateRest(in, func(rec *restRecord) (any, *apiError) {
		api := api
		cp, err := deepCopy(api) // each attempt starts from the document
		if err != nil {
			return nil, errInternal
		}
		api = cp
		importedRest(&api, rec)
		doc := fileRestRecord(&api)
		prev := rec.API
		if mode == "overwrite" {
			rec.Resources, rec.Authorizers, rec.Models = doc.Resources, doc.Authorizers, doc.Models
			rec.RequestValidators, rec.GatewayResponses = doc.RequestValidators, doc.GatewayResponses
			rec.API.Name, rec.API.Description = doc.API.Name, doc.API.Description
			rec.API.BinaryMediaTypes, rec.API.APIKeySource = doc.API.BinaryMediaTypes, doc.API.APIKeySource
			rec.API.MinimumCompressionSize, rec.API.Policy = nil, ""
		} else {
			mergeRest(rec, doc)
		}
		rec.API.RootResourceID = rec.resourceAt("/").ID
		applyExtras(&rec.API, in.body, in.query)
		if !strings.Contains(string(in.body), "x-amazon-apigateway-endpoint-configuration") && in.query.Get("endpointConfigurationTypes") == "" {
			rec.API.EndpointConfiguration = prev.EndpointConfiguration
		}
		return restImportResult{wireRestAPI: rec.API, Warnings: warnings}, nil
	})
	if aerr != nil {
		return 0, nil, aerr
	}
	return http.StatusOK, out, nil
}

// mergeRest adds doc's resources, methods, authorizers, models, request
// validators and gateway responses to rec: what doc defines replaces what
// rec has under the same path and method, name or type; the rest of rec
// stays.
func mergeRest(rec, doc *restRecord) {
	for _, r := range doc.Resources {
		cur := rec.resourceAt(r.Path)
		if cur == nil {
			rec.Resources = append(rec.Resources, r)
			continue
		}
		for m, wm := range r.ResourceMethods {
			if cur.ResourceMethods == nil {
				cur.ResourceMethods = map[string]*wireMethod{}
			}
			cur.ResourceMethods[m] = wm
		}
	}
	slices.SortFunc(rec.Resources, func(a, b *wireResource) int { return strings.Compare(a.Path, b.Path) })
	rec.Authorizers = mergeBy(rec.Authorizers, doc.Authorizers, func(a *wireRestAuthorizer) string { return a.Name })
	rec.Models = mergeBy(rec.Models, doc.Models, func(m *wireRestModel) string { return m.Name })
	rec.RequestValidators = mergeBy(rec.RequestValidators, doc.RequestValidators, func(v *wireRequestValidator) string { return v.Name })
	rec.GatewayResponses = mergeBy(rec.GatewayResponses, doc.GatewayResponses, func(g *wireGatewayResponse) string { return g.ResponseType })
	if len(doc.API.BinaryMediaTypes) > 0 {
		for _, t := range doc.API.BinaryMediaTypes {
			if !slices.Contains(rec.API.BinaryMediaTypes, t) {
				rec.API.BinaryMediaTypes = append(rec.API.BinaryMediaTypes, t)
			}
		}
	}
	rec.API.Name = cmp.Or(doc.API.Name, rec.API.Name)
	rec.API.Description = cmp.Or(doc.API.Description, rec.API.Description)
}

// mergeBy returns cur with each of add replacing the element of the same
// key, or appended.
func mergeBy[T any](cur, add []T, key func(T) string) []T {
	for _, a := range add {
		cur = slices.DeleteFunc(cur, func(x T) bool { return key(x) == key(a) })
		cur = append(cur, a)
	}
	return cur
}

// resourceAt returns rec's resource of path, or nil.
func (rec *restRecord) resourceAt(path string) *wireResource {
	for _, r := range rec.Resources {
		if r.Path == path {
			return r
		}
	}
	return nil
}
