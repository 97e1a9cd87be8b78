package routing

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"github.com/tidwall/gjson"
)

// Expression is a parsed WebSocket route (or template) selection
// expression. It is immutable and safe for concurrent use.
type Expression struct {
	src    string
	static bool   // no variables: key is the result for every body
	key    string // the static key, when static
	parts  []part // static text and body lookups, in order, when not static
}

// part is one piece of a template: static text, or a lookup when steps is
// not empty.
type part struct {
	text  string
	steps []step
}

// step is one level of a $request.body path: an object member or an array
// element.
type step struct {
	path  string // gjson path of this one level: an escaped name or a decimal index
	index bool   // an array index ([N]) rather than a member name
}

// SyntaxError is returned by ParseSelectionExpression for an expression it
// cannot parse.
type SyntaxError struct {
	Expr   string // the expression as given
	Offset int    // byte offset in Expr where the problem was found
	Msg    string
}

// Error returns the message, naming the expression.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("routing: selection expression %q: %s", e.Expr, e.Msg)
}

const (
	bodyRoot    = "request.body"
	onlyBodyMsg = "only $request.body is supported in WebSocket route selection"
)

// ParseSelectionExpression parses a route selection expression:
//   - $request.body.PATH, the whole expression;
//   - a template: static text and ${request.body.PATH} variables, in any
//     number and order ("${request.body.service}/${request.body.action}");
//   - a static key ("action"); "\$" writes a literal "$" ("\$default"), and
//     the bare "$default" is accepted as the key "$default" too, as route
//     response selection expressions write it.
//
// PATH is dot-separated member names, each optionally followed by [N] array
// indexes ("items[0].name"); "$request.body[0]" indexes a top-level array.
// Names are literal: any character but '.', '[', ']', '{', '}', '$',
// whitespace and control characters, in valid UTF-8. Errors are
// *SyntaxError.
func ParseSelectionExpression(s string) (*Expression, error) {
	fail := func(off int, format string, a ...any) (*Expression, error) {
		return nil, &SyntaxError{Expr: s, Offset: off, Msg: fmt.Sprintf(format, a...)}
	}
	switch {
	case s == "":
		return fail(0, "empty expression")
	case s == "$default":
		return &Expression{src: s, static: true, key: s}, nil
	case strings.HasPrefix(s, "$"+bodyRoot):
		steps, off, err := parseBodyRef(s[1:])
		if err != "" {
			return fail(1+off, "%s", err)
		}
		return &Expression{src: s, parts: []part{{steps: steps}}}, nil
	}
	e := &Expression{src: s}
	var text strings.Builder
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], `\$`):
			text.WriteByte('$')
			i += 2
		case strings.HasPrefix(s[i:], "${"):
			n := strings.IndexByte(s[i+2:], '}')
			if n < 0 {
				return fail(i, "unterminated ${")
			}
			inner := s[i+2 : i+2+n]
			if j := strings.Index(inner, "${"); j >= 0 {
				return fail(i, "unterminated ${ (nested ${ at offset %d)", i+2+j)
			}
			if inner == "" {
				return fail(i, "empty ${}")
			}
			steps, off, err := parseBodyRef(inner)
			if err != "" {
				return fail(i+2+off, "${%s}: %s", inner, err)
			}
			if text.Len() > 0 {
				e.parts = append(e.parts, part{text: text.String()})
				text.Reset()
			}
			e.parts = append(e.parts, part{steps: steps})
			i += 2 + n + 1
		case s[i] == '$':
			if strings.HasPrefix(s[i:], "$"+bodyRoot) {
				return fail(i, "$request.body must be the whole expression; write ${request.body.PATH} in a template")
			}
			if i+1 < len(s) && isLetter(s[i+1]) {
				return fail(i, "%s", onlyBodyMsg)
			}
			return fail(i, `unescaped "$" (write \$ for a literal)`)
		default:
			text.WriteByte(s[i])
			i++
		}
	}
	if len(e.parts) == 0 {
		e.static, e.key = true, text.String()
		return e, nil
	}
	if text.Len() > 0 {
		e.parts = append(e.parts, part{text: text.String()})
	}
	return e, nil
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// parseBodyRef parses "request.body.PATH" (without "$" or "${}"). On error
// it returns a message and the offset in ref where the problem is.
func parseBodyRef(ref string) ([]step, int, string) {
	rest, ok := strings.CutPrefix(ref, bodyRoot)
	if !ok || rest != "" && rest[0] != '.' && rest[0] != '[' {
		return nil, 0, onlyBodyMsg
	}
	off := len(bodyRoot)
	if rest == "" || rest == "." {
		return nil, off, "empty path after $request.body"
	}
	if rest[0] == '.' {
		rest, off = rest[1:], off+1
	}
	steps, o, err := parsePath(rest)
	return steps, off + o, err
}

