package control

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Operation is one apigatewayv2 operation the control plane serves.
type Operation struct {
	// Name is the operation's name in the service model (CreateApi).
	Name string
	// Method and Path are its HTTP binding: POST, /v2/apis/{apiId}/routes.
	Method, Path string
}

// call is one request as a handler sees it.
type call struct {
	ctx    context.Context
	params map[string]string // path parameters, unescaped
	query  url.Values
	header http.Header
	body   []byte
}

// handler answers an operation: the status and the value to write as
// JSON (nil: no body; a rawAnswer: written as it is), or the error.
type handler func(c *Controller, in *call) (status int, out any, err *apiError)

type route struct {
	Operation
	handle handler
}

// Operations returns the operations the control plane serves, in the
// order of its route table (the README lists them from it).
func Operations() []Operation {
	out := make([]Operation, len(routes))
	for i, r := range routes {
		out[i] = r.Operation
	}
	return out
}

// match finds the operation for method, the escaped path and the query,
// and its path parameters. An operation whose path carries a query
// (ImportRestApi's /restapis?mode=import, as the model writes it) matches
// only requests with that query parameter; it comes before the operation
// of the same path without one in the table.
func match(method, escapedPath string, query url.Values) (*route, map[string]string, bool) {
	segs := strings.Split(strings.TrimPrefix(escapedPath, "/"), "/")
	for i := range routes {
		r := &routes[i]
		if r.Method != method {
			continue
		}
		path, q, hasQuery := strings.Cut(r.Path, "?")
		if hasQuery {
			k, v, _ := strings.Cut(q, "=")
			if query.Get(k) != v {
				continue
			}
		}
		if params, ok := matchPath(path, segs); ok {
			return r, params, true
		}
	}
	return nil, nil, false
}

// matchPath matches the path's segments against a URI template of the
// model ("/v2/apis/{apiId}"): a {name} segment takes one non-empty
// segment, unescaped.
func matchPath(template string, segs []string) (map[string]string, bool) {
	tsegs := strings.Split(strings.TrimPrefix(template, "/"), "/")
	if len(tsegs) != len(segs) {
		return nil, false
	}
	var params map[string]string
	for i, t := range tsegs {
		if name, ok := strings.CutPrefix(t, "{"); ok {
			v, err := url.PathUnescape(segs[i])
			if err != nil || v == "" {
				return nil, false
			}
			if params == nil {
				params = make(map[string]string, 4)
			}
			params[strings.TrimSuffix(name, "}")] = v
			continue
		}
		if t != segs[i] {
			return nil, false
		}
	}
	return params, true
}

// modelOperation is one operation of the service model (model_ops.go).
type modelOperation struct{ name, method, path string }

//go:generate go run ./internal/opsgen -out model_ops.go
//go:generate go run ./internal/opsgen -service apigateway/2015-07-09 -var modelOperationsV1 -out model_ops_v1.go

// modelOperationFor names the operation of the model (ops) for a request
// the route table does not serve, or "".
func modelOperationFor(ops []modelOperation, method, escapedPath string) string {
	segs := strings.Split(strings.TrimPrefix(escapedPath, "/"), "/")
	for _, op := range ops {
		if op.method != method {
			continue
		}
		if _, ok := matchPath(op.path, segs); ok {
			return op.name
		}
	}
	return ""
}

// V1Prefixes are the first path segments of the apigateway (v1)
// operations (/restapis, /apikeys, ...), whose requests the control plane
// answers too: with a BadRequestException that names the operation, until
// Portico serves them. Portico mounts them on the admin listener.
func V1Prefixes() []string {
	var out []string
	for _, op := range modelOperationsV1 {
		first, _, _ := strings.Cut(strings.TrimPrefix(op.path, "/"), "/")
		if p := "/" + first; !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}
