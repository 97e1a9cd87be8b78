package template

import (
	"cmp"
	"fmt"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/portico-gw/portico/config"
)

// functionQuiet are the function properties that mean nothing here and
// are ignored without a warning: permissions, tags, tracing, deployment.
var functionQuiet = []string{"Policies", "Role", "Tags", "Description", "Tracing", "AutoPublishAlias",
	"DeploymentPreference", "PermissionsBoundary", "AssumeRolePolicyDocument", "KmsKeyArn",
	"AutoPublishCodeSha256", "RolePath", "PropagateTags", "LoggingConfig", "RuntimeManagementConfig"}

// buildFunction converts an AWS::Serverless::Function.
func (l *loader) buildFunction(r *resource, p *props) {
	fn, ok := l.function(r, p)
	if !ok {
		return
	}
	if p.str("PackageType") == "Image" {
		l.errorf(p.nodeAt("PackageType"), p.key+".PackageType", "container image functions are not supported: Portico runs zip-style code from a directory (CodeUri)")
		return
	}
	if p.has("InlineCode") {
		l.errorf(p.nodeAt("InlineCode"), p.key+".InlineCode", "inline code is not supported: put the code in a directory and name it in CodeUri")
		return
	}
	codeURI := "."
	if n := p.get("CodeUri"); n != nil {
		codeURI = l.codePath(n, p.key+".CodeUri")
	}
	fn.CodeURI = codeURI
	l.addFunction(r, fn)
	events := p.child("Events")
	pairs(events.node, func(k, v *yaml.Node) {
		l.functionEvent(r, fn.FunctionName, k, events.of(v, events.key+"."+k.Value))
	})
	p.done(r.typ, functionQuiet...)
}

// buildLambdaFunction converts an AWS::Lambda::Function.
func (l *loader) buildLambdaFunction(r *resource, p *props) {
	fn, ok := l.function(r, p)
	if !ok {
		return
	}
	code := p.get("Code")
	switch {
	case code == nil:
		l.errorf(p.at, p.key+".Code", "required: the code's directory (as `aws cloudformation package` reads it)")
		return
	case code.Kind == yaml.ScalarNode:
		fn.CodeURI = l.codePath(code, p.key+".Code")
	default:
		c := p.child("Code")
		switch {
		case c.has("ZipFile"):
			l.errorf(c.nodeAt("ZipFile"), c.key+".ZipFile", "inline code (ZipFile) is not supported: put the code in a directory and write Code: ./that-directory")
		case c.has("ImageUri"):
			l.errorf(c.nodeAt("ImageUri"), c.key+".ImageUri", "container image functions are not supported: Portico runs zip-style code from a directory")
		default:
			l.errorf(code, c.key, "code in S3 is not supported: write Code: ./directory, the local form `aws cloudformation package` uploads")
		}
		return
	}
	l.addFunction(r, fn)
	p.done(r.typ, functionQuiet...)
}

// function reads the properties both function types share.
func (l *loader) function(r *resource, p *props) (config.Function, bool) {
	name, ok := l.physical(r, r.key, r.where())
	if !ok {
		return config.Function{}, false
	}
	p.get("FunctionName")
	fn := config.Function{FunctionName: name, Runtime: p.required("Runtime", ": e.g. nodejs20.x, python3.12, provided.al2023"),
		Handler: p.str("Handler"), Timeout: p.integer("Timeout"), MemorySize: p.integer("MemorySize")}
	if env := p.child("Environment"); env.node != nil {
		fn.Environment = &config.FunctionEnvironment{Variables: env.stringMap("Variables")}
		env.done("Environment")
	}
	if n := p.integer("ReservedConcurrentExecutions"); n != nil && *n > 0 {
		fn.MaxConcurrency = n
	}
	if a := p.list("Architectures"); len(a) > 0 && a[0] != "x86_64" && a[0] != "arm64" {
		l.errorf(p.nodeAt("Architectures"), p.key+".Architectures", "%q: want x86_64 or arm64 (either runs on this host's architecture)", a[0])
	}
	for _, prop := range []string{"Layers", "VpcConfig", "FileSystemConfigs", "SnapStart", "ProvisionedConcurrencyConfig", "EphemeralStorage", "FunctionUrlConfig", "EventInvokeConfig", "DeadLetterQueue"} {
		if p.has(prop) {
			p.get(prop)
			l.warnf(p.nodeAt(prop), p.key+"."+prop, "%s is not supported for local functions; ignored", prop)
		}
	}
	return fn, true
}

