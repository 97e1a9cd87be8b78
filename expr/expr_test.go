package expr

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// mapScope resolves references by their text; bodies from body.
type mapScope struct {
	vals map[string]string
	body []byte
}

func (s mapScope) Value(ref *Ref) (string, bool) {
	if ref.Root == RequestBody || ref.Root == ResponseBody {
		return ref.Select(s.body)
	}
	v, ok := s.vals[ref.String()]
	return v, ok
}

// checkSyntaxError fails unless err is a *SyntaxError for s with an offset
// in it.
func checkSyntaxError(tb testing.TB, s string, err error) {
	tb.Helper()
	var se *SyntaxError
	if !errors.As(err, &se) || se.Expr != s || se.Offset < 0 || se.Offset > len(s) {
		tb.Fatalf("error %#v: want a *SyntaxError for %q with an offset in it", err, s)
	}
}

// wantError checks err against want, a substring of the error expected for
// s ("" for none), and reports whether an error was expected.
func wantError(tb testing.TB, s string, err error, want string) bool {
	tb.Helper()
	if want == "" {
		return false
	}
	if err == nil || !strings.Contains(err.Error(), want) {
		tb.Fatalf("error %v, want %q", err, want)
	}
	checkSyntaxError(tb, s, err)
	return true
}

func TestPathText(t *testing.T) {
	body := `{"s":"a\"b","n":1.50,"t":true,"nil":null,"o":{ "k" : [1, 2] },"a":["x",null,["y"]],"d":1,"d":2,"a|b":"pipe","k*y":"star","0":"zero"}`
	for _, tc := range []struct {
		path, want string
		ok         bool
	}{
		{".s", `a"b`, true},
		{".n", "1.50", true},
		{".t", "true", true},
		{".nil", "", false}, // the null rule
		{".missing", "", false},
		{".o", `{"k":[1,2]}`, true},
		{".a", `["x",null,["y"]]`, true},
		{".a[0]", "x", true},
		{".a[1]", "", false},
		{".a[2][0]", "y", true},
		{".a[3]", "", false},
		{".d", "1", true}, // first of a duplicate wins
		{".a|b", "pipe", true},
		{".k*y", "star", true},
		{".0", "zero", true},
		{".a.0", "", false}, // a name on an array
		{".s.x", "", false},
		{"", body, true},
	} {
		t.Run(tc.path, func(t *testing.T) {
			p, err := ParsePath(tc.path)
			if err != nil {
				t.Fatal(err)
			}
			r := &Ref{Root: RequestBody, Path: p}
			got, ok := r.Select([]byte(body))
			if got != tc.want || ok != tc.ok {
				t.Errorf("= %q, %v; want %q, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
	p, _ := ParsePath(".a")
	if got := p.Select(body).Text(ListArrays); got != "[x, , [y]]" {
		t.Errorf("ListArrays = %q", got)
	}
	if _, ok := p.Text([]byte("not json")); ok {
		t.Error("a path selected from a body that is not JSON")
	}
}

func TestParsePathErrors(t *testing.T) {
	for _, tc := range []struct{ path, msg string }{
		{"x", "want .name or [N]"},
		{".", "empty path segment"},
		{".a.", "empty path segment"},
		{"..a", "recursive descent"},
		{".a.[0]", "empty path segment"},
		{".*", "wildcards"},
		{".a[*]", "want an array index"},
		{".a[?(@.x)]", "filter expressions"},
		{".a[", "unterminated ["},
		{".a[-1]", "not a non-negative integer"},
		{".a[0]b", "after index"},
		{".a b", "invalid character ' '"},
		{".a$", "invalid character"},
		{".\xff", "UTF-8"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			_, err := ParsePath(tc.path)
			wantError(t, tc.path, err, tc.msg)
		})
	}
}

func FuzzParsePath(f *testing.F) {
	for _, s := range []string{"", ".a", ".a[0].b", "[1]", "..a", ".a[", ".k*y", ".@this", ".a[?(@)]"} {
		f.Add(s, []byte(`{"a":[{"b":null}],"k*y":1}`))
	}
	f.Fuzz(func(t *testing.T, s string, body []byte) {
		p, err := ParsePath(s)
		if err != nil {
			checkSyntaxError(t, s, err)
			return
		}
		if p.String() != s {
			t.Fatalf("String() = %q", p.String())
		}
		v, ok := (&Ref{Root: RequestBody, Path: p}).Select(body)
		if ok && p != nil && !Valid(body) {
			t.Fatalf("selected %q from a body that is not JSON", v)
		}
	})
}

func TestParseMapping(t *testing.T) {
	sc := mapScope{vals: map[string]string{"request.header.x": "1", "context.requestId": "r"}, body: []byte(`{"a":{"b":"c"}}`)}
	for _, tc := range []struct {
		in, want string
		ok       bool
		err      string
	}{
		{in: "static", want: "static", ok: true},
		{in: "", want: "", ok: true},
		{in: "$request.header.x/$context.requestId.", want: "1/r.", ok: true},
		{in: "${request.body.a.b}-x", want: "c-x", ok: true},
		{in: "$request.body.a", want: `{"b":"c"}`, ok: true},
		{in: "$request.header.y", ok: false},
		{in: "cost $5", want: "cost $5", ok: true},
		{in: "${request.header.x", err: "unterminated ${"},
		{in: "$request.bodyguard", err: "unknown source $request.bodyguard"},
		{in: "${request.body..a}", err: "recursive descent"},
		{in: "${context.a-b}", err: "context variable names"},
		{in: "${response.header.}", err: "not a header name"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			tmpl, err := ParseMapping(tc.in)
			if wantError(t, tc.in, err, tc.err) {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got, ok := tmpl.Eval(sc); got != tc.want || ok != tc.ok {
				t.Errorf("Eval = %q, %v; want %q, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

func FuzzParseMapping(f *testing.F) {
	for _, s := range []string{"$request.header.x", "${request.body.a[0]}", "a$context.x.", "$", "${", "$request.pathx", "$response.body[0].a", "${stageVariables.v}"} {
		f.Add(s, []byte(`{"a":[1]}`))
	}
	f.Fuzz(func(t *testing.T, s string, body []byte) {
		tmpl, err := ParseMapping(s)
		if err != nil {
			checkSyntaxError(t, s, err)
			return
		}
		if tmpl.String() != s {
			t.Fatalf("String() = %q", tmpl.String())
		}
		sc := mapScope{body: body}
		if v, static := tmpl.Static(); static {
			if got, ok := tmpl.Eval(sc); !ok || got != v {
				t.Fatalf("static %q evaluated to %q, %v", v, got, ok)
			}
		}
		_ = tmpl.Render(sc)
	})
}

func TestSelection(t *testing.T) {
	body := []byte(`{"action":"join","n":1.50,"nil":null,"arr":["x","y"]}`)
	for _, tc := range []struct {
		name, in, want string
		template       bool // ParseTemplateSelection
		err            string
	}{
		{name: "route path", in: "$request.body.action", want: "join"},
		{name: "route template", in: "${request.body.action}-${request.body.missing}", want: "join-"},
		{name: "route null", in: "${request.body.nil}", want: ""},
		{name: "route static", in: `\$default`, want: "$default"},
		{name: "route bare $default", in: "$default", want: "$default"},
		{name: "route empty", in: "", err: "empty expression"},
		{name: "route whole body", in: "$request.body", err: "empty path after $request.body"},
		{name: "route other root", in: "$request.header.x", err: "only $request.body"},
		{name: "route braced other root", in: "${context.x}", err: "only $request.body"},
		{name: "route unescaped", in: "a$", err: `unescaped "$"`},
		{name: "route nested", in: "${request.body.a${request.body.b}}", err: "unterminated ${"},
		{name: "template empty", in: "", template: true, want: "$default"},
		{name: "template whole body", in: "$request.body", template: true, want: string(body)},
		{name: "template JSONPath root", in: "$request.body.$.action", template: true, want: "join"},
		{name: "template array", in: "${request.body.arr}", template: true, want: `["x","y"]`},
		{name: "template status", in: `x\$${integration.response.statuscode}`, template: true, want: "x$200"},
		{name: "template text dollar", in: "a$b", template: true, want: "a$b"},
		{name: "template other root", in: "$context.x", template: true, err: "unknown source"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parse := ParseRouteSelection
			if tc.template {
				parse = ParseTemplateSelection
			}
			tmpl, err := parse(tc.in)
			if wantError(t, tc.in, err, tc.err) {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			sc := mapScope{vals: map[string]string{"integration.response.statuscode": "200"}, body: body}
			if got := tmpl.Render(sc); got != tc.want {
				t.Errorf("Render = %q, want %q", got, tc.want)
			}
		})
	}
}

func FuzzParseSelection(f *testing.F) {
	for _, s := range []string{"$request.body.action", "${request.body.a}/${request.body.b}", `\$default`, "$default", "${", "${}", "$request.body.$.a", "${integration.response.header.X}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, parse := range []func(string) (*Template, error){ParseRouteSelection, ParseTemplateSelection} {
			tmpl, err := parse(s)
			if err != nil {
				checkSyntaxError(t, s, err)
				continue
			}
			if tmpl.String() != s {
				t.Fatalf("String() = %q", tmpl.String())
			}
			_ = tmpl.Render(mapScope{body: []byte(`{"a":1}`)})
		}
	})
}

func TestParseParam(t *testing.T) {
	for _, tc := range []struct {
		in    string
		forms ParamForms
		root  Root // 0: static
		name  string
		err   string
	}{
		{in: "'static'", forms: RouteRequest},
		{in: "context.connectionId", forms: RouteRequest, root: Context, name: "connectionId"},
		{in: "stageVariables.backend", forms: RouteRequest, root: StageVariable, name: "backend"},
		{in: "route.request.body.user", forms: RouteRequest, root: RequestBody},
		{in: "route.request.header.X-Id", forms: RouteRequest, root: RequestHeader, name: "X-Id"},
		{in: "route.request.multivaluequerystring.q", forms: RouteRequest, root: RequestMultiValueQueryString, name: "q"},
		{in: "method.request.path.id", forms: MethodRequest, root: RequestPath, name: "id"},
		{in: "method.request.body", forms: MethodRequest, root: RequestBody},
		{in: "method.request.path.id", forms: RouteRequest, err: "want 'static'"},
		{in: "route.request.path.id", forms: RouteRequest, err: "no path parameters"},
		{in: "route.request.body", forms: RouteRequest, err: "empty path"},
		{in: "route.request.cookie.id", forms: RouteRequest, err: "want 'static'"},
		{in: "", forms: RouteRequest, err: "want 'static'"},
		{in: "context.a b", forms: RouteRequest, err: "want 'static'"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			tmpl, err := ParseParam(tc.in, tc.forms)
			if wantError(t, tc.in, err, tc.err) {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			p := tmpl.Parts()[0]
			switch {
			case tc.root == 0 && p.Ref != nil:
				t.Fatalf("want a static value, got %v", p.Ref)
			case tc.root != 0 && (p.Ref == nil || p.Ref.Root != tc.root || p.Ref.Name != tc.name || p.Ref.String() != tc.in):
				t.Fatalf("parts %+v, want root %d name %q", p, tc.root, tc.name)
			}
		})
	}
}

func FuzzParseParam(f *testing.F) {
	for _, s := range []string{"'x'", "context.connectionId", "route.request.body.a[0]", "method.request.header.h", "'", "route.request."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if _, err := ParseParam(s, RouteRequest|MethodRequest); err != nil {
			checkSyntaxError(t, s, err)
		}
	})
}

func TestParseKeys(t *testing.T) {
	for _, tc := range []struct {
		in       string
		response bool
		want     Key
		err      string
	}{
		{in: "append:header.x-a", want: Key{Append, TargetHeader, "x-a"}},
		{in: "overwrite:querystring.q", want: Key{Overwrite, TargetQueryString, "q"}},
		{in: "overwrite:path", want: Key{Overwrite, TargetPath, ""}},
		{in: "remove:header.x", response: true, want: Key{Remove, TargetHeader, "x"}},
		{in: "overwrite:statuscode", response: true, want: Key{Overwrite, TargetStatusCode, ""}},
		{in: "append:path", err: "only be overwritten"},
		{in: "overwrite:statuscode", err: "want append|overwrite|remove"},
		{in: "append:querystring.q", response: true, err: "want append|overwrite|remove:header.NAME or overwrite:statuscode"},
		{in: "append:header.a b", err: "not a header name"},
		{in: "add:header.x", err: "want append"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			k, err := ParseMappingKey(tc.in, tc.response)
			if wantError(t, tc.in, err, tc.err) {
				return
			}
			if err != nil || k != tc.want {
				t.Fatalf("= %+v, %v; want %+v", k, err, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		in   string
		want Key
		err  string
	}{
		{in: "integration.request.header.connectionId", want: Key{Target: TargetHeader, Name: "connectionId"}},
		{in: "integration.request.querystring.q", want: Key{Target: TargetQueryString, Name: "q"}},
		{in: "integration.request.path.room", want: Key{Target: TargetPath, Name: "room"}},
		{in: "integration.request.body.x", err: "want integration.request.header.NAME"},
		{in: "integration.request.header.a b", err: "invalid name"},
		{in: "integration.request.path.a/b", err: "invalid name"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			k, err := ParseParamKey(tc.in)
			if wantError(t, tc.in, err, tc.err) {
				return
			}
			if err != nil || k != tc.want {
				t.Fatalf("= %+v, %v; want %+v", k, err, tc.want)
			}
		})
	}
}

func FuzzParseKeys(f *testing.F) {
	for _, s := range []string{"append:header.x", "overwrite:path", "overwrite:statuscode", "integration.request.path.id", ":", "remove:querystring."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, response := range []bool{false, true} {
			if _, err := ParseMappingKey(s, response); err != nil {
				checkSyntaxError(t, s, err)
			}
		}
		if _, err := ParseParamKey(s); err != nil {
			checkSyntaxError(t, s, err)
		}
	})
}

func TestScalarText(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want string
		ok   bool
	}{
		{"s", "s", true}, {json.Number("1.50"), "1.50", true}, {true, "true", true},
		{1.5, "1.5", true}, {int64(7), "7", true}, {nil, "", false}, {map[string]any{}, "", false},
	} {
		if got, ok := ScalarText(tc.v); got != tc.want || ok != tc.ok {
			t.Errorf("ScalarText(%#v) = %q, %v; want %q, %v", tc.v, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParseParamIntegrationResponse(t *testing.T) {
	for src, want := range map[string]Root{
		"integration.response.header.X-Id":           IntegrationResponseHeader,
		"integration.response.multivalueheader.X-Id": IntegrationResponseMultiValueHeader,
		"integration.response.body":                  ResponseBody,
		"integration.response.body.a.b":              ResponseBody,
		"method.request.header.Origin":               RequestHeader,
	} {
		tpl, err := ParseParam(src, MethodRequest|IntegrationResponse)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if got := tpl.Parts()[0].Ref.Root; got != want {
			t.Errorf("%s: root %v, want %v", src, got, want)
		}
	}
	if _, err := ParseParam("integration.response.statuscode", MethodRequest|IntegrationResponse); err == nil {
		t.Error("integration.response.statuscode is not a responseParameters source")
	}
	if _, err := ParseParam("integration.response.header.X", MethodRequest); err == nil {
		t.Error("integration.response.* needs the IntegrationResponse form")
	}
	tpl, _ := ParseParam("integration.response.body.a.b", IntegrationResponse)
	if v, ok := tpl.Parts()[0].Ref.Select([]byte(`{"a":{"b":"x"}}`)); !ok || v != "x" {
		t.Errorf("body.a.b selects %q %v", v, ok)
	}
}
