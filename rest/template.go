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
