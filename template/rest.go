package template

import (
	"cmp"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/portico-gw/portico/config"
)

// AWS::ApiGateway::*: REST APIs written resource by resource.

var restBuilders = map[string]func(*loader, *resource, *props){
	typeRestAPI:                         (*loader).buildRestAPI,
	"AWS::ApiGateway::Method":           (*loader).buildRestMethod,
	"AWS::ApiGateway::Stage":            (*loader).buildRestStage,
	"AWS::ApiGateway::Deployment":       (*loader).buildRestDeployment,
	"AWS::ApiGateway::Authorizer":       (*loader).buildRestAuthorizer,
	"AWS::ApiGateway::GatewayResponse":  (*loader).buildRestGatewayResponse,
	"AWS::ApiGateway::Model":            (*loader).buildRestModel,
	"AWS::ApiGateway::RequestValidator": (*loader).buildRestRequestValidator,
	"AWS::ApiGateway::ApiKey":           (*loader).buildAPIKey,
	"AWS::ApiGateway::UsagePlan":        (*loader).buildUsagePlan,
	"AWS::ApiGateway::UsagePlanKey":     (*loader).buildUsagePlanKey,
}

func (l *loader) buildRestAPI(r *resource, p *props) {
	if p.has("CloneFrom") {
		l.errorf(p.nodeAt("CloneFrom"), p.key+".CloneFrom", "CloneFrom is not supported: there is no other API to clone here; give the definition as Body or BodyS3Location")
		return
	}
	b := newRestBuild(r, r.physical)
	def, ok := l.restDefinition(b, p, "Body", "BodyS3Location")
	if !ok {
		return
	}
	l.restAPIProps(b, p, def)
	p.done(r.typ, "Tags", "EndpointConfiguration", "Policy", "MinimumCompressionSize", "DisableExecuteApiEndpoint",
		"FailOnWarnings", "Mode", "Parameters")
	l.restAPIs[r.physical] = b
}

// buildRestResources places every AWS::ApiGateway::Resource under its
// parent, whichever order they are written in.
func (l *loader) buildRestResources() {
	type pending struct {
		r              *resource
		p              *props
		b              *restBuild
		parent, part   string
		parentAt, at   *yaml.Node
		parentKey, key string
	}
	var todo []*pending
	for _, r := range l.order {
		if r.typ != "AWS::ApiGateway::Resource" || r.skip != "" {
			continue
		}
		if _, ok := l.physical(r, r.key, r.where()); !ok {
			continue
		}
		p, ok := l.properties(r)
		if !ok {
			continue
		}
		b := l.restAPI(p, "RestApiId")
		e := &pending{r: r, p: p, b: b, parent: p.required("ParentId", ": !GetAtt MyApi.RootResourceId, or !Ref ParentResource"),
			part: p.required("PathPart", ": e.g. pets, {petId} or {proxy+}"), parentAt: p.nodeAt("ParentId"), parentKey: p.key + ".ParentId"}
		p.done(r.typ)
		if b != nil && e.parent != "" && e.part != "" {
			todo = append(todo, e)
		}
	}
	for progress := true; progress && len(todo) > 0; {
		progress = false
		rest := todo[:0]
		for _, e := range todo {
			parentPath, ok := e.b.idPath[e.parent]
			if !ok {
				rest = append(rest, e)
				continue
			}
			path := strings.TrimSuffix(parentPath, "/") + "/" + e.part
			if e.b.byPath[path] != nil {
				l.errorf(e.r.key, e.r.where(), "a second resource at %s", path)
				continue
			}
			res := &config.RestResource{ID: e.r.physical, ParentID: e.parent, PathPart: e.part, Path: path}
			e.b.byPath[path] = res
			e.b.idPath[res.ID] = path
			progress = true
		}
		todo = rest
	}
	for _, e := range todo {
		l.errorf(e.parentAt, e.parentKey, "%q is neither the API's RootResourceId nor an AWS::ApiGateway::Resource of the same API", e.parent)
	}
}

