package routing

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tidwall/gjson"
)

// routeSet returns a has function reporting the given route keys.
func routeSet(keys ...string) func(string) bool {
	set := make(map[string]bool, len(keys))
	for _, k := range keys {
		set[k] = true
	}
	return func(k string) bool { return set[k] }
}

func mustParse(tb testing.TB, s string) *Expression {
	tb.Helper()
	e, err := ParseSelectionExpression(s)
	if err != nil {
		tb.Fatalf("ParseSelectionExpression(%q): %v", s, err)
	}
	return e
}

// TestSelectRoute is the route selection table of reference
// websocket-api.md §2, plus this package's documented choices.
func TestSelectRoute(t *testing.T) {
	routes := []string{"join", "chat/join", "join-", "do", "sendmessage", "action", "$connect", "$disconnect", "$default",
		"1", "1.5", "1e3", "true", "false", "[a, b]", "é", "${request.body.x}", `{"a":1}`}
	withDefault := routeSet(routes...)
	var others []string
	for _, r := range routes {
		if r != "$default" {
			others = append(others, r)
		}
	}
	noDefault := routeSet(others...)
	for _, tc := range []struct {
		name, expr, body string
		noDefault        bool
		want             string // "" with ok false
	}{
		// §2.2 fallbacks
		{"key present, route exists", "$request.body.action", `{"action":"join"}`, false, "join"},
		{"key present, no such route", "$request.body.action", `{"action":"leave"}`, false, "$default"},
		{"key missing", "$request.body.action", `{"other":"join"}`, false, "$default"},
		{"not JSON", "$request.body.action", `hello`, false, "$default"},
		{"not JSON equal to a route key", "$request.body.action", `join`, false, "$default"},
		{"empty body", "$request.body.action", ``, false, "$default"},
		{"truncated JSON", "$request.body.action", `{"action":"join"`, false, "$default"},
		{"top-level string", "$request.body.action", `"join"`, false, "$default"},
		{"top-level array", "$request.body.action", `[{"action":"join"}]`, false, "$default"},
		{"no $default, no such route", "$request.body.action", `{"action":"leave"}`, true, ""},
		{"no $default, key missing", "$request.body.action", `{}`, true, ""},
		{"no $default, not JSON", "$request.body.action", `hello`, true, ""},
		{"no $default, route exists", "$request.body.action", `{"action":"join"}`, true, "join"},
		// whitespace as real clients send it
		{"spaces", "$request.body.action", `{"action": "sendmessage"}`, false, "sendmessage"},
		{"CRLF and tabs", "$request.body.action", "{\r\n\t\"action\": \"sendmessage\"\r\n}", false, "sendmessage"},
		{"leading and trailing whitespace", "$request.body.action", " \n{\"action\":\"join\"}\n ", false, "join"},
		// reserved keys
		{"$connect value", "$request.body.action", `{"action":"$connect"}`, false, "$default"},
		{"$disconnect value", "$request.body.action", `{"action":"$disconnect"}`, false, "$default"},
		{"$connect value, no $default", "$request.body.action", `{"action":"$connect"}`, true, ""},
		{"$default value", "$request.body.action", `{"action":"$default"}`, false, "$default"},
		{"$default value, no $default", "$request.body.action", `{"action":"$default"}`, true, ""},
		{"empty value", "$request.body.action", `{"action":""}`, false, "$default"},
		// exact match
		{"case-sensitive", "$request.body.action", `{"action":"JOIN"}`, false, "$default"},
		{"no trimming", "$request.body.action", `{"action":" join"}`, false, "$default"},
		// stringification
		{"integer", "$request.body.action", `{"action":1}`, false, "1"},
		{"decimal", "$request.body.action", `{"action":1.5}`, false, "1.5"},
		{"exponent as written", "$request.body.action", `{"action":1e3}`, false, "1e3"},
		{"true", "$request.body.action", `{"action":true}`, false, "true"},
		{"false", "$request.body.action", `{"action":false}`, false, "false"},
		{"null", "$request.body.action", `{"action":null}`, false, "$default"},
		{"array", "$request.body.action", `{"action":["a","b"]}`, false, "[a, b]"},
		{"object", "$request.body.action", `{"action":{ "a" : 1 }}`, false, `{"a":1}`},
		{"escaped string", "$request.body.action", `{"action":"jo\u0069n"}`, false, "join"},
		{"unicode value", "$request.body.action", `{"action":"é"}`, false, "é"},
		// paths
		{"nested", "$request.body.service.do", `{"service":{"do":"do"}}`, false, "do"},
		{"nested, intermediate not an object", "$request.body.service.do", `{"service":"do"}`, false, "$default"},
		{"nested, missing", "$request.body.service.do", `{"service":{}}`, false, "$default"},
		{"array index", "$request.body.items[1]", `{"items":["x","join"]}`, false, "join"},
		{"array index out of range", "$request.body.items[2]", `{"items":["x","join"]}`, false, "$default"},
		{"index then member", "$request.body.items[0].action", `{"items":[{"action":"join"}]}`, false, "join"},
		{"two indexes", "$request.body.m[1][0]", `{"m":[[],["join"]]}`, false, "join"},
		{"top-level index", "$request.body[1]", `["x","join"]`, false, "join"},
		{"index on an object", "$request.body.items[0]", `{"items":{"0":"join"}}`, false, "$default"},
		{"numeric name on an object", "$request.body.items.0", `{"items":{"0":"join"}}`, false, "join"},
		{"numeric name on an array", "$request.body.items.0", `{"items":["join"]}`, false, "$default"},
		{"dash and underscore", "$request.body.a.b-c_d", `{"a":{"b-c_d":"join"}}`, false, "join"},
		{"unicode key", "$request.body.アクション", `{"アクション":"join"}`, false, "join"},
		{"escaped key in body", "$request.body.action", `{"act\u0069on":"join"}`, false, "join"},
		{"duplicate key: first wins", "$request.body.action", `{"action":"join","action":"sendmessage"}`, false, "join"},
		{"star is literal", "$request.body.k*y", `{"kay":"x","k*y":"join"}`, false, "join"},
		{"star matches nothing else", "$request.body.k*y", `{"kay":"join"}`, false, "$default"},
		{"question mark is literal", "$request.body.act?on", `{"action":"join"}`, false, "$default"},
		{"hash is literal", "$request.body.#", `{"#":"join"}`, false, "join"},
		{"hash on array is not a count", "$request.body.a.#", `{"a":["x","y"]}`, false, "$default"},
		{"pipe is literal", "$request.body.a|b", `{"a|b":"join","a":{"b":"x"}}`, false, "join"},
		{"at is literal", "$request.body.@this", `{"@this":"join"}`, false, "join"},
		{"modifier is not run", "$request.body.@reverse", `{"action":"join"}`, false, "$default"},
		{"bang is literal", "$request.body.!true", `{"!true":"join"}`, false, "join"},
		{"backslash is literal", `$request.body.a\b`, `{"a\\b":"join"}`, false, "join"},
		// templates (§2.1)
		{"template", "${request.body.service}/${request.body.action}", `{"service":"chat","action":"join"}`, false, "chat/join"},
		{"template with missing path", "${request.body.action}-${request.body.invalidPath}", `{"action":"join"}`, false, "join-"},
		{"single-variable template", "${request.body.action}", `{"action":"join"}`, false, "join"},
		{"template is not recursive", "${request.body.action}", `{"action":"${request.body.x}","x":"join"}`, false, "${request.body.x}"},
		{"template on non-JSON", "${request.body.service}/${request.body.action}", `chat/join`, false, "$default"},
		{"template with escaped dollar", `\$${request.body.action}`, `{"action":"default"}`, false, "$default"},
		// static keys
		{"static key", "action", `{"action":"join"}`, false, "action"},
		{"static key on non-JSON", "action", `hello`, false, "action"},
		{"static key, no such route", "leave", `{}`, false, "$default"},
		{"static key, no such route, no $default", "leave", `{}`, true, ""},
		{`static \$default`, `\$default`, `{"action":"join"}`, false, "$default"},
		{"static bare $default", "$default", `hello`, false, "$default"},
		{"static $connect is never selected", `\$connect`, `{}`, false, "$default"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := mustParse(t, tc.expr)
			has := withDefault
			if tc.noDefault {
				has = noDefault
			}
			got, ok := SelectRoute(e, []byte(tc.body), has)
			if got != tc.want || ok != (tc.want != "") {
				t.Errorf("SelectRoute(%s, %s) = %q, %v; want %q, %v", tc.expr, tc.body, got, ok, tc.want, tc.want != "")
			}
		})
	}
}

