package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"
)

// Mapping values: the template language ($ref and ${ref} in text), JSONPath
// into request and response bodies, and the sources references resolve
// against.

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