func (l *loader) buildRestMethod(r *resource, p *props) {
	b := l.restAPI(p, "RestApiId")
	resID := p.required("ResourceId", ": !GetAtt MyApi.RootResourceId, or !Ref MyResource")
	verb := strings.ToUpper(p.required("HttpMethod", ": GET, POST, ..., or ANY"))
	if b == nil || resID == "" || verb == "" {
		return
	}
	path, ok := b.idPath[resID]
	if !ok {
		l.errorf(p.nodeAt("ResourceId"), p.key+".ResourceId", "%q is neither the API's RootResourceId nor an AWS::ApiGateway::Resource of it", resID)
		return
	}
	m := config.RestMethod{AuthorizationType: p.str("AuthorizationType"), AuthorizerID: p.str("AuthorizerId"),
		APIKeyRequired: p.boolean("ApiKeyRequired", false), AuthorizationScopes: p.list("AuthorizationScopes"),
		RequestParameters: p.boolMap("RequestParameters"), RequestModels: p.stringMap("RequestModels"),
		RequestValidatorID: p.str("RequestValidatorId"), OperationName: p.str("OperationName")}
	if in := p.child("Integration"); in.node != nil {
		ri := &config.RestIntegration{Type: in.required("Type", ": AWS_PROXY, AWS, HTTP, HTTP_PROXY or MOCK"), URI: in.str("Uri"),
			HTTPMethod: in.str("IntegrationHttpMethod"), RequestParameters: in.stringMap("RequestParameters"),
			RequestTemplates: in.stringMap("RequestTemplates"), PassthroughBehavior: in.str("PassthroughBehavior"),
			ContentHandling: in.str("ContentHandling"), CacheKeyParameters: in.list("CacheKeyParameters"),
			CacheNamespace: in.str("CacheNamespace"), ConnectionType: in.str("ConnectionType"), ConnectionID: in.str("ConnectionId"),
			Credentials: in.str("Credentials")}
		if t := in.integer("TimeoutInMillis"); t != nil {
			ri.TimeoutInMillis = *t
		}
		if list := in.get("IntegrationResponses"); list != nil {
			ri.IntegrationResponses = map[string]config.RestIntegrationResponse{}
			for i, c := range l.listOf(list, in.key+".IntegrationResponses") {
				ir := in.of(c, fmt.Sprintf("%s.IntegrationResponses[%d]", in.key, i))
				code := ir.required("StatusCode", ": e.g. 200")
				ri.IntegrationResponses[code] = config.RestIntegrationResponse{StatusCode: code, SelectionPattern: ir.str("SelectionPattern"),
					ResponseParameters: ir.stringMap("ResponseParameters"), ResponseTemplates: ir.stringMap("ResponseTemplates"),
					ContentHandling: ir.str("ContentHandling")}
				ir.done("an integration response")
			}
		}
		in.done("Integration", "TlsConfig", "IntegrationTarget")
		m.MethodIntegration = ri
	}
	if list := p.get("MethodResponses"); list != nil {
		m.MethodResponses = map[string]config.MethodResponse{}
		for i, c := range l.listOf(list, p.key+".MethodResponses") {
			mr := p.of(c, fmt.Sprintf("%s.MethodResponses[%d]", p.key, i))
			code := mr.required("StatusCode", ": e.g. 200")
			m.MethodResponses[code] = config.MethodResponse{StatusCode: code, ResponseParameters: mr.boolMap("ResponseParameters"),
				ResponseModels: mr.stringMap("ResponseModels")}
			mr.done("a method response")
		}
	}
	p.done(r.typ)
	l.addMethod(b, path, verb, m, origin{res: r, at: r.key}, r.where())
}

// listOf checks that n is a list.
func (l *loader) listOf(n *yaml.Node, key string) []*yaml.Node {
	if n.Kind != yaml.SequenceNode {
		l.errorf(n, key, "want a list, got %s", describe(n))
		return nil
	}
	return n.Content
}

func (l *loader) buildRestStage(r *resource, p *props) {
	b := l.restAPI(p, "RestApiId")
	if b == nil {
		return
	}
	st := config.RestStage{StageName: p.required("StageName", ": e.g. prod"), Description: p.str("Description"),
		DeploymentID: p.str("DeploymentId"), Variables: p.stringMap("Variables"), MethodSettings: l.methodSettings(p),
		AccessLogSettings: l.accessLog(p.child("AccessLogSetting"))}
	p.done(r.typ, "Tags", "TracingEnabled", "CacheClusterEnabled", "CacheClusterSize", "ClientCertificateId", "DocumentationVersion")
	for i := range b.api.Stages {
		if b.api.Stages[i].StageName == st.StageName { // declared by a Deployment's StageName too
			b.api.Stages[i] = st
			return
		}
	}
	b.origins[fmt.Sprintf("stages[%d]", len(b.api.Stages))] = origin{res: r, at: r.key}
	b.api.Stages = append(b.api.Stages, st)
}

