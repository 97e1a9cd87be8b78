package template

import (
	"cmp"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/portico-gw/portico/config"
)

// AWS::ApiGatewayV2::*: how WebSocket APIs (and HTTP APIs outside SAM)
// are written.

var v2Builders = map[string]func(*loader, *resource, *props){
	typeV2API:                                (*loader).buildV2API,
	"AWS::ApiGatewayV2::Integration":         (*loader).buildV2Integration,
	"AWS::ApiGatewayV2::Route":               (*loader).buildV2Route,
	"AWS::ApiGatewayV2::Authorizer":          (*loader).buildV2Authorizer,
	"AWS::ApiGatewayV2::Stage":               (*loader).buildV2Stage,
	"AWS::ApiGatewayV2::RouteResponse":       (*loader).buildV2RouteResponse,
	"AWS::ApiGatewayV2::IntegrationResponse": (*loader).buildV2IntegrationResponse,
	"AWS::ApiGatewayV2::Deployment": func(l *loader, r *resource, p *props) {
		l.v2API(p)
		p.done(r.typ, "Description", "StageName")
	},
}

var v2Quiet = []string{"Tags", "DisableExecuteApiEndpoint", "DisableSchemaValidation", "Version", "FailOnWarnings", "CredentialsArn", "BasePath", "Name"}

func (l *loader) buildV2API(r *resource, p *props) {
	b := &v2Build{res: r, routes: map[string]int{}, integrations: map[string]int{}, origins: map[string]origin{}}
	b.api = config.API{APIID: r.physical}
	def, ok := l.httpDefinition(b, p, "Body", "BodyS3Location")
	if !ok {
		return
	}
	protocol := "HTTP"
	if def == nil {
		def = &config.API{}
		protocol = p.required("ProtocolType", ": WEBSOCKET or HTTP")
	} else if t := p.str("ProtocolType"); t != "" && t != "HTTP" {
		l.errorf(p.nodeAt("ProtocolType"), p.key+".ProtocolType", "an OpenAPI Body describes an HTTP API; ProtocolType is %s", t)
		return
	}
	b.api.Name, b.api.Description = cmp.Or(p.str("Name"), def.Name, r.id), cmp.Or(p.str("Description"), def.Description)
	b.api.ProtocolType, b.api.RouteSelectionExpression = protocol, p.str("RouteSelectionExpression")
	b.api.APIKeySelectionExpression = p.str("ApiKeySelectionExpression")
	b.api.CorsConfiguration = def.CorsConfiguration
	if c := p.child("CorsConfiguration"); c.node != nil {
		b.api.CorsConfiguration = l.cors(c)
	}
	if target := p.str("Target"); target != "" { // quick create
		in := config.Integration{IntegrationID: r.id + "QuickCreate", IntegrationType: "AWS_PROXY", IntegrationURI: target, PayloadFormatVersion: "2.0"}
		if strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://") {
			in.IntegrationType, in.IntegrationMethod, in.PayloadFormatVersion = "HTTP_PROXY", "ANY", "1.0"
		}
		l.addIntegration(b, in, origin{res: r, at: p.nodeAt("Target")})
		l.addRoute(b, config.Route{RouteKey: cmp.Or(p.str("RouteKey"), "$default"), Target: "integrations/" + in.IntegrationID}, "", origin{res: r, at: p.nodeAt("Target")})
		b.api.Stages = append(b.api.Stages, config.Stage{StageName: "$default", AutoDeploy: true})
	}
	p.done(r.typ, v2Quiet...)
	l.v2APIs[r.physical] = b
}

// addIntegration adds an integration to b.
func (l *loader) addIntegration(b *v2Build, in config.Integration, o origin) {
	b.origins[fmt.Sprintf("integrations[%d]", len(b.api.Integrations))] = o
	b.integrations[in.IntegrationID] = len(b.api.Integrations)
	b.api.Integrations = append(b.api.Integrations, in)
}

// addRoute adds a route to b; id is what Ref returns for it ("" for
// routes SAM generates).
func (l *loader) addRoute(b *v2Build, route config.Route, id string, o origin) {
	b.origins[fmt.Sprintf("routes[%d]", len(b.api.Routes))] = o
	if id != "" {
		b.routes[id] = len(b.api.Routes)
	}
	b.api.Routes = append(b.api.Routes, route)
}

func (l *loader) buildV2Integration(r *resource, p *props) {
	b := l.v2API(p)
	if b == nil {
		return
	}
	in := config.Integration{IntegrationID: r.physical, Description: p.str("Description"),
		IntegrationType: p.required("IntegrationType", ": AWS_PROXY, HTTP_PROXY, HTTP, AWS or MOCK"),
		IntegrationURI:  p.str("IntegrationUri"), IntegrationMethod: p.str("IntegrationMethod"),
		PayloadFormatVersion: p.str("PayloadFormatVersion"), PassthroughBehavior: p.str("PassthroughBehavior"),
		TemplateSelectionExpression: p.str("TemplateSelectionExpression"), RequestParameters: p.stringMap("RequestParameters"),
		RequestTemplates: p.stringMap("RequestTemplates")}
	if in.IntegrationID == "" {
		in.IntegrationID = r.id
	}
	if t := p.integer("TimeoutInMillis"); t != nil {
		in.TimeoutInMillis = *t
	}
	rp := p.child("ResponseParameters")
	pairs(rp.node, func(code, v *yaml.Node) {
		m := map[string]string{}
		c := rp.of(v, rp.key+"."+code.Value)
		if list := c.get("ResponseParameters"); list != nil && list.Kind == yaml.SequenceNode { // CloudFormation's shape
			for i, e := range list.Content {
				ep := c.of(e, fmt.Sprintf("%s.ResponseParameters[%d]", c.key, i))
				m[ep.str("Destination")] = ep.str("Source")
				ep.done("a response parameter")
			}
		} else {
			m = rp.stringMap(code.Value)
		}
		if in.ResponseParameters == nil {
			in.ResponseParameters = map[string]map[string]string{}
		}
		in.ResponseParameters[code.Value] = m
	})
	p.done(r.typ, "ApiId", "CredentialsArn", "ConnectionType", "ConnectionId", "TlsConfig", "IntegrationSubtype")
	l.addIntegration(b, in, origin{res: r, at: r.key})
}

