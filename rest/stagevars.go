package rest

import (
	"fmt"
	"strings"

	"github.com/portico-gw/portico/config"
)

// perStage is what an integration builds from its URI: one value for every
// stage, or, when the URI holds ${stageVariables.x} (a Lambda function
// name or alias per stage, function:${stageVariables.alias}), one per
// stage, built at load from the stage's variables. A stage whose
// variables do not make a valid URI is not a load error (the stage may
// never call the method); its requests answer 500 API_CONFIGURATION_ERROR
// and the log says why, as AWS fails such a call at run time.
type perStage[T any] struct {
	all     T
	byStage map[string]T     // nil when the URI has no stage variable
	errs    map[string]error // by stage: why its URI did not build
}

// buildPerStage builds the value of uri for the stages.
func buildPerStage[T any](uri string, stages []config.RestStage, build func(uri string) (T, error)) (perStage[T], error) {
	var p perStage[T]
	if !strings.Contains(uri, "${stageVariables.") {
		var err error
		p.all, err = build(uri)
		return p, err
	}
	p.byStage = make(map[string]T, len(stages))
	for _, st := range stages {
		v, err := build(expandURI(parseURITemplate(uri), st.Variables, nil))
		if err != nil {
			if p.errs == nil {
				p.errs = make(map[string]error)
			}
			p.errs[st.StageName] = fmt.Errorf("stage %s: %w", st.StageName, err)
			continue
		}
		p.byStage[st.StageName] = v
	}
	return p, nil
}

// get returns the value for a stage.
func (p *perStage[T]) get(stage string) (T, error) {
	if p.byStage == nil {
		return p.all, nil
	}
	v, ok := p.byStage[stage]
	if !ok {
		var zero T
		if err := p.errs[stage]; err != nil {
			return zero, err
		}
		return zero, fmt.Errorf("stage %s has no integration", stage)
	}
	return v, nil
}
