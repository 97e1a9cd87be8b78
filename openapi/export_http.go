package openapi

import (
	"cmp"
	"errors"
	"slices"
	"strings"

	"github.com/portico-gw/portico/config"
)

// errExpNotHTTP is what ExportHTTP returns for an API whose protocolType is
// not HTTP (WebSocket APIs cannot be exported, as AWS says).
var errExpNotHTTP = errors.New("openapi: only HTTP APIs can be exported")

// ExportHTTP writes an HTTP API (its routes as the stage's deployment
// froze them, or the current ones) as OpenAPI 3.0.1, as apigatewayv2
// ExportApi does: a path per route path (x-amazon-apigateway-any-method
// for ANY; "/$default", with isDefaultRoute, for the default route, as
// AWS's docs write it), with the "apigateway" extension its integrations
// (x-amazon-apigateway-integration), JWT and Lambda authorizers
// (x-amazon-apigateway-authorizer) and CORS (x-amazon-apigateway-cors).
// Keys and paths are sorted.
func ExportHTTP(api config.API, opt ExportOptions) ([]byte, error) {
	if api.ProtocolType != "HTTP" {
		return nil, errExpNotHTTP
	}
	if opt.Spec == "" {
		opt.Spec = "oas30"
	}
	s, err := expCheck(opt)
	if err != nil {
		return nil, err
	}
	if s.swagger {
		return nil, errors.New("openapi: HTTP APIs are exported as OpenAPI 3.0 only")
	}
	x := &httpExporter{exportSpec: s, api: &api, schemes: obj{}}
	return expEncode(x.document(), s.YAML)
}

// httpExporter writes one HTTP API.
type httpExporter struct {
	exportSpec
	api     *config.API
	schemes obj
}

func (x *httpExporter) document() obj {
	a := x.api
	base := cmp.Or(x.ServerURL, "https://"+a.APIID+".execute-api.us-east-1.amazonaws.com")
	info := obj{"title": a.Name, "version": cmp.Or(x.Version, "1.0")}
	expSet(info, "description", a.Description)
	stage := x.Stage
	if stage == "$default" {
		stage = ""
	}
	server := obj{"url": strings.TrimSuffix(base, "/") + "/{basePath}",
		"variables": obj{"basePath": obj{"default": stage}}}
	if stage != "" {
		server["variables"] = obj{"basePath": obj{"default": "/" + stage}}
	}
	doc := obj{"openapi": "3.0.1", "info": info, "servers": []any{server}}

	paths := obj{}
	routes := slices.Clone(a.Routes)
	slices.SortFunc(routes, func(p, q config.Route) int { return strings.Compare(p.RouteKey, q.RouteKey) })
	for _, r := range routes {
		method, path, ok := strings.Cut(r.RouteKey, " ")
		if r.RouteKey == "$default" {
			method, path, ok = "ANY", "/$default", true
		}
		if !ok {
			continue
		}
		item, _ := paths[path].(obj)
		if item == nil {
			item = obj{}
			paths[path] = item
		}
		key := strings.ToLower(method)
		if method == "ANY" {
			key = "x-amazon-apigateway-any-method"
		}
		item[key] = x.operation(&r, path)
	}
	doc["paths"] = paths
	for _, au := range a.Authorizers {
		x.authorizerScheme(&au)
	}
	if len(x.schemes) > 0 {
		doc["components"] = obj{"securitySchemes": x.schemes}
	}
	if x.all {
		if c := a.CorsConfiguration; c != nil {
			cors := obj{"allowCredentials": c.AllowCredentials}
			for k, v := range map[string][]string{"allowOrigins": c.AllowOrigins, "allowMethods": c.AllowMethods,
				"allowHeaders": c.AllowHeaders, "exposeHeaders": c.ExposeHeaders} {
				if len(v) > 0 {
					cors[k] = slices.Clone(v)
				}
			}
			if c.MaxAge != nil {
				cors["maxAge"] = *c.MaxAge
			}
			doc["x-amazon-apigateway-cors"] = cors
		}
		doc["x-amazon-apigateway-importexport-version"] = "1.0"
	}
	return doc
}