// buildRestDeployment adds the stage a Deployment's StageName creates,
// unless an AWS::ApiGateway::Stage declares it.
func (l *loader) buildRestDeployment(r *resource, p *props) {
	b := l.restAPI(p, "RestApiId")
	name := p.str("StageName")
	sd := p.child("StageDescription")
	vars := sd.stringMap("Variables")
	sd.done("StageDescription", "Description", "TracingEnabled", "MethodSettings", "CacheClusterEnabled", "MetricsEnabled",
		"LoggingLevel", "DataTraceEnabled", "ThrottlingBurstLimit", "ThrottlingRateLimit", "Tags", "AccessLogSetting")
	p.done(r.typ, "Description", "DeploymentCanarySettings")
	if b == nil || name == "" {
		return
	}
	for _, st := range b.api.Stages {
		if st.StageName == name {
			return
		}
	}
	b.origins[fmt.Sprintf("stages[%d]", len(b.api.Stages))] = origin{res: r, at: r.key}
	b.api.Stages = append(b.api.Stages, config.RestStage{StageName: name, DeploymentID: r.id, Variables: vars})
}

func (l *loader) buildRestAuthorizer(r *resource, p *props) {
	b := l.restAPI(p, "RestApiId")
	if b == nil {
		return
	}
	au := config.RestAuthorizer{ID: r.physical, Name: cmp.Or(p.str("Name"), r.id), Type: p.required("Type", ": TOKEN, REQUEST or COGNITO_USER_POOLS"),
		AuthorizerURI: p.str("AuthorizerUri"), IdentityValidationExpression: p.str("IdentityValidationExpression"),
		AuthorizerResultTTLInSeconds: p.integer("AuthorizerResultTtlInSeconds"), ProviderARNs: p.list("ProviderARNs"),
		AuthorizerCredentials: p.str("AuthorizerCredentials"), AuthType: p.str("AuthType")}
	for s := range strings.SplitSeq(p.str("IdentitySource"), ",") {
		if s = strings.TrimSpace(s); s != "" {
			au.IdentitySource = append(au.IdentitySource, s)
		}
	}
	p.done(r.typ)
	b.origins[fmt.Sprintf("authorizers[%d]", len(b.api.Authorizers))] = origin{res: r, at: r.key}
	b.api.Authorizers = append(b.api.Authorizers, au)
}

func (l *loader) buildRestGatewayResponse(r *resource, p *props) {
	b := l.restAPI(p, "RestApiId")
	if b == nil {
		return
	}
	g := config.GatewayResponse{ResponseType: p.required("ResponseType", ": e.g. DEFAULT_4XX"), StatusCode: p.str("StatusCode"),
		ResponseParameters: p.stringMap("ResponseParameters"), ResponseTemplates: p.stringMap("ResponseTemplates")}
	p.done(r.typ)
	b.origins[fmt.Sprintf("gatewayResponses[%d]", len(b.api.GatewayResponses))] = origin{res: r, at: r.key}
	b.api.GatewayResponses = append(b.api.GatewayResponses, g)
}

func (l *loader) buildRestModel(r *resource, p *props) {
	b := l.restAPI(p, "RestApiId")
	if b == nil {
		return
	}
	m := config.RestModel{ID: r.physical, Name: r.physical, ContentType: p.str("ContentType"), Description: p.str("Description"),
		Schema: p.jsonString("Schema")}
	p.done(r.typ, "Name")
	b.origins[fmt.Sprintf("models[%d]", len(b.api.Models))] = origin{res: r, at: r.key}
	b.api.Models = append(b.api.Models, m)
}

