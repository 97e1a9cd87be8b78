package config

import (
	"cmp"
	"encoding/json"
	"errors"
	"maps"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/portico-gw/portico/expr"
	"github.com/portico-gw/portico/internal/jsonmodel"
	"github.com/portico-gw/portico/vtl"
)

// REST API checks (reference rest-apis.md §1.1, §1.4, §1.6, §1.7;
// http-and-rest-apis.md §2.2, §4.5). validateRest runs for Load and for
// Validate alike; for Load it also keeps the normalised resources, which
// parse stores in the File once the whole file is valid.

var (
	userPoolARNRE = regexp.MustCompile(`^arn:aws[a-z-]*:cognito-idp:([a-z0-9-]+):[0-9]{12}:userpool/([A-Za-z0-9-]+_[A-Za-z0-9]+)$`)
	modelNameRE   = regexp.MustCompile(`^[A-Za-z0-9]+$`)
	restMethods   = []string{"ANY", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"}
)

// restChecks carries what the checks of one file share.
type restChecks struct {
	d *decoder
	f *File
	// ids are the API IDs of apis and restApis: one namespace.
	ids map[string]string
	// apis maps a REST API's ID (or, without one, its name) to its index.
	apis map[string]int
	// resources are each REST API's normalised resources.
	resources [][]*restNode
	// stages are each REST API's stage names.
	stages []map[string]bool
	// v2 maps an API of apis (WebSocket or HTTP) by its apiId or, without
	// one, its name to its index, for usage plans' apiStages.
	v2 map[string]int
}

// validateRest checks f's REST APIs, API keys and usage plans, and returns
// the normalised resources of each REST API.
func validateRest(f *File, d *decoder, ids map[string]string) [][]RestResource {
	c := &restChecks{d: d, f: f, ids: ids, apis: map[string]int{}, v2: map[string]int{}}
	for i := range f.APIs {
		if id := cmp.Or(f.APIs[i].APIID, f.APIs[i].Name); id != "" {
			if _, dup := c.v2[id]; !dup {
				c.v2[id] = i
			}
		}
	}
	for i := range f.RestAPIs {
		for j, sa := range f.RestAPIs[i].StageAPIs() {
			if j > 0 { // the API's ID was checked with its first stage
				delete(c.ids, sa.RestAPIID)
			}
			c.api(&sa, d.elem("restApis", i), i)
			if j > 0 { // one list of resources per API: its first stage's
				c.resources = c.resources[:len(c.resources)-1]
			}
		}
	}
	c.keysAndPlans(f)
	out := make([][]RestResource, len(c.resources))
	for i, nodes := range c.resources {
		for _, n := range nodes {
			out[i] = append(out[i], n.res)
		}
	}
	return out
}

func (c *restChecks) api(a *RestAPI, k string, i int) {
	d := c.d
	switch {
	case a.RestAPIID == "":
	case !apiIDRE.MatchString(a.RestAPIID):
		d.at(k+".restApiId", "%q: use 1-64 letters, digits, _ or -", a.RestAPIID)
	case c.ids[a.RestAPIID] != "":
		prev := c.ids[a.RestAPIID]
		d.at(k+".restApiId", "duplicate API id %q (also %s, line %d)", a.RestAPIID, d.show(prev), d.line(prev))
	default:
		c.ids[a.RestAPIID] = k + ".restApiId"
	}
	if a.Name == "" {
		d.at(k+".name", "required")
	}
	if _, dup := c.apis[cmp.Or(a.RestAPIID, a.Name)]; !dup {
		c.apis[cmp.Or(a.RestAPIID, a.Name)] = i
	}
	switch a.APIKeySource {
	case "", "HEADER", "AUTHORIZER":
	default:
		d.at(k+".apiKeySource", "%q: want HEADER or AUTHORIZER", a.APIKeySource)
	}
	for j, t := range a.BinaryMediaTypes {
		if t = strings.ReplaceAll(t, "~1", "/"); !strings.Contains(t, "/") {
			d.at(indexKey(k+".binaryMediaTypes", j), "%q: want a media type such as image/png or */*", a.BinaryMediaTypes[j])
		}
	}

	nodes := normaliseResources(a, k, d)
	c.resources = append(c.resources, nodes)
	authorizers := c.authorizers(a, k)
	models := map[string]bool{}
	schemas, at := map[string]string{}, map[string]string{} // what jsonmodel compiles, and where each model is
	compile := true
	for j, m := range a.Models {
		mk := indexKey(k+".models", j)
		switch {
		case m.Name == "":
			d.at(mk+".name", "required")
		case !modelNameRE.MatchString(m.Name):
			d.at(mk+".name", "%q: model names are letters and digits", m.Name)
		case models[m.Name]:
			d.at(mk+".name", "duplicate model %q", m.Name)
		default:
			models[m.Name] = true
		}
		if m.Schema != "" && !json.Valid([]byte(m.Schema)) {
			d.at(mk+".schema", "not JSON: a JSON Schema (draft 4) document, written as a string")
			compile = false
		}
		schemas[m.Name], at[m.Name] = m.Schema, mk
	}
	// Models refer to each other by a URL with the API's ID: an API
	// without restApiId is checked once AssignAPIIDs gave it one (Validate
	// again), and rest.New compiles every API's models in any case.
	if compile && a.RestAPIID != "" {
		var bad *jsonmodel.Error
		if _, err := jsonmodel.Compile(a.RestAPIID, schemas); errors.As(err, &bad) && at[bad.Model] != "" {
			d.at(at[bad.Model]+".schema", "%v", bad.Err)
		}
	}
	validators := map[string]bool{}
	for j, v := range a.RequestValidators {
		vk := indexKey(k+".requestValidators", j)
		id := cmp.Or(v.ID, v.Name)
		switch {
		case id == "":
			d.at(vk+".id", "required: an id or a name")
		case validators[id]:
			d.at(vk+".id", "duplicate request validator %q", id)
		default:
			validators[id] = true
		}
	}
	for _, n := range nodes {
		if n.key == "" {
			continue
		}
		for _, m := range slices.Sorted(maps.Keys(n.res.ResourceMethods)) {
			meth := n.res.ResourceMethods[m]
			c.method(&meth, m, n, childKey(n.key+".resourceMethods", m), authorizers, models, validators)
		}
	}
	c.gatewayResponses(a, k)
	c.restStages(a, k, nodes)
}

// authorizers checks a's authorizers and returns their types by ID.
func (c *restChecks) authorizers(a *RestAPI, k string) map[string]string {
	d := c.d
	types := map[string]string{}
	for j := range a.Authorizers {
		au := &a.Authorizers[j]
		ak := indexKey(k+".authorizers", j)
		id := cmp.Or(au.ID, au.Name)
		switch {
		case id == "":
			d.at(ak+".id", "required: an id or a name")
		case types[id] != "":
			d.at(ak+".id", "duplicate authorizer %q", id)
		default:
			types[id] = cmp.Or(au.Type, "?")
		}
		switch au.Type {
		case "TOKEN", "REQUEST":
			checkFunctionURI(au.AuthorizerURI, ak+".authorizerUri", d)
			warnLambdaARN(c.f, au.AuthorizerURI, ak+".authorizerUri", d)
			if len(au.ProviderARNs) > 0 {
				d.at(ak+".providerARNs", "only COGNITO_USER_POOLS authorizers have user pools")
			}
			if au.JWTIssuer != "" {
				d.at(ak+".jwtIssuer", "only COGNITO_USER_POOLS authorizers check JWTs")
			}
		case "COGNITO_USER_POOLS":
			if len(au.ProviderARNs) == 0 {
				d.at(ak+".providerARNs", "required: the user pool ARNs, arn:aws:cognito-idp:REGION:ACCOUNT:userpool/POOL_ID")
			}
			for n, arn := range au.ProviderARNs {
				if _, _, ok := parseUserPoolARN(arn); !ok {
					d.at(indexKey(ak+".providerARNs", n), "%q: want arn:aws:cognito-idp:REGION:ACCOUNT:userpool/POOL_ID", arn)
				}
			}
			if au.JWTIssuer != "" && !isHTTPURL(au.JWTIssuer) {
				d.at(ak+".jwtIssuer", "%q: want an absolute http(s):// URL", au.JWTIssuer)
			}
			if au.AuthorizerURI != "" {
				d.at(ak+".authorizerUri", "COGNITO_USER_POOLS authorizers call no function")
			}
		case "":
			d.at(ak+".type", "required: TOKEN, REQUEST or COGNITO_USER_POOLS")
		default:
			d.at(ak+".type", "%q: want TOKEN, REQUEST or COGNITO_USER_POOLS", au.Type)
		}
		c.identitySource(au, ak)
		if e := au.IdentityValidationExpression; e != "" {
			if au.Type == "REQUEST" {
				d.at(ak+".identityValidationExpression", "REQUEST authorizers validate nothing with it: TOKEN authorizers match the token, COGNITO_USER_POOLS ones the token's audience (app client ID)")
			} else if _, err := regexp.Compile(e); err != nil {
				d.at(ak+".identityValidationExpression", "%q: %v", e, err)
			}
		}
		if t := au.AuthorizerResultTTLInSeconds; t != nil && (*t < 0 || *t > 3600) {
			d.at(ak+".authorizerResultTtlInSeconds", "%d: want 0 to 3600", *t)
		}
	}
	return types
}

// identitySource checks an authorizer's identity sources with expr's
// parser of method request references.
func (c *restChecks) identitySource(au *RestAuthorizer, ak string) {
	d := c.d
	key := ak + ".identitySource"
	switch {
	case au.Type == "TOKEN" && len(au.IdentitySource) != 1:
		d.at(key, "a TOKEN authorizer reads exactly one header: method.request.header.NAME")
		return
	case au.Type == "REQUEST" && len(au.IdentitySource) == 0 && (au.AuthorizerResultTTLInSeconds == nil || *au.AuthorizerResultTTLInSeconds > 0):
		d.at(key, "required while results are cached (the cache key): method.request.header.NAME, method.request.querystring.NAME, stageVariables.NAME or context.NAME; or set authorizerResultTtlInSeconds: 0")
		return
	}
	for _, s := range au.IdentitySource {
		t, err := expr.ParseParam(s, expr.MethodRequest)
		var root expr.Root
		if err == nil {
			if r := t.Parts()[0].Ref; r != nil {
				root = r.Root
			}
		}
		switch {
		case au.Type == "TOKEN" && root != expr.RequestHeader:
			d.at(key, "%q: want method.request.header.NAME", s)
		case root == expr.RequestHeader, root == expr.RequestQueryString, root == expr.StageVariable, root == expr.Context:
		default:
			d.at(key, "%q: want method.request.header.NAME, method.request.querystring.NAME, stageVariables.NAME or context.NAME", s)
		}
	}
}

func (c *restChecks) method(m *RestMethod, name string, n *restNode, mk string, authorizers map[string]string, models, validators map[string]bool) {
	d := c.d
	switch {
	case !slices.Contains(restMethods, name):
		if slices.Contains(restMethods, strings.ToUpper(name)) {
			d.atKey(mk, "write the method in upper case: %s", strings.ToUpper(name))
		} else {
			d.atKey(mk, "unknown method; want one of %s", strings.Join(restMethods, ", "))
		}
	case m.HTTPMethod != "" && m.HTTPMethod != name:
		d.at(mk+".httpMethod", "%q differs from its key %q", m.HTTPMethod, name)
	}
	switch t := m.AuthorizationType; t {
	case "", "NONE", "AWS_IAM":
		if m.AuthorizerID != "" {
			d.at(mk+".authorizerId", "set authorizationType CUSTOM or COGNITO_USER_POOLS to use an authorizer")
		}
	case "CUSTOM", "COGNITO_USER_POOLS":
		switch got, ok := authorizers[m.AuthorizerID]; {
		case m.AuthorizerID == "":
			d.at(mk+".authorizerId", "required with authorizationType %s", t)
		case !ok:
			d.at(mk+".authorizerId", "authorizer %q not found", m.AuthorizerID)
		case t == "CUSTOM" && got == "COGNITO_USER_POOLS", t == "COGNITO_USER_POOLS" && got != "COGNITO_USER_POOLS":
			d.at(mk+".authorizerId", "authorizer %q is %s, which authorizationType %s cannot use", m.AuthorizerID, got, t)
		}
	default:
		d.at(mk+".authorizationType", "%q: want NONE, AWS_IAM, CUSTOM or COGNITO_USER_POOLS", t)
	}
	if len(m.AuthorizationScopes) > 0 && m.AuthorizationType != "COGNITO_USER_POOLS" {
		d.at(mk+".authorizationScopes", "only COGNITO_USER_POOLS methods have scopes")
	}
	vars := pathVariables(n.res.Path)
	for _, p := range slices.Sorted(maps.Keys(m.RequestParameters)) {
		pk := childKey(mk+".requestParameters", p)
		t, err := expr.ParseParam(p, expr.MethodRequest)
		var r *expr.Ref
		if err == nil {
			r = t.Parts()[0].Ref
		}
		switch {
		case r == nil || !strings.HasPrefix(p, "method.request.") || r.Root == expr.RequestBody || r.Name == "":
			d.atKey(pk, "want method.request.{header,querystring,path,multivalueheader,multivaluequerystring}.NAME")
		case r.Root == expr.RequestPath && !slices.Contains(vars, r.Name):
			d.atKey(pk, "the path %q has no variable {%s}", n.res.Path, r.Name)
		}
	}
	for _, ct := range slices.Sorted(maps.Keys(m.RequestModels)) {
		if name := m.RequestModels[ct]; !models[name] && !builtinModel(name) {
			d.at(childKey(mk+".requestModels", ct), "model %q not found", name)
		}
	}
	if id := m.RequestValidatorID; id != "" && !validators[id] {
		d.at(mk+".requestValidatorId", "request validator %q not found", id)
	}
	for _, code := range slices.Sorted(maps.Keys(m.MethodResponses)) {
		rk := childKey(mk+".methodResponses", code)
		r := m.MethodResponses[code]
		c.statusKey(code, r.StatusCode, rk)
		for _, h := range slices.Sorted(maps.Keys(r.ResponseParameters)) {
			if name, ok := strings.CutPrefix(h, "method.response.header."); !ok || !expr.ValidHeaderName(name) {
				d.atKey(childKey(rk+".responseParameters", h), "want method.response.header.NAME")
			}
		}
		for _, ct := range slices.Sorted(maps.Keys(r.ResponseModels)) {
			if name := r.ResponseModels[ct]; !models[name] && !builtinModel(name) {
				d.at(childKey(rk+".responseModels", ct), "model %q not found", name)
			}
		}
	}
	if in := m.MethodIntegration; in != nil {
		c.integration(in, mk+".methodIntegration", m)
	}
}

// builtinModel reports whether name is one of the models every REST API
// has: Empty and Error.
func builtinModel(name string) bool { return name == "Empty" || name == "Error" }

// statusKey checks a status code key and the statusCode its value repeats.
func (c *restChecks) statusKey(code, repeated, key string) {
	if !statusKeyRE.MatchString(code) {
		c.d.atKey(key, "want a status code from 100 to 599, e.g. \"200\"")
	}
	if repeated != "" && repeated != code {
		c.d.at(key+".statusCode", "%q differs from its key %q", repeated, code)
	}
}

func (c *restChecks) integration(in *RestIntegration, k string, m *RestMethod) {
	d := c.d
	switch in.Type {
	case "AWS_PROXY":
		checkFunctionURI(in.URI, k+".uri", d)
		warnLambdaARN(c.f, in.URI, k+".uri", d)
		if in.HTTPMethod != "" && in.HTTPMethod != "POST" && !isHTTPURL(in.URI) {
			d.at(k+".httpMethod", "%q: Lambda functions are invoked with POST", in.HTTPMethod)
		}
	case "AWS":
		if strings.HasPrefix(in.URI, "arn:aws:apigateway:") && !strings.Contains(in.URI, ":lambda:path/") {
			d.at(k+".uri", "%q: AWS service integrations other than Lambda are not served: there is no AWS service here to call (use a Lambda function, HTTP or MOCK)", in.URI)
		} else {
			checkFunctionURI(in.URI, k+".uri", d)
		}
		warnLambdaARN(c.f, in.URI, k+".uri", d)
	case "HTTP", "HTTP_PROXY":
		if in.URI == "" {
			d.at(k+".uri", "required for %s: an absolute http(s):// URL", in.Type)
		} else if !isHTTPURL(in.URI) {
			d.at(k+".uri", "%q: want an absolute http(s):// URL", in.URI)
		}
		if in.HTTPMethod == "" {
			d.at(k+".httpMethod", "required for %s: the method the backend is called with", in.Type)
		}
	case "MOCK":
	case "NATS": // Portico extension
		if msg := checkNATSURI(in.URI); msg != "" {
			d.at(k+".uri", "%q: %s", in.URI, msg)
		}
	case "":
		d.at(k+".type", "required: AWS, AWS_PROXY, HTTP, HTTP_PROXY, MOCK or NATS")
	default:
		d.at(k+".type", "%q: want AWS, AWS_PROXY, HTTP, HTTP_PROXY, MOCK or NATS", in.Type)
	}
	if hm := in.HTTPMethod; hm != "" && !slices.Contains(restMethods, hm) {
		d.at(k+".httpMethod", "%q: want one of %s", hm, strings.Join(restMethods, ", "))
	}
	if in.ConnectionType == "VPC_LINK" {
		d.at(k+".connectionType", "VPC_LINK: there are no VPC links here; use INTERNET (or leave it out)")
	}
	if t := in.TimeoutInMillis; t != 0 && (t < 50 || t > 29000) {
		d.at(k+".timeoutInMillis", "%d: must be between 50 and 29000 (0 means the default, 29000)", t)
	}
	if p := in.PassthroughBehavior; p != "" && !oneOf(p, "WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER") {
		d.at(k+".passthroughBehavior", "%q: want WHEN_NO_MATCH, WHEN_NO_TEMPLATES or NEVER", p)
	}
	checkContentHandling(in.ContentHandling, k+".contentHandling", d)
	checkTemplates(in.RequestTemplates, k+".requestTemplates", d)
	for _, name := range slices.Sorted(maps.Keys(in.RequestParameters)) {
		pk := childKey(k+".requestParameters", name)
		if _, err := expr.ParseParamKey(name); err != nil {
			d.atKey(pk, "%s", syntaxMsg(err))
		}
		v := in.RequestParameters[name]
		if _, err := expr.ParseParam(v, expr.MethodRequest); err != nil {
			d.at(pk, "%q: %s", v, syntaxMsg(err))
		}
		if h, ok := strings.CutPrefix(name, "integration.request.header."); ok && forbiddenIntegrationHeader(in.Type, h) {
			d.atKey(pk, "%s may not be mapped: API Gateway answers 500 for it", h)
		}
	}
	for _, code := range slices.Sorted(maps.Keys(in.IntegrationResponses)) {
		rk := childKey(k+".integrationResponses", code)
		r := in.IntegrationResponses[code]
		c.statusKey(code, r.StatusCode, rk)
		if _, declared := m.MethodResponses[code]; !declared && statusKeyRE.MatchString(code) && !strings.HasSuffix(in.Type, "_PROXY") {
			d.atKey(rk, "no method response has the status code %s: add it to methodResponses", code)
		}
		if p := r.SelectionPattern; p != "" {
			if _, err := vtl.CompileJavaRegexpWhole(p); err != nil {
				d.at(rk+".selectionPattern", "%q: %v", p, err)
			}
		}
		checkTemplates(r.ResponseTemplates, rk+".responseTemplates", d)
		for _, h := range slices.Sorted(maps.Keys(r.ResponseParameters)) {
			hk := childKey(rk+".responseParameters", h)
			name, ok := strings.CutPrefix(h, "method.response.header.")
			switch {
			case !ok || !expr.ValidHeaderName(name):
				d.atKey(hk, "want method.response.header.NAME")
				continue
			case !declaresHeader(m.MethodResponses[code], name) && !strings.HasSuffix(in.Type, "_PROXY"):
				d.atKey(hk, "methodResponses[%q] does not declare %s (API Gateway: Invalid mapping expression specified); add it to the method response's responseParameters", code, h)
			}
			v := r.ResponseParameters[h]
			if _, err := expr.ParseParam(v, expr.MethodRequest|expr.IntegrationResponse); err != nil {
				d.at(hk, "%q: %s", v, syntaxMsg(err))
			}
		}
		checkContentHandling(r.ContentHandling, rk+".contentHandling", d)
	}
}

// forbiddenIntegrationHeader reports whether a header may not be mapped
// onto the integration request of an integration type: AWS answers 500 for
// these (reference rest-apis.md §1.3); Portico refuses them at load.
func forbiddenIntegrationHeader(typ, name string) bool {
	forbidden := []string{"Content-Length", "Transfer-Encoding", "X-Amzn-Trace-Id", "X-Amzn-Apigateway-Api-Id"}
	if typ == "AWS" || typ == "AWS_PROXY" {
		forbidden = append(forbidden, "Authorization", "Connection", "Expect", "Proxy-Authenticate", "Te")
	}
	return slices.ContainsFunc(forbidden, func(h string) bool { return strings.EqualFold(h, name) })
}

// declaresHeader reports whether a method response declares a header,
// case-insensitively.
func declaresHeader(mr MethodResponse, name string) bool {
	for key := range mr.ResponseParameters {
		if h, ok := strings.CutPrefix(key, "method.response.header."); ok && strings.EqualFold(h, name) {
			return true
		}
	}
	return false
}

func checkContentHandling(v, key string, d *decoder) {
	if v != "" && !oneOf(v, "CONVERT_TO_BINARY", "CONVERT_TO_TEXT") {
		d.at(key, "%q: want CONVERT_TO_BINARY or CONVERT_TO_TEXT", v)
	}
}

// stageVariableRE matches ${stageVariables.NAME} in an integration URI.
var stageVariableRE = regexp.MustCompile(`\$\{stageVariables\.[A-Za-z0-9_]+\}`)

// checkFunctionURI checks a Lambda function reference: an ARN, API
// Gateway's invocations ARN, or an http(s) URL (Portico extension).
func checkFunctionURI(uri, key string, d *decoder) {
	// ${stageVariables.x} (a function name or alias per stage) is checked
	// with a stand-in value; each stage's own value is checked when the
	// API is built.
	uri = stageVariableRE.ReplaceAllString(uri, "stagevar")
	switch {
	case uri == "":
		d.at(key, "required: a Lambda function ARN or an http(s):// URL")
	case lambdaARNRE.MatchString(uri), isHTTPURL(uri):
	case apigwARNRE.MatchString(uri):
		if fn := apigwARNRE.FindStringSubmatch(uri)[1]; !lambdaARNRE.MatchString(fn) {
			d.at(key, "%q: %q is not a Lambda function ARN", uri, fn)
		}
	default:
		d.at(key, "%q: want a Lambda function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]), arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/ARN/invocations, or an http(s):// URL", uri)
	}
}

func (c *restChecks) gatewayResponses(a *RestAPI, k string) {
	d := c.d
	seen := map[string]string{}
	lk := k + ".gatewayResponses"
	for j, g := range a.GatewayResponses {
		gk := d.elem(lk, j)
		typeKey := gk + ".responseType"
		if _, ok := d.pos[typeKey]; !ok {
			typeKey = gk
		}
		switch t := g.ResponseType; {
		case t == "":
			d.at(typeKey, "required: one of %s", strings.Join(GatewayResponseTypes, ", "))
		case !slices.Contains(GatewayResponseTypes, t):
			d.atKey(typeKey, "%q: not a gateway response type; want one of %s", t, strings.Join(GatewayResponseTypes, ", "))
		case seen[t] != "":
			d.atKey(typeKey, "duplicate gateway response %s (also %s, line %d)", t, d.show(seen[t]), d.line(seen[t]))
		default:
			seen[t] = gk
		}
		if g.StatusCode != "" && !statusKeyRE.MatchString(g.StatusCode) {
			d.at(gk+".statusCode", "%q: want a status code from 100 to 599", g.StatusCode)
		}
		for _, h := range slices.Sorted(maps.Keys(g.ResponseParameters)) {
			pk := childKey(gk+".responseParameters", h)
			if name, ok := strings.CutPrefix(h, "gatewayresponse.header."); !ok || !expr.ValidHeaderName(name) {
				d.atKey(pk, "want gatewayresponse.header.NAME")
			}
			v := g.ResponseParameters[h]
			t, err := expr.ParseParam(v, expr.MethodRequest)
			if err != nil {
				d.at(pk, "%q: %s", v, syntaxMsg(err))
			} else if r := t.Parts()[0].Ref; r != nil && !oneOfRoot(r.Root, expr.RequestHeader, expr.RequestQueryString, expr.RequestPath, expr.StageVariable, expr.Context) {
				d.at(pk, "%q: want 'static', method.request.{header,querystring,path}.NAME, stageVariables.NAME or context.NAME", v)
			}
		}
		checkTemplates(g.ResponseTemplates, gk+".responseTemplates", d)
	}
}

// checkTemplates parses mapping templates (VTL) by media type, reporting a
// template's error at its key with the line and column inside it.
func checkTemplates(templates map[string]string, key string, d *decoder) {
	for _, mt := range slices.Sorted(maps.Keys(templates)) {
		if _, err := vtl.Parse(templates[mt]); err != nil {
			var te *vtl.Error
			if errors.As(err, &te) {
				d.at(childKey(key, mt), "template line %d, column %d: %s", te.Line, te.Col, te.Msg)
			} else {
				d.at(childKey(key, mt), "template: %v", err)
			}
		}
	}
}

func oneOfRoot(r expr.Root, roots ...expr.Root) bool { return slices.Contains(roots, r) }

func (c *restChecks) restStages(a *RestAPI, k string, nodes []*restNode) {
	d := c.d
	names := map[string]bool{}
	c.stages = append(c.stages, names)
	byPath := map[string]*restNode{}
	for _, n := range nodes {
		byPath[n.res.Path] = n
	}
	for j, s := range a.Stages {
		sk := indexKey(k+".stages", j)
		switch {
		case s.StageName == "":
			d.at(sk+".stageName", "required")
		case !stageNameRE.MatchString(s.StageName) || len(s.StageName) > 128:
			d.at(sk+".stageName", "%q: use up to 128 letters, digits, _ or -", s.StageName)
		case names[s.StageName]:
			d.at(sk+".stageName", "duplicate stage %q", s.StageName)
		default:
			names[s.StageName] = true
		}
		for _, name := range slices.Sorted(maps.Keys(s.Variables)) {
			vk := childKey(sk+".variables", name)
			if !stageVarRE.MatchString(name) || len(name) > 64 {
				d.atKey(vk, "stage variable names are 1-64 letters, digits and _")
			}
			switch v := s.Variables[name]; {
			case utf8.RuneCountInString(v) > 512:
				d.at(vk, "a stage variable value is at most 512 characters (this one has %d)", utf8.RuneCountInString(v))
			case strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f }):
				d.at(vk, "stage variable values cannot hold control characters")
			}
		}
		for _, key := range slices.Sorted(maps.Keys(s.MethodSettings)) {
			mk := childKey(sk+".methodSettings", key)
			if msg := checkMethodSettingKey(key, byPath); msg != "" {
				d.atKey(mk, "%s", msg)
			}
			ms := s.MethodSettings[key]
			if ms.ThrottlingBurstLimit != nil && *ms.ThrottlingBurstLimit < 0 {
				d.at(mk+".throttlingBurstLimit", "%d: must not be negative", *ms.ThrottlingBurstLimit)
			}
			if ms.ThrottlingRateLimit != nil && *ms.ThrottlingRateLimit < 0 {
				d.at(mk+".throttlingRateLimit", "%g: must not be negative", *ms.ThrottlingRateLimit)
			}
			if l := ms.LoggingLevel; l != "" && !oneOf(l, "OFF", "ERROR", "INFO") {
				d.at(mk+".loggingLevel", "%q: want OFF, ERROR or INFO", l)
			}
		}
		validateAccessLog(s.AccessLogSettings, sk+".accessLogSettings", d)
	}
}

