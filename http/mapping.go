package httpapi

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/portico-gw/portico/config"
	"github.com/portico-gw/portico/expr"
)

// Parameter mapping: an integration's requestParameters and
// responseParameters (APIGW-DG-live http-api-parameter-mapping, reference
// §0).
//
// Keys. Requests: append|overwrite|remove:header.NAME,
// append|overwrite|remove:querystring.NAME and overwrite:path. Responses,
// per status code the integration answers ("200", exactly; no ranges):
// append|overwrite|remove:header.NAME and overwrite:statuscode. Reserved
// headers (config.ReservedHeader) cannot be mapped: a key naming one is an
// error, so they are never touched.
//
// Values are templates: static text and references, "$request.header.x" or
// "${request.header.x}", mixed freely ("/v2$request.path", "Bearer
// ${request.header.token}"). The unbraced form ends at the first character
// its source's names cannot hold; use braces when text follows a
// reference. A "$" that starts no reference ("$5", "$default") is text; a
// source name run on ("$request.bodyguard") is an error. An
// HTTP API static value is the text itself: quotes are kept (REST's
// 'quoted' statics are a different language). Request values may read
// $request.header.NAME, $request.querystring.NAME (repeated fields and
// keys joined with ","), $request.body (the whole body),
// $request.body.PATH (JSONPath into a JSON body: names and [N] indexes;
// recursive descent, filters and wildcards are rejected as AWS documents
// for the first two), $request.path (the escaped path after the stage),
// $request.path.NAME (a path parameter), $context.NAME and
// $stageVariables.NAME; response values $response.header.NAME,
// $response.body, $response.body.PATH, $context.NAME and
// $stageVariables.NAME. AWS's tables list no $request values for
// responses, and none of $response for requests: Portico rejects them when
// the mapping is built. A body path reads the first 100 KB of the body, as
// AWS truncates there before selecting (a longer JSON body then does not
// parse and the value is absent). A selected string is its text, a number
// or boolean as written, an object or array its compact JSON, null absent.
//
// Absent values (AWS does not document them; these are Portico's choices).
// A value with any absent reference is absent as a whole, and so is a
// header value that could not be sent (a control character other than a
// tab, as a body may hold). An absent append adds nothing; an absent
// overwrite removes the parameter, so that a client's own value never
// survives an overwrite (overwrite:header.x-user: ${context.authorizer.
// claims.sub} cannot be spoofed by sending x-user); an absent
// overwrite:path keeps the path and an absent overwrite:statuscode the
// status. A present empty value is sent empty.
//
// Order. Every value is resolved against the request and response as they
// arrived, before anything changes, so one mapping never reads another's
// result (AWS's "rename a header" example, append:header.b from
// $request.header.a with remove:header.a, depends on it). Then appends,
// overwrites and removes run in that order, each kind sorted by key: an
// overwrite replaces what an append added, and a remove wins over both, as
// LocalStack Pro's HTTP API handler tests expect for one name mapped twice
// (unit tests, not recordings of AWS; AWS documents no order).
//
// Appending adds a value: another header field line (another
// url.Values entry for a query parameter), never a comma-joined one. HTTP
// treats the two alike (RFC 9110 §5.3) except for Set-Cookie, which an
// append must not corrupt; the same LocalStack tests expect [v1, v2, v3]
// after append:header.header on a request carrying v1 and v2. (AWS's
// "combines multiple header values with commas" is about reading
// $request.header.NAME, which joins with ",".)
//
// overwrite:path replaces the backend path. Static text is kept as
// written, with characters an escaped path cannot hold ("?", "#", space)
// percent-encoded; $request.path is inserted as it is (it is escaped
// already); any other value is escaped, its slashes kept. A path that does
// not start with "/" gets one.
//
// Integration types. AWS accepts requestParameters and responseParameters
// on HTTP_PROXY integrations (its examples) and on Lambda (AWS_PROXY)
// integrations (the console offers it; CDK's HttpLambdaIntegrationProps
// takes a parameterMapping, aws-cdk#17255). What a function's event shows
// after mapping is not documented; the natural reading, for the mode to
// follow, is that it carries the mapped headers, query string and path.

// maxMappedBody is how much of a body a $request.body.PATH or
// $response.body.PATH reads: AWS truncates at 100 KB before selecting.
const maxMappedBody = 100 << 10

// Values resolve against an expr.Scope: requestSource and responseSource.
// A reference's value is absent when the request (or response) has none;
// see the file comment for what an absent value does.

// paramMapping is one header or query string key.
type paramMapping struct {
	key    string // as configured
	action expr.Action
	name   string         // header or query parameter name
	value  *expr.Template // nil for removes
}

// requestMapping is an integration's requestParameters, parsed once. It is
// immutable and safe for concurrent use; a nil *requestMapping maps
// nothing.
type requestMapping struct {
	header []paramMapping // in apply order
	query  []paramMapping
	path   *expr.Template
	body   bool // some value reads $request.body
}

