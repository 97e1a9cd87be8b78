package expr

import (
	"strings"
)

// Template is parsed text mixed with references: an HTTP API mapping
// value, a selection expression, a requestParameters value. It is
// immutable and safe for concurrent use.
type Template struct {
	src   string
	parts []Part
}

// Part is a piece of a template: static Text, or a reference when Ref is
// not nil.
type Part struct {
	Text string
	Ref  *Ref
}

// String returns the template as written.
func (t *Template) String() string { return t.src }

// Parts returns the pieces in order; the caller must not modify them.
func (t *Template) Parts() []Part { return t.parts }

// Static returns the text of a template without references.
func (t *Template) Static() (string, bool) {
	switch {
	case len(t.parts) == 0:
		return "", true
	case len(t.parts) == 1 && t.parts[0].Ref == nil:
		return t.parts[0].Text, true
	}
	return "", false
}

// Reads reports whether a reference reads root.
func (t *Template) Reads(root Root) bool {
	for _, p := range t.parts {
		if p.Ref != nil && p.Ref.Root == root {
			return true
		}
	}
	return false
}

// Eval returns the template's text with every reference's value from s;
// ok is false when a reference is absent (or s is nil): a value with an
// absent part is absent as a whole.
func (t *Template) Eval(s Scope) (string, bool) { return t.Expand(s, nil) }

// Render is Eval with absent references as "", as selection expressions
// treat a path that is not found.
func (t *Template) Render(s Scope) string {
	if v, ok := t.Static(); ok {
		return v
	}
	var b strings.Builder
	for _, p := range t.parts {
		if p.Ref == nil {
			b.WriteString(p.Text)
		} else if s != nil {
			v, _ := s.Value(p.Ref)
			b.WriteString(v)
		}
	}
	return b.String()
}

// Expand is Eval with escape, when not nil, rewriting each piece: static
// text (ref nil) and reference values.
func (t *Template) Expand(s Scope, escape func(ref *Ref, v string) string) (string, bool) {
	if len(t.parts) == 1 && escape == nil {
		p := t.parts[0]
		if p.Ref == nil {
			return p.Text, true
		}
		if s == nil {
			return "", false
		}
		return s.Value(p.Ref)
	}
	var b strings.Builder
	for _, p := range t.parts {
		v := p.Text
		if p.Ref != nil {
			if s == nil {
				return "", false
			}
			var ok bool
			if v, ok = s.Value(p.Ref); !ok {
				return "", false
			}
		}
		if escape != nil {
			v = escape(p.Ref, v)
		}
		b.WriteString(v)
	}
	return b.String(), true
}

// builder collects parts.
type builder struct {
	t    Template
	text strings.Builder
}

func (b *builder) ref(r *Ref) {
	b.flush()
	b.t.parts = append(b.t.parts, Part{Ref: r})
}

func (b *builder) flush() {
	if b.text.Len() > 0 {
		b.t.parts = append(b.t.parts, Part{Text: b.text.String()})
		b.text.Reset()
	}
}

func (b *builder) done() *Template {
	b.flush()
	t := b.t
	return &t
}

// ParseMapping parses an HTTP API parameter mapping value: static text
// and references, "$request.header.x" or "${request.header.x}", mixed
// freely. The unbraced form ends at the first character its source's
// names cannot hold (a trailing "." stays text); a "$" that starts no
// reference ("$5", "$default") is text, but a source name run on
// ("$request.bodyguard") is an error. The roots are $request.header,
// querystring, path and body, $response.header and body, $context and
// $stageVariables; which of them a request or a response may read is the
// caller's rule. Errors are *SyntaxError.
func ParseMapping(s string) (*Template, error) {
	b := builder{t: Template{src: s}}
	for i := 0; i < len(s); {
		if s[i] != '$' {
			j := strings.IndexByte(s[i:], '$')
			if j < 0 {
				j = len(s) - i
			}
			b.text.WriteString(s[i : i+j])
			i += j
			continue
		}
		if strings.HasPrefix(s[i:], "${") {
			n := strings.IndexByte(s[i+2:], '}')
			if n < 0 {
				return nil, fail(s, i, "unterminated ${")
			}
			ref := s[i+2 : i+2+n]
			r, off, msg := parseRef(ref, nsRequest, nsResponse)
			if msg != "" {
				return nil, fail(s, i+2+off, "${%s}: %s", ref, msg)
			}
			b.ref(r)
			i += 2 + n + 1
			continue
		}
		n, msg := scanRef(s[i+1:])
		if msg != "" {
			return nil, fail(s, i, "%s", msg)
		}
		if n == 0 { // not a reference: a literal "$"
			b.text.WriteByte('$')
			i++
			continue
		}
		ref := s[i+1 : i+1+n]
		r, off, msg := parseRef(ref, nsRequest, nsResponse)
		if msg != "" {
			return nil, fail(s, i+1+off, "$%s: %s", ref, msg)
		}
		b.ref(r)
		i += 1 + n
	}
	return b.done(), nil
}

// The roots as the unbraced mapping form recognises them. A root that
// ends in "." needs a name after it; the others may stand alone or go on
// with ".NAME" (and, for bodies, "[N]").
var unbracedRoots = []string{
	"request.header.", "request.querystring.", "request.body", "request.path",
	"response.header.", "response.body", "context.", "stageVariables.",
}

// scanRef returns the length of the unbraced reference s starts with (s
// follows a "$"), or 0 when s starts none.
func scanRef(s string) (int, string) {
	root := ""
	for _, r := range unbracedRoots {
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
			return 0, "unknown source $" + name + "." + rest[:end] + ": want header, querystring, body or path"
		}
		return 0, ""
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
			return 0, "unknown source $" + s[:end]
		case n < len(s) && s[n] == '.' && n+1 < len(s) && nameByte(s[n+1], root):
			n++
		case isBody && n < len(s) && s[n] == '[':
		default:
			return n, ""
		}
	} else if n == len(s) || !nameByte(s[n], root) {
		return 0, "$" + root + " needs a name"
	}
	for n < len(s) {
		c := s[n]
		switch {
		case nameByte(c, root):
			n++
		case isBody && c == '[':
			end := strings.IndexByte(s[n:], ']')
			if end < 0 {
				return 0, "unterminated [ in $" + s
			}
			n += end + 1
		default:
			return trimDot(s, n), ""
		}
	}
	return trimDot(s, n), ""
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
