package template

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/portico-gw/portico/config"
)

// samRest is what an AWS::Serverless::Api says about the methods SAM
// generates on it.
type samRest struct {
	cors                  *samCors
	defaultAuthorizer     string
	authTypes             map[string]string // authorizer name → CUSTOM or COGNITO_USER_POOLS
	apiKeyRequired        bool
	authOnPreflight       bool
	apiKeyOnPreflight     bool
	paths                 map[string]bool // the paths of the functions' Api events
	validators            map[string]string
	corsAt                *yaml.Node
	defaultAuthorizerNode *yaml.Node
}

// samCors is an AWS::Serverless::Api's Cors; the values are quoted
// static values ("'*'"), as SAM writes them into the OPTIONS method.
type samCors struct {
	origin, methods, headers, maxAge string
	credentials                      bool
}

// samHTTP is what an AWS::Serverless::HttpApi says about its routes.
type samHTTP struct {
	defaultAuthorizer string
	authTypes         map[string]string // authorizer name → JWT or CUSTOM
}

// samAPIQuiet are API properties that mean nothing here.
var samAPIQuiet = []string{"Tags", "Description", "EndpointConfiguration", "TracingEnabled", "OpenApiVersion",
	"CacheClusterEnabled", "CacheClusterSize", "MinimumCompressionSize", "Domain", "DisableExecuteApiEndpoint",
	"FailOnWarnings", "Mode", "PropagateTags", "AlwaysDeploy", "MergeDefinitions", "Name", "CanarySetting"}

// buildSAMApi converts an AWS::Serverless::Api (and the implicit
// ServerlessRestApi).
func (l *loader) buildSAMApi(r *resource, p *props) {
	b := newRestBuild(r, r.physical)
	b.sam = &samRest{authTypes: map[string]string{}, paths: map[string]bool{}, validators: map[string]string{}}
	def, ok := l.restDefinition(b, p, "DefinitionBody", "DefinitionUri")
	if !ok {
		return
	}
	l.restAPIProps(b, p, def)
	stage := config.RestStage{StageName: p.required("StageName", ": e.g. Prod"), Variables: p.stringMap("Variables"),
		MethodSettings: l.methodSettings(p), AccessLogSettings: l.accessLog(p.child("AccessLogSetting"))}
	b.api.Stages = []config.RestStage{stage}
	if n := p.get("Cors"); n != nil {
		b.sam.corsAt = n
		if n.Kind == yaml.ScalarNode {
			b.sam.cors = &samCors{origin: n.Value}
		} else {
			c := p.child("Cors")
			b.sam.cors = &samCors{origin: c.required("AllowOrigin", ": e.g. \"'*'\""), methods: c.str("AllowMethods"),
				headers: c.str("AllowHeaders"), maxAge: c.str("MaxAge"), credentials: c.boolean("AllowCredentials", false)}
			c.done("Cors")
		}
	}
	auth := p.child("Auth")
	b.sam.defaultAuthorizer = auth.str("DefaultAuthorizer")
	b.sam.defaultAuthorizerNode = auth.nodeAt("DefaultAuthorizer")
	b.sam.apiKeyRequired = auth.boolean("ApiKeyRequired", false)
	b.sam.authOnPreflight = auth.boolean("AddDefaultAuthorizerToCorsPreflight", true)
	b.sam.apiKeyOnPreflight = auth.boolean("AddApiKeyRequiredToCorsPreflight", true)
	authorizers := auth.child("Authorizers")
	pairs(authorizers.node, func(k, v *yaml.Node) {
		l.samRestAuthorizer(b, k.Value, authorizers.of(v, authorizers.key+"."+k.Value))
	})
	if b.sam.defaultAuthorizer != "" && b.sam.defaultAuthorizer != "AWS_IAM" && b.sam.authTypes[b.sam.defaultAuthorizer] == "" {
		l.errorf(b.sam.defaultAuthorizerNode, auth.key+".DefaultAuthorizer", "%q is not one of Auth.Authorizers", b.sam.defaultAuthorizer)
	}
	if auth.has("UsagePlan") {
		l.samUsagePlan(b, stage.StageName, auth.child("UsagePlan"))
	}
	auth.done("Auth", "InvokeRole", "ResourcePolicy")
	gr := p.child("GatewayResponses")
	pairs(gr.node, func(k, v *yaml.Node) {
		g := gr.of(v, gr.key+"."+k.Value)
		resp := config.GatewayResponse{ResponseType: k.Value, StatusCode: g.str("StatusCode"), ResponseTemplates: g.stringMap("ResponseTemplates")}
		rp := g.child("ResponseParameters")
		for _, kind := range []struct{ prop, prefix string }{{"Headers", "header"}, {"Paths", "path"}, {"QueryStrings", "querystring"}} {
			for name, value := range rp.stringMap(kind.prop) {
				if resp.ResponseParameters == nil {
					resp.ResponseParameters = map[string]string{}
				}
				resp.ResponseParameters["gatewayresponse."+kind.prefix+"."+name] = value
			}
		}
		rp.done("ResponseParameters")
		g.done("a gateway response")
		b.origins[fmt.Sprintf("gatewayResponses[%d]", len(b.api.GatewayResponses))] = origin{res: r, at: k}
		b.api.GatewayResponses = append(b.api.GatewayResponses, resp)
	})
	models := p.child("Models")
	pairs(models.node, func(k, v *yaml.Node) {
		b.api.Models = append(b.api.Models, config.RestModel{Name: k.Value, ContentType: "application/json", Schema: models.jsonString(k.Value)})
	})
	p.done(r.typ, samAPIQuiet...)
	l.restAPIs[r.physical] = b
}

