package routing

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
)

func mustHTTPRoutes(tb testing.TB, keys ...string) *HTTPRoutes {
	tb.Helper()
	t, err := NewHTTPRoutes(keys)
	if err != nil {
		tb.Fatalf("NewHTTPRoutes(%q): %v", keys, err)
	}
	return t
}

// params builds a PathParams map from name, value pairs.
func params(kv ...string) map[string]string {
	m := make(map[string]string, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// awsExample is the route table of the worked example in APIGW-DG
// http-api-develop-routes.md (reference http-and-rest-apis.md §2.1).
var awsExample = []string{"GET /pets/dog/1", "GET /pets/dog/{id}", "GET /pets/{proxy+}", "ANY /{proxy+}", "$default"}

// TestHTTPRoutesMatch is the priority table of reference
// http-and-rest-apis.md §2.1 plus this package's documented choices.
func TestHTTPRoutesMatch(t *testing.T) {
	for _, tc := range []struct {
		name         string
		keys         []string
		method, path string
		want         string            // "" with ok false
		params       map[string]string // nil: none
	}{
		// AWS's worked example
		{"aws: static full match", awsExample, "GET", "/pets/dog/1", "GET /pets/dog/1", nil},
		{"aws: param full match", awsExample, "GET", "/pets/dog/2", "GET /pets/dog/{id}", params("id", "2")},
		{"aws: greedy with the method", awsExample, "GET", "/pets/cat/1", "GET /pets/{proxy+}", params("proxy", "cat/1")},
		{"aws: ANY greedy", awsExample, "POST", "/pets/cat/1", "ANY /{proxy+}", params("proxy", "pets/cat/1")},
		{"aws: greedy without a full match", awsExample, "POST", "/pets/dog/1", "ANY /{proxy+}", params("proxy", "pets/dog/1")},
		{"aws: greedy does not match its parent", awsExample, "GET", "/pets", "ANY /{proxy+}", params("proxy", "pets")},
		{"aws: root goes to $default", awsExample, "GET", "/", "$default", nil},

		// 1. full matches
		{"literal beats param", []string{"GET /pets/{id}", "GET /pets/dog"}, "GET", "/pets/dog", "GET /pets/dog", nil},
		{"param when the literal differs", []string{"GET /pets/{id}", "GET /pets/dog"}, "GET", "/pets/cat", "GET /pets/{id}", params("id", "cat")},
		{"exact method beats ANY on the same path", []string{"ANY /pets", "GET /pets"}, "GET", "/pets", "GET /pets", nil},
		{"ANY for another method", []string{"ANY /pets", "GET /pets"}, "DELETE", "/pets", "ANY /pets", nil},
		{"exact method beats ANY on the same template", []string{"ANY /pets/{a}", "GET /pets/{b}"}, "GET", "/pets/x", "GET /pets/{b}", params("b", "x")},
		{"path before method: ANY literal beats GET param", []string{"GET /pets/{id}", "ANY /pets/dog"}, "GET", "/pets/dog", "ANY /pets/dog", nil},
		{"path before method: GET param elsewhere", []string{"GET /pets/{id}", "ANY /pets/dog"}, "GET", "/pets/cat", "GET /pets/{id}", params("id", "cat")},
		{"earlier literal wins", []string{"GET /{y}/b", "GET /a/{x}"}, "GET", "/a/b", "GET /a/{x}", params("x", "b")},
		{"earlier literal wins, ANY", []string{"GET /{y}/b", "ANY /a/{x}"}, "GET", "/a/b", "ANY /a/{x}", params("x", "b")},
		{"backtrack from a literal", []string{"GET /a/b/c", "GET /{x}/b/d"}, "GET", "/a/b/d", "GET /{x}/b/d", params("x", "a")},
		{"backtrack past another method", []string{"POST /a/b", "GET /{x}/b"}, "GET", "/a/b", "GET /{x}/b", params("x", "a")},
		{"full match beats greedy", []string{"GET /a/{p+}", "GET /a/{x}"}, "GET", "/a/b", "GET /a/{x}", params("x", "b")},
		{"full match beats a greedy with an earlier literal", []string{"GET /a/{p+}", "GET /{x}/b"}, "GET", "/a/b", "GET /{x}/b", params("x", "a")},
		{"ANY full match beats method greedy", []string{"GET /a/{p+}", "ANY /a/b"}, "GET", "/a/b", "ANY /a/b", nil},
		{"root route", []string{"GET /", "GET /{p+}"}, "GET", "/", "GET /", nil},
		{"root route, empty path", []string{"GET /"}, "GET", "", "GET /", nil},

		// 2. greedy matches
		{"greedy: deepest literal prefix", []string{"GET /{p+}", "GET /a/{p+}", "GET /a/{x}/{p+}"}, "GET", "/a/b/c", "GET /a/{x}/{p+}", params("x", "b", "p", "c")},
		{"greedy: literal prefix", []string{"GET /{p+}", "GET /a/{p+}", "GET /a/{x}/{p+}"}, "GET", "/a/b", "GET /a/{p+}", params("p", "b")},
		{"greedy: root", []string{"GET /{p+}", "GET /a/{p+}", "GET /a/{x}/{p+}"}, "GET", "/x/y", "GET /{p+}", params("p", "x/y")},
		{"greedy: param beats greedy", []string{"GET /{p+}", "GET /{x}/{p+}"}, "GET", "/a/b", "GET /{x}/{p+}", params("x", "a", "p", "b")},
		{"greedy: literal beats param", []string{"GET /{x}/{p+}", "GET /a/{p+}"}, "GET", "/a/b", "GET /a/{p+}", params("p", "b")},
		{"greedy: method beats ANY on the same template", []string{"ANY /{proxy+}", "GET /{proxy+}"}, "GET", "/x", "GET /{proxy+}", params("proxy", "x")},
		{"greedy: ANY for another method", []string{"ANY /{proxy+}", "GET /{proxy+}"}, "PUT", "/x", "ANY /{proxy+}", params("proxy", "x")},
		{"greedy: path before method", []string{"GET /{proxy+}", "ANY /api/{proxy+}"}, "GET", "/api/x", "ANY /api/{proxy+}", params("proxy", "x")},
		{"greedy: path before method, elsewhere", []string{"GET /{proxy+}", "ANY /api/{proxy+}"}, "GET", "/web/x", "GET /{proxy+}", params("proxy", "web/x")},
		{"greedy: with a param prefix", []string{"ANY /{stage}/{proxy+}"}, "GET", "/v1/a/b", "ANY /{stage}/{proxy+}", params("stage", "v1", "proxy", "a/b")},

		// 3. and 4. $default, no match
		{"ANY greedy beats $default", []string{"$default", "ANY /{proxy+}"}, "GET", "/x", "ANY /{proxy+}", params("proxy", "x")},
		{"$default", []string{"$default", "GET /pets"}, "GET", "/cats", "$default", nil},
		{"$default for another method", []string{"$default", "GET /pets"}, "POST", "/pets", "$default", nil},
		{"$default alone", []string{"$default"}, "GET", "/", "$default", nil},
		{"no match", []string{"GET /pets"}, "GET", "/cats", "", nil},
		{"no match, wrong method", []string{"GET /pets"}, "POST", "/pets", "", nil},
		{"no routes", nil, "GET", "/", "", nil},

		// methods
		{"HEAD does not use GET", []string{"GET /x"}, "HEAD", "/x", "", nil},
		{"HEAD uses ANY", []string{"GET /x", "ANY /x"}, "HEAD", "/x", "ANY /x", nil},
		{"HEAD route", []string{"GET /x", "HEAD /x", "ANY /x"}, "HEAD", "/x", "HEAD /x", nil},
		{"HEAD does not use GET greedy", []string{"GET /{p+}", "$default"}, "HEAD", "/x", "$default", nil},
		{"OPTIONS route", []string{"ANY /x", "OPTIONS /x"}, "OPTIONS", "/x", "OPTIONS /x", nil},
		{"lower-case method matches ANY only", []string{"GET /x", "ANY /x"}, "get", "/x", "ANY /x", nil},
		{"lower-case method, no ANY", []string{"GET /x"}, "get", "/x", "", nil},
		{"other method matches ANY", []string{"GET /x", "ANY /x"}, "TRACE", "/x", "ANY /x", nil},
		{"empty method matches ANY", []string{"ANY /x"}, "", "/x", "ANY /x", nil},
		{"method ANY matches ANY", []string{"GET /x", "ANY /x"}, "ANY", "/x", "ANY /x", nil},
		{"method ANY, no ANY route", []string{"GET /x"}, "ANY", "/x", "", nil},
		{"every route method", []string{"ANY /x", "GET /x", "POST /x", "PUT /x", "PATCH /x", "DELETE /x", "HEAD /x", "OPTIONS /x"}, "PATCH", "/x", "PATCH /x", nil},

		// parameters
		{"two params", []string{"GET /users/{user}/posts/{post}"}, "GET", "/users/7/posts/42", "GET /users/{user}/posts/{post}", params("user", "7", "post", "42")},
		{"param decoded", []string{"GET /pets/{id}"}, "GET", "/pets/a%20b", "GET /pets/{id}", params("id", "a b")},
		{"param: plus stays", []string{"GET /pets/{id}"}, "GET", "/pets/a+b", "GET /pets/{id}", params("id", "a+b")},
		{"param: %2F is one segment", []string{"GET /pets/{id}"}, "GET", "/pets/a%2Fb", "GET /pets/{id}", params("id", "a/b")},
		{"param: malformed escape kept", []string{"GET /pets/{id}"}, "GET", "/pets/%zz", "GET /pets/{id}", params("id", "%zz")},
		{"param: UTF-8", []string{"GET /pets/{id}"}, "GET", "/pets/caf%C3%A9", "GET /pets/{id}", params("id", "café")},
		{"param: any name", []string{"GET /{user-id.v2}"}, "GET", "/x", "GET /{user-id.v2}", params("user-id.v2", "x")},
		{"greedy: nested slashes", []string{"ANY /a/{proxy+}"}, "GET", "/a/b/c/d", "ANY /a/{proxy+}", params("proxy", "b/c/d")},
		{"greedy: %2F decoded", []string{"ANY /a/{proxy+}"}, "GET", "/a/b%2Fc/d", "ANY /a/{proxy+}", params("proxy", "b/c/d")},
		{"greedy: decoded", []string{"ANY /a/{proxy+}"}, "GET", "/a/x%20y/z%3F", "ANY /a/{proxy+}", params("proxy", "x y/z?")},
		{"greedy: malformed escape kept", []string{"ANY /a/{proxy+}"}, "GET", "/a/b%2/c", "ANY /a/{proxy+}", params("proxy", "b%2/c")},
		{"greedy: trailing slash kept", []string{"ANY /a/{proxy+}"}, "GET", "/a/b/", "ANY /a/{proxy+}", params("proxy", "b/")},
		{"greedy: empty segment", []string{"ANY /a/{proxy+}"}, "GET", "/a//b", "ANY /a/{proxy+}", params("proxy", "/b")},
		{"greedy: not the parent", []string{"ANY /a/{proxy+}"}, "GET", "/a", "", nil},
		{"greedy: not the parent with slash", []string{"ANY /a/{proxy+}"}, "GET", "/a/", "", nil},
		{"greedy: not the parent, $default", []string{"ANY /a/{proxy+}", "$default"}, "GET", "/a/", "$default", nil},
		{"greedy: root does not match /", []string{"ANY /{proxy+}"}, "GET", "/", "", nil},
		{"greedy: root does not match empty", []string{"ANY /{proxy+}"}, "GET", "", "", nil},
		{"greedy: root takes //", []string{"ANY /{proxy+}"}, "GET", "//", "ANY /{proxy+}", params("proxy", "/")},
		{"no params, nil map", []string{"GET /pets"}, "GET", "/pets", "GET /pets", nil},

		// literals
		{"literal: case-sensitive", []string{"GET /pets"}, "GET", "/Pets", "", nil},
		{"literal: request escape decoded", []string{"GET /pets"}, "GET", "/p%65ts", "GET /pets", nil},
		{"literal: route escape decoded", []string{"GET /caf%C3%A9"}, "GET", "/caf%c3%a9", "GET /caf%C3%A9", nil},
		{"literal: UTF-8 route key", []string{"GET /café"}, "GET", "/caf%C3%A9", "GET /café", nil},
		{"literal: %2F does not split", []string{"GET /a/b"}, "GET", "/a%2Fb", "", nil},
		{"literal: %2F in both", []string{"GET /a%2Fb"}, "GET", "/a%2fb", "GET /a%2Fb", nil},
		{"literal: malformed escape as written", []string{"GET /100%"}, "GET", "/100%", "GET /100%", nil},
		{"literal: special characters", []string{"GET /a:b@c!$&'()*+,;=~.-_"}, "GET", "/a:b@c!$&'()*+,;=~.-_", "GET /a:b@c!$&'()*+,;=~.-_", nil},

		// trailing slash and empty segments
		{"trailing slash is significant", []string{"GET /items"}, "GET", "/items/", "", nil},
		{"trailing slash goes to $default", []string{"GET /items", "$default"}, "GET", "/items/", "$default", nil},
		{"trailing slash, param", []string{"GET /items/{id}"}, "GET", "/items/", "", nil},
		{"no trailing slash", []string{"GET /items"}, "GET", "/items", "GET /items", nil},
		{"root only matches /", []string{"GET /"}, "GET", "//", "", nil},
		{"leading empty segment", []string{"GET /items"}, "GET", "//items", "", nil},
		{"empty segment is no param", []string{"GET /a/{x}/b"}, "GET", "/a//b", "", nil},
		{"empty last segment is no param", []string{"GET /{x}"}, "GET", "/", "", nil},
		{"path without leading slash", []string{"ANY /{proxy+}", "GET /items"}, "GET", "items", "", nil},
		{"path without leading slash, $default", []string{"ANY /{proxy+}", "$default"}, "OPTIONS", "*", "$default", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt := mustHTTPRoutes(t, tc.keys...)
			m, ok := rt.Match(tc.method, tc.path)
			if ok != (tc.want != "") || m.RouteKey != tc.want {
				t.Fatalf("Match(%q, %q) = %q, %v; want %q", tc.method, tc.path, m.RouteKey, ok, tc.want)
			}
			if (m.PathParams == nil) != (tc.params == nil) || !maps.Equal(m.PathParams, tc.params) {
				t.Errorf("PathParams = %#v, want %#v", m.PathParams, tc.params)
			}
			if om, ook := naiveHTTPMatch(tc.keys, tc.method, tc.path); ook != ok || om.RouteKey != m.RouteKey || !maps.Equal(om.PathParams, m.PathParams) {
				t.Errorf("the test's reference matcher gives %q %v %v", om.RouteKey, om.PathParams, ook)
			}
		})
	}
}

// TestHTTPRoutesKeyOrder checks that the result does not depend on the
// order of the keys.
func TestHTTPRoutesKeyOrder(t *testing.T) {
	keys := []string{"GET /pets/dog/1", "GET /pets/dog/{id}", "ANY /pets/dog", "GET /pets/{id}", "GET /pets/{proxy+}",
		"ANY /pets/{proxy+}", "ANY /{proxy+}", "GET /{x}/dog/1", "POST /pets", "$default"}
	requests := [][2]string{{"GET", "/pets/dog/1"}, {"GET", "/pets/dog/2"}, {"GET", "/pets/dog"}, {"POST", "/pets/dog"},
		{"GET", "/pets/cat"}, {"GET", "/pets/cat/1"}, {"POST", "/pets/cat/1"}, {"GET", "/cats/dog/1"}, {"GET", "/"}, {"HEAD", "/pets"}}
	want := make([]HTTPMatch, len(requests))
	rt := mustHTTPRoutes(t, keys...)
	for i, r := range requests {
		want[i], _ = rt.Match(r[0], r[1])
	}
	for i := range keys {
		rotated := append(slices.Clone(keys[i:]), keys[:i]...)
		slices.Reverse(rotated)
		rt := mustHTTPRoutes(t, rotated...)
		for j, r := range requests {
			if got, _ := rt.Match(r[0], r[1]); got.RouteKey != want[j].RouteKey || !maps.Equal(got.PathParams, want[j].PathParams) {
				t.Errorf("keys %q: %s %s = %+v, want %+v", rotated, r[0], r[1], got, want[j])
			}
		}
	}
}

func TestNewHTTPRoutesErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		keys []string
		bad  string // the key the error names
		msg  string // in the error text
	}{
		{"empty key", []string{""}, "", `want "$default" or "METHOD /path"`},
		{"no path", []string{"GET"}, "GET", `want "$default" or "METHOD /path"`},
		{"other $ key", []string{"$connect"}, "$connect", `want "$default" or "METHOD /path"`},
		{"$default with a path", []string{"$default /x"}, "$default /x", `method "$default" is not one of`},
		{"lower-case method", []string{"get /x"}, "get /x", `method "get" must be upper case`},
		{"mixed-case ANY", []string{"Any /x"}, "Any /x", `method "Any" must be upper case`},
		{"unknown method", []string{"TRACE /x"}, "TRACE /x", `method "TRACE" is not one of ANY GET POST PUT PATCH DELETE HEAD OPTIONS`},
		{"empty method", []string{" /x"}, " /x", `method "" is not one of`},
		{"path without slash", []string{"GET x"}, "GET x", `path "x" does not start with "/"`},
		{"empty path", []string{"GET "}, "GET ", `path "" does not start with "/"`},
		{"two spaces", []string{"GET  /x"}, "GET  /x", `path " /x" does not start with "/"`},
		{"space in path", []string{"GET /a b"}, "GET /a b", `invalid character ' ' in path`},
		{"tab in path", []string{"GET /a\t"}, "GET /a\t", `invalid character '\t' in path`},
		{"control character", []string{"GET /a\x00"}, "GET /a\x00", `invalid character '\x00' in path`},
		{"query", []string{"GET /a?b=1"}, "GET /a?b=1", `invalid character '?' in path`},
		{"fragment", []string{"GET /a#b"}, "GET /a#b", `invalid character '#' in path`},
		{"invalid UTF-8", []string{"GET /\xff"}, "GET /\xff", "not valid UTF-8"},
		{"trailing slash", []string{"GET /items/"}, "GET /items/", "trailing slash"},
		{"trailing slash after param", []string{"GET /{id}/"}, "GET /{id}/", "trailing slash"},
		{"double slash root", []string{"GET //"}, "GET //", "trailing slash"},
		{"empty segment", []string{"GET /a//b"}, "GET /a//b", `empty path segment ("//")`},
		{"leading empty segment", []string{"GET //a"}, "GET //a", `empty path segment ("//")`},
		{"brace after literal", []string{"GET /a{b}"}, "GET /a{b}", `segment "a{b}": a parameter is a whole segment`},
		{"literal after brace", []string{"GET /{a}b"}, "GET /{a}b", `segment "{a}b": a parameter is a whole segment`},
		{"unclosed brace", []string{"GET /{a"}, "GET /{a", `segment "{a": a parameter is a whole segment`},
		{"lone closing brace", []string{"GET /a}"}, "GET /a}", `segment "a}": a parameter is a whole segment`},
		{"two params in a segment", []string{"GET /{a}{b}"}, "GET /{a}{b}", `segment "{a}{b}": invalid parameter name "a}{b"`},
		{"nested braces", []string{"GET /{{a}}"}, "GET /{{a}}", `segment "{{a}}": invalid parameter name "{a}"`},
		{"empty param name", []string{"GET /{}"}, "GET /{}", `segment "{}": empty parameter name`},
		{"empty greedy name", []string{"GET /{+}"}, "GET /{+}", `segment "{+}": empty parameter name`},
		{"plus inside name", []string{"GET /{a+b}"}, "GET /{a+b}", `segment "{a+b}": invalid parameter name "a+b"`},
		{"double plus", []string{"GET /{a++}"}, "GET /{a++}", `segment "{a++}": invalid parameter name "a+"`},
		{"duplicate param", []string{"GET /{id}/{id}"}, "GET /{id}/{id}", `duplicate parameter name "id"`},
		{"duplicate param, greedy", []string{"GET /{id}/{id+}"}, "GET /{id}/{id+}", `duplicate parameter name "id"`},
		{"greedy not last", []string{"GET /{proxy+}/x"}, "GET /{proxy+}/x", `greedy parameter "{proxy+}" is not the last segment`},
		{"greedy before param", []string{"ANY /a/{p+}/{q}"}, "ANY /a/{p+}/{q}", `greedy parameter "{p+}" is not the last segment`},
		{"duplicate key", []string{"GET /a", "POST /a", "GET /a"}, "GET /a", "duplicate route key"},
		{"duplicate $default", []string{"$default", "$default"}, "$default", "duplicate route key"},
		{"conflicting param names", []string{"GET /pets/{id}", "GET /pets/{name}"}, "GET /pets/{name}", `conflicts with "GET /pets/{id}"`},
		{"conflicting greedy names", []string{"ANY /{proxy+}", "ANY /{rest+}"}, "ANY /{rest+}", `conflicts with "ANY /{proxy+}"`},
		{"conflicting escapes", []string{"GET /a", "GET /%61"}, "GET /%61", `conflicts with "GET /a"`},
		{"later key bad", []string{"GET /a", "$default", "GET /b/"}, "GET /b/", "trailing slash"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt, err := NewHTTPRoutes(tc.keys)
			var ke *RouteKeyError
			if !errors.As(err, &ke) || rt != nil {
				t.Fatalf("NewHTTPRoutes(%q) = %v, %v; want a *RouteKeyError", tc.keys, rt, err)
			}
			if ke.Key != tc.bad || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q (key %q); want key %q and %q", err, ke.Key, tc.bad, tc.msg)
			}
			if want := fmt.Sprintf("routing: route key %q: ", tc.bad); !strings.HasPrefix(err.Error(), want) {
				t.Errorf("error %q does not start with %q", err, want)
			}
		})
	}
}

