package rest

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/portico-gw/portico/expr"
	"github.com/portico-gw/portico/vtl"
)

// BodyTemplate is a compiled built-in body template of a gateway response
// ({"message":$context.error.messageString} and its kin): plain variable
// substitution, cheaper than VTL on the gateway's most frequent answers.
// An API's own gateway response templates are VTL (package vtl).
type BodyTemplate interface {
	// Render returns the body, reading variables from s. It must be safe
	// for concurrent use.
	Render(s expr.Scope) string
}

// substitution is a template whose only language is variable substitution:
// $context.NAME and $stageVariables.NAME, braced (${context.requestId}) or
// not, absent values rendering as "" (as VTL renders an undefined reference
// in API Gateway). All other text, VTL directives included, is literal.
type substitution struct{ t *expr.Template }

var _ BodyTemplate = substitution{}

// compileSubstitution parses src with expr's mapping syntax and allows only
// $context and $stageVariables references.
func compileSubstitution(src string) (BodyTemplate, error) {
	t, err := expr.ParseMapping(src)
	if err != nil {
		return nil, err
	}
	for _, p := range t.Parts() {
		if p.Ref != nil && p.Ref.Root != expr.Context && p.Ref.Root != expr.StageVariable {
			return nil, fmt.Errorf("$%s: a gateway response template reads only $context and $stageVariables", p.Ref)
		}
	}
	return substitution{t}, nil
}

// Render implements BodyTemplate.
func (s substitution) Render(scope expr.Scope) string { return s.t.Render(scope) }

// defaultTemplates are the built-in body templates, compiled once.
var defaultTemplates = func() map[string]BodyTemplate {
	m := map[string]BodyTemplate{}
	for _, b := range builtins {
		src := b.template
		if src == "" {
			src = defaultTemplate
		}
		if _, ok := m[src]; ok {
			continue
		}
		t, err := compileSubstitution(src)
		if err != nil {
			panic("rest: built-in template " + src + ": " + err.Error())
		}
		m[src] = t
	}
	return m
}()

// mappingTemplate is a compiled request or response mapping template of a
// non-proxy integration: API Gateway's Velocity Template Language (package
// vtl), parsed once at load. Render errors are configuration errors (500).
type mappingTemplate = *vtl.Template

// compileMappingTemplate compiles a mapping template.
func compileMappingTemplate(src string) (mappingTemplate, error) { return vtl.Parse(src) }

// templateData returns what a mapping template reads: $input (body, and
// the method request's path, query string and header parameters),
// $context and $stageVariables. For a response template body is the
// integration's payload. #set($context.requestOverride...) and
// responseOverride write into its Context.
func (a *API) templateData(q *request, body []byte) *vtl.Data {
	return &vtl.Data{Body: body, Params: inputParams(q), Context: contextMap(q, a.id, a.accountID), StageVariables: q.stage.vars}
}

// inputParams are $input.params(): the path parameters, and the query
// string and headers with their last values.
func inputParams(q *request) vtl.Params {
	p := vtl.Params{Path: q.pathParams(), QueryString: map[string]string{}, Header: make(map[string]string, len(q.r.Header))}
	for k, v := range q.r.URL.Query() {
		p.QueryString[k] = v[len(v)-1]
	}
	for k, v := range q.r.Header {
		p.Header[k] = v[len(v)-1]
	}
	return p
}

// overrides reads what a template set under $context.requestOverride or
// $context.responseOverride (which): a status, and header, querystring
// and path values as strings.
type overrides struct {
	status                    int
	header, querystring, path map[string]string
}

func readOverrides(ctx map[string]any, which string) overrides {
	var o overrides
	m, _ := ctx[which].(map[string]any)
	if m == nil {
		return o
	}
	switch v := m["status"].(type) {
	case int64:
		o.status = int(v)
	case float64:
		o.status = int(v)
	case string:
		o.status, _ = strconv.Atoi(strings.TrimSpace(v))
	}
	if o.status < 100 || o.status > 599 { // AWS ignores a status outside 100-599
		o.status = 0
	}
	strs := func(key string) map[string]string {
		in, _ := m[key].(map[string]any)
		if len(in) == 0 {
			return nil
		}
		out := make(map[string]string, len(in))
		for k, v := range in {
			if v != nil {
				out[k] = fmt.Sprint(v)
			}
		}
		return out
	}
	o.header, o.querystring, o.path = strs("header"), strs("querystring"), strs("path")
	return o
}