func TestEvaluate(t *testing.T) {
	for _, tc := range []struct {
		name, expr, body string
		want             string
		isJSON           bool
	}{
		{"string", "$request.body.v", `{"v":"s"}`, "s", true},
		{"string with escapes", "$request.body.v", `{"v":"a\"b\\c\n\u00e9"}`, "a\"b\\c\né", true},
		{"integer", "$request.body.v", `{"v":42}`, "42", true},
		{"negative decimal", "$request.body.v", `{"v":-0.5}`, "-0.5", true},
		{"exponent", "$request.body.v", `{"v":1E+3}`, "1E+3", true},
		{"big integer as written", "$request.body.v", `{"v":123456789012345678901234567890}`, "123456789012345678901234567890", true},
		{"true", "$request.body.v", `{"v":true}`, "true", true},
		{"false", "$request.body.v", `{"v":false}`, "false", true},
		{"null", "$request.body.v", `{"v":null}`, "", true},
		{"missing", "$request.body.v", `{"w":1}`, "", true},
		{"object compacted", "$request.body.v", "{\"v\": {\"a\": 1,\r\n \"b\": \"x y\", \"c\": [1, 2]}}", `{"a":1,"b":"x y","c":[1,2]}`, true},
		{"object keeps escapes", "$request.body.v", `{"v":{"k":"a\" }b\u00e9"}}`, `{"k":"a\" }b\u00e9"}`, true},
		{"empty object", "$request.body.v", `{"v":{}}`, "{}", true},
		{"array", "$request.body.v", `{"v":["item1", "item2"]}`, "[item1, item2]", true},
		{"array of mixed", "$request.body.v", `{"v":[1,"two",[3,[]],true,{"a": "b"}]}`, `[1, two, [3, []], true, {"a":"b"}]`, true},
		{"array with nulls", "$request.body.v", `{"v":["a",null,"b"]}`, "[a, , b]", true},
		{"empty array", "$request.body.v", `{"v":[]}`, "[]", true},
		{"unicode", "$request.body.v", `{"v":"é✓😀"}`, "é✓😀", true},
		{"not JSON", "$request.body.v", `v`, "", false},
		{"invalid UTF-8 is still JSON to gjson", "$request.body.v", "{\"v\":\"\xff\"}", "\xff", true},
		{"template", "${request.body.a}:${request.body.b}:${request.body.c}", `{"a":1,"b":[true],"c":null}`, "1:[true]:", true},
		{"template on non-JSON", "${request.body.a}:x", `x`, "", false},
		{"long template", strings.Repeat("${request.body.a}.", 10), `{"a":"x"}`, strings.Repeat("x.", 10), true},
		{"static on JSON", "action", `{}`, "action", true},
		{"static on non-JSON", "action", `{`, "action", false},
		{"static escaped", `\$default`, `x`, "$default", false},
		{"static with lone backslash", `a\b`, `{}`, `a\b`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := mustParse(t, tc.expr)
			got, isJSON := e.Evaluate([]byte(tc.body))
			if got != tc.want || isJSON != tc.isJSON {
				t.Errorf("Evaluate(%s) = %q, %v; want %q, %v", tc.body, got, isJSON, tc.want, tc.isJSON)
			}
		})
	}
}

