package expr

import (
	"strings"
)

// selection is a dialect of selection expression.
type selection struct {
	spaces    []namespace
	only      string // the message for a root the dialect does not read
	wholeBody bool   // $request.body alone reads the whole body
	lenient   bool   // "" and \$default mean $default; a "$" starting no ${ is text; "$." may start a body path
}

var (
	routeSelection = selection{
		spaces: []namespace{nsRequest},
		only:   "only $request.body is supported in WebSocket route selection",
	}
	templateSelection = selection{
		spaces:    []namespace{nsRequest, nsIntegrationResponse},
		only:      "unknown source: want request.body.PATH, integration.response.statuscode, integration.response.header.NAME or integration.response.multivalueheader.NAME",
		wholeBody: true,
		lenient:   true,
	}
)

// ParseRouteSelection parses a WebSocket route selection expression (or a
// route response selection expression):
//   - $request.body.PATH, the whole expression;
//   - a template: static text and ${request.body.PATH} variables, in any
//     number and order ("${request.body.service}/${request.body.action}");
//   - a static key ("action"); "\$" writes a literal "$" ("\$default"), and
//     the bare "$default" is the key "$default", as route response
//     selection expressions write it.
//
// Any other root, an empty expression, an empty path and an unescaped "$"
// are errors. Errors are *SyntaxError.
func ParseRouteSelection(s string) (*Template, error) { return routeSelection.parse(s) }

// ParseTemplateSelection parses a template selection expression (request
// or integration response): like ParseRouteSelection, but also
// ${integration.response.statuscode}, ${integration.response.header.NAME},
// ${integration.response.multivalueheader.NAME} and $request.body (the
// whole body); a body path may start with the JSONPath root ("$.a");
// "", "$default" and "\$default" are the key "$default"; and a "$" that
// starts no ${ is text.
func ParseTemplateSelection(s string) (*Template, error) {
	if s == "" || s == `\$default` {
		return &Template{src: s, parts: []Part{{Text: "$default"}}}, nil
	}
	return templateSelection.parse(s)
}

func (d selection) parse(s string) (*Template, error) {
	switch {
	case s == "":
		return nil, fail(s, 0, "empty expression")
	case s == "$default":
		return &Template{src: s, parts: []Part{{Text: s}}}, nil
	case strings.HasPrefix(s, "$") && !strings.HasPrefix(s, "${") && (d.lenient || strings.HasPrefix(s, "$request.body")):
		r, off, msg := d.ref(s[1:])
		if msg != "" {
			return nil, fail(s, 1+off, "%s", msg)
		}
		return &Template{src: s, parts: []Part{{Ref: r}}}, nil
	}
	b := builder{t: Template{src: s}}
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], `\$`):
			b.text.WriteByte('$')
			i += 2
		case strings.HasPrefix(s[i:], "${"):
			n := strings.IndexByte(s[i+2:], '}')
			if n < 0 {
				return nil, fail(s, i, "unterminated ${")
			}
			inner := s[i+2 : i+2+n]
			if j := strings.Index(inner, "${"); j >= 0 {
				return nil, fail(s, i, "unterminated ${ (nested ${ at offset %d)", i+2+j)
			}
			if inner == "" {
				return nil, fail(s, i, "empty ${}")
			}
			r, off, msg := d.ref(inner)
			if msg != "" {
				return nil, fail(s, i+2+off, "${%s}: %s", inner, msg)
			}
			b.ref(r)
			i += 2 + n + 1
		case s[i] == '$' && !d.lenient:
			if strings.HasPrefix(s[i:], "$request.body") {
				return nil, fail(s, i, "$request.body must be the whole expression; write ${request.body.PATH} in a template")
			}
			if i+1 < len(s) && isLetter(s[i+1]) {
				return nil, fail(s, i, "%s", d.only)
			}
			return nil, fail(s, i, `unescaped "$" (write \$ for a literal)`)
		default:
			b.text.WriteByte(s[i])
			i++
		}
	}
	return b.done(), nil
}

// ref parses a reference of the dialect (without "$" or braces).
func (d selection) ref(ref string) (*Ref, int, string) {
	parsed := ref
	shift := 0
	if d.lenient && strings.HasPrefix(ref, "request.body.$.") {
		parsed, shift = "request.body."+ref[len("request.body.$."):], 2
	}
	body := parsed == "request.body" || strings.HasPrefix(parsed, "request.body.") || strings.HasPrefix(parsed, "request.body[")
	if !d.wholeBody && (parsed == "request.body" || parsed == "request.body.") {
		return nil, len("request.body"), "empty path after $request.body"
	}
	r, off, msg := parseRef(parsed, d.spaces...)
	switch {
	case msg != "" && body:
		if off > len("request.body") {
			off += shift
		}
		return nil, off, msg
	case msg != "":
		return nil, 0, d.only
	case r.Root != RequestBody && r.Root != IntegrationResponseStatus && r.Root != IntegrationResponseHeader && r.Root != IntegrationResponseMultiValueHeader:
		return nil, 0, d.only
	}
	r.text = ref
	return r, 0, ""
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
