package integration_test

import (
	"context"
	"fmt"

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
