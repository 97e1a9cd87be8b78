package routing

import (
	"errors"
	"testing"
)

func has(keys ...string) func(string) bool {
	set := map[string]bool{}
	for _, k := range keys {
		set[k] = true
	}
	return func(k string) bool { return set[k] }
}

// The route selection table of reference websocket-api.md §2.
func TestSelectRoute(t *testing.T) {
	routes := has("join", "chat/join", "join-", "do", "sendmessage", "$connect", "$disconnect", "$default", "1", "true", "[a, b]", "$default-lit")
	for _, tc := range []struct {
		expr, body string
		want       string
		ok         bool
	}{
		{"$request.body.action", `{"action":"join"}`, "join", true},
		{"$request.body.action", `{"action":"leave"}`, "$default", true},
		{"$request.body.action", `{"other":"join"}`, "$default", true},
		{"$request.body.action", `hello`, "$default", true},
		{"$request.body.action", "{\r\n\t\"action\": \"sendmessage\"\r\n}", "sendmessage", true},
		{"$request.body.action", `{"action":"$connect"}`, "$default", true},
		{"$request.body.action", `{"action":"$disconnect"}`, "$default", true},
		{"$request.body.action", `{"action":1}`, "1", true},
		{"$request.body.action", `{"action":true}`, "true", true},
		{"$request.body.action", `{"action":["a","b"]}`, "[a, b]", true},
		{"$request.body.action", `{"action":null}`, "$default", true},
		{"$request.body.service.do", `{"service":{"do":"do"}}`, "do", true},
		{"$request.body.items[1]", `{"items":["x","join"]}`, "join", true},
		{"${request.body.service}/${request.body.action}", `{"service":"chat","action":"join"}`, "chat/join", true},
		{"${request.body.action}-${request.body.invalidPath}", `{"action":"join"}`, "join-", true},
		{"${request.body.action}", `{"action":"${request.body.x}","x":"join"}`, "$default", true}, // no recursion
		{"join", `anything`, "join", true},
		{"join", `{"action":"x"}`, "join", true},
		{`\$default`, `{}`, "$default", true},
		{"$request.body.a.b-c_d", `{"a":{"b-c_d":"join"}}`, "join", true},
		{"$request.body.k*y", `{"k*y":"join","kay":"x"}`, "join", true},
	} {
		e, err := ParseSelectionExpression(tc.expr)
		if err != nil {
			t.Fatalf("%s: %v", tc.expr, err)
		}
		got, ok := SelectRoute(e, []byte(tc.body), routes)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s on %s = %q %v, want %q %v", tc.expr, tc.body, got, ok, tc.want, tc.ok)
		}
	}
	e, _ := ParseSelectionExpression("$request.body.action")
	if key, ok := SelectRoute(e, []byte(`{"action":"nosuch"}`), has("join")); ok {
		t.Errorf("no match and no $default selected %q", key)
	}
	if key, ok := SelectRoute(e, []byte(`not json`), has("join")); ok {
		t.Errorf("non-JSON without $default selected %q", key)
	}
}

