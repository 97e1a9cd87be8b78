package openapi

import (
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/portico-gw/portico/config"
	"gopkg.in/yaml.v3"
)

// ImportREST reads an OpenAPI 3.0.x or Swagger 2.0 document (JSON or YAML) with x-amazon-apigateway-*
// extensions into a REST API (resources, methods, method responses, integrations and integration
// responses, authorizers, models, request validators, gateway responses, binaryMediaTypes,
// apiKeySource, ...). file names the document in errors, which carry file:line:col.
//
// The API has no ID (and no name when info.title is absent: callers that
// need one say so), and its resources have paths but no IDs: the caller
// assigns them. Authorizers and request validators have their names as
// IDs, and methods name them so. What the REST API model cannot hold
// (x-amazon-apigateway-minimum-compression-size, -endpoint-configuration,
// -policy, info.version) is left to the caller, which reads them from the
// document itself.
func ImportREST(file string, doc []byte, opt ImportOptions) (api config.RestAPI, warnings []string, err error) {
	d, err := parseDoc(file, doc)
	if err != nil {
		return config.RestAPI{}, nil, err
	}
	api = d.restAPI(opt)
	warnings, err = d.finish(opt)
	if err != nil {
		return config.RestAPI{}, nil, err
	}
	return api, warnings, nil
}

// restExtensions are the document-level extensions of REST APIs that the
// import reads (or that its caller reads, or that are accepted without
// effect).
var restExtensions = []string{
	"x-amazon-apigateway-api-key-source", "x-amazon-apigateway-binary-media-types",
	"x-amazon-apigateway-gateway-responses", "x-amazon-apigateway-request-validators",
	"x-amazon-apigateway-request-validator", "x-amazon-apigateway-minimum-compression-size",
	"x-amazon-apigateway-endpoint-configuration", "x-amazon-apigateway-policy",
	"x-amazon-apigateway-importexport-version", "x-amazon-apigateway-documentation",
	"x-amazon-apigateway-tag-value",
}

func (d *importDoc) restAPI(opt ImportOptions) config.RestAPI {
	info := d.get(d.root, "info")
	api := config.RestAPI{Name: d.strOf(info, "info", "title"), Description: d.strOf(info, "info", "description")}
	d.unknownExtensions(restExtensions, "")
	if v := d.get(d.root, "x-amazon-apigateway-api-key-source"); v != nil {
		api.APIKeySource = upper(d.str(v, "x-amazon-apigateway-api-key-source"))
		if api.APIKeySource != "HEADER" && api.APIKeySource != "AUTHORIZER" {
			d.errorf(v, "x-amazon-apigateway-api-key-source", "Invalid API Key source specified: %s", v.Value)
		}
	}
	for _, t := range d.stringsOf(d.root, "", "x-amazon-apigateway-binary-media-types") {
		api.BinaryMediaTypes = append(api.BinaryMediaTypes, strings.ReplaceAll(t, "~1", "/"))
	}
	if v := d.get(d.root, "x-amazon-apigateway-policy"); v != nil {
		d.warnf(v, "x-amazon-apigateway-policy: the resource policy is kept and not enforced")
	}
	api.GatewayResponses = d.gatewayResponses()
	api.RequestValidators = d.requestValidators()
	defaultValidator := d.strOf(d.root, "", "x-amazon-apigateway-request-validator")
	if defaultValidator != "" && !slices.ContainsFunc(api.RequestValidators, func(v config.RequestValidator) bool { return v.Name == defaultValidator }) {
		d.errorf(d.get(d.root, "x-amazon-apigateway-request-validator"), "x-amazon-apigateway-request-validator",
			"Invalid request validator %q: not in x-amazon-apigateway-request-validators", defaultValidator)
	}
	api.Models = d.models()
	auth := d.restAuthorizers()
	api.Authorizers = auth.list

	prefix := d.prefix(opt)
	byPath := map[string]*config.RestResource{"/": {Path: "/", ResourceMethods: nil}}
	d.eachOperation(prefix, func(path, method string, op, pathItem *yaml.Node, key string) {
		if path == "/$default" {
			d.errorf(op, key, "the path /$default is for HTTP APIs")
			return
		}
		r := ensureResource(byPath, path)
		if r == nil {
			d.errorf(op, key, "Invalid path %q", path)
			return
		}
		if _, dup := r.ResourceMethods[method]; dup {
			d.errorf(op, key, "duplicate method %s on path %s", method, path)
			return
		}
		m := d.restMethod(path, method, op, pathItem, key, auth, &api, defaultValidator)
		if r.ResourceMethods == nil {
			r.ResourceMethods = map[string]config.RestMethod{}
		}
		r.ResourceMethods[method] = m
	})
	for _, p := range slices.Sorted(maps.Keys(byPath)) {
		api.Resources = append(api.Resources, *byPath[p])
	}
	return api
}