// codePath resolves a local code path from the template's directory.
func (l *loader) codePath(n *yaml.Node, key string) string {
	if n.Kind != yaml.ScalarNode {
		l.errorf(n, key, "code in S3 ({Bucket, Key}) is not supported: give the code's local directory")
		return ""
	}
	s := n.Value
	if strings.HasPrefix(s, "s3://") || strings.HasPrefix(s, "https://") {
		l.errorf(n, key, "%q: code in S3 is not supported: give the code's local directory (the one `sam build` and `sam package` start from)", s)
		return ""
	}
	if !filepath.IsAbs(s) {
		s = filepath.Join(l.dir, s)
	}
	if abs, err := filepath.Abs(s); err == nil {
		s = abs
	}
	return s
}

// addFunction adds fn to the File.
func (l *loader) addFunction(r *resource, fn config.Function) {
	l.origins[fmt.Sprintf("functions[%d]", len(l.out.Functions))] = origin{res: r, at: r.key}
	l.out.Functions = append(l.out.Functions, fn)
}

// functionEvent wires one of a function's Events.
func (l *loader) functionEvent(r *resource, fnName string, name *yaml.Node, ev *props) {
	typ := ev.required("Type", ": Api or HttpApi")
	ep := ev.child("Properties")
	o := origin{res: r, at: name}
	uri := l.invocationURI(l.functionARN(fnName))
	switch typ {
	case "":
		return
	case "Api":
		apiID := ep.str("RestApiId")
		if apiID == "" && l.implicitRest != nil {
			apiID = l.implicitRest.physical
		}
		b := l.restAPIs[apiID]
		if b == nil {
			l.errorf(ep.nodeAt("RestApiId"), ep.key+".RestApiId", "%q is not a REST API of this template (AWS::Serverless::Api or AWS::ApiGateway::RestApi)", apiID)
			return
		}
		path := ep.required("Path", ": e.g. /hello")
		verb := strings.ToUpper(ep.required("Method", ": e.g. get, or any"))
		if path == "" || verb == "" {
			return
		}
		m := config.RestMethod{MethodIntegration: &config.RestIntegration{Type: "AWS_PROXY", HTTPMethod: "POST", URI: uri}}
		auth := ep.child("Auth")
		l.samMethodAuth(b, &m, auth)
		l.samRequestParameters(&m, ep)
		l.samRequestModel(b, &m, ep)
		auth.done("Auth")
		ep.done("an Api event", "TimeoutInMillis")
		if b.sam != nil {
			b.sam.paths[normPath(path)] = true
		}
		l.addMethod(b, path, verb, m, o, ev.key)
	case "HttpApi":
		apiID := ep.str("ApiId")
		if apiID == "" && l.implicitV2 != nil {
			apiID = l.implicitV2.physical
		}
		b := l.v2APIs[apiID]
		if b == nil || b.api.ProtocolType != "HTTP" {
			l.errorf(ep.nodeAt("ApiId"), ep.key+".ApiId", "%q is not an HTTP API of this template (AWS::Serverless::HttpApi or AWS::ApiGatewayV2::Api)", apiID)
			return
		}
		routeKey := "$default"
		path, verb := ep.str("Path"), strings.ToUpper(ep.str("Method"))
		if path != "" || verb != "" {
			routeKey = cmp.Or(verb, "ANY") + " " + cmp.Or(path, "/")
		}
		in := config.Integration{IntegrationID: r.id + name.Value, IntegrationType: "AWS_PROXY",
			IntegrationURI: l.functionARN(fnName), PayloadFormatVersion: cmp.Or(ep.str("PayloadFormatVersion"), "2.0")}
		if t := ep.integer("TimeoutInMillis"); t != nil {
			in.TimeoutInMillis = *t
		}
		route := config.Route{RouteKey: routeKey, Target: "integrations/" + in.IntegrationID}
		auth := ep.child("Auth")
		l.samRouteAuth(b, &route, auth)
		auth.done("Auth")
		ep.done("an HttpApi event", "RouteSettings")
		l.addIntegration(b, in, o)
		l.addRoute(b, route, "", o)
	default:
		l.warnf(name, ev.key, "events of type %s are not delivered here (only Api and HttpApi events are); skipped", typ)
	}
}

// normPath is path with one leading slash and none trailing.
func normPath(path string) string {
	if path == "/" {
		return path
	}
	return "/" + strings.Trim(path, "/")
}