func TestEvaluateStringification(t *testing.T) {
	e, _ := ParseSelectionExpression("$request.body.v")
	for _, tc := range []struct{ body, want string }{
		{`{"v":"s"}`, "s"},
		{`{"v":1.5}`, "1.5"},
		{`{"v":1e3}`, "1e3"},
		{`{"v":false}`, "false"},
		{`{"v":null}`, ""},
		{`{"v": {"a": 1, "b": "x y"}}`, `{"a":1,"b":"x y"}`},
		{`{"v":[1,"two",[3]]}`, "[1, two, [3]]"},
		{`{"w":1}`, ""},
		{`{"v":"é✓"}`, "é✓"},
	} {
		got, isJSON := e.Evaluate([]byte(tc.body))
		if got != tc.want || !isJSON {
			t.Errorf("Evaluate(%s) = %q %v, want %q", tc.body, got, isJSON, tc.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, s := range []string{"", "$request.body.", "$request.body..a", "${request.body.a", "${request.header.x}", "$request.header.x",
		"$context.x", "${}", "a$b", "$request.body.a[", "$request.body.a[x]", "$request.body.a b"} {
		if _, err := ParseSelectionExpression(s); err == nil {
			t.Errorf("ParseSelectionExpression(%q) accepted", s)
		}
	}
}

func TestResolve(t *testing.T) {
	multi := NewResolver([]API{{ID: "chat", Stages: []string{"dev", "prod"}}, {ID: "web", Stages: []string{"$default", "v1"}}})
	single := NewResolver([]API{{ID: "chat", Stages: []string{"dev"}}})
	for _, tc := range []struct {
		name       string
		r          *Resolver
		host, path string
		want       Target
		err        error
	}{
		{"host style", multi, "chat.execute-api.localhost:8080", "/dev", Target{APIID: "chat", Stage: "dev", BasePath: "/dev", Rest: "", Style: ByHost}, nil},
		{"host style case", multi, "CHAT.Execute-Api.us-east-1.amazonaws.com", "/prod/@connections/a%3D", Target{APIID: "chat", Stage: "prod", BasePath: "/prod", Rest: "/@connections/a%3D", Style: ByHost}, nil},
		{"host unknown API", multi, "nope.execute-api.localhost", "/dev", Target{}, ErrUnknownAPI},
		{"path style", multi, "localhost", "/_aws/execute-api/chat/dev/", Target{APIID: "chat", Stage: "dev", BasePath: "/_aws/execute-api/chat/dev", Rest: "/", Style: ByPath}, nil},
		{"path style unknown stage", multi, "localhost", "/_aws/execute-api/chat/qa", Target{}, ErrUnknownStage},
		{"path style no stage", multi, "localhost", "/_aws/execute-api/chat", Target{}, ErrNoStage},
		{"path style unknown API", multi, "localhost", "/_aws/execute-api/zzz/dev", Target{}, ErrUnknownAPI},
		{"multi API plain path", multi, "localhost", "/dev", Target{}, ErrUnknownAPI},
		{"single API", single, "localhost:8080", "/dev", Target{APIID: "chat", Stage: "dev", BasePath: "/dev", Style: BySingleAPI}, nil},
		{"single API encoded stage", single, "x", "/d%65v/@connections/x", Target{APIID: "chat", Stage: "dev", BasePath: "/d%65v", Rest: "/@connections/x", Style: BySingleAPI}, nil},
		{"single API no stage", single, "x", "/", Target{}, ErrNoStage},
		{"single API unknown stage", single, "x", "/Dev", Target{}, ErrUnknownStage},
		{"$default stage", multi, "web.execute-api.x", "/items/1", Target{APIID: "web", Stage: "$default", BasePath: "", Rest: "/items/1", Style: ByHost}, nil},
		{"named stage beats $default", multi, "web.execute-api.x", "/v1/items", Target{APIID: "web", Stage: "v1", BasePath: "/v1", Rest: "/items", Style: ByHost}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.r.Resolve(tc.host, tc.path)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Resolve = %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func FuzzParseSelectionExpression(f *testing.F) {
	for _, s := range []string{"$request.body.action", "${request.body.a}/${request.body.b}", `\$default`, "x", "${", "$request.body.a[0].b"} {
		f.Add(s, []byte(`{"action":"x","a":{"b":[1]}}`))
	}
	f.Fuzz(func(t *testing.T, expr string, body []byte) {
		e, err := ParseSelectionExpression(expr)
		if err != nil {
			return
		}
		_, _ = e.Evaluate(body)
		_, _ = SelectRoute(e, body, func(string) bool { return true })
	})
}

func FuzzEvaluate(f *testing.F) {
	for _, b := range []string{`{"action":"x"}`, `{"action":[1,{"a":"b"}]}`, `not json`, `{"action":"\u00e9"}`, `{"action":{"a":"\"}"}}`} {
		f.Add([]byte(b))
	}
	exprs := []string{"$request.body.action", "${request.body.action}-${request.body.x}", "$request.body.action.a"}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, s := range exprs {
			e, err := ParseSelectionExpression(s)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = e.Evaluate(body)
		}
	})
}

func FuzzResolve(f *testing.F) {
	r := NewResolver([]API{{ID: "chat", Stages: []string{"dev", "$default"}}, {ID: "b", Stages: []string{"x"}}})
	for _, s := range []string{"/dev", "/_aws/execute-api/chat/dev/@connections/a", "/%zz", ""} {
		f.Add("chat.execute-api.localhost", s)
	}
	f.Fuzz(func(t *testing.T, host, path string) {
		tgt, err := r.Resolve(host, path)
		if err == nil && tgt.APIID == "" {
			t.Fatalf("resolved %q %q to an empty API", host, path)
		}
	})
}

func BenchmarkSelectRoute(b *testing.B) {
	e, _ := ParseSelectionExpression("$request.body.action")
	body := []byte(`{"action":"sendmessage","data":"hello world"}`)
	routes := has("sendmessage", "$default")
	b.ReportAllocs()
	for b.Loop() {
		if k, _ := SelectRoute(e, body, routes); k != "sendmessage" {
			b.Fatal(k)
		}
	}
}
