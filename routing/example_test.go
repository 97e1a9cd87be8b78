package routing_test

import (
	"errors"
	"fmt"

	"github.com/portico-gw/portico/routing"
)

func ExampleSelectRoute() {
	expr, err := routing.ParseSelectionExpression("$request.body.action")
	if err != nil {
		panic(err)
	}
	routes := map[string]bool{"sendmessage": true, "$default": true}
	has := func(key string) bool { return routes[key] }
	for _, msg := range []string{`{"action": "sendmessage", "data": "hi"}`, `{"action": "typing"}`, `hello`} {
		key, _ := routing.SelectRoute(expr, []byte(msg), has)
		fmt.Println(key)
	}
	// Output:
	// sendmessage
	// $default
	// $default
}

func ExampleExpression_Evaluate() {
	expr, _ := routing.ParseSelectionExpression("${request.body.service}/${request.body.action}")
	key, isJSON := expr.Evaluate([]byte(`{"service": "chat", "action": "join"}`))
	fmt.Println(key, isJSON)
	// Output: chat/join true
}

func ExampleResolver_Resolve() {
	r := routing.NewResolver([]routing.API{{ID: "chat", Stages: []string{"dev"}}, {ID: "web", Stages: []string{"$default"}}})
	for _, req := range [][2]string{
		{"chat.execute-api.localhost:8080", "/dev/@connections/R1kmxc2VNjMCFIA%3D"},
		{"localhost:8080", "/_aws/execute-api/chat/dev"},
		{"web.execute-api.localhost:8080", "/items/1"},
		{"localhost:8080", "/dev"},
	} {
		t, err := r.Resolve(req[0], req[1])
		if errors.Is(err, routing.ErrUnknownAPI) {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%s %s %s base=%q rest=%q\n", t.Style, t.APIID, t.Stage, t.BasePath, t.Rest)
	}
	// Output:
	// host chat dev base="/dev" rest="/@connections/R1kmxc2VNjMCFIA%3D"
	// path chat dev base="/_aws/execute-api/chat/dev" rest=""
	// host web $default base="" rest="/items/1"
	// routing: unknown API
}