// samRestAuthorizer converts one of an AWS::Serverless::Api's Auth.Authorizers.
func (l *loader) samRestAuthorizer(b *restBuild, name string, a *props) {
	au := config.RestAuthorizer{ID: name, Name: name}
	id := a.child("Identity")
	if ttl := id.integer("ReauthorizeEvery"); ttl != nil {
		au.AuthorizerResultTTLInSeconds = ttl
	}
	switch {
	case a.has("UserPoolArn"):
		au.Type = "COGNITO_USER_POOLS"
		au.ProviderARNs = a.list("UserPoolArn")
		au.IdentitySource = config.StringList{"method.request.header." + cmp.Or(id.str("Header"), "Authorization")}
		au.IdentityValidationExpression = id.str("ValidationExpression")
		b.sam.authTypes[name] = "COGNITO_USER_POOLS"
	case a.has("FunctionArn"):
		au.AuthorizerURI = l.lambdaURI(a.str("FunctionArn"))
		au.Type = strings.ToUpper(cmp.Or(a.str("FunctionPayloadType"), "TOKEN"))
		if au.Type == "TOKEN" {
			au.IdentitySource = config.StringList{"method.request.header." + cmp.Or(id.str("Header"), "Authorization")}
			au.IdentityValidationExpression = id.str("ValidationExpression")
		} else {
			for _, s := range []struct{ prop, prefix string }{{"Headers", "method.request.header."}, {"QueryStrings", "method.request.querystring."},
				{"StageVariables", "stageVariables."}, {"Context", "context."}} {
				for _, v := range id.list(s.prop) {
					au.IdentitySource = append(au.IdentitySource, s.prefix+v)
				}
			}
		}
		b.sam.authTypes[name] = "CUSTOM"
	default:
		l.errorf(a.at, a.key, "an authorizer needs FunctionArn (a Lambda authorizer) or UserPoolArn (Cognito)")
		return
	}
	id.done("Identity")
	a.done("an authorizer", "FunctionInvokeRole", "AuthorizationScopes", "DisableFunctionDefaultPermissions")
	b.origins[fmt.Sprintf("authorizers[%d]", len(b.api.Authorizers))] = origin{res: b.res, at: a.at}
	b.api.Authorizers = append(b.api.Authorizers, au)
}

