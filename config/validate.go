package config

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
)

var (
	apiIDRE       = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)
	stageNameRE   = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	stageVarRE    = regexp.MustCompile(`^[A-Za-z0-9_]+$`)
	bodyPathRE    = regexp.MustCompile(`^[A-Za-z0-9_-]+(\[[0-9]+\])*(\.[A-Za-z0-9_-]+(\[[0-9]+\])*)*$`)
	lambdaARNRE   = regexp.MustCompile(`^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9$_-]+)?$`)
	apigwARNRE    = regexp.MustCompile(`^arn:aws[a-z-]*:apigateway:[a-z0-9-]+:lambda:path/2015-03-31/functions/(.+)/invocations$`)
	paramTargetRE = regexp.MustCompile(`^integration\.request\.(header|querystring|path)\.[^.\s]+$`)
	paramSourceRE = regexp.MustCompile(`^('[^']*'|context\.[A-Za-z0-9_.]+|stageVariables\.[A-Za-z0-9_]+|route\.request\.body\.\S+|route\.request\.(header|querystring|multivalueheader|multivaluequerystring)\.\S+)$`)
	natsURIRE     = regexp.MustCompile(`^nats:[^\s*>.?]+(\.[^\s*>.?]+)*(\?mode=(publish|request))?$`)
	httpMethods   = map[string]bool{"GET": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "HEAD": true, "OPTIONS": true, "ANY": true}
)

func validate(f *File, d *decoder) {
	for _, a := range []struct{ key, v string }{{"listen", f.Listen}, {"admin", f.Admin}, {"nats.listen", f.NATS.Listen}} {
		if a.v != "" {
			if _, _, err := net.SplitHostPort(a.v); err != nil {
				d.at(a.key, "want host:port, e.g. 127.0.0.1:8080 (%v)", err)
			}
		}
	}
	if f.PublicURL != "" {
		u, err := url.Parse(f.PublicURL)
		if err != nil || u.Host == "" || u.RawQuery != "" || !oneOf(u.Scheme, "http", "https", "ws", "wss") {
			d.at("publicUrl", "want an absolute http(s) or ws(s) URL without a query, e.g. https://ws.example.com")
		}
	}
	if f.NATS.URL != "" {
		for _, s := range strings.Split(f.NATS.URL, ",") {
			u, err := url.Parse(strings.TrimSpace(s))
			if err != nil || u.Host == "" || !oneOf(u.Scheme, "nats", "tls", "ws", "wss") {
				d.at("nats.url", "%q is not a nats://, tls:// or ws(s):// URL", s)
			}
		}
	}
	if c := f.NATS.Cluster; c.Listen != "" || len(c.Routes) > 0 {
		if f.NATS.URL != "" {
			d.at("nats.cluster", "clusters embedded servers; it cannot be used with nats.url")
		}
		if _, _, err := net.SplitHostPort(c.Listen); err != nil {
			d.at("nats.cluster.listen", "want host:port for this node's route listener (%v)", err)
		}
		for i, r := range c.Routes {
			u, err := url.Parse(r)
			if err != nil || u.Host == "" || !oneOf(u.Scheme, "nats-route", "nats", "tls") {
				d.at(fmt.Sprintf("nats.cluster.routes[%d]", i), "%q: want nats-route://host:port", r)
			}
		}
	}
	if p := f.NATS.SubjectPrefix; p != "" && (strings.ContainsAny(p, " \t*>") || strings.HasPrefix(p, ".") || strings.HasSuffix(p, ".") || strings.Contains(p, "..")) {
		d.at("nats.subjectPrefix", "%q is not a valid NATS subject prefix (no spaces, *, > or empty tokens)", p)
	}
	for i, c := range f.Credentials {
		k := fmt.Sprintf("credentials[%d]", i)
		if c.AccessKeyID == "" {
			d.at(k, "accessKeyId is required")
		}
		if c.SecretAccessKey == "" {
			d.at(k, "secretAccessKey is required")
		}
	}
	if len(f.APIs) == 0 {
		d.at("apis", "at least one API is required")
	}
	ids := map[string]string{}
	for i := range f.APIs {
		validateAPI(&f.APIs[i], fmt.Sprintf("apis[%d]", i), d, ids)
	}
}

