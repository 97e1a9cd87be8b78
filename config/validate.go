package config

import (
	"errors"
	"maps"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/portico-gw/portico/expr"
	"github.com/portico-gw/portico/vtl"
)

// This file checks what decoding cannot: required fields, allowed values,
// references between resources, and the syntax of the small languages in
// the file (route selection expressions, parameter mappings, origins). Every
// check reports and carries on, so that one run lists every problem.

var (
	apiIDRE     = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)
	stageNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	stageVarRE  = regexp.MustCompile(`^[A-Za-z0-9_]+$`)
	accountIDRE = regexp.MustCompile(`^[0-9]{12}$`)
	regionRE    = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	lambdaARNRE = regexp.MustCompile(`^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]+)?$`)
	apigwARNRE  = regexp.MustCompile(`^arn:aws[a-z-]*:apigateway:[a-z0-9-]+:lambda:path/2015-03-31/functions/(.+)/invocations$`)
	httpRouteRE = regexp.MustCompile(`^(ANY|GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) /\S*$`)
	schemeRE    = regexp.MustCompile(`^[a-z][a-z0-9+.-]*$`)
	httpMethods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"}
)

// The defaults that limits are compared against when a value is absent.
const (
	defaultMaxFrameBytes   = 32768
	defaultMaxMessageBytes = 131072
)

func validate(f *File, d *decoder) {
	for _, a := range []struct{ key, v string }{{"listen", f.Listen}, {"admin", f.Admin}, {"nats.listen", f.NATS.Listen}} {
		if a.v != "" {
			checkHostPort(d, a.key, a.v)
		}
	}
	if f.Region != "" && !regionRE.MatchString(f.Region) {
		d.at("region", "%q is not a region name such as us-east-1", f.Region)
	}
	if f.AccountID != "" && !accountIDRE.MatchString(f.AccountID) {
		d.at("accountId", "%q: want 12 digits (quote it in YAML: \"000000000000\")", f.AccountID)
	}
	if f.PublicURL != "" {
		u, err := url.Parse(f.PublicURL)
		if err != nil || u.Host == "" || !oneOf(u.Scheme, "http", "https", "ws", "wss") || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
			d.at("publicUrl", "%q: want an absolute http(s) or ws(s) URL without a query, e.g. https://ws.example.com", f.PublicURL)
		}
	}
	for i, c := range f.Credentials {
		k := indexKey("credentials", i)
		if c.AccessKeyID == "" {
			d.at(k+".accessKeyId", "required")
		}
		if c.SecretAccessKey == "" {
			d.at(k+".secretAccessKey", "required")
		}
	}
	if f.Lambda.Endpoint != "" && !isHTTPURL(f.Lambda.Endpoint) {
		d.at("lambda.endpoint", "%q: want an absolute http(s):// URL", f.Lambda.Endpoint)
	}
	validateNATS(&f.NATS, d)
	for _, p := range []struct {
		name string
		v    *int
	}{{"limits.maxInFlightMessages", f.Limits.MaxInFlightMessages}, {"limits.maxInFlightBytes", f.Limits.MaxInFlightBytes}} {
		if p.v != nil && *p.v <= 0 {
			d.at(p.name, "%d: must be positive", *p.v)
		}
	}
	validateOperations(f, d)
	validateListeners(f, d)
	validateFunctions(f, d)
	if len(f.APIs) == 0 && len(f.RestAPIs) == 0 && len(f.Functions) == 0 && f.Admin == "" && !d.base {
		d.at("apis", "at least one API is required (or an admin listener, whose control plane creates them)")
	}
	ids := map[string]string{}
	for i := range f.APIs {
		k := indexKey("apis", i)
		for j, sa := range f.APIs[i].StageAPIs() {
			if j > 0 { // the API's ID was checked with its first stage
				delete(ids, sa.APIID)
			}
			validateAPI(&sa, k, d, ids)
			warnRouteSelection(&sa, k, d)
		}
	}
	d.restResources = validateRest(f, d, ids)
	warnLambdaCredentials(f, d)
}

