package integration

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
)

// This file holds the small expression languages of non-proxy and HTTP
// integrations: requestParameters, {NAME} placeholders in URIs, and template
// selection expressions.

// paramValue is the right-hand side of a requestParameters entry: a 'static'
// literal or a source expression resolved through Request.Params.
type paramValue struct {
	static   string
	expr     string
	isStatic bool
}

func parseParamValue(s string) (paramValue, error) {
	if len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'' {
		return paramValue{static: s[1 : len(s)-1], isStatic: true}, nil
	}
	if s == "" || strings.ContainsAny(s, " \t\r\n'") {
		return paramValue{}, fmt.Errorf("invalid mapping expression %q; want 'static' or a source such as context.connectionId", s)
	}
	return paramValue{expr: s}, nil
}

// resolve returns the value, and false when the source does not exist in
// this request.
func (v paramValue) resolve(src ParamSource) (string, bool) {
	if v.isStatic {
		return v.static, true
	}
	if src == nil {
		return "", false
	}
	return src.Lookup(v.expr)
}

// paramMapping is one requestParameters entry.
type paramMapping struct {
	name  string
	value paramValue
}

// paramPlan is requestParameters, parsed once in New.
type paramPlan struct {
	headers []paramMapping
	query   []paramMapping
	path    []paramMapping
}

const (
	headerParam = "integration.request.header."
	queryParam  = "integration.request.querystring."
	pathParam   = "integration.request.path."
)

func newParamPlan(params map[string]string) (paramPlan, error) {
	var p paramPlan
	for _, key := range slices.Sorted(maps.Keys(params)) {
		v, err := parseParamValue(params[key])
		if err != nil {
			return paramPlan{}, fmt.Errorf("requestParameters %s: %w", key, err)
		}
		var (
			list  *[]paramMapping
			name  string
			valid bool
		)
		switch {
		case strings.HasPrefix(key, headerParam):
			name = key[len(headerParam):]
			list, valid = &p.headers, validHeaderName(name)
		case strings.HasPrefix(key, queryParam):
			name = key[len(queryParam):]
			list, valid = &p.query, name != ""
		case strings.HasPrefix(key, pathParam):
			name = key[len(pathParam):]
			list, valid = &p.path, validPlaceholder(name)
		default:
			return paramPlan{}, fmt.Errorf("requestParameters key %q: want integration.request.header|querystring|path.NAME", key)
		}
		if !valid {
			return paramPlan{}, fmt.Errorf("requestParameters key %q: invalid name", key)
		}
		*list = append(*list, paramMapping{name: name, value: v})
	}
	return p, nil
}

// uriTemplate is an integration URI with {NAME} placeholders, which
// integration.request.path.NAME parameters fill.
type uriTemplate struct {
	parts []uriPart
}

type uriPart struct {
	literal     string
	placeholder string // when set, literal is empty
}

func parseURITemplate(uri string) uriTemplate {
	var t uriTemplate
	rest := uri
	for {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(rest[open:], '}')
		if end < 0 {
			break
		}
		name := rest[open+1 : open+end]
		if !validPlaceholder(name) {
			t.parts = append(t.parts, uriPart{literal: rest[:open+1]})
			rest = rest[open+1:]
			continue
		}
		t.parts = append(t.parts, uriPart{literal: rest[:open]}, uriPart{placeholder: name})
		rest = rest[open+end+1:]
	}
	t.parts = append(t.parts, uriPart{literal: rest})
	return t
}

// validPlaceholder reports whether name may appear as {name} in a URI.
func validPlaceholder(name string) bool {
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

func (t uriTemplate) placeholders() []string {
	var names []string
	for _, p := range t.parts {
		if p.placeholder != "" {
			names = append(names, p.placeholder)
		}
	}
	return names
}

// expand fills the placeholders with path-escaped values; a placeholder
// without a value becomes empty.
func (t uriTemplate) expand(values map[string]string) string {
	var b strings.Builder
	for _, p := range t.parts {
		if p.placeholder == "" {
			b.WriteString(p.literal)
			continue
		}
		b.WriteString(url.PathEscape(values[p.placeholder]))
	}
	return b.String()
}

// selector is a parsed template selection expression. It is either a
// $-expression as a whole ($request.body.action) or text in which ${expr}
// is replaced and \$ stands for $.
type selector struct {
	parts []selectorPart
}

type selectorPart struct {
	literal string
	expr    string // when set, literal is empty
}

// parseSelector parses a template selection expression. Empty means the
// key "$default".
func parseSelector(s string) (selector, error) {
	switch {
	case s == "" || s == "$default" || s == `\$default`:
		return selector{parts: []selectorPart{{literal: "$default"}}}, nil
	case strings.HasPrefix(s, "$") && !strings.HasPrefix(s, "${"):
		if err := checkSelectorExpr(s[1:]); err != nil {
			return selector{}, fmt.Errorf("selection expression %q: %w", s, err)
		}
		return selector{parts: []selectorPart{{expr: s[1:]}}}, nil
	}
	var sel selector
	var lit strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s) && s[i+1] == '$':
			lit.WriteByte('$')
			i++
		case s[i] == '$' && i+1 < len(s) && s[i+1] == '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return selector{}, fmt.Errorf("selection expression %q: unterminated ${", s)
			}
			expr := s[i+2 : i+end]
			if err := checkSelectorExpr(expr); err != nil {
				return selector{}, fmt.Errorf("selection expression %q: %w", s, err)
			}
			if lit.Len() > 0 {
				sel.parts = append(sel.parts, selectorPart{literal: lit.String()})
				lit.Reset()
			}
			sel.parts = append(sel.parts, selectorPart{expr: expr})
			i += end
		default:
			lit.WriteByte(s[i])
		}
	}
	if lit.Len() > 0 || len(sel.parts) == 0 {
		sel.parts = append(sel.parts, selectorPart{literal: lit.String()})
	}
	return sel, nil
}