func validateAPI(a *API, k string, d *decoder, ids map[string]string) {
	if a.APIID != "" {
		if !apiIDRE.MatchString(a.APIID) {
			d.at(k+".apiId", "%q: use 1-64 letters, digits, _ or -", a.APIID)
		} else if prev, dup := ids[a.APIID]; dup {
			d.at(k+".apiId", "duplicate apiId %q (also %s)", a.APIID, prev)
		}
		ids[a.APIID] = k
	}
	ws := a.ProtocolType == "WEBSOCKET"
	switch a.ProtocolType {
	case "WEBSOCKET", "HTTP":
	case "":
		d.at(k, "protocolType is required: WEBSOCKET or HTTP")
	default:
		d.at(k+".protocolType", "%q: want WEBSOCKET or HTTP", a.ProtocolType)
	}
	if ws {
		if a.RouteSelectionExpression == "" {
			d.at(k, "routeSelectionExpression is required for WEBSOCKET APIs (e.g. $request.body.action)")
		} else if msg := checkSelection(a.RouteSelectionExpression); msg != "" {
			d.at(k+".routeSelectionExpression", "%s", msg)
		}
	}
	integ := map[string]bool{}
	var known []string
	for i, in := range a.Integrations {
		ik := fmt.Sprintf("%s.integrations[%d]", k, i)
		validateIntegration(in, ik, d)
		if in.IntegrationID == "" {
			continue
		}
		if integ[in.IntegrationID] {
			d.at(ik+".integrationId", "duplicate integrationId %q", in.IntegrationID)
		}
		integ[in.IntegrationID] = true
		known = append(known, in.IntegrationID)
	}
	routes := map[string]string{}
	for i, r := range a.Routes {
		rk := fmt.Sprintf("%s.routes[%d]", k, i)
		switch {
		case r.RouteKey == "":
			d.at(rk, "routeKey is required")
		case routes[r.RouteKey] != "":
			d.at(rk+".routeKey", "duplicate route key %q (also %s, line %d)", r.RouteKey, routes[r.RouteKey], line(d, routes[r.RouteKey]+".routeKey"))
		case ws && strings.HasPrefix(r.RouteKey, "$") && !oneOf(r.RouteKey, "$connect", "$disconnect", "$default"):
			d.at(rk+".routeKey", "%q: keys starting with $ are reserved ($connect, $disconnect, $default)", r.RouteKey)
		}
		if r.RouteKey != "" && routes[r.RouteKey] == "" {
			routes[r.RouteKey] = rk
		}
		switch id, ok := strings.CutPrefix(r.Target, "integrations/"); {
		case r.Target == "":
			d.at(rk, "target is required (integrations/{integrationId})")
		case !ok:
			d.at(rk+".target", "%q: want integrations/{integrationId}", r.Target)
		case !integ[id]:
			d.at(rk+".target", "integration %q not found (known: %s)", id, strings.Join(known, ", "))
		}
		if r.RouteResponseSelectionExpression != "" && r.RouteResponseSelectionExpression != "$default" {
			d.at(rk+".routeResponseSelectionExpression", "%q: only $default is supported", r.RouteResponseSelectionExpression)
		}
		if r.RouteKey == "$disconnect" && (r.RouteResponseSelectionExpression != "" || len(r.RouteResponses) > 0) {
			d.at(rk+".routeResponseSelectionExpression", "$disconnect cannot answer: the client is gone")
		}
		for j, rr := range r.RouteResponses {
			if rr.RouteResponseKey != "$default" {
				d.at(fmt.Sprintf("%s.routeResponses[%d].routeResponseKey", rk, j), "%q: only $default is supported", rr.RouteResponseKey)
			}
		}
		if r.AuthorizationType != "" && r.AuthorizationType != "NONE" {
			d.at(rk+".authorizationType", "%q: only NONE is supported until authorizers arrive", r.AuthorizationType)
		}
	}
	if len(a.Stages) == 0 {
		d.at(k, "at least one stage is required (stages: [{stageName: dev}])")
	}
	stages := map[string]bool{}
	for i, s := range a.Stages {
		sk := fmt.Sprintf("%s.stages[%d]", k, i)
		switch {
		case s.StageName == "":
			d.at(sk, "stageName is required")
		case s.StageName == "$default" && ws:
			d.at(sk+".stageName", "$default stages exist only for HTTP APIs")
		case s.StageName != "$default" && !stageNameRE.MatchString(s.StageName):
			d.at(sk+".stageName", "%q: use letters, digits, _ or -", s.StageName)
		case stages[s.StageName]:
			d.at(sk+".stageName", "duplicate stage %q", s.StageName)
		}
		stages[s.StageName] = true
		for name, v := range s.StageVariables {
			vk := sk + ".stageVariables." + name
			if !stageVarRE.MatchString(name) {
				d.at(vk, "stage variable names use letters, digits and _")
			}
			if strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 }) {
				d.at(vk, "stage variable values cannot hold control characters")
			}
		}
	}
	validateLimits(a.Limits, k+".limits", d)
}

