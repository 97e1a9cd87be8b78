package integration

import (
	"context"
	"testing"
)

func TestMock(t *testing.T) {
	t.Parallel()
	byAction := map[string]string{
		"ping":     `{"statusCode": 200}`,
		"missing":  `{"statusCode": 404}`,
		"$default": `{"statusCode": 500}`,
	}
	responses := []ResponseSpec{
		{Key: `/4\d\d/`, Templates: map[string]string{"$default": `{"error":"not found"}`}},
		{Key: "$default", Templates: map[string]string{"$default": `{"message":"pong"}`}},
	}
	tests := []struct {
		name      string
		templates map[string]string
		selection string
		responses []ResponseSpec
		body      string
		status    int
		resp      string
		err       errKind
	}{
		{name: "default template and response", templates: map[string]string{"$default": `{"statusCode": 200}`},
			responses: []ResponseSpec{{Key: "$default", Templates: map[string]string{"$default": `{"hello":"world"}`}}},
			status:    200, resp: `{"hello":"world"}`},
		{name: "selected by ${request.body.action}", templates: byAction, selection: "${request.body.action}", responses: responses,
			body: `{"action":"ping"}`, status: 200, resp: `{"message":"pong"}`},
		{name: "selected by $request.body.action", templates: byAction, selection: "$request.body.action", responses: responses,
			body: `{"action":"ping"}`, status: 200, resp: `{"message":"pong"}`},
		{name: "4xx status picks the regex response", templates: byAction, selection: "${request.body.action}", responses: responses,
			body: `{"action":"missing"}`, status: 404, resp: `{"error":"not found"}`},
		{name: "unknown key falls back to $default template", templates: byAction, selection: "${request.body.action}", responses: responses,
			body: `{"action":"other"}`, status: 500, resp: `{"message":"pong"}`},
		{name: "body not JSON", templates: byAction, selection: "${request.body.action}", responses: responses,
			body: `ping`, status: 500, resp: `{"message":"pong"}`},
		{name: "static selection", templates: byAction, selection: "ping", responses: responses, status: 200, resp: `{"message":"pong"}`},
		{name: `escaped \$default`, templates: byAction, selection: `\$default`, responses: responses, status: 500, resp: `{"message":"pong"}`},
		{name: "no template means 200", responses: responses, status: 200, resp: `{"message":"pong"}`},
		{name: "blank template means 200", templates: map[string]string{"$default": " "}, status: 200},
		{name: "no responses means empty body", templates: map[string]string{"$default": `{"statusCode": 201}`}, status: 201},
		{name: "integration response without a matching template", templates: byAction,
			responses: []ResponseSpec{{Key: "$default", Templates: map[string]string{"text/plain": "x"}}}, status: 500},
		{name: "template not JSON", templates: map[string]string{"$default": `statusCode: 200`}, err: anyErr},
		{name: "template without statusCode", templates: map[string]string{"$default": `{"status": 200}`}, err: anyErr},
		{name: "statusCode string", templates: map[string]string{"$default": `{"statusCode": "200"}`}, err: anyErr},
		{name: "statusCode out of range", templates: map[string]string{"$default": `{"statusCode": 1000}`}, err: anyErr},
		{name: "bad template not selected", templates: map[string]string{"$default": `{"statusCode": 200}`, "bad": "{"}, status: 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			inv := mustNew(t, Spec{Type: "MOCK", RequestTemplates: tc.templates, TemplateSelectionExpression: tc.selection, Responses: tc.responses}, Env{})
			resp, err := inv.Invoke(context.Background(), &Request{Body: []byte(tc.body)})
			checkErr(t, err, tc.err)
			if tc.err == noErr {
				checkResponse(t, resp, tc.status, tc.resp, nil)
			}
		})
	}
}

func TestMockCancelled(t *testing.T) {
	t.Parallel()
	inv := mustNew(t, Spec{Type: "MOCK"}, Env{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := inv.Invoke(ctx, &Request{}); err != context.Canceled {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
}