func (l *loader) buildRestRequestValidator(r *resource, p *props) {
	b := l.restAPI(p, "RestApiId")
	if b == nil {
		return
	}
	v := config.RequestValidator{ID: r.physical, Name: cmp.Or(p.str("Name"), r.id),
		ValidateRequestBody: p.boolean("ValidateRequestBody", false), ValidateRequestParameters: p.boolean("ValidateRequestParameters", false)}
	p.done(r.typ)
	b.origins[fmt.Sprintf("requestValidators[%d]", len(b.api.RequestValidators))] = origin{res: r, at: r.key}
	b.api.RequestValidators = append(b.api.RequestValidators, v)
}

func (l *loader) buildAPIKey(r *resource, p *props) {
	k := config.APIKey{ID: r.physical, Name: cmp.Or(p.str("Name"), r.id), Value: p.str("Value"), Description: p.str("Description")}
	if k.Value == "" {
		k.Value = l.keyValue(r.id, r.key, r.where())
	}
	if p.has("Enabled") {
		e := p.boolean("Enabled", true)
		k.Enabled = &e
	}
	if list := p.get("StageKeys"); list != nil {
		for i, c := range l.listOf(list, p.key+".StageKeys") {
			sk := p.of(c, fmt.Sprintf("%s.StageKeys[%d]", p.key, i))
			k.StageKeys = append(k.StageKeys, sk.str("RestApiId")+"/"+sk.str("StageName"))
			sk.done("a stage key")
		}
	}
	p.done(r.typ, "Tags", "GenerateDistinctId", "CustomerId")
	l.origins[fmt.Sprintf("apiKeys[%d]", len(l.out.APIKeys))] = origin{res: r, at: r.key}
	l.out.APIKeys = append(l.out.APIKeys, k)
}

func (l *loader) buildUsagePlan(r *resource, p *props) {
	u := config.UsagePlan{ID: r.physical, Name: cmp.Or(p.str("UsagePlanName"), r.id), Description: p.str("Description")}
	if t := p.child("Throttle"); t.node != nil {
		u.Throttle = l.throttle(t)
	}
	if q := p.child("Quota"); q.node != nil {
		u.Quota = &config.QuotaSettings{Limit: deref(q.integer("Limit")), Period: q.str("Period"), Offset: deref(q.integer("Offset"))}
		q.done("Quota")
	}
	if list := p.get("ApiStages"); list != nil {
		for i, c := range l.listOf(list, p.key+".ApiStages") {
			s := p.of(c, fmt.Sprintf("%s.ApiStages[%d]", p.key, i))
			st := config.UsagePlanStage{APIID: s.str("ApiId"), Stage: s.str("Stage")}
			th := s.child("Throttle")
			pairs(th.node, func(k, v *yaml.Node) {
				if st.Throttle == nil {
					st.Throttle = map[string]config.ThrottleSettings{}
				}
				st.Throttle[k.Value] = *l.throttle(th.of(v, th.key+"."+k.Value))
			})
			s.done("an API stage")
			u.APIStages = append(u.APIStages, st)
		}
	}
	p.done(r.typ, "Tags")
	l.origins[fmt.Sprintf("usagePlans[%d]", len(l.out.UsagePlans))] = origin{res: r, at: r.key}
	l.out.UsagePlans = append(l.out.UsagePlans, u)
}

func (l *loader) throttle(t *props) *config.ThrottleSettings {
	out := &config.ThrottleSettings{BurstLimit: deref(t.integer("BurstLimit"))}
	if f := t.float("RateLimit"); f != nil {
		out.RateLimit = *f
	}
	t.done("Throttle")
	return out
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

func (l *loader) buildUsagePlanKey(r *resource, p *props) {
	k := config.UsagePlanKey{KeyID: p.required("KeyId", ": !Ref MyApiKey"), KeyType: p.str("KeyType"), UsagePlanID: p.required("UsagePlanId", ": !Ref MyUsagePlan")}
	p.done(r.typ)
	l.origins[fmt.Sprintf("usagePlanKeys[%d]", len(l.out.UsagePlanKeys))] = origin{res: r, at: r.key}
	l.out.UsagePlanKeys = append(l.out.UsagePlanKeys, k)
}

// binaryMediaTypes turns the "~1" SAM and AWS's patch paths write for "/"
// back into "/".
func binaryMediaTypes(types []string) []string {
	for i, t := range types {
		types[i] = strings.ReplaceAll(t, "~1", "/")
	}
	return types
}