// TestResultsDoNotAliasBody: callers reuse read buffers.
func TestResultsDoNotAliasBody(t *testing.T) {
	for _, expr := range []string{"$request.body.action", "${request.body.action}", "$request.body.n", "${request.body.action}/x"} {
		t.Run(expr, func(t *testing.T) {
			e := mustParse(t, expr)
			body := []byte(`{"action":"join","n":12}`)
			key, _ := e.Evaluate(body)
			route, _ := SelectRoute(e, body, func(string) bool { return true })
			wantKey, wantRoute := strings.Clone(key), strings.Clone(route)
			for i := range body {
				body[i] = 'X'
			}
			if key != wantKey || route != wantRoute {
				t.Fatalf("results changed with the body: %q %q, were %q %q", key, route, wantKey, wantRoute)
			}
		})
	}
}

func TestParseSelectionExpression(t *testing.T) {
	for _, tc := range []struct {
		expr   string
		static string // the key, for static expressions
	}{
		{"$request.body.action", ""},
		{"$request.body.a.b.c", ""},
		{"$request.body.items[0]", ""},
		{"$request.body.items[0][12].x", ""},
		{"$request.body[0]", ""},
		{"$request.body.a-b_c.é", ""},
		{"${request.body.action}", ""},
		{"${request.body.service}/${request.body.action}", ""},
		{"x${request.body.a}y${request.body.b}z", ""},
		{"${request.body.a}${request.body.b}", ""},
		{"action", "action"},
		{`\$default`, "$default"},
		{"$default", "$default"},
		{`a\$b\$`, "a$b$"},
		{`\\$default`, `\$default`},
		{`a}b{c`, "a}b{c"},
		{`\`, `\`},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			e := mustParse(t, tc.expr)
			if e.String() != tc.expr {
				t.Errorf("String() = %q", e.String())
			}
			if key, _ := e.Evaluate([]byte("not json")); key != tc.static {
				t.Errorf("key on non-JSON = %q, want %q", key, tc.static)
			}
		})
	}
}

func TestParseSelectionExpressionErrors(t *testing.T) {
	const onlyBody = "only $request.body is supported in WebSocket route selection"
	for _, tc := range []struct{ expr, msg string }{
		{"", "empty expression"},
		{"$request.body", "empty path"},
		{"$request.body.", "empty path"},
		{"${request.body}", "empty path"},
		{"${request.body.}", "empty path"},
		{"$request.body..a", "empty path segment"},
		{"$request.body.a.", "empty path segment"},
		{"$request.body.a..b", "empty path segment"},
		{"$request.body.a.[0]", "empty path segment"},
		{"${request.body.a", "unterminated ${"},
		{"x${", "unterminated ${"},
		{"${request.body.a${request.body.b}}", "unterminated ${"},
		{"${}", "empty ${}"},
		{"$request.header.x", onlyBody},
		{"${request.header.x}", onlyBody},
		{"$context.routeKey", onlyBody},
		{"${context.routeKey}", onlyBody},
		{"$stageVariables.x", onlyBody},
		{"$request.bodyx", onlyBody},
		{"$connect", onlyBody},
		{"a$b", onlyBody},
		{"a$", `unescaped "$"`},
		{"$", `unescaped "$"`},
		{"$1", `unescaped "$"`},
		{"x/$request.body.a", "whole expression"},
		{"$request.body.a[", "unterminated ["},
		{"$request.body.a[x]", "not a non-negative integer"},
		{"$request.body.a[]", "not a non-negative integer"},
		{"$request.body.a[-1]", "not a non-negative integer"},
		{"$request.body.a[+1]", "not a non-negative integer"},
		{"$request.body.a[99999999999999999999]", "not a non-negative integer"},
		{"$request.body.a[0]b", "after index"},
		{"$request.body.a b", "invalid character"},
		{"$request.body.a\tb", "invalid character"},
		{"$request.body.a\u00a0b", "invalid character"},
		{"$request.body.a}", "invalid character"},
		{"$request.body.a]", "invalid character"},
		{"$request.body.a{", "invalid character"},
		{"$request.body.a$b", "invalid character"},
		{"$request.body.\xff", "UTF-8"},
		{"${request.body.a b}", "invalid character"},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			e, err := ParseSelectionExpression(tc.expr)
			if err == nil {
				t.Fatalf("accepted, as %#v", e)
			}
			var se *SyntaxError
			if !errors.As(err, &se) || se.Expr != tc.expr || se.Offset < 0 || se.Offset > len(tc.expr) {
				t.Fatalf("error %#v is not a *SyntaxError for the expression with an offset in it", err)
			}
			if !strings.Contains(err.Error(), tc.msg) || !strings.HasPrefix(err.Error(), "routing: ") {
				t.Errorf("error %q does not say %q", err, tc.msg)
			}
		})
	}
}

func FuzzParseSelectionExpression(f *testing.F) {
	for _, s := range []string{
		"$request.body.action", "$request.body.service.do", "$request.body.items[0].a", "$request.body[1]",
		"${request.body.service}/${request.body.action}", "${request.body.action}-${request.body.invalidPath}",
		`\$default`, "$default", "action", "${", "${}", "${request.body.a${", "$request.body.a[", "$request.body.k*y",
		"$request.header.x", "a$b", `\`, "$request.body.アクション", "$request.body.@reverse",
	} {
		f.Add(s, []byte(`{"action":"join","service":{"do":"x"},"items":[{"a":1}],"k*y":[1,{"b":null}]}`))
	}
	f.Add("$request.body.a", []byte("not json"))
	f.Fuzz(func(t *testing.T, expr string, body []byte) {
		e, err := ParseSelectionExpression(expr)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Offset < 0 || se.Offset > len(expr) {
				t.Fatalf("error %#v: want a *SyntaxError with an offset in the expression", err)
			}
			return
		}
		if e.String() != expr {
			t.Fatalf("String() = %q", e.String())
		}
		checkEvaluate(t, e, body)
	})
}

func FuzzEvaluate(f *testing.F) {
	for _, b := range []string{
		`{"action":"join"}`, "{\r\n\t\"action\": \"sendmessage\"\r\n}", `{"action":[1,{"a":"b"},null]}`, `not json`, ``,
		`{"action":"\u00e9"}`, `{"action":{"a":"\"}"}}`, `{"service":{"do":"x"}}`, `{"items":[{"a":"z"}]}`,
		`["x",["y"]]`, `{"action":"a","action":"b"}`, `{"action":1e3}`, `{"k*y":"1"}`, "{\"action\":\"\xff\"}",
	} {
		f.Add([]byte(b))
	}
	exprs := []*Expression{}
	for _, s := range []string{"$request.body.action", "${request.body.action}-${request.body.x}", "$request.body.service.do",
		"$request.body.items[0].a", "$request.body[1][0]", "$request.body.k*y", "static", `\$default`} {
		exprs = append(exprs, mustParse(f, s))
	}
	action := mustParse(f, "$request.body.action")
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, e := range exprs {
			checkEvaluate(t, e, body)
		}
		// Differential check against encoding/json where both must agree:
		// valid UTF-8, no escapes, one "action" member.
		key, isJSON := action.Evaluate(body)
		var doc any
		if !isJSON || !utf8.Valid(body) || bytes.IndexByte(body, '\\') >= 0 || bytes.Count(body, []byte(`"action"`)) != 1 {
			return
		}
		if err := json.Unmarshal(body, &doc); err != nil {
			return
		}
		if m, ok := doc.(map[string]any); ok {
			if s, ok := m["action"].(string); ok && s != key {
				t.Fatalf("action = %q, encoding/json says %q", key, s)
			}
		}
	})
}

// checkEvaluate checks what holds for every expression and body.
func checkEvaluate(t *testing.T, e *Expression, body []byte) {
	t.Helper()
	key, isJSON := e.Evaluate(body)
	if isJSON != gjson.ValidBytes(body) {
		t.Fatalf("isJSON = %v for %q", isJSON, body)
	}
	static := e.static
	if !isJSON && !static && key != "" {
		t.Fatalf("non-JSON %q selected %q", body, key)
	}
	if static {
		if k2, _ := e.Evaluate(nil); k2 != key {
			t.Fatalf("static expression gave %q and %q", key, k2)
		}
	}
	route, ok := SelectRoute(e, body, func(k string) bool { return k == key || k == "$default" })
	switch {
	case !ok:
		t.Fatalf("no route although $default exists")
	case route != "$default" && route != key:
		t.Fatalf("SelectRoute = %q, key %q", route, key)
	case route == "$connect" || route == "$disconnect" || route == "":
		t.Fatalf("SelectRoute selected %q", route)
	}
	if _, ok := SelectRoute(e, body, func(string) bool { return false }); ok {
		t.Fatalf("a route selected with no routes")
	}
	saved := strings.Clone(key)
	mutated := bytes.Clone(body)
	k3, _ := e.Evaluate(mutated)
	for i := range mutated {
		mutated[i] ^= 0xff
	}
	if k3 != saved {
		t.Fatalf("key %q changed to %q with its body", saved, k3)
	}
}

func BenchmarkSelectRoute(b *testing.B) {
	routes := routeSet("sendmessage", "chat/join", "$default")
	small := []byte(`{"action":"sendmessage","data":"hello world"}`)
	for _, bc := range []struct {
		name, expr string
		body       []byte
		want       string
	}{
		{"action", "$request.body.action", small, "sendmessage"},
		{"action-unmatched", "$request.body.action", []byte(`{"action":"typing","data":"hello world"}`), "$default"},
		{"action-missing", "$request.body.action", []byte(`{"data":"hello world"}`), "$default"},
		{"nested", "$request.body.meta.action", []byte(`{"meta":{"id":7,"action":"sendmessage"},"data":"hello world"}`), "sendmessage"},
		{"template", "${request.body.service}/${request.body.action}", []byte(`{"service":"chat","action":"join","data":"hello world"}`), "chat/join"},
		{"non-JSON", "$request.body.action", []byte(`hello world`), "$default"},
		{"static", "sendmessage", small, "sendmessage"},
		{"action-4KB", "$request.body.action", []byte(`{"data":"` + strings.Repeat("x", 4096) + `","action":"sendmessage"}`), "sendmessage"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			e := mustParse(b, bc.expr)
			b.SetBytes(int64(len(bc.body)))
			b.ReportAllocs()
			for b.Loop() {
				if k, _ := SelectRoute(e, bc.body, routes); k != bc.want {
					b.Fatal(k)
				}
			}
		})
	}
}