// checkMethodSettingKey checks a methodSettings key: */* or
// RESOURCE_PATH/METHOD, the path written plainly (/pets/{id}/GET) or with
// "/" escaped as "~1", as AWS prints it (~1pets~1{id}/GET). It returns a
// message, or "".
func checkMethodSettingKey(key string, byPath map[string]*restNode) string {
	if key == "*/*" {
		return ""
	}
	i := strings.LastIndexByte(key, '/')
	if i < 0 {
		return "want */* or RESOURCE_PATH/METHOD, e.g. /pets/GET or ~1pets/GET"
	}
	path, method := key[:i], key[i+1:]
	path = strings.ReplaceAll(strings.ReplaceAll(path, "~1", "/"), "~0", "~")
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	if path != "/" {
		path = strings.TrimSuffix(path, "/")
	}
	n := byPath[path]
	switch {
	case n == nil:
		return "no resource has the path " + path
	case method == "*":
	case !slices.Contains(restMethods, method):
		return method + ": want an upper-case HTTP method, ANY or *"
	case n.res.ResourceMethods == nil:
		return "the resource " + path + " has no methods"
	default:
		if _, ok := n.res.ResourceMethods[method]; !ok {
			return "the resource " + path + " has no method " + method
		}
	}
	return ""
}

// keysAndPlans checks the API keys, usage plans and usage plan keys, and
// their references to REST APIs, stages and each other.
func (c *restChecks) keysAndPlans(f *File) {
	d := c.d
	keys := map[string]bool{}
	values := map[string]string{}
	for i, k := range f.APIKeys {
		kk := indexKey("apiKeys", i)
		id := cmp.Or(k.ID, k.Name)
		switch {
		case id == "":
			d.at(kk+".id", "required: an id or a name")
		case keys[id]:
			d.at(kk+".id", "duplicate API key %q", id)
		default:
			keys[id] = true
		}
		switch n := utf8.RuneCountInString(k.Value); {
		case k.Value == "":
			d.at(kk+".value", "required: the key clients send, 20 to 128 characters")
		case n < 20 || n > 128:
			d.at(kk+".value", "an API key value is 20 to 128 characters (this one has %d)", n)
		case values[k.Value] != "":
			d.at(kk+".value", "the same value as %s: API key values are unique", d.show(values[k.Value]))
		default:
			values[k.Value] = kk
		}
	}
	plans := map[string]int{}
	for i := range f.UsagePlans {
		p := &f.UsagePlans[i]
		pk := indexKey("usagePlans", i)
		id := cmp.Or(p.ID, p.Name)
		switch _, dup := plans[id]; {
		case id == "":
			d.at(pk+".id", "required: an id or a name")
		case dup:
			d.at(pk+".id", "duplicate usage plan %q", id)
		default:
			plans[id] = i
		}
		for j, s := range p.APIStages {
			c.planStage(&s, indexKey(pk+".apiStages", j))
		}
		if t := p.Throttle; t != nil {
			checkThrottle(t, pk+".throttle", d)
		}
		if q := p.Quota; q != nil {
			qk := pk + ".quota"
			if q.Limit < 0 {
				d.at(qk+".limit", "%d: must not be negative", q.Limit)
			}
			maxOffset := map[string]int{"DAY": 0, "WEEK": 6, "MONTH": 27}
			switch mo, ok := maxOffset[q.Period]; {
			case q.Period == "":
				d.at(qk+".period", "required: DAY, WEEK or MONTH")
			case !ok:
				d.at(qk+".period", "%q: want DAY, WEEK or MONTH", q.Period)
			case q.Offset < 0 || q.Offset > mo:
				d.at(qk+".offset", "%d: want 0 to %d for %s", q.Offset, mo, q.Period)
			}
		}
	}
	inPlan := map[[2]string]bool{}
	stageOf := map[[3]string]string{} // {key, api, stage} → the plan that has it
	for i, pkey := range f.UsagePlanKeys {
		if j, ok := plans[pkey.UsagePlanID]; ok {
			for _, st := range f.UsagePlans[j].APIStages {
				at := [3]string{pkey.KeyID, st.APIID, st.Stage}
				if other := stageOf[at]; other != "" && other != pkey.UsagePlanID {
					d.at(indexKey("usagePlanKeys", i), "API key %q is already in usage plan %q for stage %s of %q: a key may be in one plan per stage", pkey.KeyID, other, st.Stage, st.APIID)
				}
				stageOf[at] = pkey.UsagePlanID
			}
		}
		kk := indexKey("usagePlanKeys", i)
		if _, ok := plans[pkey.UsagePlanID]; !ok {
			d.at(kk+".usagePlanId", "usage plan %q not found", pkey.UsagePlanID)
		}
		if !keys[pkey.KeyID] {
			d.at(kk+".keyId", "API key %q not found", pkey.KeyID)
		}
		if pkey.KeyType != "" && pkey.KeyType != "API_KEY" {
			d.at(kk+".keyType", "%q: want API_KEY", pkey.KeyType)
		}
		pair := [2]string{pkey.UsagePlanID, pkey.KeyID}
		if inPlan[pair] {
			d.at(kk, "API key %q is already in usage plan %q", pkey.KeyID, pkey.UsagePlanID)
		}
		inPlan[pair] = true
	}
}

