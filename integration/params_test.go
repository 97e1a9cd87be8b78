package integration

import (
	"net/http"
	"testing"
)

func TestSelector(t *testing.T) {
	t.Parallel()
	body := `{"action":"send","n":1.50,"ok":true,"nil":null,"obj":{"a":[10,{"b":"deep"}]},"arr":["x","y"]}`
	tests := []struct {
		expr   string
		body   string
		status int
		header http.Header
		want   string
	}{
		{expr: "", want: "$default"},
		{expr: "$default", want: "$default"},
		{expr: `\$default`, want: "$default"},
		{expr: "static", want: "static"},
		{expr: "$request.body.action", body: body, want: "send"},
		{expr: "${request.body.action}", body: body, want: "send"},
		{expr: "$request.body.$.action", body: body, want: "send"},
		{expr: "${request.body.n}", body: body, want: "1.50"},
		{expr: "${request.body.ok}", body: body, want: "true"},
		{expr: "${request.body.nil}", body: body, want: ""},
		{expr: "${request.body.obj.a[0]}", body: body, want: "10"},
		{expr: "${request.body.obj.a[1].b}", body: body, want: "deep"},
		{expr: "${request.body.obj.a[2]}", body: body, want: ""},
		{expr: "${request.body.arr}", body: body, want: `["x","y"]`},
		{expr: "${request.body.missing}", body: body, want: ""},
		{expr: "${request.body.action.deeper}", body: body, want: ""},
		{expr: "${request.body.action}", body: "not json", want: ""},
		{expr: "${request.body.action}", body: "", want: ""},
		{expr: "$request.body", body: "raw", want: "raw"},
		{expr: "${request.body.action}-${request.body.ok}", body: body, want: "send-true"},
		{expr: `cost \$5 ${request.body.n}`, body: body, want: "cost $5 1.50"},
		{expr: "${integration.response.statuscode}", status: 404, want: "404"},
		{expr: "${integration.response.statuscode}", want: ""},
		{expr: "${integration.response.header.X-Kind}", header: http.Header{"X-Kind": {"a", "b"}}, want: "b"},
		{expr: "${integration.response.multivalueheader.X-Kind}", header: http.Header{"X-Kind": {"a", "b"}}, want: "a,b"},
	}
	for _, tc := range tests {
		sel, err := parseSelector(tc.expr)
		if err != nil {
			t.Errorf("parseSelector(%q): %v", tc.expr, err)
			continue
		}
		if got := sel.eval(selectionScope{body: []byte(tc.body), status: tc.status, header: tc.header}); got != tc.want {
			t.Errorf("%q on %q = %q, want %q", tc.expr, tc.body, got, tc.want)
		}
	}
	for _, bad := range []string{"${request.body.action", "$context.connectionId", "${stageVariables.x}", "$request.body.", "${}"} {
		if _, err := parseSelector(bad); err == nil {
			t.Errorf("parseSelector(%q) succeeded, want an error", bad)
		}
	}
}

func FuzzSelector(f *testing.F) {
	f.Add("${request.body.action}", []byte(`{"action":"a"}`))
	f.Add("$request.body.a[0].b", []byte(`{"a":[{"b":1}]}`))
	f.Add(`x\$${integration.response.statuscode}`, []byte(``))
	f.Add("${request.body.a[", []byte(`[]`))
	f.Fuzz(func(t *testing.T, expr string, body []byte) {
		sel, err := parseSelector(expr)
		if err != nil {
			return
		}
		_ = sel.eval(selectionScope{body: body, status: 200, header: http.Header{"X": {"y"}}})
	})
}

func TestURITemplate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		uri    string
		values map[string]string
		want   string
		names  int
	}{
		{"http://h/a/{id}/b", map[string]string{"id": "x y/z"}, "http://h/a/x%20y%2Fz/b", 1},
		{"http://h/{a}{b}", map[string]string{"a": "1", "b": "2"}, "http://h/12", 2},
		{"http://h/{a}", nil, "http://h/", 1},
		{"http://h/{not valid}/{}", nil, "http://h/{not valid}/{}", 0},
		{"http://h/{unclosed", nil, "http://h/{unclosed", 0},
	}
	for _, tc := range tests {
		tpl := parseURITemplate(tc.uri)
		if got := tpl.expand(tc.values); got != tc.want || len(tpl.placeholders()) != tc.names {
			t.Errorf("%q expands to %q with %d placeholders; want %q with %d", tc.uri, got, len(tpl.placeholders()), tc.want, tc.names)
		}
	}
}

func FuzzURITemplate(f *testing.F) {
	f.Add("http://h/{a}/x?{b}")
	f.Add("{{}}{")
	f.Fuzz(func(t *testing.T, uri string) {
		tpl := parseURITemplate(uri)
		if len(tpl.placeholders()) == 0 && tpl.expand(nil) != uri {
			t.Fatalf("%q without placeholders expands to %q", uri, tpl.expand(nil))
		}
	})
}