// lambdaURI turns a function ARN into API Gateway's invocation form;
// anything else (an invocation ARN, a URL) stays as it is.
func (l *loader) lambdaURI(arn string) string {
	if strings.HasPrefix(arn, "arn:aws:lambda:") {
		return l.invocationURI(arn)
	}
	return arn
}

// samMethodAuth sets a SAM-generated method's authorization: the event's
// Auth.Authorizer, else the API's default; NONE turns it off.
func (l *loader) samMethodAuth(b *restBuild, m *config.RestMethod, auth *props) {
	name := auth.str("Authorizer")
	if b.sam == nil {
		if name != "" {
			l.errorf(auth.nodeAt("Authorizer"), auth.key+".Authorizer", "an event's Authorizer names one of an AWS::Serverless::Api's Auth.Authorizers; this API is an AWS::ApiGateway::RestApi")
		}
		m.APIKeyRequired = auth.boolean("ApiKeyRequired", false)
		return
	}
	if name == "" {
		name = b.sam.defaultAuthorizer
	}
	m.APIKeyRequired = auth.boolean("ApiKeyRequired", b.sam.apiKeyRequired)
	m.AuthorizationScopes = auth.list("AuthorizationScopes")
	switch name {
	case "", "NONE":
		m.AuthorizationType = "NONE"
	case "AWS_IAM":
		m.AuthorizationType = "AWS_IAM"
	default:
		t := b.sam.authTypes[name]
		if t == "" {
			l.errorf(auth.nodeAt("Authorizer"), auth.key+".Authorizer", "%q is not one of the API's Auth.Authorizers", name)
			return
		}
		m.AuthorizationType, m.AuthorizerID = t, name
	}
}

// samRequestParameters reads an Api event's RequestParameters: names, or
// {name: {Required, Caching}}.
func (l *loader) samRequestParameters(m *config.RestMethod, ep *props) {
	n := ep.get("RequestParameters")
	if n == nil {
		return
	}
	if n.Kind != yaml.SequenceNode {
		l.errorf(n, ep.key+".RequestParameters", "want a list of method.request.* names, got %s", describe(n))
		return
	}
	m.RequestParameters = map[string]bool{}
	for i, c := range n.Content {
		if c.Kind == yaml.ScalarNode {
			m.RequestParameters[c.Value] = false
			continue
		}
		pairs(c, func(k, v *yaml.Node) {
			m.RequestParameters[k.Value] = ep.of(v, fmt.Sprintf("%s.RequestParameters[%d].%s", ep.key, i, k.Value)).boolean("Required", false)
		})
	}
}

// samRequestModel reads an Api event's RequestModel: the body's model and
// the validator SAM generates for it.
func (l *loader) samRequestModel(b *restBuild, m *config.RestMethod, ep *props) {
	rm := ep.child("RequestModel")
	if rm.node == nil {
		return
	}
	m.RequestModels = map[string]string{"application/json": rm.required("Model", ": a model of the API's Models")}
	rm.boolean("Required", false)
	body, params := rm.boolean("ValidateBody", true), rm.boolean("ValidateParameters", false)
	rm.done("RequestModel")
	if !body && !params {
		return
	}
	name := map[[2]bool]string{{true, false}: "body-only", {false, true}: "params-only", {true, true}: "body-and-params"}[[2]bool{body, params}]
	if b.sam != nil && b.sam.validators[name] == "" {
		b.sam.validators[name] = name
		b.api.RequestValidators = append(b.api.RequestValidators, config.RequestValidator{ID: name, Name: name,
			ValidateRequestBody: body, ValidateRequestParameters: params})
	}
	m.RequestValidatorID = name
}

