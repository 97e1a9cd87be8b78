package rest

import (
	"fmt"

	"github.com/portico-gw/portico/expr"
)

// BodyTemplate is a compiled body template of a gateway response. The
// substitution engine below implements it until mapping templates (VTL,
// issue #15) replace compileBodyTemplate with a full engine.
type BodyTemplate interface {
	// Render returns the body, reading variables from s. It must be safe
	// for concurrent use.
	Render(s expr.Scope) string
}

// compileBodyTemplate compiles the source of a response template. It is the
// one place a template engine is chosen.
var compileBodyTemplate = compileSubstitution

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
		t, err := compileBodyTemplate(src)
		if err != nil {
			panic("rest: built-in template " + src + ": " + err.Error())
		}
		m[src] = t
	}
	return m
}()

// mappingTemplate is a compiled request or response mapping template of a
// non-proxy integration. Render errors are configuration errors (500).
type mappingTemplate interface {
	render(d *templateData) (string, error)
}

// templateData is what a mapping template reads: the request, the payload
// ($input.body) and, for response templates, the integration response.
type templateData struct {
	scope expr.Scope // $context and $stageVariables
	body  []byte
}

// compileMappingTemplate compiles a mapping template: the substitution
// engine until VTL (issue #15).
func compileMappingTemplate(src string) (mappingTemplate, error) {
	t, err := compileBodyTemplate(src)
	if err != nil {
		return nil, err
	}
	return substitutionMapping{t}, nil
}

type substitutionMapping struct{ t BodyTemplate }

func (s substitutionMapping) render(d *templateData) (string, error) { return s.t.Render(d.scope), nil }

// templateData returns the data of a request template.
func (a *API) templateData(q *request, body []byte) *templateData {
	return &templateData{scope: &methodScope{q: q, apiID: a.id}, body: body}
}

// responseTemplateData returns the data of a response template: body is
// the integration's payload.
func (a *API) responseTemplateData(q *request, body []byte, res *backendResult) *templateData {
	return &templateData{scope: &responseScope{methodScope: methodScope{q: q, apiID: a.id}, header: res.header, body: res.body}, body: body}
}
