package integration_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/portico-gw/portico/integration"
)

// A MOCK integration answers without any backend: the request template
// selected by the message's action sets the status code, and the integration
// responses give the body a two-way WebSocket route sends back.
func ExampleNew() {
	inv, err := integration.New(integration.Spec{
		Type:                        "MOCK",
		TemplateSelectionExpression: "${request.body.action}",
		RequestTemplates: map[string]string{
			"ping":     `{"statusCode": 200}`,
			"$default": `{"statusCode": 404}`,
		},
		Responses: []integration.ResponseSpec{
			{Key: `/4\d\d/`, Templates: map[string]string{"$default": `{"error":"unknown action"}`}},
			{Key: "$default", Templates: map[string]string{"$default": `{"message":"pong"}`}},
		},
	}, integration.Env{})
	if err != nil {
		panic(err)
	}
	for _, msg := range []string{`{"action":"ping"}`, `{"action":"dance"}`} {
		resp, err := inv.Invoke(context.Background(), &integration.Request{Body: []byte(msg)})
		if err != nil {
			panic(err)
		}
		fmt.Println(resp.StatusCode, string(resp.Body))
	}
	// Output:
	// 200 {"message":"pong"}
	// 404 {"error":"unknown action"}
}

// An HTTP_PROXY Invoker is also a Forwarder: an HTTP API forwards the
// client's whole request, with the URI's placeholders filled, and streams the
// backend's answer back.
func ExampleForwarder() {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s %s", r.Method, r.URL.RequestURI())
	}))
	defer backend.Close()

	inv, err := integration.New(integration.Spec{
		Type:            "HTTP_PROXY",
		URI:             backend.URL + "/{proxy}",
		Method:          "ANY",
		ModeMapsRequest: true, // an HTTP API integration
	}, integration.Env{})
	if err != nil {
		panic(err)
	}
	resp, err := inv.(integration.Forwarder).Forward(context.Background(), &integration.ForwardRequest{
		URL:    backend.URL + "/items/42?full=1", // {proxy} filled by the mode
		Method: http.MethodGet,                   // the client's: integrationMethod is ANY
		Header: http.Header{"Accept": {"text/plain"}},
	})
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		panic(err)
	}
	fmt.Println(resp.StatusCode, string(body))
	// Output:
	// 200 GET /items/42?full=1
}
