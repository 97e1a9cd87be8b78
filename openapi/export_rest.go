package openapi

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/portico-gw/portico/config"
)

// ExportREST writes api (its resources as the exported stage's deployment
// froze them) as an OpenAPI document: OpenAPI 3.0.1 or Swagger 2.0, JSON
// or YAML, with the x-amazon-apigateway-* extensions opt asks for, as
// apigateway GetExport does. Keys and paths are sorted.
func ExportREST(api config.RestAPI, opt ExportOptions) ([]byte, error) {
	s, err := expCheck(opt)
	if err != nil {
		return nil, err
	}
	x := &restExporter{exportSpec: s, api: &api, models: map[string]bool{}}
	for _, m := range api.Models {
		x.models[m.Name] = true
	}
	doc, err := x.document()
	if err != nil {
		return nil, err
	}
	return expEncode(doc, s.YAML)
}

// restExporter writes one REST API.
type restExporter struct {
	exportSpec
	api    *config.RestAPI
	models map[string]bool // the API's model names
	// schemes are the security schemes, by name: the authorizers and
	// those the methods name (sigv4, api_key).
	schemes obj
}

// expModelRefPrefix is how a model's schema names another model
// (apigateway's model URL form).
const expModelRefPrefix = "https://apigateway.amazonaws.com/restapis/"

func (x *restExporter) ref(model string) obj {
	if x.swagger {
		return obj{"$ref": "#/definitions/" + model}
	}
	return obj{"$ref": "#/components/schemas/" + model}
}

func (x *restExporter) document() (obj, error) {
	a := x.api
	base := cmp.Or(x.ServerURL, "https://"+a.RestAPIID+".execute-api.us-east-1.amazonaws.com")
	info := obj{"title": a.Name, "version": cmp.Or(x.Version, "1.0")}
	expSet(info, "description", a.Description)
	doc := obj{"info": info}
	x.schemes = obj{}

	paths := obj{}
	for _, r := range a.Resources {
		item := obj{}
		for _, name := range expSortedKeys(r.ResourceMethods) {
			m := r.ResourceMethods[name]
			m.HTTPMethod = name
			op, err := x.operation(&r, m)
			if err != nil {
				return nil, err
			}
			key := strings.ToLower(name)
			if name == "ANY" {
				key = "x-amazon-apigateway-any-method"
			}
			item[key] = op
		}
		if len(item) > 0 { // a resource without methods is left out, as AWS does
			paths[r.Path] = item
		}
	}
	doc["paths"] = paths

	schemas := obj{}
	for _, m := range a.Models {
		sc, err := x.schema(m)
		if err != nil {
			return nil, err
		}
		schemas[m.Name] = sc
	}
	for _, au := range a.Authorizers {
		x.authorizerScheme(&au)
	}
	if x.swagger {
		doc["swagger"] = "2.0"
		host, prefix, scheme := expSwaggerHost(base)
		doc["host"] = host
		doc["basePath"] = prefix + "/" + x.Stage
		doc["schemes"] = []any{scheme}
		expSet(doc, "definitions", schemas)
		expSet(doc, "securityDefinitions", x.schemes)
	} else {
		doc["openapi"] = "3.0.1"
		doc["servers"] = expServers(base, x.Stage)
		comp := obj{}
		expSet(comp, "schemas", schemas)
		expSet(comp, "securitySchemes", x.schemes)
		expSet(doc, "components", comp)
	}
	x.apiExtensions(doc)
	return doc, nil
}

// apiExtensions adds the API-wide extensions.
func (x *restExporter) apiExtensions(doc obj) {
	a := x.api
	if x.validators && len(a.RequestValidators) > 0 {
		vs := obj{}
		for _, v := range a.RequestValidators {
			vs[cmp.Or(v.Name, v.ID)] = obj{"validateRequestBody": v.ValidateRequestBody, "validateRequestParameters": v.ValidateRequestParameters}
		}
		doc["x-amazon-apigateway-request-validators"] = vs
	}
	if !x.all {
		return
	}
	if len(a.GatewayResponses) > 0 {
		gs := obj{}
		for _, g := range a.GatewayResponses {
			o := obj{}
			expSet(o, "statusCode", g.StatusCode)
			expSet(o, "responseParameters", expStrings(g.ResponseParameters))
			expSet(o, "responseTemplates", expStrings(g.ResponseTemplates))
			gs[g.ResponseType] = o
		}
		doc["x-amazon-apigateway-gateway-responses"] = gs
	}
	if len(a.BinaryMediaTypes) > 0 {
		doc["x-amazon-apigateway-binary-media-types"] = slices.Clone(a.BinaryMediaTypes)
	}
	if a.APIKeySource == "AUTHORIZER" { // HEADER, the default, is left out as AWS does
		doc["x-amazon-apigateway-api-key-source"] = a.APIKeySource
	}
	if x.MinimumCompressionSize != nil {
		doc["x-amazon-apigateway-minimum-compression-size"] = *x.MinimumCompressionSize
	}
	if len(x.VPCEndpointIDs) > 0 || x.DisableExecuteAPIEndpoint {
		ec := obj{}
		if len(x.VPCEndpointIDs) > 0 {
			ec["vpcEndpointIds"] = slices.Clone(x.VPCEndpointIDs)
		}
		if x.DisableExecuteAPIEndpoint {
			ec["disableExecuteApiEndpoint"] = true
		}
		doc["x-amazon-apigateway-endpoint-configuration"] = ec
	}
	if x.Policy != "" {
		var p any
		if err := json.Unmarshal([]byte(x.Policy), &p); err != nil {
			p = x.Policy // AWS keeps a policy as a string; one that is not JSON stays one
		}
		doc["x-amazon-apigateway-policy"] = p
	}
}

