package config

import (
	"regexp"
	"strings"
)

// Authorizer checks (reference http-and-rest-apis.md §4): each authorizer
// fits its type and protocol, and each route's authorizationType names an
// authorizer of the matching type.

var (
	httpIdentityRE = regexp.MustCompile(`^\$(request\.header\.[!#$%&'*+.^_` + "`" + `|~0-9A-Za-z-]+|request\.querystring\.\S+|context\.[A-Za-z0-9_.]+|stageVariables\.[A-Za-z0-9_]+)$`)
	wsIdentityRE   = regexp.MustCompile(`^(route\.request\.header\.[!#$%&'*+.^_` + "`" + `|~0-9A-Za-z-]+|route\.request\.querystring\.\S+|context\.[A-Za-z0-9_.]+|stageVariables\.[A-Za-z0-9_]+)$`)
	jwtIdentityRE  = regexp.MustCompile(`^\$request\.(header|querystring)\.\S+$`)
)

func validateAuthorizers(a *API, k string, d *decoder) {
	http := a.ProtocolType == "HTTP"
	types := map[string]string{} // authorizerId → type
	for i := range a.Authorizers {
		au := &a.Authorizers[i]
		ak := indexKey(k+".authorizers", i)
		switch {
		case au.AuthorizerID == "":
			d.at(ak+".authorizerId", "required")
		case types[au.AuthorizerID] != "":
			d.at(ak+".authorizerId", "duplicate authorizerId %q", au.AuthorizerID)
		default:
			types[au.AuthorizerID] = au.AuthorizerType
		}
		switch au.AuthorizerType {
		case "JWT":
			validateJWTAuthorizer(au, ak, http, d)
		case "REQUEST":
			validateRequestAuthorizer(au, ak, http, d)
		case "":
			d.at(ak+".authorizerType", "required: JWT or REQUEST")
		default:
			d.at(ak+".authorizerType", "%q: want JWT or REQUEST", au.AuthorizerType)
		}
	}
	switch e := a.APIKeySelectionExpression; {
	case e == "", e == "$request.header.x-api-key", e == "$context.authorizer.usageIdentifierKey":
		if e != "" && http {
			d.at(k+".apiKeySelectionExpression", "only WEBSOCKET APIs use API keys")
		}
	default:
		d.at(k+".apiKeySelectionExpression", "%q: want $request.header.x-api-key or $context.authorizer.usageIdentifierKey", e)
	}
	if len(a.APIKeys) > 0 && !http {
		d.warnAt(k+".apiKeys", "%s", flatAPIKeysWarning)
	}
	for i := range a.Routes {
		validateRouteAuth(&a.Routes[i], indexKey(k+".routes", i), http, types, d)
	}
}

func validateJWTAuthorizer(au *Authorizer, ak string, http bool, d *decoder) {
	if !http {
		d.at(ak+".authorizerType", "JWT authorizers exist only for HTTP APIs; use REQUEST")
		return
	}
	switch j := au.JWTConfiguration; {
	case j == nil:
		d.at(ak+".jwtConfiguration", "required for JWT: {issuer: https://..., audience: [...]}")
	default:
		if j.Issuer == "" {
			d.at(ak+".jwtConfiguration.issuer", "required: the OIDC issuer URL")
		} else if !isHTTPURL(j.Issuer) {
			d.at(ak+".jwtConfiguration.issuer", "%q: want an absolute http(s):// URL", j.Issuer)
		}
		if len(j.Audience) == 0 {
			d.at(ak+".jwtConfiguration.audience", "at least one audience is required")
		}
	}
	if len(au.IdentitySource) != 1 {
		d.at(ak+".identitySource", "a JWT authorizer has exactly one identity source, e.g. [$request.header.Authorization]")
	} else if !jwtIdentityRE.MatchString(au.IdentitySource[0]) {
		d.at(indexKey(ak+".identitySource", 0), "%q: want $request.header.NAME or $request.querystring.NAME", au.IdentitySource[0])
	}
	if au.AuthorizerURI != "" {
		d.at(ak+".authorizerUri", "JWT authorizers call no function")
	}
}

