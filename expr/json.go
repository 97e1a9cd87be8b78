package expr

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"github.com/tidwall/gjson"
)

// Path is a compiled JSON body path: what follows $request.body (or
// $response.body, route.request.body, method.request.body). It is
// immutable and safe for concurrent use.
type Path struct {
	src   string
	steps []step
}

// step is one level of a path: an object member or an array element.
type step struct {
	path  string // gjson path of this one level: an escaped name or a decimal index
	index bool   // an array index ([N]) rather than a member name
}

// ParsePath parses a body path as it follows the body's root: ".name" and
// "[N]" steps in any order ("items[0].id", "[0].name"). The empty string is
// the whole body, for which ParsePath returns a nil *Path. Errors are
// *SyntaxError with offsets in p.
func ParsePath(p string) (*Path, error) {
	path, off, msg := parsePath(p)
	if msg != "" {
		return nil, &SyntaxError{Expr: p, Offset: off, Msg: msg}
	}
	return path, nil
}

// parsePath parses what follows a body root. On error it returns a message
// and the offset in p where the problem is.
func parsePath(p string) (*Path, int, string) {
	switch {
	case p == "":
		return nil, 0, ""
	case p[0] != '.' && p[0] != '[':
		return nil, 0, "want .name or [N] after body"
	case !utf8.ValidString(p):
		return nil, 0, "path is not valid UTF-8"
	}
	path := &Path{src: p}
	for i := 0; i < len(p); {
		switch p[i] {
		case '.':
			i++
			start := i
			for i < len(p) && p[i] != '.' && p[i] != '[' {
				r, size := utf8.DecodeRuneInString(p[i:])
				if r == ']' || r == '{' || r == '}' || r == '$' || r < 0x20 || r == 0x7f || unicode.IsSpace(r) {
					return nil, i, fmt.Sprintf("invalid character %q in path", r)
				}
				i += size
			}
			switch name := p[start:i]; {
			case name == "" && i < len(p) && p[i] == '.':
				return nil, i, "empty path segment (recursive descent, ..name, is not supported)"
			case name == "":
				return nil, i, "empty path segment"
			case name == "*":
				return nil, start, "wildcards are not supported"
			default:
				path.steps = append(path.steps, step{path: escapeName(name)})
			}
		case '[':
			if strings.HasPrefix(p[i:], "[?(") {
				return nil, i, "filter expressions (?(expression)) are not supported"
			}
			end := strings.IndexByte(p[i:], ']')
			if end < 0 {
				return nil, i, "unterminated ["
			}
			digits := p[i+1 : i+end]
			n, err := strconv.Atoi(digits)
			if err != nil || digits == "" || digits[0] < '0' || digits[0] > '9' {
				return nil, i, fmt.Sprintf("index [%s] is not a non-negative integer: want an array index [N]", digits)
			}
			path.steps = append(path.steps, step{path: strconv.Itoa(n), index: true})
			i += end + 1
		default:
			return nil, i, fmt.Sprintf("unexpected %q after index", p[i])
		}
	}
	return path, 0, ""
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

// String returns the path as written, "" for a nil *Path.
func (p *Path) String() string {
	if p == nil {
		return ""
	}
	return p.src
}

// Value is a JSON value selected from a body. The zero Value is absent.
// Strings it returns may point into the document it was selected from.
type Value struct{ r gjson.Result }

// Select follows p from the JSON document json, which the caller has
// checked with Valid. A member name applies only to an object and an index
// only to an array, as in JSONPath; when an object holds a name twice, the
// first wins. A nil *Path selects the whole document.
func (p *Path) Select(json string) Value {
	if p == nil {
		return Value{gjson.Parse(json)}
	}
	var v gjson.Result
	for _, s := range p.steps {
		want := byte('{')
		if s.index {
			want = '['
		}
		if firstByte(json) != want {
			return Value{}
		}
		v = gjson.Get(json, s.path)
		if !v.Exists() {
			return Value{}
		}
		json = v.Raw
	}
	return Value{v}
}

// Text selects p from body and returns its text (Format CompactJSON).
// ok is false when body is not JSON or the value is absent or null: the
// null rule.
func (p *Path) Text(body []byte) (string, bool) {
	if !Valid(body) {
		return "", false
	}
	v := p.Select(unsafe.String(unsafe.SliceData(body), len(body)))
	if !v.Present() {
		return "", false
	}
	return strings.Clone(v.Text(CompactJSON)), true
}

// Valid reports whether body is one valid JSON document.
func Valid(body []byte) bool { return gjson.ValidBytes(body) }

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

// Present reports whether the value was found and is not null. A null is
// absent, as a missing member is (the null rule, doc.go).
func (v Value) Present() bool { return v.r.Exists() && v.r.Type != gjson.Null }

// Format says how Text writes an array.
type Format uint8

const (
	// CompactJSON writes an array, like an object, as its JSON text
	// without insignificant whitespace: ["x","y"].
	CompactJSON Format = iota
	// ListArrays writes an array as "[item1, item2]", each element by the
	// scalar rules (strings unquoted, null as nothing), the form AWS's
	// selection expression documentation shows for route selection.
	ListArrays
)

// Text returns the value as substituted text (the scalar text rule): a
// string unescaped, a number or boolean as written, an object as compact
// JSON (escapes kept as written), an array as f says, and an absent value
// or null as "". Scalars may point into the document.
func (v Value) Text(f Format) string {
	switch v.r.Type {
	case gjson.String:
		return v.r.Str
	case gjson.Number, gjson.True, gjson.False:
		return v.r.Raw
	case gjson.JSON:
		b := v.AppendText(nil, f)
		return unsafe.String(unsafe.SliceData(b), len(b)) // b is ours and never written again
	}
	return ""
}

// AppendText appends the value's Text to b.
func (v Value) AppendText(b []byte, f Format) []byte {
	switch v.r.Type {
	case gjson.String:
		return append(b, v.r.Str...)
	case gjson.Number, gjson.True, gjson.False:
		return append(b, v.r.Raw...)
	case gjson.JSON:
		if f == ListArrays && v.r.IsArray() {
			b = append(b, '[')
			first := true
			v.r.ForEach(func(_, el gjson.Result) bool {
				if !first {
					b = append(b, ", "...)
				}
				first = false
				b = Value{el}.AppendText(b, f)
				return true
			})
			return append(b, ']')
		}
		return appendCompact(b, v.r.Raw)
	}
	return b // null, absent
}

// RawLen returns the length of the value's JSON text, a size hint.
func (v Value) RawLen() int { return len(v.r.Raw) }

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

// ScalarText returns a decoded JSON scalar (an authorizer's context value,
// a JWT claim) as substituted text, by the scalar text rule: a string as it
// is, a number as Go writes it shortest (json.Number as written), a boolean
// as true or false. Null, objects and arrays, and other types, are absent.
func ScalarText(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		return strconv.FormatBool(v), true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case int:
		return strconv.Itoa(v), true
	case int64:
		return strconv.FormatInt(v, 10), true
	}
	return "", false
}