// samCors adds the OPTIONS method SAM generates on each path of the
// functions' events: a MOCK integration answering 200 with the CORS
// headers as static values.
func (l *loader) samCors(b *restBuild) {
	c := b.sam.cors
	if c == nil {
		return
	}
	for _, path := range slices.Sorted(maps.Keys(b.sam.paths)) {
		res := b.resource(path)
		if _, ok := res.ResourceMethods["OPTIONS"]; ok {
			continue
		}
		methods := c.methods
		if methods == "" {
			verbs := []string{"OPTIONS"}
			for v := range res.ResourceMethods {
				if v == "ANY" {
					verbs = []string{"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"}
					break
				}
				verbs = append(verbs, v)
			}
			slices.Sort(verbs)
			methods = "'" + strings.Join(slices.Compact(verbs), ",") + "'"
		}
		headers := map[string]string{"Access-Control-Allow-Origin": c.origin, "Access-Control-Allow-Methods": methods}
		if c.headers != "" {
			headers["Access-Control-Allow-Headers"] = c.headers
		}
		if c.maxAge != "" {
			headers["Access-Control-Max-Age"] = c.maxAge
		}
		if c.credentials {
			headers["Access-Control-Allow-Credentials"] = "'true'"
		}
		params, declared := map[string]string{}, map[string]bool{}
		for h, v := range headers {
			params["method.response.header."+h] = v
			declared["method.response.header."+h] = false
		}
		m := config.RestMethod{AuthorizationType: "NONE",
			MethodIntegration: &config.RestIntegration{Type: "MOCK", PassthroughBehavior: "WHEN_NO_MATCH",
				RequestTemplates: map[string]string{"application/json": "{\n  \"statusCode\" : 200\n}\n"},
				IntegrationResponses: map[string]config.RestIntegrationResponse{"200": {StatusCode: "200",
					ResponseParameters: params, ResponseTemplates: map[string]string{"application/json": "{}\n"}}}},
			MethodResponses: map[string]config.MethodResponse{"200": {StatusCode: "200", ResponseParameters: declared,
				ResponseModels: map[string]string{}}}}
		if d := b.sam.defaultAuthorizer; d != "" && b.sam.authOnPreflight {
			if d == "AWS_IAM" {
				m.AuthorizationType = "AWS_IAM"
			} else {
				m.AuthorizationType, m.AuthorizerID = b.sam.authTypes[d], d
			}
		}
		m.APIKeyRequired = b.sam.apiKeyRequired && b.sam.apiKeyOnPreflight
		l.addMethod(b, path, "OPTIONS", m, origin{res: b.res, at: b.sam.corsAt}, b.res.where()+".Properties.Cors")
	}
}