// planStage checks a usage plan's API stage: the REST or WebSocket API
// (by ID, or by name when it has none; REST APIs first) and its stage
// exist, and each per-method throttle names a method of the REST API.
func (c *restChecks) planStage(s *UsagePlanStage, sk string) {
	d := c.d
	i, ok := c.apis[s.APIID]
	if s.APIID == "" {
		d.at(sk+".apiId", "required: a REST or WebSocket API's ID (or its name, when it has none)")
		return
	}
	if !ok {
		c.planStageV2(s, sk)
		return
	}
	switch {
	case s.Stage == "":
		d.at(sk+".stage", "required")
	case !c.stages[i][s.Stage]:
		d.at(sk+".stage", "REST API %q has no stage %q", s.APIID, s.Stage)
	}
	byPath := map[string]*restNode{}
	for _, n := range c.resources[i] {
		byPath[n.res.Path] = n
	}
	for _, key := range slices.Sorted(maps.Keys(s.Throttle)) {
		tk := childKey(sk+".throttle", key)
		if !strings.HasPrefix(key, "/") {
			d.atKey(tk, "want /RESOURCE_PATH/METHOD, e.g. /pets/GET")
		} else if msg := checkMethodSettingKey(key, byPath); msg != "" || strings.HasSuffix(key, "/*") {
			d.atKey(tk, "%s", cmp.Or(msg, "want /RESOURCE_PATH/METHOD with one method"))
		}
		t := s.Throttle[key]
		checkThrottle(&t, tk, d)
	}
}