// schema is a model's JSON schema as a definition: its "$schema" left
// out and its references to the API's models made local.
func (x *restExporter) schema(m config.RestModel) (any, error) {
	if strings.TrimSpace(m.Schema) == "" {
		return obj{}, nil
	}
	var v any
	if err := json.Unmarshal([]byte(m.Schema), &v); err != nil {
		return nil, fmt.Errorf("openapi: model %s: the schema is not JSON: %w", m.Name, err)
	}
	if o, ok := v.(obj); ok {
		delete(o, "$schema")
	}
	return x.localRefs(v), nil
}

// localRefs rewrites, in a schema, each $ref to one of the API's models
// into a reference to its definition: apigateway's model URL
// (https://apigateway.amazonaws.com/restapis/{id}/models/{name}), the
// bare model name (as imports keep it), or the other spec's local form
// (#/definitions/{name}, #/components/schemas/{name}).
func (x *restExporter) localRefs(v any) any {
	switch t := v.(type) {
	case obj:
		for k, e := range t {
			if ref, ok := e.(string); ok && k == "$ref" {
				if name := x.refModel(ref); name != "" {
					t[k] = x.ref(name)["$ref"]
				}
				continue
			}
			t[k] = x.localRefs(e)
		}
	case []any:
		for i, e := range t {
			t[i] = x.localRefs(e)
		}
	}
	return v
}

// refModel returns the API's model a schema's $ref names, or "".
func (x *restExporter) refModel(ref string) string {
	name := ref
	switch {
	case strings.HasPrefix(ref, expModelRefPrefix):
		i := strings.LastIndex(ref, "/models/")
		if i < 0 {
			return ""
		}
		name = ref[i+len("/models/"):]
	case strings.HasPrefix(ref, "#/definitions/"):
		name = strings.TrimPrefix(ref, "#/definitions/")
	case strings.HasPrefix(ref, "#/components/schemas/"):
		name = strings.TrimPrefix(ref, "#/components/schemas/")
	}
	if x.models[name] {
		return name
	}
	return ""
}

// expIsJSON reports whether a content type is JSON (application/json,
// application/x-amz-json-1.1, application/problem+json).
func expIsJSON(contentType string) bool {
	mt, _, _ := strings.Cut(strings.ToLower(contentType), ";")
	mt = strings.TrimSpace(mt)
	return mt == "application/json" || strings.HasPrefix(mt, "application/") && (strings.HasSuffix(mt, "+json") || strings.Contains(mt, "-json"))
}

// expAddKeys adds m's keys to list, keeping it sorted and without
// duplicates.
func expAddKeys[V any](list []string, m map[string]V) []string {
	for k := range m {
		if !slices.Contains(list, k) {
			list = append(list, k)
		}
	}
	slices.Sort(list)
	return list
}

// expParamIn maps a method request parameter's location to OpenAPI's.
var expParamIn = map[string]string{
	"path": "path", "querystring": "query", "multivaluequerystring": "query",
	"header": "header", "multivalueheader": "header",
}

// expParamOrder orders parameters: path, query, header.
var expParamOrder = map[string]int{"path": 0, "query": 1, "header": 2}

