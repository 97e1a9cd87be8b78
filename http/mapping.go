package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/portico-gw/portico/config"
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

// valueSource resolves references. ref is a reference without "$" or
// braces: "request.header.x-id", "request.querystring.q",
// "request.body.items[0].id", "request.path", "request.path.id",
// "context.requestId", "stageVariables.env", "response.header.etag",
// "response.body.status". ok is false when the request (or response) has
// no such value; see the file comment for what an absent value does.
type valueSource interface {
	lookup(ref string) (value string, ok bool)
}

// mappingAction is what a mapping key does; the constants are in apply
// order.
type mappingAction uint8

const (
	actionAppend mappingAction = iota
	actionOverwrite
	actionRemove
)

var actionNames = map[string]mappingAction{"append": actionAppend, "overwrite": actionOverwrite, "remove": actionRemove}

// paramMapping is one header or query string key.
type paramMapping struct {
	key    string // as configured
	action mappingAction
	name   string   // header or query parameter name
	value  template // unused by removes
}

// requestMapping is an integration's requestParameters, parsed once. It is
// immutable and safe for concurrent use; a nil *requestMapping maps
// nothing.
type requestMapping struct {
	header []paramMapping // in apply order
	query  []paramMapping
	path   *template
	body   bool // some value reads $request.body
}

