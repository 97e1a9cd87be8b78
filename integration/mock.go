package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
)

// mock is a MOCK integration: the rendered request template gives the
// status code, the integration responses give the body. It does no I/O.
type mock struct{ mapping }

var _ Invoker = (*mock)(nil)

func newMock(spec Spec) (*mock, error) {
	m, err := newMapping(spec)
	if err != nil {
		return nil, err
	}
	return &mock{m}, nil
}

// mockStatusCode reads the statusCode a rendered MOCK request template
// sets. A blank template means 200.
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
		out, err := m.request.templates[key].Render(req.templateData(req.Body))
		if err != nil {
			return nil, &TemplateError{Err: err}
		}
		if status, err = mockStatusCode(out); err != nil {
			return nil, err
		}
	}
	return m.responses.apply(strconv.Itoa(status), status, nil, nil, req)
}