// checkSelectorExpr accepts the sources template selection knows.
func checkSelectorExpr(expr string) error {
	switch {
	case expr == "request.body",
		strings.HasPrefix(expr, "request.body.") && len(expr) > len("request.body."),
		expr == "integration.response.statuscode",
		strings.HasPrefix(expr, "integration.response.header.") && len(expr) > len("integration.response.header."),
		strings.HasPrefix(expr, "integration.response.multivalueheader.") && len(expr) > len("integration.response.multivalueheader."):
		return nil
	}
	return fmt.Errorf("unknown source %q; want request.body.PATH, integration.response.statuscode or integration.response.header.NAME", expr)
}

// selectionScope is what selection expressions read.
type selectionScope struct {
	body   []byte      // the request body
	status int         // the integration response status; 0 before it
	header http.Header // the integration response headers
}

// eval evaluates the expression; an absent source evaluates to "".
func (s selector) eval(sc selectionScope) string {
	if len(s.parts) == 1 && s.parts[0].expr == "" {
		return s.parts[0].literal
	}
	var b strings.Builder
	for _, p := range s.parts {
		if p.expr == "" {
			b.WriteString(p.literal)
			continue
		}
		b.WriteString(sc.lookup(p.expr))
	}
	return b.String()
}

func (sc selectionScope) lookup(expr string) string {
	switch {
	case expr == "request.body":
		return string(sc.body)
	case strings.HasPrefix(expr, "request.body."):
		return jsonPathString(sc.body, expr[len("request.body."):])
	case expr == "integration.response.statuscode":
		if sc.status == 0 {
			return ""
		}
		return strconv.Itoa(sc.status)
	case strings.HasPrefix(expr, "integration.response.header."):
		vs := sc.header.Values(expr[len("integration.response.header."):])
		if len(vs) == 0 {
			return ""
		}
		return vs[len(vs)-1]
	case strings.HasPrefix(expr, "integration.response.multivalueheader."):
		return strings.Join(sc.header.Values(expr[len("integration.response.multivalueheader."):]), ",")
	}
	return ""
}

// jsonPathString walks a dot path (a.b[0].c, an optional leading "$.") in
// a JSON document. A string is returned unquoted, null and anything absent
// as "", other values as their JSON text.
func jsonPathString(doc []byte, path string) string {
	path = strings.TrimPrefix(path, "$.")
	raw := json.RawMessage(doc)
	for seg := range strings.SplitSeq(path, ".") {
		name, indexes, ok := splitIndexes(seg)
		if !ok {
			return ""
		}
		if name != "" {
			var obj map[string]json.RawMessage
			if json.Unmarshal(raw, &obj) != nil {
				return ""
			}
			if raw, ok = obj[name]; !ok {
				return ""
			}
		}
		for _, i := range indexes {
			var arr []json.RawMessage
			if json.Unmarshal(raw, &arr) != nil || i >= len(arr) {
				return ""
			}
			raw = arr[i]
		}
	}
	raw = bytes.TrimSpace(raw)
	if !json.Valid(raw) {
		return ""
	}
	switch {
	case string(raw) == "null":
		return ""
	case raw[0] == '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return ""
		}
		return s
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return ""
	}
	return b.String()
}

// splitIndexes splits "name[1][2]" into "name" and [1 2].
func splitIndexes(seg string) (name string, indexes []int, ok bool) {
	open := strings.IndexByte(seg, '[')
	if open < 0 {
		return seg, nil, seg != ""
	}
	name, rest := seg[:open], seg[open:]
	for rest != "" {
		end := strings.IndexByte(rest, ']')
		if rest[0] != '[' || end < 0 {
			return "", nil, false
		}
		i, err := strconv.Atoi(rest[1:end])
		if err != nil || i < 0 {
			return "", nil, false
		}
		indexes = append(indexes, i)
		rest = rest[end+1:]
	}
	return name, indexes, true
}
