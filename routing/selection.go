package routing

import (
	"errors"
	"fmt"
	"strings"

	"github.com/tidwall/gjson"
)

// Expression is a parsed WebSocket route selection expression.
type Expression struct {
	src    string
	static bool
	parts  []part // static text and body paths, in order
}

type part struct {
	text string // static text when path is empty
	path string // gjson path into the body
}

// ParseSelectionExpression parses a route selection expression:
// $request.body.PATH, a template of ${request.body.PATH} variables and static
// text, or a static key ("action", "\$default").
func ParseSelectionExpression(s string) (*Expression, error) {
	if s == "" {
		return nil, errors.New("routing: empty selection expression")
	}
	e := &Expression{src: s}
	if rest, ok := strings.CutPrefix(s, "$request.body."); ok {
		p, err := bodyPath(rest)
		if err != nil {
			return nil, err
		}
		e.parts = []part{{path: p}}
		return e, nil
	}
	if strings.HasPrefix(s, "$") && !strings.HasPrefix(s, "${") {
		return nil, fmt.Errorf("routing: selection expression %q: only $request.body is supported in WebSocket route selection", s)
	}
	var text strings.Builder
	hasVar := false
	for i := 0; i < len(s); {
		switch {
		case s[i] == '\\' && i+1 < len(s) && s[i+1] == '$':
			text.WriteByte('$')
			i += 2
		case strings.HasPrefix(s[i:], "${"):
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return nil, fmt.Errorf("routing: selection expression %q: unterminated ${", s)
			}
			inner := s[i+2 : i+end]
			rest, ok := strings.CutPrefix(inner, "request.body.")
			if !ok {
				return nil, fmt.Errorf("routing: selection expression %q: ${%s}: only $request.body is supported in WebSocket route selection", s, inner)
			}
			p, err := bodyPath(rest)
			if err != nil {
				return nil, err
			}
			if text.Len() > 0 {
				e.parts = append(e.parts, part{text: text.String()})
				text.Reset()
			}
			e.parts = append(e.parts, part{path: p})
			hasVar = true
			i += end + 1
		case s[i] == '$':
			return nil, fmt.Errorf("routing: selection expression %q: unescaped $ (write \\$ for a literal)", s)
		default:
			text.WriteByte(s[i])
			i++
		}
	}
	if text.Len() > 0 {
		e.parts = append(e.parts, part{text: text.String()})
	}
	e.static = !hasVar
	return e, nil
}

// bodyPath converts a JSONPath-style dotted path ("a.b", "items[0].x") into
// a gjson path with every user character taken literally.
func bodyPath(p string) (string, error) {
	if p == "" {
		return "", errors.New("routing: empty $request.body path")
	}
	var out strings.Builder
	for _, seg := range strings.Split(p, ".") {
		if seg == "" {
			return "", fmt.Errorf("routing: $request.body path %q has an empty segment", p)
		}
		name, idx := seg, ""
		if i := strings.IndexByte(seg, '['); i >= 0 {
			name, idx = seg[:i], seg[i:]
		}
		if name == "" && idx == "" {
			return "", fmt.Errorf("routing: $request.body path %q has an empty segment", p)
		}
		for _, r := range name {
			if r == '[' || r == ']' || r == '{' || r == '}' || r == ' ' || r == '$' {
				return "", fmt.Errorf("routing: $request.body path %q: invalid character %q", p, r)
			}
		}
		if name != "" {
			if out.Len() > 0 {
				out.WriteByte('.')
			}
			out.WriteString(escapeGJSON(name))
		}
		for idx != "" {
			if idx[0] != '[' {
				return "", fmt.Errorf("routing: $request.body path %q: bad index", p)
			}
			end := strings.IndexByte(idx, ']')
			if end < 2 {
				return "", fmt.Errorf("routing: $request.body path %q: bad index", p)
			}
			n := idx[1:end]
			for _, c := range n {
				if c < '0' || c > '9' {
					return "", fmt.Errorf("routing: $request.body path %q: index %q is not a number", p, n)
				}
			}
			if out.Len() > 0 {
				out.WriteByte('.')
			}
			out.WriteString(n)
			idx = idx[end+1:]
		}
	}
	return out.String(), nil
}

func escapeGJSON(s string) string {
	if !strings.ContainsAny(s, `*?#|@\!=<>%.:,"`) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?#|@\!=<>%.:,"`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// String returns the expression as written.
func (e *Expression) String() string { return e.src }

// Evaluate returns the key the expression selects for a message body.
// isJSON is false when body is not valid JSON. A static expression returns
// its key whatever the body. A path that is not found contributes "".
func (e *Expression) Evaluate(body []byte) (key string, isJSON bool) {
	isJSON = gjson.ValidBytes(body)
	if e.static {
		if len(e.parts) == 0 {
			return "", isJSON
		}
		return e.parts[0].text, isJSON
	}
	if !isJSON {
		return "", false
	}
	if len(e.parts) == 1 {
		return stringify(gjson.GetBytes(body, e.parts[0].path)), true
	}
	var b strings.Builder
	for _, p := range e.parts {
		if p.path == "" {
			b.WriteString(p.text)
			continue
		}
		b.WriteString(stringify(gjson.GetBytes(body, p.path)))
	}
	return b.String(), true
}

// stringify renders a selected JSON value as a route key: strings as they
// are, numbers and booleans in their JSON text, null and missing as "",
// objects as compact JSON, and arrays as AWS's documentation shows,
// "[item1, item2]" (elements stringified the same way).
func stringify(r gjson.Result) string {
	switch r.Type {
	case gjson.String:
		return r.Str
	case gjson.Null:
		return ""
	case gjson.Number, gjson.True, gjson.False:
		return r.Raw
	}
	if !r.Exists() {
		return ""
	}
	if r.IsArray() {
		var b strings.Builder
		b.WriteByte('[')
		for i, el := range r.Array() {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(stringify(el))
		}
		b.WriteByte(']')
		return b.String()
	}
	var b strings.Builder
	for i := 0; i < len(r.Raw); i++ {
		// compact: drop insignificant whitespace outside strings
		c := r.Raw[i]
		if c == '"' {
			j := i + 1
			for j < len(r.Raw) && r.Raw[j] != '"' {
				if r.Raw[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(r.Raw) {
				j = len(r.Raw) - 1
			}
			b.WriteString(r.Raw[i : j+1])
			i = j
			continue
		}
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// SelectRoute picks the route for a message: the key the expression selects
// when has reports such a route, else "$default" when present, else ok is
// false. Non-JSON messages go to $default ("Non-JSON messages are directed
// to a $default route"), except under a static expression, whose key applies
// to every message. $connect and $disconnect are never selected by a
// message.
func SelectRoute(e *Expression, body []byte, has func(routeKey string) bool) (routeKey string, ok bool) {
	key, isJSON := e.Evaluate(body)
	if (isJSON || e.static) && key != "" && key != "$connect" && key != "$disconnect" && has(key) {
		return key, true
	}
	if has("$default") {
		return "$default", true
	}
	return "", false
}