// buildSAMHttpApi converts an AWS::Serverless::HttpApi (and the implicit
// ServerlessHttpApi).
func (l *loader) buildSAMHttpApi(r *resource, p *props) {
	b := &v2Build{res: r, routes: map[string]int{}, integrations: map[string]int{}, origins: map[string]origin{},
		sam: &samHTTP{authTypes: map[string]string{}}}
	b.api = config.API{APIID: r.physical, ProtocolType: "HTTP"}
	def, ok := l.httpDefinition(b, p, "DefinitionBody", "DefinitionUri")
	if !ok {
		return
	}
	if def == nil {
		def = &config.API{}
	}
	b.api.Name, b.api.Description = cmp.Or(p.str("Name"), def.Name, r.id), cmp.Or(p.str("Description"), def.Description)
	b.api.CorsConfiguration = def.CorsConfiguration
	stage := config.Stage{StageName: cmp.Or(p.str("StageName"), "$default"), AutoDeploy: true, StageVariables: p.stringMap("StageVariables"),
		AccessLogSettings: l.accessLog(p.child("AccessLogSettings"))}
	stage.DefaultRouteSettings = l.routeSettings(p.child("DefaultRouteSettings"))
	rs := p.child("RouteSettings")
	pairs(rs.node, func(k, v *yaml.Node) {
		if s := l.routeSettings(rs.of(v, rs.key+"."+k.Value)); s != nil {
			if stage.RouteSettings == nil {
				stage.RouteSettings = map[string]config.RouteSettings{}
			}
			stage.RouteSettings[k.Value] = *s
		}
	})
	b.api.Stages = []config.Stage{stage}
	if n := p.get("CorsConfiguration"); n != nil {
		if n.Kind == yaml.ScalarNode {
			if strings.EqualFold(n.Value, "true") {
				b.api.CorsConfiguration = &config.Cors{AllowOrigins: []string{"*"}, AllowHeaders: []string{"*"}, AllowMethods: []string{"*"}}
			}
		} else {
			b.api.CorsConfiguration = l.cors(p.child("CorsConfiguration"))
		}
	}
	auth := p.child("Auth")
	b.sam.defaultAuthorizer = auth.str("DefaultAuthorizer")
	authorizers := auth.child("Authorizers")
	pairs(authorizers.node, func(k, v *yaml.Node) {
		a := authorizers.of(v, authorizers.key+"."+k.Value)
		au := config.Authorizer{AuthorizerID: k.Value, Name: k.Value}
		if jwt := a.child("JwtConfiguration"); jwt.node != nil {
			au.AuthorizerType = "JWT"
			au.JWTConfiguration = &config.JWTConfiguration{Issuer: jwt.str("issuer") + jwt.str("Issuer"), Audience: append(jwt.list("audience"), jwt.list("Audience")...)}
			jwt.done("JwtConfiguration")
			au.IdentitySource = []string{cmp.Or(a.str("IdentitySource"), "$request.header.Authorization")}
			b.sam.authTypes[k.Value] = "JWT"
		} else if a.has("FunctionArn") {
			au.AuthorizerType = "REQUEST"
			au.AuthorizerURI = l.lambdaURI(a.str("FunctionArn"))
			au.AuthorizerPayloadFormatVersion = cmp.Or(a.str("AuthorizerPayloadFormatVersion"), "2.0")
			au.EnableSimpleResponses = a.boolean("EnableSimpleResponses", false)
			id := a.child("Identity")
			for _, s := range []struct{ prop, prefix string }{{"Headers", "$request.header."}, {"QueryStrings", "$request.querystring."},
				{"StageVariables", "$stageVariables."}, {"Context", "$context."}} {
				for _, v := range id.list(s.prop) {
					au.IdentitySource = append(au.IdentitySource, s.prefix+v)
				}
			}
			au.AuthorizerResultTTLInSeconds = id.integer("ReauthorizeEvery")
			if au.AuthorizerResultTTLInSeconds == nil && len(au.IdentitySource) == 0 {
				zero := 0
				au.AuthorizerResultTTLInSeconds = &zero
			}
			id.done("Identity")
			b.sam.authTypes[k.Value] = "CUSTOM"
		} else {
			l.errorf(a.at, a.key, "an authorizer needs JwtConfiguration or FunctionArn")
			return
		}
		a.done("an authorizer", "AuthorizationScopes", "FunctionInvokeRole", "EnableFunctionDefaultPermissions")
		b.origins[fmt.Sprintf("authorizers[%d]", len(b.api.Authorizers))] = origin{res: r, at: k}
		b.api.Authorizers = append(b.api.Authorizers, au)
	})
	if d := b.sam.defaultAuthorizer; d != "" && d != "AWS_IAM" && b.sam.authTypes[d] == "" {
		l.errorf(auth.nodeAt("DefaultAuthorizer"), auth.key+".DefaultAuthorizer", "%q is not one of Auth.Authorizers", d)
	}
	auth.done("Auth", "EnableIamAuthorizer")
	p.done(r.typ, samAPIQuiet...)
	l.v2APIs[r.physical] = b
}

