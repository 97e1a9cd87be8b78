package openapi

import (
	"crypto/sha256"
	"slices"
	"strings"

	"github.com/portico-gw/portico/config"
	"gopkg.in/yaml.v3"
)

// ImportHTTP reads an OpenAPI 3.0 document into an HTTP API (routes, integrations, authorizers, cors).
//
// The API has no ID and no stage: the caller assigns them. Integrations
// and authorizers get IDs derived from what they are (the route key, the
// components' integration name, the security scheme's name), the same on
// every import. Routes share one integration when they refer to the same
// entry of components.x-amazon-apigateway-integrations, as AWS does.
func ImportHTTP(file string, doc []byte, opt ImportOptions) (api config.API, warnings []string, err error) {
	d, err := parseDoc(file, doc)
	if err != nil {
		return config.API{}, nil, err
	}
	if d.version != 3 {
		d.errorf(d.get(d.root, "swagger"), "swagger", "Invalid OpenAPI input: HTTP APIs import OpenAPI 3.0 documents only")
		return config.API{}, nil, d.errs
	}
	api = d.httpAPI(opt)
	warnings, err = d.finish(opt)
	if err != nil {
		return config.API{}, nil, err
	}
	return api, warnings, nil
}

// httpExtensions are the document-level extensions of HTTP APIs.
var httpExtensions = []string{"x-amazon-apigateway-cors", "x-amazon-apigateway-importexport-version", "x-amazon-apigateway-tag-value"}

func (d *importDoc) httpAPI(opt ImportOptions) config.API {
	info := d.get(d.root, "info")
	api := config.API{Name: d.strOf(info, "info", "title"), Description: d.strOf(info, "info", "description"), ProtocolType: "HTTP"}
	d.unknownExtensions(httpExtensions, " (HTTP APIs)")
	if c := d.get(d.root, "x-amazon-apigateway-cors"); c != nil {
		const key = "x-amazon-apigateway-cors"
		cors := &config.Cors{AllowOrigins: d.stringsOf(c, key, "allowOrigins"), AllowCredentials: d.boolOf(c, key, "allowCredentials"),
			ExposeHeaders: d.stringsOf(c, key, "exposeHeaders"), AllowMethods: d.stringsOf(c, key, "allowMethods"),
			AllowHeaders: d.stringsOf(c, key, "allowHeaders")}
		if age, ok := d.intOf(c, key, "maxAge"); ok {
			cors.MaxAge = &age
		}
		api.CorsConfiguration = cors
	}
	auth := d.httpAuthorizers()
	api.Authorizers = auth.list
	shared := map[string]string{} // components integration name → integration ID
	prefix := d.prefix(opt)
	d.eachOperation(prefix, func(path, method string, op, _ *yaml.Node, key string) {
		routeKey := method + " " + path
		if strings.HasSuffix(path, "/$default") {
			if method != "ANY" {
				d.errorf(op, key, "the $default route is written x-amazon-apigateway-any-method")
				return
			}
			routeKey = "$default"
		}
		if slices.ContainsFunc(api.Routes, func(r config.Route) bool { return r.RouteKey == routeKey }) {
			d.errorf(op, key, "duplicate route %s", routeKey)
			return
		}
		r := config.Route{RouteKey: routeKey, OperationName: d.strOf(op, key, "operationId"), AuthorizationType: "NONE"}
		names, scopes := d.securityRequirements(op, key)
		for _, name := range names {
			switch a := auth.byName[name]; {
			case a != nil:
				r.AuthorizerID = a.AuthorizerID
				r.AuthorizationType = "CUSTOM"
				if a.AuthorizerType == "JWT" {
					r.AuthorizationType = "JWT"
					r.AuthorizationScopes = scopes[name]
				}
			case auth.iam[name]:
				r.AuthorizationType = "AWS_IAM"
			case auth.known[name]:
				d.warnf(d.get(op, "security"), "Unsupported security scheme %s on route %s ignored (it has no x-amazon-apigateway-authorizer)", name, routeKey)
			default:
				d.warnf(d.get(op, "security"), "Security definition %s not found; the requirement on route %s ignored", name, routeKey)
			}
		}
		if v := d.get(op, "x-amazon-apigateway-integration"); v != nil {
			ikey := key + ".x-amazon-apigateway-integration"
			ref := ""
			if rn := d.get(v, "$ref"); rn != nil {
				ref = rn.Value
			}
			id, ok := shared[ref]
			if ref == "" || !ok {
				id = derivedID("integration", cmpStr(ref, routeKey))
				if in := d.httpIntegration(d.resolve(v, ikey), ikey, id); in != nil {
					api.Integrations = append(api.Integrations, *in)
					if ref != "" {
						shared[ref] = id
					}
				} else {
					id = ""
				}
			}
			if id != "" {
				r.Target = "integrations/" + id
			}
		}
		for i := 0; i+1 < len(op.Content); i += 2 {
			k := op.Content[i].Value
			if strings.HasPrefix(k, "x-amazon-apigateway-") && k != "x-amazon-apigateway-integration" {
				d.warnf(op.Content[i], "Unsupported extension %s on route %s ignored", k, routeKey)
			}
		}
		api.Routes = append(api.Routes, r)
	})
	return api
}

