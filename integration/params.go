package integration

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/portico-gw/portico/expr"
)

// This file holds the small expression languages of non-proxy and HTTP
// integrations: requestParameters, {NAME} placeholders in URIs, and template
// selection expressions.

// paramValue is the right-hand side of a requestParameters entry: a 'static'
// literal or a source reference (expr.ParseParam), resolved through
// Request.Params.
type paramValue struct{ t *expr.Template }

func parseParamValue(s string) (paramValue, error) {
	t, err := expr.ParseParam(s, expr.RouteRequest|expr.MethodRequest)
	if err != nil {
		return paramValue{}, fmt.Errorf("invalid mapping expression %q: %s", s, syntaxMsg(err))
	}
	return paramValue{t}, nil
}

// syntaxMsg is the message of a parse error, without expr's framing.
func syntaxMsg(err error) string {
	var se *expr.SyntaxError
	if errors.As(err, &se) {
		return se.Msg
	}
	return err.Error()
}

// resolve returns the value, and false when the source does not exist in
// this request.
func (v paramValue) resolve(src ParamSource) (string, bool) { return v.t.Eval(src) }

var _ expr.Scope = ParamSource(nil)

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

func newParamPlan(params map[string]string) (paramPlan, error) {
	var p paramPlan
	for _, key := range slices.Sorted(maps.Keys(params)) {
		v, err := parseParamValue(params[key])
		if err != nil {
			return paramPlan{}, fmt.Errorf("requestParameters %s: %w", key, err)
		}
		k, err := expr.ParseParamKey(key)
		if err != nil {
			return paramPlan{}, fmt.Errorf("requestParameters key %q: %s", key, syntaxMsg(err))
		}
		list := &p.headers
		switch k.Target {
		case expr.TargetQueryString:
			list = &p.query
		case expr.TargetPath:
			list = &p.path
		}
		name := k.Name
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
		if !expr.ValidPlaceholder(name) {
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

// selector is a parsed template selection expression
// (expr.ParseTemplateSelection). Empty means the key "$default".
type selector struct{ t *expr.Template }

// parseSelector parses a template selection expression.
func parseSelector(s string) (selector, error) {
	t, err := expr.ParseTemplateSelection(s)
	if err != nil {
		return selector{}, fmt.Errorf("selection expression %q: %s", s, syntaxMsg(err))
	}
	return selector{t}, nil
}

// selectionScope is what selection expressions read.
type selectionScope struct {
	body   []byte      // the request body
	status int         // the integration response status; 0 before it
	header http.Header // the integration response headers
}

// eval evaluates the expression; an absent source evaluates to "".
func (s selector) eval(sc selectionScope) string { return s.t.Render(sc) }

var _ expr.Scope = selectionScope{}

// Value implements expr.Scope.
func (sc selectionScope) Value(ref *expr.Ref) (string, bool) {
	switch ref.Root {
	case expr.RequestBody:
		return ref.Select(sc.body)
	case expr.IntegrationResponseStatus:
		if sc.status == 0 {
			return "", false
		}
		return strconv.Itoa(sc.status), true
	case expr.IntegrationResponseHeader:
		vs := sc.header.Values(ref.Name)
		if len(vs) == 0 {
			return "", false
		}
		return vs[len(vs)-1], true
	case expr.IntegrationResponseMultiValueHeader:
		vs := sc.header.Values(ref.Name)
		return strings.Join(vs, ","), len(vs) > 0
	}
	return "", false
}