// samRouteAuth sets a SAM-generated route's authorization.
func (l *loader) samRouteAuth(b *v2Build, route *config.Route, auth *props) {
	name := auth.str("Authorizer")
	route.AuthorizationScopes = auth.list("AuthorizationScopes")
	if b.sam == nil {
		if name != "" {
			l.errorf(auth.nodeAt("Authorizer"), auth.key+".Authorizer", "an event's Authorizer names one of an AWS::Serverless::HttpApi's Auth.Authorizers; this API is an AWS::ApiGatewayV2::Api")
		}
		return
	}
	if name == "" {
		name = b.sam.defaultAuthorizer
	}
	switch name {
	case "", "NONE":
		route.AuthorizationType = "NONE"
	case "AWS_IAM":
		route.AuthorizationType = "AWS_IAM"
	default:
		t := b.sam.authTypes[name]
		if t == "" {
			l.errorf(auth.nodeAt("Authorizer"), auth.key+".Authorizer", "%q is not one of the API's Auth.Authorizers", name)
			return
		}
		route.AuthorizationType, route.AuthorizerID = t, name
	}
}

// cors reads an HTTP API's CorsConfiguration.
func (l *loader) cors(c *props) *config.Cors {
	out := &config.Cors{AllowOrigins: c.list("AllowOrigins"), AllowHeaders: c.list("AllowHeaders"), AllowMethods: c.list("AllowMethods"),
		ExposeHeaders: c.list("ExposeHeaders"), MaxAge: c.integer("MaxAge"), AllowCredentials: c.boolean("AllowCredentials", false)}
	c.done("CorsConfiguration")
	return out
}

// routeSettings reads an HTTP API stage's route settings; nil when absent.
func (l *loader) routeSettings(s *props) *config.RouteSettings {
	if s.node == nil {
		return nil
	}
	out := &config.RouteSettings{ThrottlingBurstLimit: s.integer("ThrottlingBurstLimit"), ThrottlingRateLimit: s.float("ThrottlingRateLimit"),
		DetailedMetricsEnabled: s.boolean("DetailedMetricsEnabled", false)}
	s.done("route settings", "DataTraceEnabled", "LoggingLevel")
	return out
}

// accessLog reads AccessLogSetting(s) {DestinationArn, Format}; nil when absent.
func (l *loader) accessLog(a *props) *config.AccessLogSettings {
	if a.node == nil {
		return nil
	}
	out := &config.AccessLogSettings{DestinationARN: a.str("DestinationArn"), Format: a.str("Format")}
	a.done("access log settings")
	return out
}

// methodSettings reads a REST stage's MethodSettings list into the map
// config keys by "RESOURCE_PATH/METHOD".
func (l *loader) methodSettings(p *props) map[string]config.MethodSetting {
	n := p.get("MethodSettings")
	if n == nil {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		l.errorf(n, p.key+".MethodSettings", "want a list, got %s", describe(n))
		return nil
	}
	out := map[string]config.MethodSetting{}
	for i, c := range n.Content {
		s := p.of(c, fmt.Sprintf("%s.MethodSettings[%d]", p.key, i))
		path, verb := cmp.Or(s.str("ResourcePath"), "/*"), cmp.Or(s.str("HttpMethod"), "*")
		key := path + "/" + verb
		if path == "/*" && verb == "*" {
			key = "*/*"
		}
		out[key] = config.MethodSetting{ThrottlingRateLimit: s.float("ThrottlingRateLimit"), ThrottlingBurstLimit: s.integer("ThrottlingBurstLimit"),
			MetricsEnabled: s.boolean("MetricsEnabled", false), LoggingLevel: s.str("LoggingLevel"),
			DataTraceEnabled: s.boolean("DataTraceEnabled", false), CachingEnabled: s.boolean("CachingEnabled", false)}
		s.done("a method setting", "CacheTtlInSeconds", "CacheDataEncrypted")
	}
	return out
}