func line(d *decoder, key string) int {
	if n := d.pos[key]; n != nil {
		return n.Line
	}
	return 0
}

func validateIntegration(in Integration, k string, d *decoder) {
	if in.IntegrationID == "" {
		d.at(k, "integrationId is required")
	}
	switch in.IntegrationType {
	case "AWS_PROXY":
		u := in.IntegrationURI
		switch {
		case u == "":
			d.at(k, "integrationUri is required")
		case lambdaARNRE.MatchString(u):
		case apigwARNRE.MatchString(u):
			if m := apigwARNRE.FindStringSubmatch(u); !lambdaARNRE.MatchString(m[1]) {
				d.at(k+".integrationUri", "the function inside %q is not a Lambda function ARN", u)
			}
		case isHTTPURL(u):
		default:
			d.at(k+".integrationUri", "%q: want a Lambda function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME), the arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/ARN/invocations form, or an http(s):// URL", u)
		}
	case "HTTP_PROXY", "HTTP":
		if in.IntegrationURI == "" {
			d.at(k, "integrationUri is required")
		} else if !isHTTPURL(in.IntegrationURI) {
			d.at(k+".integrationUri", "%q: want an absolute http(s):// URL", in.IntegrationURI)
		}
	case "MOCK":
	case "NATS":
		if !natsURIRE.MatchString(in.IntegrationURI) {
			d.at(k+".integrationUri", "%q: want nats:SUBJECT or nats:SUBJECT?mode=publish", in.IntegrationURI)
		}
	case "AWS":
		d.at(k+".integrationType", "AWS (non-proxy AWS service) integrations are not supported yet")
	case "":
		d.at(k, "integrationType is required: AWS_PROXY, HTTP_PROXY, HTTP, MOCK or NATS")
	default:
		d.at(k+".integrationType", "%q: want AWS_PROXY, HTTP_PROXY, HTTP, MOCK or NATS", in.IntegrationType)
	}
	if t := in.TimeoutInMillis; t != 0 && (t < 50 || t > 29000) {
		d.at(k+".timeoutInMillis", "%d: must be between 50 and 29000", t)
	}
	if m := in.IntegrationMethod; m != "" && !httpMethods[m] {
		d.at(k+".integrationMethod", "%q is not an HTTP method", m)
	}
	for target, source := range in.RequestParameters {
		pk := k + ".requestParameters." + target
		if !paramTargetRE.MatchString(target) {
			d.at(pk, "want integration.request.header|querystring|path.NAME")
		}
		if !paramSourceRE.MatchString(source) {
			d.at(pk, "%q: want 'static', context.X, stageVariables.X, route.request.body.PATH or route.request.header|querystring|multivalueheader|multivaluequerystring.NAME", source)
		}
	}
	for i, r := range in.IntegrationResponses {
		rk := fmt.Sprintf("%s.integrationResponses[%d].integrationResponseKey", k, i)
		key := r.IntegrationResponseKey
		switch {
		case key == "$default":
		case len(key) >= 2 && strings.HasPrefix(key, "/") && strings.HasSuffix(key, "/"):
			if _, err := regexp.Compile(key[1 : len(key)-1]); err != nil {
				d.at(rk, "%q: %v", key, err)
			}
		default:
			d.at(rk, "%q: want $default or a /regex/ such as /4\\d\\d/", key)
		}
	}
}