func TestNewHTTPRoutesAccepts(t *testing.T) {
	for _, keys := range [][]string{
		nil,
		{"GET /"},
		{"$default", "GET /", "ANY /", "ANY /{proxy+}", "GET /{proxy+}"},
		{"GET /{id}", "POST /{name}"},              // different methods: no conflict
		{"GET /pets/{id}", "GET /pets/{id}/toys"},  // a longer template
		{"GET /a/{p+}", "GET /a/{x}", "GET /a/b"},  // greedy, param and literal siblings
		{"GET /{x}/{p+}", "GET /{y}/b/{p+}"},       // same param node, different names
		{"GET /a%20b", "GET /a%2Fb", "GET /100%"},  // escapes, a malformed one
		{"GET /{a.b-c_d:e}", "GET /x/{ä}"},         // parameter names
		{"GET /{proxy+}"},                          // greedy at the root
		{"PATCH /x", "DELETE /x", "OPTIONS /x"},    // methods
		{"HEAD /x", "PUT /x/{y}", "POST /x/{y+}"},  // methods
		{"GET /v1/users/{user}/posts/{post}/tags"}, // deep
	} {
		if _, err := NewHTTPRoutes(keys); err != nil {
			t.Errorf("NewHTTPRoutes(%q): %v", keys, err)
		}
	}
}