// parameters are a method's path, query and header parameters: its
// requestParameters and the variables of its path.
func (x *restExporter) parameters(r *config.RestResource, m config.RestMethod) []any {
	type param struct {
		in, name string
		required bool
	}
	seen := map[string]int{}
	var ps []param
	add := func(in, name string, required bool) {
		if i, ok := seen[in+"\x00"+name]; ok {
			ps[i].required = ps[i].required || required
			return
		}
		seen[in+"\x00"+name] = len(ps)
		ps = append(ps, param{in, name, required})
	}
	for p := range strings.SplitSeq(r.Path, "/") {
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
			add("path", strings.TrimSuffix(p[1:len(p)-1], "+"), true)
		}
	}
	for k, req := range m.RequestParameters {
		loc, name, ok := strings.Cut(strings.TrimPrefix(k, "method.request."), ".")
		in := expParamIn[loc]
		if !ok || in == "" || name == "" {
			continue
		}
		add(in, name, req || in == "path")
	}
	slices.SortFunc(ps, func(a, b param) int {
		return cmp.Or(cmp.Compare(expParamOrder[a.in], expParamOrder[b.in]), strings.Compare(a.name, b.name))
	})
	out := make([]any, 0, len(ps))
	for _, p := range ps {
		o := obj{"name": p.name, "in": p.in}
		if x.swagger {
			o["required"] = p.required
			o["type"] = "string"
		} else {
			if p.required {
				o["required"] = true
			}
			o["schema"] = obj{"type": "string"}
		}
		out = append(out, o)
	}
	return out
}

// operation writes one method.
func (x *restExporter) operation(r *config.RestResource, m config.RestMethod) (obj, error) {
	op := obj{}
	expSet(op, "operationId", m.OperationName)
	params := x.parameters(r, m)

	if len(m.RequestModels) > 0 {
		types := expSortedKeys(m.RequestModels)
		if !slices.ContainsFunc(types, expIsJSON) {
			// AWS's docs: "Only found non-JSON body models for ..."
			return nil, fmt.Errorf("openapi: Only found non-JSON body models for %s %s", m.HTTPMethod, r.Path)
		}
		if x.swagger {
			// one body parameter per content type, as AWS writes them
			for _, ct := range types {
				model := m.RequestModels[ct]
				params = append(params, obj{"in": "body", "name": model, "required": true, "schema": x.ref(model)})
			}
		} else {
			content := obj{}
			for _, ct := range types {
				content[ct] = obj{"schema": x.ref(m.RequestModels[ct])}
			}
			op["requestBody"] = obj{"content": content, "required": true}
		}
	}
	if x.swagger {
		// consumes: the content types of the request models and templates;
		// produces: those of the response models and templates
		var consumes, produces []string
		consumes = expAddKeys(consumes, m.RequestModels)
		for _, mr := range m.MethodResponses {
			produces = expAddKeys(produces, mr.ResponseModels)
		}
		if in := m.MethodIntegration; in != nil {
			consumes = expAddKeys(consumes, in.RequestTemplates)
			for _, ir := range in.IntegrationResponses {
				produces = expAddKeys(produces, ir.ResponseTemplates)
			}
		}
		expSet(op, "consumes", consumes)
		expSet(op, "produces", produces)
	}
	expSet(op, "parameters", params)

	responses := obj{}
	for _, code := range expSortedKeys(m.MethodResponses) {
		mr := m.MethodResponses[code]
		resp := obj{"description": code + " response"}
		headers := obj{}
		for k := range mr.ResponseParameters {
			if name, ok := strings.CutPrefix(k, "method.response.header."); ok {
				if x.swagger {
					headers[name] = obj{"type": "string"}
				} else {
					headers[name] = obj{"schema": obj{"type": "string"}}
				}
			}
		}
		expSet(resp, "headers", headers)
		types := expSortedKeys(mr.ResponseModels)
		switch {
		case x.swagger && len(types) > 0:
			resp["schema"] = x.ref(mr.ResponseModels[types[0]])
		case !x.swagger:
			content := obj{} // AWS writes "content": {} for a response without models
			for _, ct := range types {
				content[ct] = obj{"schema": x.ref(mr.ResponseModels[ct])}
			}
			resp["content"] = content
		}
		responses[code] = resp
	}
	op["responses"] = responses

	if sec := x.security(&m); len(sec) > 0 {
		op["security"] = []any{sec}
	}
	if x.validators && m.RequestValidatorID != "" {
		for _, v := range x.api.RequestValidators {
			if v.ID == m.RequestValidatorID || v.Name == m.RequestValidatorID {
				op["x-amazon-apigateway-request-validator"] = cmp.Or(v.Name, v.ID)
			}
		}
	}
	if x.integrations && m.MethodIntegration != nil {
		op["x-amazon-apigateway-integration"] = x.integration(m.MethodIntegration)
	}
	return op, nil
}