func validateLimits(l Limits, k string, d *decoder) {
	for _, p := range []struct {
		name string
		v    *int
	}{{"maxFrameBytes", l.MaxFrameBytes}, {"maxMessageBytes", l.MaxMessageBytes}, {"sendQueueBytes", l.SendQueueBytes}} {
		if p.v != nil && *p.v <= 0 {
			d.at(k+"."+p.name, "must be positive")
		}
	}
	frame, msg := 32768, 131072
	if l.MaxFrameBytes != nil {
		frame = *l.MaxFrameBytes
	}
	if l.MaxMessageBytes != nil {
		msg = *l.MaxMessageBytes
	}
	if frame > msg {
		d.at(k+".maxFrameBytes", "%d is larger than maxMessageBytes %d", frame, msg)
	}
	for _, p := range []struct {
		name string
		v    *Duration
	}{{"idleTimeout", l.IdleTimeout}, {"maxConnectionDuration", l.MaxConnectionDuration}, {"writeTimeout", l.WriteTimeout}} {
		if p.v != nil && *p.v < 0 {
			d.at(k+"."+p.name, "must not be negative")
		}
	}
	if l.WriteTimeout != nil && *l.WriteTimeout == 0 {
		d.at(k+".writeTimeout", "must be positive")
	}
	for i, o := range l.AllowedOrigins {
		if o == "*" {
			continue
		}
		u, err := url.Parse(o)
		host := ""
		if err == nil {
			host = strings.TrimPrefix(u.Host, "*.")
		}
		if err != nil || !oneOf(u.Scheme, "http", "https") || host == "" || strings.Contains(host, "*") || (u.Path != "" && u.Path != "/") {
			d.at(fmt.Sprintf("%s.allowedOrigins[%d]", k, i), "%q: want scheme://host[:port], https://*.example.com or *", o)
		}
	}
}

// checkSelection checks a WebSocket route selection expression's syntax and
// returns a message, or "" when it is well formed.
func checkSelection(s string) string {
	const only = "only $request.body is supported for WebSocket APIs"
	if rest, ok := strings.CutPrefix(s, "$request.body."); ok {
		if !bodyPathRE.MatchString(rest) {
			return fmt.Sprintf("%q: bad $request.body path", s)
		}
		return ""
	}
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s) && s[i+1] == '$':
			i++
		case strings.HasPrefix(s[i:], "${"):
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return fmt.Sprintf("%q: unterminated ${", s)
			}
			inner := s[i+2 : i+end]
			rest, ok := strings.CutPrefix(inner, "request.body.")
			if !ok {
				return fmt.Sprintf("%q: ${%s}: %s", s, inner, only)
			}
			if !bodyPathRE.MatchString(rest) {
				return fmt.Sprintf("%q: bad path in ${%s}", s, inner)
			}
			i += end
		case s[i] == '$':
			return fmt.Sprintf("%q: %s (write \\$ for a literal $)", s, only)
		}
	}
	return ""
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func oneOf(s string, opts ...string) bool {
	for _, o := range opts {
		if s == o {
			return true
		}
	}
	return false
}