// parseParam parses one mapping key and its value (expr.ParseMappingKey,
// expr.ParseMapping); response says which side it maps. Reserved headers
// and values reading the other side are errors.
func parseParam(key, value string, response bool) (expr.Key, paramMapping, error) {
	k, err := expr.ParseMappingKey(key, response)
	if err != nil {
		return k, paramMapping{}, errors.New(syntaxMsg(err))
	}
	if k.Target == expr.TargetHeader && config.ReservedHeader(k.Name) {
		return k, paramMapping{}, fmt.Errorf("header %s is reserved and cannot be mapped", k.Name)
	}
	m := paramMapping{key: key, action: k.Action, name: k.Name}
	if k.Action == expr.Remove {
		return k, m, nil
	}
	if m.value, err = expr.ParseMapping(value); err != nil {
		return k, paramMapping{}, errors.New(syntaxMsg(err))
	}
	roots, side := requestRoots, "request values read $request.*, $context.* and $stageVariables.*"
	if response {
		roots, side = responseRoots, "response values read $response.*, $context.* and $stageVariables.*"
	}
	if ref, bad := refOutside(m.value, roots); bad {
		return k, paramMapping{}, fmt.Errorf("$%s: %s", ref, side)
	}
	return k, m, nil
}

// syntaxMsg is the message of a parse error, without expr's framing.
func syntaxMsg(err error) string {
	var se *expr.SyntaxError
	if errors.As(err, &se) {
		return se.Msg
	}
	return err.Error()
}

// newRequestMapping parses requestParameters. A nil or empty map is a nil
// mapping. Errors name the key.
func newRequestMapping(params map[string]string) (*requestMapping, error) {
	if len(params) == 0 {
		return nil, nil
	}
	m := &requestMapping{}
	for _, key := range slices.Sorted(maps.Keys(params)) {
		k, p, err := parseParam(key, params[key], false)
		if err != nil {
			return nil, fmt.Errorf("requestParameters %q: %w", key, err)
		}
		m.body = m.body || p.value != nil && p.value.Reads(expr.RequestBody)
		switch k.Target {
		case expr.TargetPath:
			m.path = p.value
		case expr.TargetHeader:
			m.header = append(m.header, p)
		case expr.TargetQueryString:
			m.query = append(m.query, p)
		}
	}
	sortMappings(m.header)
	sortMappings(m.query)
	return m, nil
}

// readsBody reports whether a value reads $request.body, so that a
// streamed request body must be read first.
func (m *requestMapping) readsBody() bool { return m != nil && m.body }

// apply transforms what goes to the backend: header (the request headers to
// forward), query (the query to forward) and path (the escaped backend
// path, "/items/1"), which must be the caller's copies, non-nil (a nil map
// is left alone). Values come from src, which must read the request as it
// arrived. Reserved headers are never touched.
func (m *requestMapping) apply(header http.Header, query url.Values, path *string, src expr.Scope) {
	if m == nil {
		return
	}
	headerVals := resolve(m.header, src, validFieldValue)
	queryVals := resolve(m.query, src, nil)
	var newPath string
	var pathOK bool
	if m.path != nil && path != nil {
		newPath, pathOK = m.path.Expand(src, escapePathValue)
	}
	applyHeader(header, m.header, headerVals)
	if query != nil {
		applyParams(query, m.query, queryVals)
	}
	if pathOK {
		if !strings.HasPrefix(newPath, "/") {
			newPath = "/" + newPath
		}
		*path = newPath
	}
}

// responseMapping is an integration's responseParameters: status code →
// mappings. It is immutable and safe for concurrent use; a nil
// *responseMapping maps nothing.
type responseMapping struct {
	byStatus map[int]*statusMapping
}

// statusMapping is the mappings of one status code.
type statusMapping struct {
	header []paramMapping // in apply order
	status *expr.Template
	body   bool // some value reads $response.body
}

// newResponseMapping parses responseParameters. A nil map, or one whose
// status codes map nothing, is a nil mapping. Errors name the status code
// and key.
func newResponseMapping(params map[string]map[string]string) (*responseMapping, error) {
	m := &responseMapping{byStatus: make(map[int]*statusMapping, len(params))}
	for _, code := range slices.Sorted(maps.Keys(params)) {
		status, err := strconv.Atoi(code)
		if err != nil || len(code) != 3 || status < 100 || status > 599 {
			return nil, fmt.Errorf("responseParameters %q: want a status code from 100 to 599", code)
		}
		if len(params[code]) == 0 {
			continue // AWS: {"200": {}} removes the status code's mappings
		}
		sm := &statusMapping{}
		for _, key := range slices.Sorted(maps.Keys(params[code])) {
			k, p, err := parseParam(key, params[code][key], true)
			if err != nil {
				return nil, fmt.Errorf("responseParameters %q %q: %w", code, key, err)
			}
			sm.body = sm.body || p.value != nil && p.value.Reads(expr.ResponseBody)
			switch k.Target {
			case expr.TargetStatusCode:
				if s, ok := p.value.Static(); ok {
					if c, err := strconv.Atoi(s); err != nil || c < 100 || c > 599 {
						return nil, fmt.Errorf("responseParameters %q %q: %q: want a status code from 100 to 599", code, key, s)
					}
				}
				sm.status = p.value
			case expr.TargetHeader:
				sm.header = append(sm.header, p)
			}
		}
		sortMappings(sm.header)
		m.byStatus[status] = sm
	}
	if len(m.byStatus) == 0 {
		return nil, nil
	}
	return m, nil
}