// ensureResource returns the resource of path, adding it and its
// ancestors; nil when path is not a valid resource path.
func ensureResource(byPath map[string]*config.RestResource, path string) *config.RestResource {
	if r := byPath[path]; r != nil {
		return r
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	cur := ""
	var r *config.RestResource
	for _, part := range parts {
		if part == "" {
			return nil
		}
		cur += "/" + part
		if r = byPath[cur]; r == nil {
			r = &config.RestResource{Path: cur, PathPart: part}
			byPath[cur] = r
		}
	}
	return r
}

// restMethod reads one operation.
func (d *importDoc) restMethod(path, method string, op, pathItem *yaml.Node, key string, auth restAuth, api *config.RestAPI, defaultValidator string) config.RestMethod {
	m := config.RestMethod{HTTPMethod: method, AuthorizationType: "NONE", OperationName: d.strOf(op, key, "operationId")}
	params := map[string]bool{}
	for _, name := range pathParams(path) {
		params["method.request.path."+name] = true
	}
	consumes := d.stringsOf(op, key, "consumes")
	if len(consumes) == 0 {
		consumes = d.stringsOf(d.root, "", "consumes")
	}
	for _, p := range d.parameters(op, pathItem, key) {
		name, in := d.get(p, "name").Value, d.get(p, "in").Value
		required := d.boolOf(p, key, "required")
		switch in {
		case "path":
			params["method.request.path."+name] = true
		case "query":
			params["method.request.querystring."+name] = required
		case "header":
			params["method.request.header."+name] = required
		case "body":
			if model := d.bodyModel(d.get(p, "schema"), key, method, path, api); model != "" {
				for _, ct := range cmpSlice(consumes, []string{"application/json"}) {
					if m.RequestModels == nil {
						m.RequestModels = map[string]string{}
					}
					m.RequestModels[ct] = model
				}
			}
		default:
			d.warnf(p, "Unsupported parameter location %q (%s) ignored", in, name)
		}
	}
	if body := d.resolve(d.get(op, "requestBody"), key+".requestBody"); body != nil {
		d.pairs(d.get(body, "content"), key+".requestBody.content", func(ct, media *yaml.Node) {
			if model := d.bodyModel(d.get(media, "schema"), key, method, path, api); model != "" {
				if m.RequestModels == nil {
					m.RequestModels = map[string]string{}
				}
				m.RequestModels[ct.Value] = model
			}
		})
	}
	if len(params) > 0 {
		m.RequestParameters = params
	}
	m.MethodResponses = d.methodResponses(op, key, method, path, api)

	names, scopes := d.securityRequirements(op, key)
	for _, name := range names {
		switch {
		case auth.apiKey[name]:
			m.APIKeyRequired = true
		case auth.iam[name]:
			m.AuthorizationType = "AWS_IAM"
		case auth.byName[name] != nil:
			a := auth.byName[name]
			m.AuthorizerID = a.ID
			m.AuthorizationType = "CUSTOM"
			if a.Type == "COGNITO_USER_POOLS" {
				m.AuthorizationType = "COGNITO_USER_POOLS"
				m.AuthorizationScopes = scopes[name]
			}
		case auth.known[name]:
			d.warnf(d.get(op, "security"), "Unsupported security scheme %s on %s %s ignored (it has no x-amazon-apigateway-authorizer)", name, method, path)
		default:
			d.warnf(d.get(op, "security"), "Security definition %s not found; the requirement on %s %s ignored", name, method, path)
		}
	}
	m.RequestValidatorID = defaultValidator
	if v := d.get(op, "x-amazon-apigateway-request-validator"); v != nil {
		m.RequestValidatorID = d.str(v, key+".x-amazon-apigateway-request-validator")
		if m.RequestValidatorID != "" && !slices.ContainsFunc(api.RequestValidators, func(rv config.RequestValidator) bool { return rv.Name == m.RequestValidatorID }) {
			d.errorf(v, key+".x-amazon-apigateway-request-validator", "Invalid request validator %q: not in x-amazon-apigateway-request-validators", v.Value)
		}
	}
	if v := d.get(op, "x-amazon-apigateway-integration"); v != nil {
		m.MethodIntegration = d.restIntegration(d.resolve(v, key), key+".x-amazon-apigateway-integration")
	}
	addImpliedMethodResponses(&m)
	for i := 0; i+1 < len(op.Content); i += 2 {
		k := op.Content[i].Value
		if strings.HasPrefix(k, "x-amazon-apigateway-") && k != "x-amazon-apigateway-integration" &&
			k != "x-amazon-apigateway-request-validator" && k != "x-amazon-apigateway-auth" && k != "x-amazon-apigateway-documentation" {
			d.warnf(op.Content[i], "Unsupported extension %s on %s %s ignored", k, method, path)
		}
	}
	if a := d.get(op, "x-amazon-apigateway-auth"); a != nil {
		if t := upper(d.strOf(a, key+".x-amazon-apigateway-auth", "type")); t == "AWS_IAM" || t == "NONE" {
			m.AuthorizationType = t
		}
	}
	return m
}

// addImpliedMethodResponses adds the method responses that m's
// integration responses need: one per status code they answer with, each
// declaring the headers they set. A document need not list them (AWS's
// sample APIs do not), and API Gateway refuses an integration response
// without its method response.
func addImpliedMethodResponses(m *config.RestMethod) {
	if m.MethodIntegration == nil {
		return
	}
	for code, ir := range m.MethodIntegration.IntegrationResponses {
		if m.MethodResponses == nil {
			m.MethodResponses = map[string]config.MethodResponse{}
		}
		mr, ok := m.MethodResponses[code]
		if !ok {
			mr = config.MethodResponse{StatusCode: code}
		}
		for p := range ir.ResponseParameters {
			if _, declared := mr.ResponseParameters[p]; !declared && strings.HasPrefix(p, "method.response.header.") {
				if mr.ResponseParameters == nil {
					mr.ResponseParameters = map[string]bool{}
				}
				mr.ResponseParameters[p] = false
			}
		}
		m.MethodResponses[code] = mr
	}
}

// bodyModel returns the model a body schema names: the $ref's model, or a
// new model holding an inline schema (AWS makes one too; Portico names it
// after the operation).
func (d *importDoc) bodyModel(schema *yaml.Node, key, method, path string, api *config.RestAPI) string {
	if schema == nil || isNull(schema) {
		return ""
	}
	if ref := d.get(schema, "$ref"); ref != nil {
		name := refName(ref.Value)
		if name == "" || d.pointer(ref, key) == nil {
			if name == "" {
				d.errorf(ref, key, "a body's $ref must name a model (#/definitions/NAME or #/components/schemas/NAME)")
			}
			return ""
		}
		return name
	}
	name := modelName(method, path)
	for i := 2; slices.ContainsFunc(api.Models, func(m config.RestModel) bool { return m.Name == name }); i++ {
		name = modelName(method, path) + strconv.Itoa(i)
	}
	api.Models = append(api.Models, config.RestModel{Name: name, ContentType: "application/json", Schema: schemaJSON(schema)})
	return name
}

// modelName names an inline schema's model: the method and path's
// letters and digits ("PostPetsPetId").
func modelName(method, path string) string {
	var b strings.Builder
	b.WriteString(strings.ToUpper(method[:1]) + strings.ToLower(method[1:]))
	up := true
	for _, r := range path {
		switch {
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
			if up && r >= 'a' && r <= 'z' {
				r -= 'a' - 'A'
			}
			b.WriteRune(r)
			up = false
		default:
			up = true
		}
	}
	b.WriteString("Model")
	return b.String()
}

func cmpSlice(a, b []string) []string {
	if len(a) > 0 {
		return a
	}
	return b
}

// methodResponses reads an operation's responses.
func (d *importDoc) methodResponses(op *yaml.Node, key, method, path string, api *config.RestAPI) map[string]config.MethodResponse {
	var out map[string]config.MethodResponse
	produces := d.stringsOf(op, key, "produces")
	if len(produces) == 0 {
		produces = d.stringsOf(d.root, "", "produces")
	}
	d.pairs(d.get(op, "responses"), key+".responses", func(k, v *yaml.Node) {
		code := k.Value
		rkey := key + ".responses." + code
		if len(code) != 3 || code[0] < '1' || code[0] > '5' || strings.Trim(code[1:], "0123456789") != "" {
			d.warnf(k, "Unsupported response %q on %s %s ignored (API Gateway needs a status code)", code, method, path)
			return
		}
		v = d.resolve(v, rkey)
		if v == nil {
			return
		}
		mr := config.MethodResponse{StatusCode: code}
		d.pairs(d.get(v, "headers"), rkey+".headers", func(h, _ *yaml.Node) {
			if mr.ResponseParameters == nil {
				mr.ResponseParameters = map[string]bool{}
			}
			mr.ResponseParameters["method.response.header."+h.Value] = false
		})
		addModel := func(ct string, schema *yaml.Node) {
			if schema == nil {
				return
			}
			ref := d.get(schema, "$ref")
			if ref == nil {
				return // AWS makes a model of an inline response schema; Portico does not check responses
			}
			if name := refName(ref.Value); name != "" && d.pointer(ref, rkey) != nil {
				if mr.ResponseModels == nil {
					mr.ResponseModels = map[string]string{}
				}
				mr.ResponseModels[ct] = name
			}
		}
		if s := d.get(v, "schema"); s != nil {
			for _, ct := range cmpSlice(produces, []string{"application/json"}) {
				addModel(ct, s)
			}
		}
		d.pairs(d.get(v, "content"), rkey+".content", func(ct, media *yaml.Node) {
			addModel(ct.Value, d.get(media, "schema"))
		})
		if out == nil {
			out = map[string]config.MethodResponse{}
		}
		out[code] = mr
	})
	return out
}

// restIntegration reads x-amazon-apigateway-integration.
func (d *importDoc) restIntegration(n *yaml.Node, key string) *config.RestIntegration {
	if n == nil || n.Kind != yaml.MappingNode {
		if n != nil {
			d.errorf(n, key, "want a mapping, got %s", describe(n))
		}
		return nil
	}
	in := &config.RestIntegration{
		Type: upper(d.strOf(n, key, "type")), URI: d.strOf(n, key, "uri"), HTTPMethod: upper(d.strOf(n, key, "httpMethod")),
		PassthroughBehavior: upper(d.strOf(n, key, "passthroughBehavior")), ContentHandling: upper(d.strOf(n, key, "contentHandling")),
		CacheNamespace: d.strOf(n, key, "cacheNamespace"), ConnectionType: upper(d.strOf(n, key, "connectionType")),
		ConnectionID: d.strOf(n, key, "connectionId"), Credentials: d.strOf(n, key, "credentials"),
		RequestParameters: d.stringMap(n, key, "requestParameters"), RequestTemplates: d.stringMap(n, key, "requestTemplates"),
		CacheKeyParameters: d.stringsOf(n, key, "cacheKeyParameters"),
	}
	in.TimeoutInMillis, _ = d.intOf(n, key, "timeoutInMillis")
	d.unknownKeys(n, "integration", restIntegrationKeys)
	switch in.Type {
	case "AWS", "AWS_PROXY", "HTTP", "HTTP_PROXY", "MOCK":
	case "":
		d.errorf(n, key+".type", "Invalid integration: type is required")
	default:
		d.errorf(d.get(n, "type"), key+".type", "Invalid integration type %q: want aws, aws_proxy, http, http_proxy or mock", in.Type)
	}
	if in.Type == "AWS_PROXY" {
		in.HTTPMethod = "POST" // Lambda is always invoked with POST
	}
	if t := d.get(n, "tlsConfig"); t != nil {
		in.TLSConfig = &config.RestTLSConfig{InsecureSkipVerification: d.boolOf(t, key+".tlsConfig", "insecureSkipVerification")}
	}
	resp := d.get(n, "responses")
	if resp == nil {
		resp = d.get(n, "response")
	}
	d.pairs(resp, key+".responses", func(pat, v *yaml.Node) {
		rkey := key + ".responses[" + strconv.Quote(pat.Value) + "]"
		ir := config.RestIntegrationResponse{StatusCode: d.strOf(v, rkey, "statusCode"),
			ResponseParameters: d.stringMap(v, rkey, "responseParameters"), ResponseTemplates: d.stringMap(v, rkey, "responseTemplates"),
			ContentHandling: upper(d.strOf(v, rkey, "contentHandling"))}
		if pat.Value != "default" {
			ir.SelectionPattern = pat.Value
		}
		if ir.StatusCode == "" {
			d.errorf(v, rkey+".statusCode", "Invalid integration response: statusCode is required")
			return
		}
		if in.IntegrationResponses == nil {
			in.IntegrationResponses = map[string]config.RestIntegrationResponse{}
		}
		if prev, dup := in.IntegrationResponses[ir.StatusCode]; dup {
			d.warnf(pat, "Integration response %q: status code %s already has the selection pattern %q; ignored", pat.Value, ir.StatusCode, prev.SelectionPattern)
			return
		}
		in.IntegrationResponses[ir.StatusCode] = ir
	})
	return in
}

// restIntegrationKeys are the properties of a REST API's
// x-amazon-apigateway-integration that the import reads.
var restIntegrationKeys = []string{"type", "uri", "httpMethod", "passthroughBehavior", "contentHandling", "cacheNamespace",
	"connectionType", "connectionId", "credentials", "requestParameters", "requestTemplates", "cacheKeyParameters",
	"timeoutInMillis", "tlsConfig", "responses", "response"}

// restAuth is what the security schemes say, by scheme name.
type restAuth struct {
	list   []config.RestAuthorizer
	byName map[string]*config.RestAuthorizer
	apiKey map[string]bool // an api_key scheme without an authorizer
	iam    map[string]bool // x-amazon-apigateway-authtype awsSigv4 without an authorizer
	known  map[string]bool
}

// restAuthorizers reads the security schemes.
func (d *importDoc) restAuthorizers() restAuth {
	out := restAuth{byName: map[string]*config.RestAuthorizer{}, apiKey: map[string]bool{}, iam: map[string]bool{}, known: map[string]bool{}}
	schemes, skey := d.securitySchemes()
	d.pairs(schemes, skey, func(k, s *yaml.Node) {
		name, key := k.Value, skey+"."+k.Value
		out.known[name] = true
		s = d.resolve(s, key)
		if s == nil {
			return
		}
		ext := d.get(s, "x-amazon-apigateway-authorizer")
		authType := d.strOf(s, key, "x-amazon-apigateway-authtype")
		if ext == nil {
			switch {
			case strings.EqualFold(authType, "awsSigv4"):
				out.iam[name] = true
			case d.strOf(s, key, "type") == "apiKey" && strings.EqualFold(d.strOf(s, key, "name"), "x-api-key"):
				out.apiKey[name] = true
			}
			return
		}
		ekey := key + ".x-amazon-apigateway-authorizer"
		a := config.RestAuthorizer{ID: name, Name: name, Type: upper(d.strOf(ext, ekey, "type")), AuthType: authType,
			AuthorizerURI: d.strOf(ext, ekey, "authorizerUri"), AuthorizerCredentials: d.strOf(ext, ekey, "authorizerCredentials"),
			IdentityValidationExpression: d.strOf(ext, ekey, "identityValidationExpression"),
			ProviderARNs:                 d.stringsOf(ext, ekey, "providerARNs")}
		if ttl, ok := d.intOf(ext, ekey, "authorizerResultTtlInSeconds"); ok {
			a.AuthorizerResultTTLInSeconds = &ttl
		}
		if src := d.strOf(ext, ekey, "identitySource"); src != "" {
			for _, s := range strings.Split(src, ",") {
				a.IdentitySource = append(a.IdentitySource, strings.TrimSpace(s))
			}
		}
		switch a.Type {
		case "TOKEN", "COGNITO_USER_POOLS":
			if len(a.IdentitySource) == 0 {
				if h := d.strOf(s, key, "name"); h != "" {
					a.IdentitySource = config.StringList{"method.request.header." + h}
				}
			}
		case "REQUEST":
		default:
			d.errorf(d.get(ext, "type"), ekey+".type", "Invalid authorizer type %q: want token, request or cognito_user_pools", a.Type)
			return
		}
		out.list = append(out.list, a)
	})
	for i := range out.list {
		out.byName[out.list[i].Name] = &out.list[i]
	}
	return out
}

// gatewayResponses reads x-amazon-apigateway-gateway-responses.
func (d *importDoc) gatewayResponses() []config.GatewayResponse {
	var out []config.GatewayResponse
	const key = "x-amazon-apigateway-gateway-responses"
	d.pairs(d.get(d.root, key), key, func(k, v *yaml.Node) {
		t := upper(k.Value)
		if !slices.Contains(config.GatewayResponseTypes, t) {
			d.errorf(k, key, "Invalid gateway response type %q", k.Value)
			return
		}
		rkey := key + "." + k.Value
		g := config.GatewayResponse{ResponseType: t, ResponseParameters: d.stringMap(v, rkey, "responseParameters"),
			ResponseTemplates: d.stringMap(v, rkey, "responseTemplates")}
		if sc := d.get(v, "statusCode"); sc != nil {
			g.StatusCode = sc.Value
		}
		out = append(out, g)
	})
	return out
}

// requestValidators reads x-amazon-apigateway-request-validators.
func (d *importDoc) requestValidators() []config.RequestValidator {
	var out []config.RequestValidator
	const key = "x-amazon-apigateway-request-validators"
	d.pairs(d.get(d.root, key), key, func(k, v *yaml.Node) {
		rkey := key + "." + k.Value
		out = append(out, config.RequestValidator{ID: k.Value, Name: k.Value,
			ValidateRequestBody:       d.boolOf(v, rkey, "validateRequestBody"),
			ValidateRequestParameters: d.boolOf(v, rkey, "validateRequestParameters")})
	})
	return out
}

// models reads definitions (Swagger) or components.schemas (OpenAPI 3),
// sorted by name.
func (d *importDoc) models() []config.RestModel {
	n, key := d.get(d.root, "definitions"), "definitions"
	if d.version == 3 {
		n, key = d.get(d.get(d.root, "components"), "schemas"), "components.schemas"
	}
	var out []config.RestModel
	d.pairs(n, key, func(k, v *yaml.Node) {
		if !modelNameOK(k.Value) {
			d.errorf(k, key, "Invalid model name %q: letters and digits only", k.Value)
			return
		}
		out = append(out, config.RestModel{Name: k.Value, ContentType: "application/json", Schema: schemaJSON(v)})
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func modelNameOK(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
