package expr

import (
	"strings"
)

// ParamForms says which request spellings a requestParameters value may
// use, in addition to context.NAME and stageVariables.NAME.
type ParamForms uint8

const (
	// RouteRequest is WebSocket APIs' route.request.header|querystring|
	// multivalueheader|multivaluequerystring.NAME and
	// route.request.body.PATH.
	RouteRequest ParamForms = 1 << iota
	// MethodRequest is REST APIs' method.request.header|querystring|
	// multivalueheader|multivaluequerystring|path.NAME,
	// method.request.body and method.request.body.PATH.
	MethodRequest
	// IntegrationResponse is REST integration responses' sources:
	// integration.response.header|multivalueheader.NAME (roots
	// IntegrationResponseHeader and IntegrationResponseMultiValueHeader)
	// and integration.response.body[.PATH] (root ResponseBody).
	IntegrationResponse
)

// ParseParam parses a requestParameters value of a WebSocket or REST
// integration: a 'static' literal, or one source reference written without
// "$" (context.connectionId, route.request.body.user). The result is a
// Template of one static part or one reference. Errors are *SyntaxError.
func ParseParam(s string, forms ParamForms) (*Template, error) {
	if len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'' {
		return &Template{src: s, parts: []Part{{Text: s[1 : len(s)-1]}}}, nil
	}
	want := "want 'static', context.X, stageVariables.X"
	if forms&RouteRequest != 0 {
		want += ", route.request.body.PATH or route.request.{header,querystring,multivalueheader,multivaluequerystring}.NAME"
	}
	if forms&MethodRequest != 0 {
		want += ", method.request.body[.PATH] or method.request.{header,querystring,multivalueheader,multivaluequerystring,path}.NAME"
	}
	if forms&IntegrationResponse != 0 {
		want += ", integration.response.body[.PATH] or integration.response.{header,multivalueheader}.NAME"
	}
	if s == "" {
		return nil, fail(s, 0, "%s", want)
	}
	if i := strings.IndexAny(s, " \t\r\n'"); i >= 0 {
		return nil, fail(s, i, "%s", want)
	}
	var spaces []namespace
	if forms&RouteRequest != 0 {
		spaces = append(spaces, nsRouteRequest)
	}
	if forms&MethodRequest != 0 {
		spaces = append(spaces, nsMethodRequest)
	}
	if forms&IntegrationResponse != 0 {
		spaces = append(spaces, nsIntegrationResponseParams)
	}
	r, off, msg := parseRef(s, spaces...)
	if msg == "" {
		route := strings.HasPrefix(s, nsRouteRequest.prefix)
		switch {
		case route && r.Root == RequestPath:
			msg = "WebSocket requests have no path parameters"
		case route && r.Root == RequestBody && r.Path == nil:
			off, msg = len(s), "empty path after route.request.body"
		}
	}
	if msg != "" {
		if strings.HasPrefix(msg, "unknown source") {
			msg = want
		}
		return nil, fail(s, off, "%s", msg)
	}
	return &Template{src: s, parts: []Part{{Ref: r}}}, nil
}

// Action is what a parameter mapping key does; the constants are in the
// order mappings apply.
type Action uint8

const (
	Append Action = iota + 1
	Overwrite
	Remove
)

// Target is what a parameter mapping key maps.
type Target uint8

const (
	TargetHeader      Target = iota + 1 // header.NAME
	TargetQueryString                   // querystring.NAME
	TargetPath                          // path (HTTP APIs), path.NAME (integration.request.path.NAME)
	TargetStatusCode                    // statuscode
)

// Key is a parsed parameter mapping key.
type Key struct {
	Action Action // zero for integration.request.* keys
	Target Target
	Name   string // the header, query string or path parameter name
}

// ParseMappingKey parses an HTTP API parameter mapping key. Requests:
// append|overwrite|remove:header.NAME, append|overwrite|remove:
// querystring.NAME and overwrite:path; responses (response true):
// append|overwrite|remove:header.NAME and overwrite:statuscode. Which
// headers are reserved is the caller's rule. Errors are *SyntaxError.
func ParseMappingKey(s string, response bool) (Key, error) {
	want := "want append|overwrite|remove:header.NAME, append|overwrite|remove:querystring.NAME or overwrite:path"
	if response {
		want = "want append|overwrite|remove:header.NAME or overwrite:statuscode"
	}
	verb, target, ok := strings.Cut(s, ":")
	var k Key
	switch verb {
	case "append":
		k.Action = Append
	case "overwrite":
		k.Action = Overwrite
	case "remove":
		k.Action = Remove
	}
	if !ok || k.Action == 0 {
		return Key{}, fail(s, 0, "%s", want)
	}
	off := len(verb) + 1
	switch {
	case target == "path" && !response:
		k.Target = TargetPath
		if k.Action != Overwrite {
			return Key{}, fail(s, 0, "the path can only be overwritten (overwrite:path)")
		}
	case target == "statuscode" && response:
		k.Target = TargetStatusCode
		if k.Action != Overwrite {
			return Key{}, fail(s, 0, "the status code can only be overwritten (overwrite:statuscode)")
		}
	case strings.HasPrefix(target, "header."):
		k.Target, k.Name = TargetHeader, target[len("header."):]
		if !ValidHeaderName(k.Name) {
			return Key{}, fail(s, off+len("header."), "%q is not a header name", k.Name)
		}
	case strings.HasPrefix(target, "querystring.") && !response:
		k.Target, k.Name = TargetQueryString, target[len("querystring."):]
		if k.Name == "" {
			return Key{}, fail(s, off+len("querystring."), "empty query string parameter name")
		}
	default:
		return Key{}, fail(s, off, "%s", want)
	}
	return k, nil
}

// ParseParamKey parses a WebSocket or REST requestParameters key:
// integration.request.header.NAME, integration.request.querystring.NAME or
// integration.request.path.NAME (NAME of letters, digits, '-', '_' and
// '.', as a {NAME} placeholder in the integration URI). Errors are
// *SyntaxError.
func ParseParamKey(s string) (Key, error) {
	const prefix = "integration.request."
	rest, ok := strings.CutPrefix(s, prefix)
	var k Key
	switch {
	case !ok:
	case strings.HasPrefix(rest, "header."):
		k.Target, k.Name = TargetHeader, rest[len("header."):]
	case strings.HasPrefix(rest, "querystring."):
		k.Target, k.Name = TargetQueryString, rest[len("querystring."):]
	case strings.HasPrefix(rest, "path."):
		k.Target, k.Name = TargetPath, rest[len("path."):]
	}
	if k.Target == 0 {
		return Key{}, fail(s, 0, "want integration.request.header.NAME, integration.request.querystring.NAME or integration.request.path.NAME")
	}
	var valid bool
	switch k.Target {
	case TargetHeader:
		valid = ValidHeaderName(k.Name)
	case TargetQueryString:
		valid = k.Name != "" && !strings.ContainsAny(k.Name, " \t\r\n")
	case TargetPath:
		valid = ValidPlaceholder(k.Name)
	}
	if !valid {
		return Key{}, fail(s, len(s)-len(k.Name), "invalid name %q", k.Name)
	}
	return k, nil
}

// ValidPlaceholder reports whether name may appear as {name} in an
// integration URI: letters, digits, '-', '_' and '.'.
func ValidPlaceholder(name string) bool {
	if name == "" {
		return false
	}
	for _, c := range name {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_', c == '.':
		default:
			return false
		}
	}
	return true
}
