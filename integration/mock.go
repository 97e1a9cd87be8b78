package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
)

// mock is a MOCK integration: the request template gives the status code,
// the integration responses give the body. It does no I/O.
type mock struct {
	request   requestTemplates
	statuses  map[string]mockStatus // by template key, parsed in New
	responses integrationResponses
}

// mockStatus is what one request template says.
type mockStatus struct {
	code int
	err  error
}

var _ Invoker = (*mock)(nil)

func newMock(spec Spec) (*mock, error) {
	request, err := newRequestTemplates(spec)
	if err != nil {
		return nil, err
	}
	responses, err := newIntegrationResponses(spec.Responses)
	if err != nil {
		return nil, err
	}
	m := &mock{request: request, statuses: make(map[string]mockStatus, len(spec.RequestTemplates)), responses: responses}
	for key, tpl := range spec.RequestTemplates {
		code, err := mockStatusCode(tpl)
		m.statuses[key] = mockStatus{code: code, err: err}
	}
	return m, nil
}

// mockStatusCode reads the statusCode a MOCK request template sets. A
// blank template means 200. Template errors are reported when a request
// selects the template, not by New: mapping templates (a later feature)
// will turn today's invalid JSON into valid templates.
func mockStatusCode(tpl string) (int, error) {
	trimmed := bytes.TrimSpace([]byte(tpl))
	if len(trimmed) == 0 {
		return 200, nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &fields); err != nil {
		return 0, fmt.Errorf("MOCK request template is not a JSON object: %w", err)
	}
	raw, ok := fields["statusCode"]
	if !ok {
		return 0, errors.New("MOCK request template has no statusCode")
	}
	var f float64
	if err := json.Unmarshal(raw, &f); err != nil || f != math.Trunc(f) || f < 100 || f > 599 {
		return 0, fmt.Errorf("MOCK request template: statusCode %s is not an HTTP status", raw)
	}
	return int(f), nil
}

// Invoke implements Invoker.
func (m *mock) Invoke(ctx context.Context, req *Request) (*Response, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	status := 200
	if key, ok := m.request.lookup(req.Body); ok {
		s := m.statuses[key]
		if s.err != nil {
			return nil, s.err
		}
		status = s.code
	}
	return m.responses.apply(status, nil, nil, req.Body), nil
}