func validateRequestAuthorizer(au *Authorizer, ak string, http bool, d *decoder) {
	switch uri := au.AuthorizerURI; {
	case uri == "":
		d.at(ak+".authorizerUri", "required: a Lambda function ARN or an http(s):// URL")
	case lambdaARNRE.MatchString(uri), isHTTPURL(uri):
	case apigwARNRE.MatchString(uri):
		if fn := apigwARNRE.FindStringSubmatch(uri)[1]; !lambdaARNRE.MatchString(fn) {
			d.at(ak+".authorizerUri", "%q: %q is not a Lambda function ARN", uri, fn)
		}
	default:
		d.at(ak+".authorizerUri", "%q: want a Lambda function ARN, arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/ARN/invocations, or an http(s):// URL", uri)
	}
	v := au.AuthorizerPayloadFormatVersion
	switch {
	case http && v == "":
		d.at(ak+".authorizerPayloadFormatVersion", "required for HTTP APIs: \"1.0\" or \"2.0\"")
	case http && v != "1.0" && v != "2.0":
		d.at(ak+".authorizerPayloadFormatVersion", "%q: want \"1.0\" or \"2.0\"", v)
	case !http && v != "" && v != "1.0":
		d.at(ak+".authorizerPayloadFormatVersion", "%q: WEBSOCKET authorizers use 1.0", v)
	}
	if au.EnableSimpleResponses && v != "2.0" {
		d.at(ak+".enableSimpleResponses", "needs authorizerPayloadFormatVersion 2.0")
	}
	re := wsIdentityRE
	want := "route.request.header.NAME, route.request.querystring.NAME, context.NAME or stageVariables.NAME"
	if http {
		re, want = httpIdentityRE, "$request.header.NAME, $request.querystring.NAME, $context.NAME or $stageVariables.NAME"
	}
	for i, s := range au.IdentitySource {
		if !re.MatchString(s) {
			d.at(indexKey(ak+".identitySource", i), "%q: want %s", s, want)
		}
	}
	if t := au.AuthorizerResultTTLInSeconds; t != nil {
		switch {
		case *t < 0 || *t > 3600:
			d.at(ak+".authorizerResultTtlInSeconds", "%d: want 0 to 3600", *t)
		case *t > 0 && len(au.IdentitySource) == 0:
			d.at(ak+".authorizerResultTtlInSeconds", "caching needs at least one identity source (the cache key)")
		}
	}
	if au.JWTConfiguration != nil {
		d.at(ak+".jwtConfiguration", "only JWT authorizers have one")
	}
}

func validateRouteAuth(r *Route, rk string, http bool, types map[string]string, d *decoder) {
	t := r.AuthorizationType
	switch {
	case t == "" || t == "NONE":
		if r.AuthorizerID != "" {
			d.at(rk+".authorizerId", "set authorizationType (JWT or CUSTOM) to use an authorizer")
		}
	case t == "JWT" || t == "CUSTOM":
		want := map[string]string{"JWT": "JWT", "CUSTOM": "REQUEST"}[t]
		switch got, ok := types[r.AuthorizerID]; {
		case r.AuthorizerID == "":
			d.at(rk+".authorizerId", "required with authorizationType %s", t)
		case !ok:
			d.at(rk+".authorizerId", "authorizer %q not found", r.AuthorizerID)
		case got != want:
			d.at(rk+".authorizerId", "authorizer %q is %s; authorizationType %s needs a %s authorizer", r.AuthorizerID, got, t, want)
		}
		if t == "JWT" && !http {
			d.at(rk+".authorizationType", "JWT: WEBSOCKET APIs use CUSTOM or AWS_IAM")
		}
	case t == "AWS_IAM":
		if r.AuthorizerID != "" {
			d.at(rk+".authorizerId", "AWS_IAM uses no authorizer")
		}
	default:
		d.at(rk+".authorizationType", "%q: want NONE, JWT, CUSTOM or AWS_IAM", t)
	}
	if t != "" && t != "NONE" && !http && r.RouteKey != "$connect" {
		d.at(rk+".authorizationType", "WEBSOCKET APIs authorize only $connect")
	}
	if len(r.AuthorizationScopes) > 0 && t != "JWT" {
		d.at(rk+".authorizationScopes", "only JWT routes have scopes")
	}
	for i, sc := range r.AuthorizationScopes {
		if sc == "" || strings.ContainsAny(sc, " \t") {
			d.at(indexKey(rk+".authorizationScopes", i), "%q: a scope is one word", sc)
		}
	}
	if r.APIKeyRequired && http {
		d.at(rk+".apiKeyRequired", "HTTP APIs have no API keys")
	}
	if r.APIKeyRequired && !http && r.RouteKey != "$connect" {
		d.at(rk+".apiKeyRequired", "WEBSOCKET APIs check API keys on $connect")
	}
}