// planStageV2 checks a usage plan's API stage that is no REST API's: a
// WebSocket API of apis and its stage.
func (c *restChecks) planStageV2(s *UsagePlanStage, sk string) {
	d := c.d
	i, ok := c.v2[s.APIID]
	switch {
	case !ok:
		d.at(sk+".apiId", "no REST or WebSocket API has the id (or, without one, the name) %q", s.APIID)
		return
	case c.f.APIs[i].ProtocolType != "WEBSOCKET":
		d.at(sk+".apiId", "%q is an HTTP API: HTTP APIs have no API keys or usage plans", s.APIID)
		return
	}
	has := false
	for _, st := range c.f.APIs[i].Stages {
		has = has || st.StageName == s.Stage
	}
	switch {
	case s.Stage == "":
		d.at(sk+".stage", "required")
	case !has:
		d.at(sk+".stage", "WebSocket API %q has no stage %q", s.APIID, s.Stage)
	}
	if len(s.Throttle) > 0 {
		d.at(sk+".throttle", "per-method throttles are for REST APIs; a WebSocket API's stage takes the plan's throttle")
	}
}

func checkThrottle(t *ThrottleSettings, k string, d *decoder) {
	if t.RateLimit < 0 {
		d.at(k+".rateLimit", "%g: must not be negative", t.RateLimit)
	}
	if t.BurstLimit < 0 {
		d.at(k+".burstLimit", "%d: must not be negative", t.BurstLimit)
	}
}