func TestNewHTTPRoutesDoesNotRetainKeys(t *testing.T) {
	keys := []string{"GET /a", "$default"}
	rt := mustHTTPRoutes(t, keys...)
	keys[0], keys[1] = "GET /b", "GET /c"
	if m, ok := rt.Match("GET", "/a"); !ok || m.RouteKey != "GET /a" {
		t.Errorf("Match = %+v, %v after the caller changed its slice", m, ok)
	}
	if m, ok := rt.Match("GET", "/zzz"); !ok || m.RouteKey != "$default" {
		t.Errorf("Match = %+v, %v after the caller changed its slice", m, ok)
	}
}

func TestRouteKeyErrorText(t *testing.T) {
	err := &RouteKeyError{Key: "GET /a{b}", Msg: "m"}
	if got, want := err.Error(), `routing: route key "GET /a{b}": m`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

// TestHTTPRoutesConcurrent matches from several goroutines on one table
// (run with -race).
func TestHTTPRoutesConcurrent(t *testing.T) {
	rt := mustHTTPRoutes(t, awsExample...)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for j := range 200 {
				path := fmt.Sprintf("/pets/dog/%d", (i+j)%3)
				m, ok := rt.Match("GET", path)
				if !ok || (m.RouteKey != "GET /pets/dog/1" && m.PathParams["id"] != path[len("/pets/dog/"):]) {
					t.Errorf("Match(%q) = %+v, %v", path, m, ok)
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestHTTPRoutesMatchAllocs checks that a match without parameters does not
// allocate and one with parameters allocates only its map.
func TestHTTPRoutesMatchAllocs(t *testing.T) {
	rt := mustHTTPRoutes(t, benchKeys...)
	for _, tc := range []struct {
		method, path string
		max          float64
	}{
		{"GET", "/v1/health", 0},
		{"POST", "/v1/orders", 0},
		{"GET", "/nothing/here", 0}, // $default
		{"DELETE", "/v1/users/42", 2},
		{"GET", "/v1/users/42", 2},
		{"GET", "/static/css/site.css", 2},
		{"GET", "/v1/h%65alth", 0},           // a decoded literal
		{"GET", "/v1/products/caf%C3%A9", 3}, // and its decoded value
	} {
		got := testing.AllocsPerRun(100, func() { rt.Match(tc.method, tc.path) })
		if got > tc.max {
			t.Errorf("Match(%q, %q): %v allocations, want at most %v", tc.method, tc.path, got, tc.max)
		}
	}
}

// naiveHTTPMatch is a reference matcher written from the rules rather than
// for speed: it ranks every candidate route by (full before greedy, segment
// kinds from the left, exact method before ANY). keys must be valid.
func naiveHTTPMatch(keys []string, method, path string) (HTTPMatch, bool) {
	if path == "" {
		path = "/"
	}
	var reqSegs []string
	if strings.HasPrefix(path, "/") && path != "/" {
		reqSegs = strings.Split(path[1:], "/")
	}
	type candidate struct {
		key    string
		rank   []int // tier, then segment kinds, then method
		params map[string]string
	}
	var best *candidate
	for _, key := range keys {
		m, tmpl, ok := strings.Cut(key, " ")
		if !ok || (m != method && m != "ANY") || !strings.HasPrefix(path, "/") {
			continue
		}
		var tsegs []string
		if tmpl != "/" {
			tsegs = strings.Split(tmpl[1:], "/")
		}
		greedy := len(tsegs) > 0 && strings.HasSuffix(tsegs[len(tsegs)-1], "+}")
		fixed := tsegs
		if greedy {
			fixed = tsegs[:len(tsegs)-1]
		}
		if len(reqSegs) < len(fixed) || !greedy && len(reqSegs) != len(fixed) {
			continue
		}
		c := &candidate{key: key, rank: []int{0}, params: map[string]string{}}
		if greedy {
			c.rank[0] = 1
		}
		match := true
		for i, ts := range fixed {
			switch {
			case reqSegs[i] == "":
				match = false
			case strings.HasPrefix(ts, "{"):
				c.rank = append(c.rank, 1)
				c.params[ts[1:len(ts)-1]] = unescapeSegment(reqSegs[i])
			case unescapeSegment(ts) == unescapeSegment(reqSegs[i]):
				c.rank = append(c.rank, 0)
			default:
				match = false
			}
		}
		if greedy {
			rest := strings.Join(reqSegs[len(fixed):], "/")
			if rest == "" {
				match = false
			}
			c.rank = append(c.rank, 2)
			g := tsegs[len(tsegs)-1]
			c.params[g[1:len(g)-2]] = unescapeSegment(rest)
		}
		if m == "ANY" && method != "ANY" {
			c.rank = append(c.rank, 1)
		} else {
			c.rank = append(c.rank, 0)
		}
		if match && (best == nil || slices.Compare(c.rank, best.rank) < 0) {
			best = c
		}
	}
	if best != nil {
		if len(best.params) == 0 {
			best.params = nil
		}
		return HTTPMatch{RouteKey: best.key, PathParams: best.params}, true
	}
	if slices.Contains(keys, "$default") {
		return HTTPMatch{RouteKey: "$default"}, true
	}
	return HTTPMatch{}, false
}

func FuzzHTTPRoutes(f *testing.F) {
	seedKeys := []string{
		strings.Join(awsExample, "\n"),
		strings.Join(benchKeys, "\n"),
		"GET /pets/{id}\nANY /pets/dog\nGET /{proxy+}\nANY /api/{proxy+}",
		"GET /\nANY /{proxy+}\nHEAD /x\nGET /a/{x}/{p+}\nGET /{y}/b",
		"GET /a%2Fb\nGET /caf%C3%A9\nGET /100%\nPOST /{a}/{b}/{c}",
		"GET /a{b}", "GET /items/", "get /x", "GET /{p+}/x", "GET /{id}/{id}", "GET /{a}\nGET /{b}", "$default\n$default",
	}
	seedRequests := [][2]string{
		{"GET", "/pets/dog/1"}, {"POST", "/pets/cat/1"}, {"GET", "/pets/dog"}, {"HEAD", "/x"}, {"GET", "/"}, {"GET", ""},
		{"GET", "//"}, {"GET", "/a/b%2Fc/d"}, {"GET", "/api/x/"}, {"PUT", "/a//b"}, {"GET", "/caf%c3%a9"}, {"GET", "/%zz/%"},
		{"get", "/v1/users/42"}, {"OPTIONS", "*"}, {"DELETE", "/v1/users/7/orders/9"}, {"GET", "/static/a/b/c.css"},
	}
	for i, k := range seedKeys {
		r := seedRequests[i%len(seedRequests)]
		f.Add(k, r[0], r[1])
	}
	for _, r := range seedRequests {
		f.Add(seedKeys[0], r[0], r[1])
	}
	fixedKeys := append(slices.Clone(benchKeys), "GET /pets/{id}", "ANY /pets/dog", "GET /{a}/{b}/{p+}", "HEAD /{x}/{y}")
	fixed := mustHTTPRoutes(f, fixedKeys...)
	f.Fuzz(func(t *testing.T, keyText, method, path string) {
		want, err := url.PathUnescape(path)
		if b, ok := appendUnescaped(nil, path); ok != (err == nil) || ok && string(b) != want {
			t.Fatalf("appendUnescaped(%q) = %q, %v; url.PathUnescape gives %q, %v", path, b, ok, want, err)
		}
		checkHTTPMatch(t, fixed, fixedKeys, method, path)
		keys := strings.Split(keyText, "\n")
		rt, err := NewHTTPRoutes(keys)
		if err != nil {
			var ke *RouteKeyError
			if !errors.As(err, &ke) || !slices.Contains(keys, ke.Key) || rt != nil {
				t.Fatalf("NewHTTPRoutes(%q) = %v, %v; want a *RouteKeyError naming one of the keys", keys, rt, err)
			}
			return
		}
		checkHTTPMatch(t, rt, keys, method, path)
	})
}

// checkHTTPMatch checks Match against what holds for every request and
// against naiveHTTPMatch.
func checkHTTPMatch(t *testing.T, rt *HTTPRoutes, keys []string, method, path string) {
	t.Helper()
	m, ok := rt.Match(method, path)
	if !ok {
		if m.RouteKey != "" || m.PathParams != nil {
			t.Fatalf("no match but %+v", m)
		}
	} else {
		if !slices.Contains(keys, m.RouteKey) {
			t.Fatalf("Match(%q, %q) = unconfigured key %q", method, path, m.RouteKey)
		}
		if rm, _, _ := strings.Cut(m.RouteKey, " "); m.RouteKey != "$default" && rm != method && rm != "ANY" {
			t.Fatalf("Match(%q, %q) = %q, another method", method, path, m.RouteKey)
		}
		n := strings.Count(m.RouteKey, "{")
		if m.RouteKey == "$default" {
			n = 0
		}
		if len(m.PathParams) != n || (n == 0) != (m.PathParams == nil) {
			t.Fatalf("Match(%q, %q) = %q with params %#v", method, path, m.RouteKey, m.PathParams)
		}
		for name := range m.PathParams {
			if !strings.Contains(m.RouteKey, "{"+name+"}") && !strings.Contains(m.RouteKey, "{"+name+"+}") {
				t.Fatalf("Match(%q, %q) = %q with param %q", method, path, m.RouteKey, name)
			}
		}
	}
	want, wantOK := naiveHTTPMatch(keys, method, path)
	if ok != wantOK || m.RouteKey != want.RouteKey || !maps.Equal(m.PathParams, want.PathParams) {
		t.Fatalf("Match(%q, %q) = %+v, %v; reference matcher %+v, %v (keys %q)", method, path, m, ok, want, wantOK, keys)
	}
}

// benchKeys is a plausible HTTP API: a few literal routes, parameters, a
// greedy static route, an ANY catch-all and $default.
var benchKeys = []string{
	"GET /v1/health", "GET /v1/users", "POST /v1/users", "GET /v1/users/{id}", "PUT /v1/users/{id}",
	"ANY /v1/users/{id}", "GET /v1/users/{id}/orders", "GET /v1/users/{id}/orders/{orderId}",
	"DELETE /v1/users/{userId}/orders/{orderId}", "GET /v1/orders", "POST /v1/orders", "GET /v1/orders/{id}",
	"GET /v1/products", "GET /v1/products/{sku}", "GET /v1/products/featured", "GET /static/{path+}",
	"ANY /v1/{proxy+}", "$default",
}

func BenchmarkHTTPRoutesMatch(b *testing.B) {
	rt := mustHTTPRoutes(b, benchKeys...)
	for _, bc := range []struct{ name, method, path, want string }{
		{"literal", "GET", "/v1/health", "GET /v1/health"},
		{"literal-over-param", "GET", "/v1/products/featured", "GET /v1/products/featured"},
		{"param", "GET", "/v1/users/42", "GET /v1/users/{id}"},
		{"two-params", "GET", "/v1/users/42/orders/7", "GET /v1/users/{id}/orders/{orderId}"},
		{"any", "DELETE", "/v1/users/42", "ANY /v1/users/{id}"},
		{"greedy", "GET", "/static/css/site/main.css", "GET /static/{path+}"},
		{"greedy-any", "PATCH", "/v1/carts/9/items", "ANY /v1/{proxy+}"},
		{"escaped", "GET", "/v1/products/caf%C3%A9", "GET /v1/products/{sku}"},
		{"default", "GET", "/elsewhere/page", "$default"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if m, _ := rt.Match(bc.method, bc.path); m.RouteKey != bc.want {
					b.Fatalf("Match = %q, want %q", m.RouteKey, bc.want)
				}
			}
		})
	}
}

func ExampleHTTPRoutes_Match() {
	routes, err := NewHTTPRoutes([]string{"GET /pets/{id}", "ANY /pets/dog", "GET /files/{path+}", "$default"})
	if err != nil {
		panic(err)
	}
	for _, req := range [][2]string{{"GET", "/pets/7"}, {"GET", "/pets/dog"}, {"GET", "/files/a/b%2Fc.txt"}, {"POST", "/pets/7"}} {
		m, _ := routes.Match(req[0], req[1])
		fmt.Println(m.RouteKey, m.PathParams)
	}
	// Output:
	// GET /pets/{id} map[id:7]
	// ANY /pets/dog map[]
	// GET /files/{path+} map[path:a/b/c.txt]
	// $default map[]
}