func validateNATS(n *NATS, d *decoder) {
	if n.URL != "" {
		for s := range strings.SplitSeq(n.URL, ",") {
			s = strings.TrimSpace(s)
			u, err := url.Parse(s)
			if err != nil || u.Host == "" || !oneOf(u.Scheme, "nats", "tls", "ws", "wss") {
				d.at("nats.url", "%q is not a nats://, tls:// or ws(s):// URL", s)
			}
		}
	}
	if p := n.SubjectPrefix; p != "" && !subjectOK(p) {
		d.at("nats.subjectPrefix", "%q is not a NATS subject prefix (dot-separated tokens without spaces, * or >)", p)
	}
	if c := n.Cluster; c.Listen != "" || len(c.Routes) > 0 {
		if n.URL != "" {
			d.at("nats.cluster", "clusters embedded servers; it cannot be used with nats.url")
		}
		if c.Listen == "" {
			d.at("nats.cluster.listen", "required with routes: this node's route address, e.g. 127.0.0.1:6222")
		} else {
			checkHostPort(d, "nats.cluster.listen", c.Listen)
		}
		for i, r := range c.Routes {
			u, err := url.Parse(r)
			if err != nil || u.Host == "" || !oneOf(u.Scheme, "nats-route", "nats", "tls") {
				d.at(indexKey("nats.cluster.routes", i), "%q: want nats-route://host:port", r)
			}
		}
	}
}

func validateAPI(a *API, k string, d *decoder, ids map[string]string) {
	if a.APIID != "" {
		if !apiIDRE.MatchString(a.APIID) {
			d.at(k+".apiId", "%q: use 1-64 letters, digits, _ or -", a.APIID)
		} else if prev, dup := ids[a.APIID]; dup {
			d.at(k+".apiId", "duplicate apiId %q (also %s, line %d)", a.APIID, prev, d.line(prev+".apiId"))
		} else {
			ids[a.APIID] = k
		}
	}
	ws := a.ProtocolType == "WEBSOCKET"
	switch a.ProtocolType {
	case "WEBSOCKET", "HTTP":
	case "":
		d.at(k+".protocolType", "required: WEBSOCKET or HTTP")
	default:
		d.at(k+".protocolType", "%q: want WEBSOCKET or HTTP", a.ProtocolType)
	}
	switch e := a.RouteSelectionExpression; {
	case ws && e == "":
		d.at(k+".routeSelectionExpression", "required for WEBSOCKET APIs, e.g. $request.body.action")
	case ws:
		if _, err := expr.ParseRouteSelection(e); err != nil {
			d.at(k+".routeSelectionExpression", "%q: %s", e, syntaxMsg(err))
		}
	case a.ProtocolType == "HTTP" && e != "" && e != "${request.method} ${request.path}":
		d.at(k+".routeSelectionExpression", "%q: HTTP APIs always use ${request.method} ${request.path}; leave it out", e)
	}

	known := map[string]bool{}
	var names []string
	for i := range a.Integrations {
		in := &a.Integrations[i]
		ik := indexKey(k+".integrations", i)
		validateIntegration(in, ik, a.ProtocolType, d)
		switch {
		case in.IntegrationID == "":
			d.at(ik+".integrationId", "required")
		case known[in.IntegrationID]:
			d.at(ik+".integrationId", "duplicate integrationId %q", in.IntegrationID)
		default:
			known[in.IntegrationID] = true
			names = append(names, in.IntegrationID)
		}
	}

	routes := map[string]string{} // route key → its key path
	for i := range a.Routes {
		validateRoute(&a.Routes[i], indexKey(k+".routes", i), ws, a.ProtocolType == "HTTP", d, routes, known, names)
	}

	if len(a.Stages) == 0 {
		d.at(k+".stages", "at least one stage is required, e.g. stages: [{stageName: dev}]")
	}
	stages := map[string]string{}
	for i, s := range a.Stages {
		sk := indexKey(k+".stages", i)
		switch {
		case s.StageName == "":
			d.at(sk+".stageName", "required")
		case s.StageName == "$default" && a.ProtocolType != "HTTP":
			d.at(sk+".stageName", "$default stages exist only for HTTP APIs")
		case s.StageName != "$default" && !stageNameRE.MatchString(s.StageName):
			d.at(sk+".stageName", "%q: use letters, digits, _ or -", s.StageName)
		case stages[s.StageName] != "":
			prev := stages[s.StageName]
			d.at(sk+".stageName", "duplicate stage %q (also %s, line %d)", s.StageName, prev, d.line(prev+".stageName"))
		default:
			stages[s.StageName] = sk
		}
		for _, name := range slices.Sorted(maps.Keys(s.StageVariables)) {
			vk := childKey(sk+".stageVariables", name)
			if !stageVarRE.MatchString(name) {
				d.atKey(vk, "stage variable names use letters, digits and _")
			}
			if strings.ContainsFunc(s.StageVariables[name], unicode.IsControl) {
				d.at(vk, "stage variable values cannot hold control characters")
			}
		}
		validateAccessLog(s.AccessLogSettings, sk+".accessLogSettings", d)
	}
	validateAuthorizers(a, k, d)
	if a.ProtocolType == "HTTP" {
		validateHTTPAPI(a, k, d, routes)
	} else if a.CorsConfiguration != nil {
		d.at(k+".corsConfiguration", "only HTTP APIs have a CORS configuration")
	}
	validateLimits(&a.Limits, k+".limits", d)
}

