package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
)

// awsLambda is an AWS (non-proxy) Lambda integration: the rendered request
// template (or the payload, as passthroughBehavior allows; {} when empty)
// is the invocation payload, and the integration responses are selected
// by the function error's errorMessage ("" when the function succeeded),
// as API Gateway selects them for Lambda (reference websocket-api.md
// §3.4). A function error with no matching response but $default is that
// response with the error JSON as its body.
type awsLambda struct {
	fn Function
	mapping
}

var _ Invoker = (*awsLambda)(nil)

func newAWSLambda(spec Spec, env Env, client *http.Client, d deadline) (*awsLambda, error) {
	inv, err := newAWSProxy(Spec{Type: "AWS_PROXY", URI: spec.URI}, env.Lambda, client, d)
	if err != nil {
		return nil, err
	}
	m, err := newMapping(spec)
	if err != nil {
		return nil, err
	}
	return &awsLambda{fn: inv.(Function), mapping: m}, nil
}

// Invoke implements Invoker.
func (a *awsLambda) Invoke(ctx context.Context, req *Request) (*Response, error) {
	body, err := a.request.body(req)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	out, err := a.fn.Call(ctx, body)
	key := ""
	var fe *FunctionError
	switch {
	case errors.As(err, &fe):
		out = fe.Payload
		var e struct {
			ErrorMessage string `json:"errorMessage"`
		}
		_ = json.Unmarshal(out, &e)
		key = e.ErrorMessage
	case err != nil:
		return nil, err
	}
	return a.responses.apply(key, http.StatusOK, http.Header{"Content-Type": {"application/json"}}, out, req)
}
