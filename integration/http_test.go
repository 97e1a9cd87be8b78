package integration

import (
	"context"
	"net/http"
	"testing"
	"time"
)

func TestHTTP(t *testing.T) {
	t.Parallel()
	templates := map[string]string{
		"sendmessage": `{"kind":"send"}`,
		"$default":    `{"kind":"other"}`,
	}
	noDefault := map[string]string{"sendmessage": `{"kind":"send"}`}
	responses := []ResponseSpec{
		{Key: "/4\\d\\d/", Templates: map[string]string{"$default": `{"error":"client"}`}},
		{Key: "/2\\d\\d/", TemplateSelectionExpression: "${integration.response.statuscode}",
			Templates: map[string]string{"201": "created", "$default": "fine"}},
		{Key: "/5/"}, // anchored: never matches a three-digit status
		{Key: "$default", Templates: map[string]string{"$default": "default response"}},
	}
	tests := []struct {
		name        string
		templates   map[string]string
		selection   string
		passthrough string
		responses   []ResponseSpec
		params      map[string]string
		body        string
		answer      http.HandlerFunc
		timeout     time.Duration

		sent   string // what the backend receives; "-" means not called
		status int
		resp   string
		header http.Header
		err    errKind
	}{
		{name: "template selected by body", templates: templates, selection: "${request.body.action}",
			body: `{"action":"sendmessage"}`, answer: answer(200, nil, "backend"),
			sent: `{"kind":"send"}`, status: 200, resp: "backend"},
		{name: "template selected by $request.body", templates: templates, selection: "$request.body.action",
			body: `{"action":"sendmessage"}`, answer: answer(200, nil, "backend"),
			sent: `{"kind":"send"}`, status: 200, resp: "backend"},
		{name: "no match falls back to $default template", templates: templates, selection: "${request.body.action}",
			body: `{"action":"join"}`, answer: answer(200, nil, "backend"),
			sent: `{"kind":"other"}`, status: 200, resp: "backend"},
		{name: "no selection expression means $default", templates: templates,
			body: `{"action":"sendmessage"}`, answer: answer(200, nil, "backend"),
			sent: `{"kind":"other"}`, status: 200, resp: "backend"},
		{name: "no templates passes the body", body: `{"a":1}`, answer: answer(200, nil, "x"),
			sent: `{"a":1}`, status: 200, resp: "x"},
		{name: "WHEN_NO_MATCH passes the body", templates: noDefault, selection: "${request.body.action}", passthrough: "WHEN_NO_MATCH",
			body: `{"action":"join"}`, answer: answer(200, nil, "x"), sent: `{"action":"join"}`, status: 200, resp: "x"},
		{name: "WHEN_NO_TEMPLATES without templates passes the body", passthrough: "WHEN_NO_TEMPLATES",
			body: `{"a":1}`, answer: answer(200, nil, "x"), sent: `{"a":1}`, status: 200, resp: "x"},
		{name: "WHEN_NO_TEMPLATES refuses an unmatched request", templates: noDefault, selection: "${request.body.action}", passthrough: "WHEN_NO_TEMPLATES",
			body: `{"action":"join"}`, answer: answer(200, nil, "x"), sent: "-", err: unsupportedErr},
		{name: "NEVER refuses", passthrough: "NEVER", body: `{"a":1}`, answer: answer(200, nil, "x"), sent: "-", err: unsupportedErr},
		{name: "NEVER with a match sends the template", templates: noDefault, selection: "${request.body.action}", passthrough: "NEVER",
			body: `{"action":"sendmessage"}`, answer: answer(200, nil, "x"), sent: `{"kind":"send"}`, status: 200, resp: "x"},

		{name: "regex response", responses: responses, body: "{}", answer: answer(404, nil, "nope"),
			sent: "{}", status: 404, resp: `{"error":"client"}`},
		{name: "response template by status code", responses: responses, body: "{}", answer: answer(201, nil, "made"),
			sent: "{}", status: 201, resp: "created"},
		{name: "response template fallback", responses: responses, body: "{}", answer: answer(200, nil, "made"),
			sent: "{}", status: 200, resp: "fine"},
		{name: "$default response", responses: responses, body: "{}", answer: answer(500, nil, "boom"),
			sent: "{}", status: 500, resp: "default response"},
		{name: "no integration responses pass through", body: "{}", answer: answer(500, http.Header{"Content-Type": {"text/plain"}, "X-Other": {"1"}}, "boom"),
			sent: "{}", status: 500, resp: "boom", header: http.Header{"Content-Type": {"text/plain"}, "X-Other": nil}},
		{name: "no matching response passes through", responses: responses[:1], body: "{}", answer: answer(503, nil, "busy"),
			sent: "{}", status: 503, resp: "busy"},
		{name: "response without templates passes through", responses: []ResponseSpec{{Key: "$default"}}, body: "{}",
			answer: answer(200, http.Header{"Content-Type": {"application/json"}}, `{"b":1}`),
			sent:   "{}", status: 200, resp: `{"b":1}`, header: http.Header{"Content-Type": {"application/json"}}},
		{name: "template replaces headers", responses: responses, body: "{}", answer: answer(200, http.Header{"Content-Type": {"application/json"}}, `{}`),
			sent: "{}", status: 200, resp: "fine", header: http.Header{"Content-Type": nil}},
		{name: "response template by request body",
			responses: []ResponseSpec{{Key: "$default", TemplateSelectionExpression: "${request.body.action}",
				Templates: map[string]string{"ping": "pong"}}},
			body: `{"action":"ping"}`, answer: answer(200, nil, "x"), sent: `{"action":"ping"}`, status: 200, resp: "pong"},
		{name: "response template by header",
			responses: []ResponseSpec{{Key: "$default", TemplateSelectionExpression: "${integration.response.header.X-Kind}",
				Templates: map[string]string{"a": "was a", "$default": "not a"}}},
			body: `{}`, answer: answer(200, http.Header{"X-Kind": {"a"}}, "x"), sent: `{}`, status: 200, resp: "was a"},

		{name: "parameters", params: map[string]string{"integration.request.header.connectionId": "context.connectionId"},
			body: "{}", answer: func(w http.ResponseWriter, r *http.Request) {
				_, _ = w.Write([]byte(r.Header.Get("connectionId")))
			}, sent: "{}", status: 200, resp: "R1kmxc2VNjMCFIA="},
		{name: "slow", body: "{}", answer: slow, timeout: 100 * time.Millisecond, sent: "{}", err: timeoutErr},
		{name: "garbage", body: "{}", answer: garbage(t), sent: "{}", err: anyErr},
		{name: "hang up", body: "{}", answer: hangUp(t), sent: "{}", err: anyErr},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := newBackend(t, tc.answer)
			inv := mustNew(t, Spec{
				Type: "HTTP", URI: b.url + "/api", Method: "POST",
				RequestTemplates: tc.templates, TemplateSelectionExpression: tc.selection,
				PassthroughBehavior: tc.passthrough, Responses: tc.responses,
				RequestParameters: tc.params, Timeout: tc.timeout,
			}, Env{})
			resp, err := inv.Invoke(context.Background(), &Request{Body: []byte(tc.body), Params: testParams})
			checkErr(t, err, tc.err)
			if tc.err == noErr {
				checkResponse(t, resp, tc.status, tc.resp, tc.header)
			}
			if tc.sent == "-" {
				if n := b.count(); n != 0 {
					t.Fatalf("backend called %d times, want never", n)
				}
				return
			}
			if got := b.only(t); got.body != tc.sent {
				t.Errorf("backend body = %q, want %q", got.body, tc.sent)
			}
		})
	}
}