func (l *loader) buildV2Route(r *resource, p *props) {
	b := l.v2API(p)
	if b == nil {
		return
	}
	route := config.Route{RouteKey: p.required("RouteKey", ": e.g. $connect, sendmessage, GET /items"), Target: p.str("Target"),
		OperationName: p.str("OperationName"), AuthorizationType: p.str("AuthorizationType"), AuthorizerID: p.str("AuthorizerId"),
		APIKeyRequired: p.boolean("ApiKeyRequired", false), AuthorizationScopes: p.list("AuthorizationScopes"),
		RouteResponseSelectionExpression: p.str("RouteResponseSelectionExpression")}
	p.done(r.typ, "ApiId")
	l.addRoute(b, route, r.physical, origin{res: r, at: r.key})
}

func (l *loader) buildV2Authorizer(r *resource, p *props) {
	b := l.v2API(p)
	if b == nil {
		return
	}
	au := config.Authorizer{AuthorizerID: r.physical, Name: cmp.Or(p.str("Name"), r.id),
		AuthorizerType: p.required("AuthorizerType", ": REQUEST or JWT"), IdentitySource: p.list("IdentitySource"),
		AuthorizerURI: p.str("AuthorizerUri"), AuthorizerPayloadFormatVersion: p.str("AuthorizerPayloadFormatVersion"),
		EnableSimpleResponses: p.boolean("EnableSimpleResponses", false), AuthorizerResultTTLInSeconds: p.integer("AuthorizerResultTtlInSeconds"),
		AuthorizerCredentialsARN: p.str("AuthorizerCredentialsArn")}
	if jwt := p.child("JwtConfiguration"); jwt.node != nil {
		au.JWTConfiguration = &config.JWTConfiguration{Issuer: jwt.str("Issuer"), Audience: jwt.list("Audience")}
		jwt.done("JwtConfiguration")
	}
	p.done(r.typ, "ApiId")
	b.origins[fmt.Sprintf("authorizers[%d]", len(b.api.Authorizers))] = origin{res: r, at: r.key}
	b.api.Authorizers = append(b.api.Authorizers, au)
}

func (l *loader) buildV2Stage(r *resource, p *props) {
	b := l.v2API(p)
	if b == nil {
		return
	}
	st := config.Stage{StageName: p.required("StageName", ": e.g. production, or $default"), Description: p.str("Description"),
		AutoDeploy: p.boolean("AutoDeploy", false), StageVariables: p.stringMap("StageVariables"),
		DefaultRouteSettings: l.routeSettings(p.child("DefaultRouteSettings")), AccessLogSettings: l.accessLog(p.child("AccessLogSettings"))}
	rs := p.child("RouteSettings")
	pairs(rs.node, func(k, v *yaml.Node) {
		if s := l.routeSettings(rs.of(v, rs.key+"."+k.Value)); s != nil {
			if st.RouteSettings == nil {
				st.RouteSettings = map[string]config.RouteSettings{}
			}
			st.RouteSettings[k.Value] = *s
		}
	})
	p.done(r.typ, "ApiId", "DeploymentId", "Tags", "ClientCertificateId")
	b.origins[fmt.Sprintf("stages[%d]", len(b.api.Stages))] = origin{res: r, at: r.key}
	b.api.Stages = append(b.api.Stages, st)
}

func (l *loader) buildV2RouteResponse(r *resource, p *props) {
	b := l.v2API(p)
	if b == nil {
		return
	}
	id := p.required("RouteId", ": e.g. !Ref MyRoute")
	i, ok := b.routes[id]
	if !ok {
		if id != "" {
			l.errorf(p.nodeAt("RouteId"), p.key+".RouteId", "%q is not a route (AWS::ApiGatewayV2::Route) of this API", id)
		}
		return
	}
	b.api.Routes[i].RouteResponses = append(b.api.Routes[i].RouteResponses, config.RouteResponse{RouteResponseKey: p.required("RouteResponseKey", ": $default")})
	p.done(r.typ, "ApiId", "ModelSelectionExpression", "ResponseModels", "ResponseParameters")
}

func (l *loader) buildV2IntegrationResponse(r *resource, p *props) {
	b := l.v2API(p)
	if b == nil {
		return
	}
	id := p.required("IntegrationId", ": e.g. !Ref MyIntegration")
	i, ok := b.integrations[id]
	if !ok {
		if id != "" {
			l.errorf(p.nodeAt("IntegrationId"), p.key+".IntegrationId", "%q is not an integration (AWS::ApiGatewayV2::Integration) of this API", id)
		}
		return
	}
	in := &b.api.Integrations[i]
	in.IntegrationResponses = append(in.IntegrationResponses, config.IntegrationResponse{
		IntegrationResponseKey: p.required("IntegrationResponseKey", ": $default or /regex/"), TemplateSelectionExpression: p.str("TemplateSelectionExpression"),
		ResponseTemplates: p.stringMap("ResponseTemplates"), ResponseParameters: p.stringMap("ResponseParameters")})
	p.done(r.typ, "ApiId", "ContentHandlingStrategy")
}