// httpIntegration reads an HTTP API's x-amazon-apigateway-integration.
func (d *importDoc) httpIntegration(n *yaml.Node, key, id string) *config.Integration {
	if n == nil || n.Kind != yaml.MappingNode {
		if n != nil {
			d.errorf(n, key, "want a mapping, got %s", describe(n))
		}
		return nil
	}
	in := &config.Integration{IntegrationID: id, IntegrationType: upper(d.strOf(n, key, "type")), IntegrationURI: d.strOf(n, key, "uri"),
		IntegrationMethod: upper(d.strOf(n, key, "httpMethod")), PayloadFormatVersion: d.strOf(n, key, "payloadFormatVersion"),
		RequestParameters: d.stringMap(n, key, "requestParameters")}
	in.TimeoutInMillis, _ = d.intOf(n, key, "timeoutInMillis")
	switch in.IntegrationType {
	case "AWS_PROXY":
		if in.PayloadFormatVersion == "" {
			in.PayloadFormatVersion = "1.0"
		}
		in.IntegrationMethod = "POST"
	case "HTTP_PROXY":
		if in.PayloadFormatVersion == "" {
			in.PayloadFormatVersion = "1.0"
		}
		if in.IntegrationMethod == "" {
			in.IntegrationMethod = "ANY"
		}
	case "":
		d.errorf(n, key+".type", "Invalid integration: type is required")
		return nil
	default:
		d.errorf(d.get(n, "type"), key+".type", "Invalid integration type %q: HTTP APIs import aws_proxy and http_proxy", in.IntegrationType)
		return nil
	}
	if in.IntegrationURI == "" {
		d.errorf(n, key+".uri", "Invalid integration: uri is required")
	}
	d.pairs(d.get(n, "responseParameters"), key+".responseParameters", func(code, v *yaml.Node) {
		if in.ResponseParameters == nil {
			in.ResponseParameters = map[string]map[string]string{}
		}
		m := map[string]string{}
		d.pairs(v, key+".responseParameters."+code.Value, func(k, val *yaml.Node) { m[k.Value] = d.str(val, key+".responseParameters."+code.Value) })
		in.ResponseParameters[code.Value] = m
	})
	if v := d.get(n, "connectionType"); v != nil && !strings.EqualFold(v.Value, "INTERNET") {
		d.warnf(v, "Unsupported integration property connectionType %s ignored (Portico calls integrations over the internet)", v.Value)
	}
	d.unknownKeys(n, "integration", []string{"type", "uri", "httpMethod", "payloadFormatVersion", "requestParameters",
		"responseParameters", "timeoutInMillis", "connectionType"})
	return in
}

// httpAuth is what an HTTP API's security schemes say, by name.
type httpAuth struct {
	list   []config.Authorizer
	byName map[string]*config.Authorizer
	iam    map[string]bool
	known  map[string]bool
}

// httpAuthorizers reads the security schemes of an HTTP API.
func (d *importDoc) httpAuthorizers() httpAuth {
	out := httpAuth{byName: map[string]*config.Authorizer{}, iam: map[string]bool{}, known: map[string]bool{}}
	schemes, skey := d.securitySchemes()
	d.pairs(schemes, skey, func(k, s *yaml.Node) {
		name, key := k.Value, skey+"."+k.Value
		out.known[name] = true
		s = d.resolve(s, key)
		if s == nil {
			return
		}
		ext := d.get(s, "x-amazon-apigateway-authorizer")
		if ext == nil {
			if strings.EqualFold(d.strOf(s, key, "x-amazon-apigateway-authtype"), "awsSigv4") {
				out.iam[name] = true
			}
			return
		}
		ekey := key + ".x-amazon-apigateway-authorizer"
		a := config.Authorizer{AuthorizerID: derivedID("authorizer", name), Name: name, AuthorizerType: upper(d.strOf(ext, ekey, "type")),
			AuthorizerURI: d.strOf(ext, ekey, "authorizerUri"), AuthorizerPayloadFormatVersion: d.strOf(ext, ekey, "authorizerPayloadFormatVersion"),
			EnableSimpleResponses: d.boolOf(ext, ekey, "enableSimpleResponses"), AuthorizerCredentialsARN: d.strOf(ext, ekey, "authorizerCredentials")}
		if ttl, ok := d.intOf(ext, ekey, "authorizerResultTtlInSeconds"); ok {
			a.AuthorizerResultTTLInSeconds = &ttl
		}
		if src := d.get(ext, "identitySource"); src != nil && src.Kind == yaml.ScalarNode {
			for _, s := range strings.Split(src.Value, ",") {
				if s = strings.TrimSpace(s); s != "" {
					a.IdentitySource = append(a.IdentitySource, s)
				}
			}
		} else {
			a.IdentitySource = d.stringsOf(ext, ekey, "identitySource")
		}
		switch a.AuthorizerType {
		case "JWT":
			j := d.get(ext, "jwtConfiguration")
			a.JWTConfiguration = &config.JWTConfiguration{Issuer: d.strOf(j, ekey+".jwtConfiguration", "issuer"),
				Audience: d.stringsOf(j, ekey+".jwtConfiguration", "audience")}
			if len(a.IdentitySource) == 0 {
				a.IdentitySource = []string{"$request.header.Authorization"}
			}
		case "REQUEST":
			if a.AuthorizerPayloadFormatVersion == "" {
				a.AuthorizerPayloadFormatVersion = "2.0"
			}
		default:
			d.errorf(d.get(ext, "type"), ekey+".type", "Invalid authorizer type %q: HTTP APIs import jwt and request", a.AuthorizerType)
			return
		}
		out.list = append(out.list, a)
	})
	for i := range out.list {
		out.byName[out.list[i].Name] = &out.list[i]
	}
	return out
}

// derivedID is 7 lowercase alphanumerics derived from kind and key.
func derivedID(kind, key string) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	sum := sha256.Sum256([]byte(kind + "\x00" + key))
	id := make([]byte, 7)
	for i := range id {
		id[i] = alphabet[int(sum[i])%len(alphabet)]
	}
	return string(id)
}

func cmpStr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