// readsBody reports whether the mappings for status read $response.body,
// so that a streamed response body must be read first.
func (m *responseMapping) readsBody(status int) bool {
	if m == nil {
		return false
	}
	sm := m.byStatus[status]
	return sm != nil && sm.body
}

// apply transforms the integration's answer for its status: header (the
// caller's copy, non-nil) gets its appends, overwrites and removes, and
// overwrite:statuscode gives the status to send, which apply returns. A
// status code that does not render to 100-599 keeps status (Portico's
// choice). Values come from src, resolved before header changes.
func (m *responseMapping) apply(status int, header http.Header, src expr.Scope) int {
	if m == nil {
		return status
	}
	sm := m.byStatus[status]
	if sm == nil {
		return status
	}
	vals := resolve(sm.header, src, validFieldValue)
	newStatus := status
	if sm.status != nil {
		if s, ok := sm.status.Eval(src); ok {
			if c, err := strconv.Atoi(strings.TrimSpace(s)); err == nil && c >= 100 && c <= 599 {
				newStatus = c
			}
		}
	}
	applyHeader(header, sm.header, vals)
	return newStatus
}

// sortMappings puts mappings in apply order: appends, overwrites, removes,
// each by key.
func sortMappings(ps []paramMapping) {
	slices.SortStableFunc(ps, func(a, b paramMapping) int {
		if a.action != b.action {
			return int(a.action) - int(b.action)
		}
		return strings.Compare(a.key, b.key)
	})
}

type resolved struct {
	s  string
	ok bool
}

// resolve renders every non-remove value; valid, when set, turns values it
// refuses into absent ones.
func resolve(ps []paramMapping, src expr.Scope, valid func(string) bool) []resolved {
	if len(ps) == 0 {
		return nil
	}
	out := make([]resolved, len(ps))
	for i, p := range ps {
		if p.action == expr.Remove {
			continue
		}
		s, ok := p.value.Eval(src)
		if ok && valid != nil && !valid(s) {
			ok = false
		}
		out[i] = resolved{s, ok}
	}
	return out
}

// params is what a mapping edits: a query (url.Values) or headers.
type params interface {
	Add(name, value string)
	Set(name, value string)
	Del(name string)
}

// foldedHeader deletes a header however its key is cased.
type foldedHeader struct{ http.Header }

func (h foldedHeader) Del(name string) { delHeader(h.Header, name) }

// applyHeader runs header mappings with their resolved values; a nil
// header is left alone.
func applyHeader(header http.Header, ps []paramMapping, vals []resolved) {
	if header != nil {
		applyParams(foldedHeader{header}, ps, vals)
	}
}

// applyParams runs mappings with their resolved values: append adds a
// value, overwrite replaces (or, when its value is absent, removes),
// remove deletes.
func applyParams(dst params, ps []paramMapping, vals []resolved) {
	for i, p := range ps {
		v := vals[i]
		switch p.action {
		case expr.Append:
			if v.ok {
				dst.Add(p.name, v.s)
			}
		case expr.Overwrite:
			dst.Del(p.name)
			if v.ok {
				dst.Set(p.name, v.s)
			}
		case expr.Remove:
			dst.Del(p.name)
		}
	}
}

// delHeader deletes name however its key is cased in h.
func delHeader(h http.Header, name string) {
	h.Del(name)
	for k := range h {
		if strings.EqualFold(k, name) {
			delete(h, k)
		}
	}
}

// headerValues returns name's values joined with ",", as AWS combines
// repeated fields, matching the key however it is cased in h.
func headerValues(h http.Header, name string) (string, bool) {
	if vals, ok := h[http.CanonicalHeaderKey(name)]; ok {
		return strings.Join(vals, ","), true
	}
	var all []string
	found := false
	for k, vals := range h {
		if strings.EqualFold(k, name) {
			all, found = append(all, vals...), true
		}
	}
	return strings.Join(all, ","), found
}

// validFieldValue reports whether v can be sent as a header field value:
// no control characters other than a tab.
func validFieldValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}