// newRequestMapping parses requestParameters. A nil or empty map is a nil
// mapping. Errors name the key.
func newRequestMapping(params map[string]string) (*requestMapping, error) {
	if len(params) == 0 {
		return nil, nil
	}
	m := &requestMapping{}
	for _, key := range slices.Sorted(maps.Keys(params)) {
		fail := func(format string, a ...any) (*requestMapping, error) {
			return nil, fmt.Errorf("requestParameters %q: %s", key, fmt.Sprintf(format, a...))
		}
		verb, target, ok := strings.Cut(key, ":")
		action, known := actionNames[verb]
		if !ok || !known {
			return fail("want append|overwrite|remove:header.NAME, append|overwrite|remove:querystring.NAME or overwrite:path")
		}
		var t template
		if action != actionRemove {
			var err error
			if t, err = parseTemplate(params[key]); err != nil {
				return fail("%v", err)
			}
			if ref, bad := t.refOutside("request.", "context.", "stageVariables."); bad {
				return fail("$%s: request values read $request.*, $context.* and $stageVariables.*", ref)
			}
			m.body = m.body || t.reads("request.body")
		}
		switch {
		case target == "path":
			if action != actionOverwrite {
				return fail("the path can only be overwritten (overwrite:path)")
			}
			m.path = &t
		case strings.HasPrefix(target, "header."):
			name := target[len("header."):]
			if !validHeaderName(name) {
				return fail("%q is not a header name", name)
			}
			if config.ReservedHeader(name) {
				return fail("header %s is reserved and cannot be mapped", name)
			}
			m.header = append(m.header, paramMapping{key: key, action: action, name: name, value: t})
		case strings.HasPrefix(target, "querystring."):
			name := target[len("querystring."):]
			if name == "" {
				return fail("empty query string parameter name")
			}
			m.query = append(m.query, paramMapping{key: key, action: action, name: name, value: t})
		default:
			return fail("want append|overwrite|remove:header.NAME, append|overwrite|remove:querystring.NAME or overwrite:path")
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
func (m *requestMapping) apply(header http.Header, query url.Values, path *string, src valueSource) {
	if m == nil {
		return
	}
	headerVals := resolve(m.header, src, validFieldValue)
	queryVals := resolve(m.query, src, nil)
	var newPath string
	var pathOK bool
	if m.path != nil && path != nil {
		newPath, pathOK = m.path.render(src, escapePathValue)
	}
	applyHeader(header, m.header, headerVals)
	if query != nil {
		for i, p := range m.query {
			v := queryVals[i]
			switch p.action {
			case actionAppend:
				if v.ok {
					query.Add(p.name, v.s)
				}
			case actionOverwrite:
				delete(query, p.name)
				if v.ok {
					query.Set(p.name, v.s)
				}
			case actionRemove:
				delete(query, p.name)
			}
		}
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
	status *template
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
			fail := func(format string, a ...any) (*responseMapping, error) {
				return nil, fmt.Errorf("responseParameters %q %q: %s", code, key, fmt.Sprintf(format, a...))
			}
			verb, target, ok := strings.Cut(key, ":")
			action, known := actionNames[verb]
			if !ok || !known {
				return fail("want append|overwrite|remove:header.NAME or overwrite:statuscode")
			}
			var t template
			if action != actionRemove {
				if t, err = parseTemplate(params[code][key]); err != nil {
					return fail("%v", err)
				}
				if ref, bad := t.refOutside("response.", "context.", "stageVariables."); bad {
					return fail("$%s: response values read $response.*, $context.* and $stageVariables.*", ref)
				}
				sm.body = sm.body || t.reads("response.body")
			}
			switch {
			case target == "statuscode":
				if action != actionOverwrite {
					return fail("the status code can only be overwritten (overwrite:statuscode)")
				}
				if t.static() {
					if c, err := strconv.Atoi(t.src); err != nil || c < 100 || c > 599 {
						return fail("%q: want a status code from 100 to 599", t.src)
					}
				}
				sm.status = &t
			case strings.HasPrefix(target, "header."):
				name := target[len("header."):]
				if !validHeaderName(name) {
					return fail("%q is not a header name", name)
				}
				if config.ReservedHeader(name) {
					return fail("header %s is reserved and cannot be mapped", name)
				}
				sm.header = append(sm.header, paramMapping{key: key, action: action, name: name, value: t})
			default:
				return fail("want append|overwrite|remove:header.NAME or overwrite:statuscode")
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
func (m *responseMapping) apply(status int, header http.Header, src valueSource) int {
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
		if s, ok := sm.status.render(src, nil); ok {
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
func resolve(ps []paramMapping, src valueSource, valid func(string) bool) []resolved {
	if len(ps) == 0 {
		return nil
	}
	out := make([]resolved, len(ps))
	for i, p := range ps {
		if p.action == actionRemove {
			continue
		}
		s, ok := p.value.render(src, nil)
		if ok && valid != nil && !valid(s) {
			ok = false
		}
		out[i] = resolved{s, ok}
	}
	return out
}

// applyHeader runs header mappings with their resolved values; a nil
// header is left alone.
func applyHeader(header http.Header, ps []paramMapping, vals []resolved) {
	if header == nil {
		return
	}
	for i, p := range ps {
		v := vals[i]
		switch p.action {
		case actionAppend:
			if v.ok {
				header.Add(p.name, v.s)
			}
		case actionOverwrite:
			delHeader(header, p.name)
			if v.ok {
				header.Set(p.name, v.s)
			}
		case actionRemove:
			delHeader(header, p.name)
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

// validHeaderName reports whether name is an RFC 9110 token.
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
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

// template is a parsed mapping value: static text and references.
type template struct {
	src   string
	parts []templatePart
}

// templatePart is static text (ref "") or a reference.
type templatePart struct {
	text string
	ref  string // without "$" or braces: "request.header.x"
}

// The references' roots, as the unbraced form recognises them. A root that
// ends in "." needs a name after it; the others may stand alone or go on
// with ".NAME" (and, for bodies, "[N]").
var refRoots = []string{
	"request.header.", "request.querystring.", "request.body", "request.path",
	"response.header.", "response.body", "context.", "stageVariables.",
}

// parseTemplate parses a mapping value.
func parseTemplate(s string) (template, error) {
	t := template{src: s}
	var text strings.Builder
	flush := func() {
		if text.Len() > 0 {
			t.parts = append(t.parts, templatePart{text: text.String()})
			text.Reset()
		}
	}
	for i := 0; i < len(s); {
		if s[i] != '$' {
			j := strings.IndexByte(s[i:], '$')
			if j < 0 {
				j = len(s) - i
			}
			text.WriteString(s[i : i+j])
			i += j
			continue
		}
		if strings.HasPrefix(s[i:], "${") {
			n := strings.IndexByte(s[i+2:], '}')
			if n < 0 {
				return template{}, fmt.Errorf("unterminated ${ at offset %d", i)
			}
			ref := s[i+2 : i+2+n]
			if err := checkRef(ref); err != nil {
				return template{}, fmt.Errorf("${%s}: %w", ref, err)
			}
			flush()
			t.parts = append(t.parts, templatePart{ref: ref})
			i += 2 + n + 1
			continue
		}
		n, err := scanRef(s[i+1:])
		if err != nil {
			return template{}, fmt.Errorf("offset %d: %w", i, err)
		}
		if n == 0 { // not a reference: a literal "$"
			text.WriteByte('$')
			i++
			continue
		}
		ref := s[i+1 : i+1+n]
		if err := checkRef(ref); err != nil {
			return template{}, fmt.Errorf("$%s: %w", ref, err)
		}
		flush()
		t.parts = append(t.parts, templatePart{ref: ref})
		i += 1 + n
	}
	flush()
	return t, nil
}

// scanRef returns the length of the unbraced reference s starts with (s
// follows a "$"), or 0 when s starts none.
func scanRef(s string) (int, error) {
	root := ""
	for _, r := range refRoots {
		if strings.HasPrefix(s, r) {
			root = r
			break
		}
	}
	if root == "" {
		if strings.HasPrefix(s, "request.") || strings.HasPrefix(s, "response.") {
			name, _, _ := strings.Cut(s, ".")
			rest := s[len(name)+1:]
			end := 0
			for end < len(rest) && nameByte(rest[end], "") {
				end++
			}
			return 0, fmt.Errorf("unknown source $%s.%s: want header, querystring, body or path", name, rest[:end])
		}
		return 0, nil
	}
	n := len(root)
	isBody := strings.HasSuffix(root, ".body")
	if !strings.HasSuffix(root, ".") {
		// request.body, request.path, response.body: alone, or .NAME.
		switch {
		case n < len(s) && s[n] != '.' && nameByte(s[n], root):
			end := n
			for end < len(s) && nameByte(s[end], root) && s[end] != '.' {
				end++
			}
			return 0, fmt.Errorf("unknown source $%s", s[:end])
		case n < len(s) && s[n] == '.' && n+1 < len(s) && nameByte(s[n+1], root):
			n++
		case isBody && n < len(s) && s[n] == '[':
		default:
			return n, nil
		}
	} else if n == len(s) || !nameByte(s[n], root) {
		return 0, fmt.Errorf("$%s needs a name", root)
	}
	for n < len(s) {
		c := s[n]
		switch {
		case nameByte(c, root):
			n++
		case isBody && c == '[':
			end := strings.IndexByte(s[n:], ']')
			if end < 0 {
				return 0, fmt.Errorf("unterminated [ in $%s", s)
			}
			n += end + 1
		default:
			return trimDot(s, n), nil
		}
	}
	return trimDot(s, n), nil
}

// trimDot leaves a trailing "." of an unbraced reference to the text
// ("$context.requestId." ends a sentence).
func trimDot(s string, n int) int {
	for n > 0 && s[n-1] == '.' {
		n--
	}
	return n
}

// nameByte reports whether c continues an unbraced reference under root.
func nameByte(c byte, root string) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '_', c == '.':
		return true
	case c == '-':
		return root != "context." && root != "stageVariables."
	}
	return false
}

// checkRef validates a reference (without "$" or braces).
func checkRef(ref string) error {
	switch {
	case ref == "":
		return fmt.Errorf("empty reference")
	case strings.HasPrefix(ref, "request.header."), strings.HasPrefix(ref, "response.header."):
		_, name, _ := strings.Cut(ref[strings.Index(ref, ".")+1:], ".")
		if !validHeaderName(name) {
			return fmt.Errorf("%q is not a header name", name)
		}
	case strings.HasPrefix(ref, "request.querystring."):
		if ref == "request.querystring." {
			return fmt.Errorf("empty query string parameter name")
		}
	case ref == "request.path":
	case strings.HasPrefix(ref, "request.path."):
		if ref == "request.path." {
			return fmt.Errorf("empty path parameter name")
		}
	case strings.HasPrefix(ref, "request.body"), strings.HasPrefix(ref, "response.body"):
		path := strings.TrimPrefix(strings.TrimPrefix(ref, "request.body"), "response.body")
		if _, err := parseBodyPath(path); err != nil {
			return err
		}
	case strings.HasPrefix(ref, "context."):
		if !dottedName(ref[len("context."):], "._") {
			return fmt.Errorf("context variable names hold letters, digits, . and _")
		}
	case strings.HasPrefix(ref, "stageVariables."):
		if !dottedName(ref[len("stageVariables."):], "_") {
			return fmt.Errorf("stage variable names hold letters, digits and _")
		}
	default:
		return fmt.Errorf("unknown source: want $request.*, $response.*, $context.* or $stageVariables.*")
	}
	return nil
}

// dottedName reports whether s is non-empty, holds only letters, digits and
// the bytes of extra, and has no empty dot-separated segment.
func dottedName(s, extra string) bool {
	if s == "" || strings.HasPrefix(s, ".") || strings.HasSuffix(s, ".") || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(extra, c) >= 0) {
			return false
		}
	}
	return true
}

// static reports whether the template has no references.
func (t template) static() bool {
	for _, p := range t.parts {
		if p.ref != "" {
			return false
		}
	}
	return true
}

// reads reports whether a reference is prefix or under it.
func (t template) reads(prefix string) bool {
	for _, p := range t.parts {
		if p.ref == prefix || strings.HasPrefix(p.ref, prefix+".") || strings.HasPrefix(p.ref, prefix+"[") {
			return true
		}
	}
	return false
}

// refOutside returns the first reference under none of the roots.
func (t template) refOutside(roots ...string) (string, bool) {
	for _, p := range t.parts {
		if p.ref != "" && !slices.ContainsFunc(roots, func(r string) bool { return strings.HasPrefix(p.ref, r) }) {
			return p.ref, true
		}
	}
	return "", false
}

// render evaluates the template; ok is false when a reference is absent.
// escape, when set, rewrites static text (ref "") and reference values.
func (t template) render(src valueSource, escape func(ref, v string) string) (string, bool) {
	if len(t.parts) == 1 && escape == nil {
		p := t.parts[0]
		if p.ref == "" {
			return p.text, true
		}
		if src == nil {
			return "", false
		}
		return src.lookup(p.ref)
	}
	var b strings.Builder
	for _, p := range t.parts {
		v := p.text
		if p.ref != "" {
			if src == nil {
				return "", false
			}
			var ok bool
			if v, ok = src.lookup(p.ref); !ok {
				return "", false
			}
		}
		if escape != nil {
			v = escape(p.ref, v)
		}
		b.WriteString(v)
	}
	return b.String(), true
}

// escapePathValue escapes a piece of an overwrite:path value: static text
// keeps what an escaped path may hold, $request.path is escaped already,
// and other values are escaped with their slashes kept.
func escapePathValue(ref, v string) string {
	switch ref {
	case "":
		return escapePathText(v)
	case "request.path":
		return v
	}
	return (&url.URL{Path: v}).EscapedPath()
}

// escapePathText percent-encodes the bytes an escaped URL path cannot hold
// (RFC 3986 pchar and "/"), keeping valid %XX escapes.
func escapePathText(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', strings.IndexByte("-._~!$&'()*+,;=:@/", c) >= 0:
			b.WriteByte(c)
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// bodyStep is one level of a body path: an object member or an array
// element.
type bodyStep struct {
	name  string // gjson path of a member, escaped
	index int    // when name is ""
}

// parseBodyPath parses what follows $request.body or $response.body: ""
// (the whole body), or ".name" / "[N]" steps ("items[0].id",
// "[0].name"). Names are literal: anything but ".", "[", "]", "{", "}",
// "$", whitespace and control characters.
func parseBodyPath(p string) ([]bodyStep, error) {
	switch {
	case p == "":
		return nil, nil
	case strings.HasPrefix(p, ".."):
		return nil, fmt.Errorf("recursive descent ($request.body..name) is not supported")
	case p[0] != '.' && p[0] != '[':
		return nil, fmt.Errorf("want .name or [N] after body")
	}
	if strings.Contains(p, "?(") {
		return nil, fmt.Errorf("filter expressions (?(expression)) are not supported")
	}
	var steps []bodyStep
	for i := 0; i < len(p); {
		switch p[i] {
		case '.':
			i++
			start := i
			for i < len(p) && p[i] != '.' && p[i] != '[' {
				c := p[i]
				switch {
				case c == '*':
					return nil, fmt.Errorf("wildcards are not supported")
				case c == ']' || c == '{' || c == '}' || c == '$' || c <= ' ' || c == 0x7f:
					return nil, fmt.Errorf("invalid character %q in body path", c)
				}
				i++
			}
			if i == start {
				if i < len(p) && p[i] == '.' {
					return nil, fmt.Errorf("recursive descent ($request.body..name) is not supported")
				}
				return nil, fmt.Errorf("empty name in body path")
			}
			steps = append(steps, bodyStep{name: escapeGJSON(p[start:i])})
		case '[':
			end := strings.IndexByte(p[i:], ']')
			if end < 0 {
				return nil, fmt.Errorf("unterminated [ in body path")
			}
			digits := p[i+1 : i+end]
			n, err := strconv.Atoi(digits)
			if err != nil || digits == "" || digits[0] < '0' || digits[0] > '9' {
				return nil, fmt.Errorf("[%s]: want an array index [N]", digits)
			}
			steps = append(steps, bodyStep{index: n})
			i += end + 1
		default:
			return nil, fmt.Errorf("unexpected %q in body path", p[i])
		}
	}
	return steps, nil
}

// escapeGJSON escapes the characters gjson gives a meaning in a path, so
// that name matches a member literally.
func escapeGJSON(name string) string {
	const special = `\.|*?@!#[{(=<>%:,"`
	if !strings.ContainsAny(name, special) {
		return name
	}
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		if strings.IndexByte(special, name[i]) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(name[i])
	}
	return b.String()
}

// bodyValue selects path (what follows $request.body or $response.body)
// from body. The whole body is absent when empty; a path reads the first
// 100 KB as JSON and selects from it.
func bodyValue(body []byte, path string) (string, bool) {
	if path == "" {
		return string(body), len(body) > 0
	}
	steps, err := parseBodyPath(path)
	if err != nil {
		return "", false
	}
	if len(body) > maxMappedBody {
		body = body[:maxMappedBody]
	}
	if !gjson.ValidBytes(body) {
		return "", false
	}
	doc := string(body)
	var v gjson.Result
	for _, s := range steps {
		want, sel := byte('{'), s.name
		if s.name == "" {
			want, sel = '[', strconv.Itoa(s.index)
		}
		if t := strings.TrimLeft(doc, " \t\r\n"); t == "" || t[0] != want {
			return "", false
		}
		if v = gjson.Get(doc, sel); !v.Exists() {
			return "", false
		}
		doc = v.Raw
	}
	switch v.Type {
	case gjson.String:
		return v.Str, true
	case gjson.Number, gjson.True, gjson.False:
		return v.Raw, true
	case gjson.JSON:
		var b bytes.Buffer
		if json.Compact(&b, []byte(v.Raw)) != nil {
			return "", false
		}
		return b.String(), true
	}
	return "", false // null
}

// requestSource resolves request references against q as it arrived:
// $request.* from the client's request (q.body must hold the body when the
// mapping reads it), $context.* from what the gateway knows,
// $stageVariables.* from the stage.
type requestSource struct{ q *request }

var _ valueSource = requestSource{}

func (s requestSource) lookup(ref string) (string, bool) {
	q := s.q
	if q == nil {
		return "", false
	}
	switch {
	case strings.HasPrefix(ref, "request.header."):
		name := ref[len("request.header."):]
		if strings.EqualFold(name, "host") && q.r.Host != "" {
			return q.r.Host, true
		}
		return headerValues(q.r.Header, name)
	case strings.HasPrefix(ref, "request.querystring."):
		vals, ok := parseQuery(q.r.URL.RawQuery)[ref[len("request.querystring."):]]
		return strings.Join(vals, ","), ok
	case strings.HasPrefix(ref, "request.body"):
		return bodyValue(q.body, ref[len("request.body"):])
	case ref == "request.path":
		return q.rest, true
	case strings.HasPrefix(ref, "request.path."):
		v, ok := q.params[ref[len("request.path."):]]
		return v, ok
	case strings.HasPrefix(ref, "context."):
		v := q.contextValue(ref[len("context."):])
		return v, v != ""
	case strings.HasPrefix(ref, "stageVariables."):
		v, ok := q.stageVars[ref[len("stageVariables."):]]
		return v, ok
	}
	return "", false
}

// contextValue returns $context.name, "" when the request has none. The
// names are those of AWS's HTTP API context variables
// (http-api-logging-variables) that the gateway knows.
func (q *request) contextValue(name string) string {
	switch name {
	case "accountId":
		return q.accountID
	case "apiId":
		return q.apiID
	case "domainName":
		n, _ := q.domain()
		return n
	case "domainPrefix":
		_, p := q.domain()
		return p
	case "extendedRequestId", "requestId":
		return q.requestID
	case "httpMethod":
		return q.r.Method
	case "path":
		return q.rawPath()
	case "protocol":
		return q.r.Proto
	case "requestTime":
		return q.now.UTC().Format(requestTimeLayout)
	case "requestTimeEpoch":
		return strconv.FormatInt(q.now.UnixMilli(), 10)
	case "routeKey":
		return q.routeKey
	case "stage":
		return q.stage
	case "identity.sourceIp":
		return q.sourceIP()
	case "identity.userAgent":
		return q.r.UserAgent()
	}
	if q.iam != nil {
		switch name {
		case "identity.accessKey", "identity.caller", "identity.user":
			return q.iam.accessKey
		case "identity.userArn":
			return q.iam.userArn
		case "identity.accountId":
			return q.accountID
		}
	}
	if key, ok := strings.CutPrefix(name, "authorizer."); ok {
		return q.authorizerValue(key)
	}
	return ""
}

// authorizerValue returns $context.authorizer.key: claims.NAME from a JWT
// authorizer, principalId and the context keys of a Lambda authorizer, in
// either payload format's shape of q.auth. Objects, arrays and null are
// absent.
func (q *request) authorizerValue(key string) string {
	a := q.auth
	if a == nil {
		return ""
	}
	if claim, ok := strings.CutPrefix(key, "claims."); ok {
		claims := a["claims"] // 1.0
		if j, ok := a["jwt"].(map[string]any); ok {
			claims = j["claims"]
		}
		switch c := claims.(type) {
		case map[string]string:
			return c[claim]
		case map[string]any:
			return scalarString(c[claim])
		}
		return ""
	}
	if l, ok := a["lambda"].(map[string]any); ok { // 2.0
		return scalarString(l[key])
	}
	return scalarString(a[key]) // 1.0: flattened, with principalId
}

// scalarString renders a JSON scalar as text; other values are "".
func scalarString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	}
	return ""
}

// responseSource resolves response references: $response.* from the
// integration's answer as it arrived (body must hold it when the mapping
// reads it), anything else through request.
type responseSource struct {
	request valueSource
	header  http.Header
	body    []byte
}

var _ valueSource = responseSource{}

func (s responseSource) lookup(ref string) (string, bool) {
	switch {
	case strings.HasPrefix(ref, "response.header."):
		return headerValues(s.header, ref[len("response.header."):])
	case strings.HasPrefix(ref, "response.body"):
		return bodyValue(s.body, ref[len("response.body"):])
	case s.request != nil:
		return s.request.lookup(ref)
	}
	return "", false
}