func validateRoute(r *Route, rk string, ws, http bool, d *decoder, routes map[string]string, known map[string]bool, names []string) {
	switch {
	case r.RouteKey == "":
		d.at(rk+".routeKey", "required")
	case routes[r.RouteKey] != "":
		prev := routes[r.RouteKey]
		d.at(rk+".routeKey", "duplicate routeKey %q (also %s, line %d)", r.RouteKey, prev, d.line(prev+".routeKey"))
	default:
		routes[r.RouteKey] = rk
		switch {
		case ws && strings.HasPrefix(r.RouteKey, "$") && !oneOf(r.RouteKey, "$connect", "$disconnect", "$default"):
			d.at(rk+".routeKey", "%q: keys starting with $ are reserved; use $connect, $disconnect, $default or a key without $", r.RouteKey)
		case http && r.RouteKey != "$default" && !httpRouteRE.MatchString(r.RouteKey):
			d.at(rk+".routeKey", "%q: want \"METHOD /path\" (e.g. \"GET /items/{id}\", \"ANY /{proxy+}\") or $default", r.RouteKey)
		}
	}
	switch id, ok := strings.CutPrefix(r.Target, "integrations/"); {
	case r.Target == "":
		d.at(rk+".target", "required: integrations/{integrationId}")
	case !ok || id == "":
		d.at(rk+".target", "%q: want integrations/{integrationId}", r.Target)
	case !known[id] && len(names) == 0:
		d.at(rk+".target", "integration %q not found (the API has no integrations)", id)
	case !known[id]:
		d.at(rk+".target", "integration %q not found (known: %s)", id, strings.Join(names, ", "))
	}
	if e := r.RouteResponseSelectionExpression; e != "" {
		switch {
		case !ws:
			d.at(rk+".routeResponseSelectionExpression", "only WEBSOCKET routes have route responses")
		case r.RouteKey == "$disconnect":
			d.at(rk+".routeResponseSelectionExpression", "$disconnect cannot answer: the client is gone")
		case e != "$default":
			d.at(rk+".routeResponseSelectionExpression", "%q: only $default is supported", e)
		}
	}
	for j, rr := range r.RouteResponses {
		key := indexKey(rk+".routeResponses", j) + ".routeResponseKey"
		switch {
		case rr.RouteResponseKey == "":
			d.at(key, "required: $default")
		case rr.RouteResponseKey != "$default":
			d.at(key, "%q: only $default is supported", rr.RouteResponseKey)
		}
	}
	if len(r.RouteResponses) > 0 && r.RouteKey == "$disconnect" && r.RouteResponseSelectionExpression == "" {
		d.at(rk+".routeResponses", "$disconnect cannot answer: the client is gone")
	}
}