// operation writes one route.
func (x *httpExporter) operation(r *config.Route, path string) obj {
	desc := "Default response for " + r.RouteKey
	op := obj{"responses": obj{"default": obj{"description": desc}}}
	expSet(op, "operationId", r.OperationName)
	if r.RouteKey == "$default" {
		op["isDefaultRoute"] = true
	}
	var params []any
	for p := range strings.SplitSeq(path, "/") {
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
			params = append(params, obj{"name": p[1 : len(p)-1], "in": "path", "required": true, "schema": obj{"type": "string"}})
		}
	}
	expSet(op, "parameters", params)
	switch r.AuthorizationType {
	case "AWS_IAM":
		s := obj{"type": "apiKey", "name": "Authorization", "in": "header"}
		if x.all {
			s["x-amazon-apigateway-authtype"] = "awsSigv4"
		}
		x.schemes["sigv4"] = s
		op["security"] = []any{obj{"sigv4": []any{}}}
	case "JWT", "CUSTOM":
		for _, au := range x.api.Authorizers {
			if au.AuthorizerID == r.AuthorizerID || au.Name == r.AuthorizerID {
				scopes := []any{}
				for _, sc := range r.AuthorizationScopes {
					scopes = append(scopes, sc)
				}
				op["security"] = []any{obj{cmp.Or(au.Name, au.AuthorizerID): scopes}}
			}
		}
	}
	if x.all {
		if id, ok := strings.CutPrefix(r.Target, "integrations/"); ok {
			for _, in := range x.api.Integrations {
				if in.IntegrationID == id {
					op["x-amazon-apigateway-integration"] = x.integration(&in)
				}
			}
		}
	}
	return op
}

// integration writes x-amazon-apigateway-integration.
func (x *httpExporter) integration(in *config.Integration) obj {
	o := obj{"type": expLower(in.IntegrationType)}
	expSet(o, "payloadFormatVersion", in.PayloadFormatVersion)
	expSet(o, "uri", in.IntegrationURI)
	expSet(o, "httpMethod", in.IntegrationMethod)
	o["connectionType"] = "INTERNET"
	if in.TimeoutInMillis != 0 {
		o["timeoutInMillis"] = in.TimeoutInMillis
	}
	expSet(o, "description", in.Description)
	expSet(o, "requestParameters", expStrings(in.RequestParameters))
	expSet(o, "requestTemplates", expStrings(in.RequestTemplates))
	expSet(o, "passthroughBehavior", expLower(in.PassthroughBehavior))
	expSet(o, "templateSelectionExpression", in.TemplateSelectionExpression)
	if len(in.ResponseParameters) > 0 {
		rp := obj{}
		for code, m := range in.ResponseParameters {
			rp[code] = expStrings(m)
		}
		o["responseParameters"] = rp
	}
	return o
}

// authorizerScheme adds a JWT or Lambda (REQUEST) authorizer's security
// scheme, as AWS writes them: oauth2 for JWT, apiKey for Lambda.
func (x *httpExporter) authorizerScheme(au *config.Authorizer) {
	name := cmp.Or(au.Name, au.AuthorizerID)
	ext := obj{"type": expLower(au.AuthorizerType)}
	if len(au.IdentitySource) > 0 {
		ext["identitySource"] = strings.Join(au.IdentitySource, ", ")
	}
	var s obj
	if au.AuthorizerType == "JWT" {
		s = obj{"type": "oauth2", "flows": obj{}}
		if j := au.JWTConfiguration; j != nil {
			jc := obj{}
			expSet(jc, "issuer", j.Issuer)
			if len(j.Audience) > 0 {
				jc["audience"] = slices.Clone(j.Audience)
			}
			ext["jwtConfiguration"] = jc
		}
	} else {
		header := "Unused"
		if len(au.IdentitySource) == 1 {
			if h, ok := strings.CutPrefix(au.IdentitySource[0], "$request.header."); ok {
				header = h
			}
		}
		s = obj{"type": "apiKey", "name": header, "in": "header"}
		expSet(ext, "authorizerUri", au.AuthorizerURI)
		expSet(ext, "authorizerPayloadFormatVersion", au.AuthorizerPayloadFormatVersion)
		expSet(ext, "authorizerCredentials", au.AuthorizerCredentialsARN)
		if au.AuthorizerResultTTLInSeconds != nil {
			ext["authorizerResultTtlInSeconds"] = *au.AuthorizerResultTTLInSeconds
		}
		if au.AuthorizerPayloadFormatVersion == "2.0" {
			ext["enableSimpleResponses"] = au.EnableSimpleResponses
		}
	}
	if x.all {
		s["x-amazon-apigateway-authorizer"] = ext
	}
	x.schemes[name] = s
}
