package rest

import (
	"regexp"
	"strings"
)

// placeholder matches {name}, {name+} and ${stageVariables.name} in an
// HTTP_PROXY integration URI.
var placeholder = regexp.MustCompile(`\$\{stageVariables\.([A-Za-z0-9_]+)\}|\{([A-Za-z0-9._-]+)\+?\}`)

// uriTemplate is an HTTP_PROXY integration URI split once, at load, into
// literal text and placeholders, so that filling it costs no regular
// expression per request.
type uriTemplate struct {
	parts   []uriPart
	literal int // the length of the literal parts together
}

// uriPart is literal text, a stage variable or a path parameter.
type uriPart struct {
	text string // the literal, or the variable's or parameter's name
	kind uriPartKind
}

type uriPartKind uint8

const (
	uriLiteral uriPartKind = iota
	uriStageVar
	uriPathParam
)

// parseURITemplate splits uri at the placeholder matches, left to right
// and without overlap, as placeholder.ReplaceAllStringFunc visits them.
func parseURITemplate(uri string) uriTemplate {
	var t uriTemplate
	last := 0
	for _, m := range placeholder.FindAllStringSubmatchIndex(uri, -1) {
		if m[0] > last {
			t.parts = append(t.parts, uriPart{text: uri[last:m[0]]})
		}
		if m[2] >= 0 {
			t.parts = append(t.parts, uriPart{text: uri[m[2]:m[3]], kind: uriStageVar})
		} else {
			t.parts = append(t.parts, uriPart{text: uri[m[4]:m[5]], kind: uriPathParam})
		}
		last = m[1]
	}
	if last < len(uri) {
		t.parts = append(t.parts, uriPart{text: uri[last:]})
	}
	for _, p := range t.parts {
		if p.kind == uriLiteral {
			t.literal += len(p.text)
		}
	}
	return t
}

// fill returns the URI with each ${stageVariables.x} replaced by
// stageVars[x] and each {name} or {name+} by pathParam(name) (missing
// variables by ""), then query appended after "?", or after "&" when the filled
// URI already has a "?"; query "" appends nothing.
func (t *uriTemplate) fill(stageVars map[string]string, pathParam func(name string) string, query string) string {
	n := t.literal + len(query) + 1
	for _, p := range t.parts {
		switch p.kind {
		case uriStageVar:
			n += len(stageVars[p.text])
		case uriPathParam:
			n += len(pathParam(p.text))
		}
	}
	var b strings.Builder
	b.Grow(n)
	for _, p := range t.parts {
		switch p.kind {
		case uriLiteral:
			b.WriteString(p.text)
		case uriStageVar:
			b.WriteString(stageVars[p.text])
		case uriPathParam:
			b.WriteString(pathParam(p.text))
		}
	}
	if query != "" {
		if strings.Contains(b.String(), "?") {
			b.WriteByte('&')
		} else {
			b.WriteByte('?')
		}
		b.WriteString(query)
	}
	return b.String()
}