func validateIntegration(in *Integration, k, protocol string, d *decoder) {
	uri := in.IntegrationURI
	switch in.IntegrationType {
	case "AWS_PROXY", "AWS":
		switch {
		case in.IntegrationType == "AWS" && strings.HasPrefix(uri, "arn:aws:apigateway:") && !strings.Contains(uri, ":lambda:path/"):
			d.at(k+".integrationUri", "%q: AWS service integrations other than Lambda are not served: there is no AWS service here to call (use a Lambda function, HTTP or MOCK)", uri)
		case uri == "":
			d.at(k+".integrationUri", "required for %s: a Lambda function ARN or an http(s):// URL", in.IntegrationType)
		case lambdaARNRE.MatchString(uri), isHTTPURL(uri):
		case apigwARNRE.MatchString(uri):
			if fn := apigwARNRE.FindStringSubmatch(uri)[1]; !lambdaARNRE.MatchString(fn) {
				d.at(k+".integrationUri", "%q: %q is not a Lambda function ARN", uri, fn)
			}
		default:
			d.at(k+".integrationUri", "%q: want a Lambda function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]), arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/ARN/invocations, or an http(s):// URL", uri)
		}
	case "HTTP_PROXY", "HTTP":
		if uri == "" {
			d.at(k+".integrationUri", "required for %s: an absolute http(s):// URL", in.IntegrationType)
		} else if !isHTTPURL(uri) {
			d.at(k+".integrationUri", "%q: want an absolute http(s):// URL", uri)
		}
	case "MOCK":
	case "NATS": // Portico extension
		if msg := checkNATSURI(uri); msg != "" {
			d.at(k+".integrationUri", "%q: %s", uri, msg)
		}
	case "":
		d.at(k+".integrationType", "required: AWS, AWS_PROXY, HTTP_PROXY, HTTP, MOCK or NATS")
	default:
		d.at(k+".integrationType", "%q: want AWS, AWS_PROXY, HTTP_PROXY, HTTP, MOCK or NATS", in.IntegrationType)
	}
	if t := in.TimeoutInMillis; t != 0 && (t < 50 || t > 29000) {
		d.at(k+".timeoutInMillis", "%d: must be between 50 and 29000 (0 means the default, 29000)", t)
	}
	if m := in.IntegrationMethod; m != "" && !oneOf(m, httpMethods...) {
		d.at(k+".integrationMethod", "%q: want one of %s", m, strings.Join(httpMethods, ", "))
	}
	switch v := in.PayloadFormatVersion; {
	case v == "", v == "1.0":
	case v == "2.0" && protocol == "HTTP":
	case protocol == "WEBSOCKET":
		d.at(k+".payloadFormatVersion", "%q: WEBSOCKET APIs use 1.0", v)
	default:
		d.at(k+".payloadFormatVersion", "%q: want 1.0 or 2.0", v)
	}
	if protocol == "HTTP" {
		validateHTTPParameters(in, k, d)
		return
	}
	if len(in.ResponseParameters) > 0 {
		d.at(k+".responseParameters", "only HTTP APIs map integration responses this way")
	}
	for _, name := range slices.Sorted(maps.Keys(in.RequestParameters)) {
		pk := childKey(k+".requestParameters", name)
		if _, err := expr.ParseParamKey(name); err != nil {
			d.atKey(pk, "%s", syntaxMsg(err))
		}
		v := in.RequestParameters[name]
		if _, err := expr.ParseParam(v, expr.RouteRequest); err != nil {
			d.at(pk, "%q: %s", v, syntaxMsg(err))
		}
	}
	checkTemplates(in.RequestTemplates, k+".requestTemplates", d)
	for i, r := range in.IntegrationResponses {
		checkTemplates(r.ResponseTemplates, indexKey(k+".integrationResponses", i)+".responseTemplates", d)
		rk := indexKey(k+".integrationResponses", i) + ".integrationResponseKey"
		switch key := r.IntegrationResponseKey; {
		case key == "$default":
		case key == "":
			d.at(rk, "required: $default or a /regex/")
		case len(key) >= 2 && key[0] == '/' && key[len(key)-1] == '/':
			if _, err := vtl.CompileJavaRegexpWhole(key[1 : len(key)-1]); err != nil {
				d.at(rk, "%q: %v", key, err)
			}
		default:
			d.at(rk, "%q: want $default or a /regex/ such as /4\\d\\d/", key)
		}
	}
}