// security is a method's security requirement (one object: all of its
// schemes apply together), adding the schemes it names.
func (x *restExporter) security(m *config.RestMethod) obj {
	sec := obj{}
	switch m.AuthorizationType {
	case "AWS_IAM":
		s := obj{"type": "apiKey", "name": "Authorization", "in": "header"}
		if x.authorizers {
			s["x-amazon-apigateway-authtype"] = "awsSigv4"
		}
		x.schemes["sigv4"] = s
		sec["sigv4"] = []any{}
	case "CUSTOM", "COGNITO_USER_POOLS":
		for _, au := range x.api.Authorizers {
			if au.ID == m.AuthorizerID || au.Name == m.AuthorizerID {
				scopes := []any{}
				for _, sc := range m.AuthorizationScopes {
					scopes = append(scopes, sc)
				}
				sec[cmp.Or(au.Name, au.ID)] = scopes
			}
		}
	}
	if m.APIKeyRequired {
		x.schemes["api_key"] = obj{"type": "apiKey", "name": "x-api-key", "in": "header"}
		sec["api_key"] = []any{}
	}
	return sec
}

// authorizerScheme adds an authorizer's security scheme, as AWS's docs
// write them: the token's header as the name of a TOKEN or Cognito
// authorizer; for a REQUEST authorizer its one header or query parameter,
// or "Unused" in the header for several sources or others.
func (x *restExporter) authorizerScheme(au *config.RestAuthorizer) {
	name, in := "Unused", "header"
	switch {
	case au.Type != "REQUEST":
		name = "Authorization"
		if len(au.IdentitySource) == 1 {
			if h, ok := strings.CutPrefix(au.IdentitySource[0], "method.request.header."); ok {
				name = h
			}
		}
	case len(au.IdentitySource) == 1:
		if h, ok := strings.CutPrefix(au.IdentitySource[0], "method.request.header."); ok {
			name = h
		} else if q, ok := strings.CutPrefix(au.IdentitySource[0], "method.request.querystring."); ok {
			name, in = q, "query"
		}
	}
	s := obj{"type": "apiKey", "name": name, "in": in}
	if x.authorizers {
		authType := "custom"
		if au.Type == "COGNITO_USER_POOLS" {
			authType = "cognito_user_pools"
		}
		s["x-amazon-apigateway-authtype"] = cmp.Or(au.AuthType, authType)
		ext := obj{"type": expLower(au.Type)}
		expSet(ext, "authorizerUri", au.AuthorizerURI)
		expSet(ext, "authorizerCredentials", au.AuthorizerCredentials)
		if au.AuthorizerResultTTLInSeconds != nil {
			ext["authorizerResultTtlInSeconds"] = *au.AuthorizerResultTTLInSeconds
		}
		expSet(ext, "identityValidationExpression", au.IdentityValidationExpression)
		if au.Type == "REQUEST" && len(au.IdentitySource) > 0 {
			ext["identitySource"] = au.IdentitySource.String()
		}
		if len(au.ProviderARNs) > 0 {
			ext["providerARNs"] = slices.Clone(au.ProviderARNs)
		}
		s["x-amazon-apigateway-authorizer"] = ext
	}
	x.schemes[cmp.Or(au.Name, au.ID)] = s
}

// integration writes x-amazon-apigateway-integration: the integration's
// fields, enums in lower case, and its responses keyed by selection
// pattern ("default" for the default response).
func (x *restExporter) integration(in *config.RestIntegration) obj {
	o := obj{"type": expLower(in.Type)}
	expSet(o, "uri", in.URI)
	expSet(o, "httpMethod", in.HTTPMethod)
	expSet(o, "passthroughBehavior", expLower(in.PassthroughBehavior))
	expSet(o, "contentHandling", in.ContentHandling)
	if in.TimeoutInMillis != 0 {
		o["timeoutInMillis"] = in.TimeoutInMillis
	}
	expSet(o, "cacheNamespace", in.CacheNamespace)
	if len(in.CacheKeyParameters) > 0 {
		o["cacheKeyParameters"] = slices.Clone(in.CacheKeyParameters)
	}
	expSet(o, "connectionType", in.ConnectionType)
	expSet(o, "connectionId", in.ConnectionID)
	expSet(o, "credentials", in.Credentials)
	expSet(o, "requestParameters", expStrings(in.RequestParameters))
	expSet(o, "requestTemplates", expStrings(in.RequestTemplates))
	if in.TLSConfig != nil {
		o["tlsConfig"] = obj{"insecureSkipVerification": in.TLSConfig.InsecureSkipVerification}
	}
	responses := obj{}
	for _, code := range expSortedKeys(in.IntegrationResponses) {
		ir := in.IntegrationResponses[code]
		r := obj{"statusCode": cmp.Or(ir.StatusCode, code)}
		expSet(r, "responseParameters", expStrings(ir.ResponseParameters))
		expSet(r, "responseTemplates", expStrings(ir.ResponseTemplates))
		expSet(r, "contentHandling", ir.ContentHandling)
		responses[cmp.Or(ir.SelectionPattern, "default")] = r
	}
	expSet(o, "responses", responses)
	return o
}