// parsePath parses a JSONPath-style body path: name(.name)* where every
// name may carry [N] indexes, and the first may be index-only ("[0].a").
func parsePath(p string) ([]step, int, string) {
	if !utf8.ValidString(p) {
		return nil, 0, "path is not valid UTF-8"
	}
	var steps []step
	i := 0
	for seg := 0; ; seg++ {
		start := i
		for i < len(p) && !strings.ContainsRune(".[", rune(p[i])) {
			r, size := utf8.DecodeRuneInString(p[i:])
			if r == ']' || r == '{' || r == '}' || r == '$' || r < 0x20 || r == 0x7f || unicode.IsSpace(r) {
				return nil, i, fmt.Sprintf("invalid character %q in path", r)
			}
			i += size
		}
		name := p[start:i]
		switch {
		case name != "":
			steps = append(steps, step{path: escapeName(name)})
		case seg > 0 || i == len(p) || p[i] != '[':
			return nil, i, "empty path segment"
		}
		for i < len(p) && p[i] == '[' {
			end := strings.IndexByte(p[i:], ']')
			if end < 0 {
				return nil, i, "unterminated ["
			}
			digits := p[i+1 : i+end]
			n, err := strconv.Atoi(digits)
			if err != nil || n < 0 || digits[0] < '0' || digits[0] > '9' {
				return nil, i, fmt.Sprintf("index [%s] is not a non-negative integer", digits)
			}
			steps = append(steps, step{path: strconv.Itoa(n), index: true})
			i += end + 1
		}
		if i == len(p) {
			return steps, i, ""
		}
		if p[i] != '.' {
			return nil, i, fmt.Sprintf("unexpected %q after index", p[i])
		}
		i++
		if i == len(p) {
			return nil, i, "empty path segment"
		}
	}
}

// gjsonSpecial holds the characters gjson gives a meaning in a path; names
// are matched literally by escaping them.
const gjsonSpecial = `\.|*?@!#[{(=<>%:,"`

// escapeName returns name as a gjson path component that matches the member
// name literally.
func escapeName(name string) string {
	if !strings.ContainsAny(name, gjsonSpecial) {
		return name
	}
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		if strings.IndexByte(gjsonSpecial, name[i]) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(name[i])
	}
	return b.String()
}

// String returns the expression as written.
func (e *Expression) String() string { return e.src }

// Evaluate returns the route key the expression selects for a message body.
// isJSON is false when body is not valid JSON; key is then "" (callers use
// $default), except for a static expression, which returns its key whatever
// the body. A path that is not found contributes "". The key never shares
// memory with body.
func (e *Expression) Evaluate(body []byte) (key string, isJSON bool) {
	key, isJSON = e.evaluate(body, true)
	if e.static {
		isJSON = gjson.ValidBytes(body)
	}
	return key, isJSON
}

// evaluate is Evaluate without the JSON check for static expressions; when
// owned is false the key may point into body (a single lookup's scalar),
// saving a copy for keys that are only compared.
func (e *Expression) evaluate(body []byte, owned bool) (string, bool) {
	if e.static {
		return e.key, true
	}
	if !gjson.ValidBytes(body) {
		return "", false
	}
	json := unsafe.String(unsafe.SliceData(body), len(body)) // read only; results are copied out
	if len(e.parts) == 1 {
		v := lookup(json, e.parts[0].steps)
		switch v.Type {
		case gjson.String:
			if owned && aliases(v.Str, json) {
				return strings.Clone(v.Str), true
			}
			return v.Str, true
		case gjson.Number, gjson.True, gjson.False:
			if owned {
				return strings.Clone(v.Raw), true
			}
			return v.Raw, true
		}
		b := appendValue(nil, v)
		return unsafe.String(unsafe.SliceData(b), len(b)), true // b is ours and never written again
	}
	var vals [8]gjson.Result
	var b []byte
	if len(e.parts) <= len(vals) {
		n := 0
		for i, p := range e.parts {
			if p.steps != nil {
				vals[i] = lookup(json, p.steps)
				n += len(vals[i].Raw)
			} else {
				n += len(p.text)
			}
		}
		b = make([]byte, 0, n)
		for i, p := range e.parts {
			if p.steps != nil {
				b = appendValue(b, vals[i])
			} else {
				b = append(b, p.text...)
			}
		}
	} else {
		for _, p := range e.parts {
			if p.steps != nil {
				b = appendValue(b, lookup(json, p.steps))
			} else {
				b = append(b, p.text...)
			}
		}
	}
	return unsafe.String(unsafe.SliceData(b), len(b)), true // b is ours and never written again
}