func validateLimits(l *Limits, k string, d *decoder) {
	for _, p := range []struct {
		name string
		v    *int
	}{{"maxFrameBytes", l.MaxFrameBytes}, {"maxMessageBytes", l.MaxMessageBytes}, {"sendQueueBytes", l.SendQueueBytes}, {"maxInFlight", l.MaxInFlight}} {
		if p.v != nil && *p.v <= 0 {
			d.at(k+"."+p.name, "%d: must be positive", *p.v)
		}
	}
	frame, msg := defaultMaxFrameBytes, defaultMaxMessageBytes
	if l.MaxFrameBytes != nil {
		frame = *l.MaxFrameBytes
	}
	if l.MaxMessageBytes != nil {
		msg = *l.MaxMessageBytes
	}
	if frame > msg && frame > 0 && msg > 0 {
		key := k + ".maxFrameBytes"
		if l.MaxFrameBytes == nil {
			key = k + ".maxMessageBytes"
		}
		d.at(key, "maxFrameBytes (%d) is larger than maxMessageBytes (%d)", frame, msg)
	}
	for _, p := range []struct {
		name string
		v    *Duration
	}{{"idleTimeout", l.IdleTimeout}, {"maxConnectionDuration", l.MaxConnectionDuration}, {"writeTimeout", l.WriteTimeout}} {
		if p.v != nil && *p.v < 0 {
			d.at(k+"."+p.name, "%s: must not be negative", p.v)
		}
	}
	if l.WriteTimeout != nil && *l.WriteTimeout == 0 {
		d.at(k+".writeTimeout", "must be positive: 0 cannot disable it (leave it out for the 1s default)")
	}
	for i, o := range l.AllowedOrigins {
		if msg := checkOrigin(o); msg != "" {
			d.at(indexKey(k+".allowedOrigins", i), "%q: %s", o, msg)
		}
	}
}

// checkOrigin checks an allowedOrigins entry: *, scheme://host[:port], or
// scheme://*.host[:port]. It returns a message, or "".
func checkOrigin(o string) string {
	const want = "want scheme://host[:port], a wildcard such as https://*.example.com, or *"
	if o == "*" {
		return ""
	}
	scheme, rest, ok := strings.Cut(o, "://")
	if !ok || !schemeRE.MatchString(scheme) {
		return want
	}
	host := strings.TrimPrefix(rest, "*.")
	if strings.ContainsAny(host, "/?#@*") {
		return want + " (no path, query, user or other wildcard)"
	}
	if h, port, err := net.SplitHostPort(host); err == nil {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return "bad port " + strconv.Quote(port)
		}
		host = h
	}
	if host == "" || strings.ContainsFunc(host, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return want
	}
	return ""
}

// syntaxMsg is the message of an expr parse error, without its framing.
func syntaxMsg(err error) string {
	var se *expr.SyntaxError
	if errors.As(err, &se) {
		return se.Msg
	}
	return err.Error()
}

// checkNATSURI checks a NATS integration URI, nats:SUBJECT[?mode=publish|request].
func checkNATSURI(uri string) string {
	const want = "want nats:SUBJECT or nats:SUBJECT?mode=publish"
	rest, ok := strings.CutPrefix(uri, "nats:")
	if !ok {
		return want
	}
	subject, query, _ := strings.Cut(rest, "?")
	if !subjectOK(subject) {
		return want + " (a subject without spaces, wildcards or empty tokens)"
	}
	if query != "" && query != "mode=publish" && query != "mode=request" {
		return want + " (the only option is mode=publish or mode=request)"
	}
	return ""
}

// subjectOK reports whether s is a NATS subject one can publish to: tokens
// separated by dots, none empty, without whitespace, control characters or
// the wildcards * and >.
func subjectOK(s string) bool {
	for tok := range strings.SplitSeq(s, ".") {
		if tok == "" || strings.ContainsFunc(tok, func(r rune) bool {
			return r == '*' || r == '>' || unicode.IsSpace(r) || unicode.IsControl(r)
		}) {
			return false
		}
	}
	return true
}

func checkHostPort(d *decoder, key, v string) {
	if _, _, err := net.SplitHostPort(v); err != nil {
		d.at(key, "%q: want host:port, e.g. 127.0.0.1:8080", v)
	}
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func oneOf(s string, opts ...string) bool { return slices.Contains(opts, s) }