// aliases reports whether s points into json.
func aliases(s, json string) bool {
	if s == "" {
		return false
	}
	p, lo := uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(unsafe.Pointer(unsafe.StringData(json)))
	return p >= lo && p < lo+uintptr(len(json))
}

// lookup follows steps from the JSON document json. A member name applies
// only to an object and an index only to an array, as in JSONPath (gjson
// alone would let "0" index an array and [0] name a member "0"). Duplicate
// member names: the first one wins.
func lookup(json string, steps []step) gjson.Result {
	var v gjson.Result
	for _, s := range steps {
		want := byte('{')
		if s.index {
			want = '['
		}
		if firstByte(json) != want {
			return gjson.Result{}
		}
		v = gjson.Get(json, s.path)
		if !v.Exists() {
			return gjson.Result{}
		}
		json = v.Raw
	}
	return v
}

// firstByte returns the first non-whitespace byte of json, or 0.
func firstByte(json string) byte {
	for i := 0; i < len(json); i++ {
		switch json[i] {
		case ' ', '\t', '\n', '\r':
		default:
			return json[i]
		}
	}
	return 0
}

// appendValue appends a selected value as route-key text: strings as they
// are (unescaped), numbers and booleans as written, null and missing values
// as nothing, objects as their JSON text without insignificant whitespace
// (escapes kept as written), and arrays as "[item1, item2]", the form AWS's
// documentation shows, each element rendered by these same rules.
func appendValue(b []byte, v gjson.Result) []byte {
	switch v.Type {
	case gjson.String:
		return append(b, v.Str...)
	case gjson.Number, gjson.True, gjson.False:
		return append(b, v.Raw...)
	case gjson.JSON:
		if v.IsArray() {
			b = append(b, '[')
			first := true
			v.ForEach(func(_, el gjson.Result) bool {
				if !first {
					b = append(b, ", "...)
				}
				first = false
				b = appendValue(b, el)
				return true
			})
			return append(b, ']')
		}
		return appendCompact(b, v.Raw)
	}
	return b // null, missing
}

// appendCompact appends valid JSON text without whitespace outside strings.
func appendCompact(b []byte, raw string) []byte {
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; c {
		case ' ', '\t', '\n', '\r':
		case '"':
			j := i + 1
			for j < len(raw) && raw[j] != '"' {
				if raw[j] == '\\' {
					j++
				}
				j++
			}
			j = min(j, len(raw)-1)
			b = append(b, raw[i:j+1]...)
			i = j
		default:
			b = append(b, c)
		}
	}
	return b
}

// SelectRoute picks the route for a message. It evaluates e on body; when
// the key names a route (has reports it; exact, case-sensitive) that route
// is selected, else "$default" when has reports it, else ok is false (the
// caller sends the Forbidden error frame). Non-JSON bodies go to $default,
// except under a static expression, whose key applies to every body. A key
// of "$connect" or "$disconnect" is never selected by a message; it counts
// as no match. has must not retain its argument, which may point into body.
func SelectRoute(e *Expression, body []byte, has func(routeKey string) bool) (routeKey string, ok bool) {
	key, _ := e.evaluate(body, false)
	if key != "" && key != "$connect" && key != "$disconnect" && key != "$default" && has(key) {
		if e.static || !aliases(key, unsafe.String(unsafe.SliceData(body), len(body))) {
			return key, true
		}
		return strings.Clone(key), true
	}
	if has("$default") {
		return "$default", true
	}
	return "", false
}
