package routing

import (
	"maps"
	"testing"
)

// TestHTTPMatchDeferred holds MatchDeferred, Param and LoadParams to Match:
// the same route, Param answering what PathParams holds (decoded, the
// greedy rest included, "" and false for a name it lacks), LoadParams
// making Match's map, and no allocation without parameters read.
func TestHTTPMatchDeferred(t *testing.T) {
	keys := append([]string{"GET /a/{x}/{y}/b", "POST /e/{enc}", "GET /g/{a}/{rest+}"}, awsExample...)
	rt := mustHTTPRoutes(t, keys...)
	for _, c := range []struct{ method, path string }{
		{"GET", "/pets/dog/1"}, {"GET", "/pets/dog/2"}, {"GET", "/pets/cat/1"}, {"POST", "/pets/cat/1"},
		{"GET", "/"}, {"GET", "/a/1/2/b"}, {"POST", "/e/a%2Fb%20c"}, {"POST", "/e/%zz"}, {"GET", "/g/1/x/y%20z/"},
		{"PUT", "/nothing/here"}, {"GET", "relative"},
	} {
		want, wantOK := rt.Match(c.method, c.path)
		m, ok := rt.MatchDeferred(c.method, c.path)
		if ok != wantOK || m.RouteKey != want.RouteKey || m.PathParams != nil {
			t.Errorf("MatchDeferred(%s %s) = %q %v, params %v; want %q %v and no params", c.method, c.path, m.RouteKey, ok, m.PathParams, want.RouteKey, wantOK)
			continue
		}
		for _, name := range []string{"id", "proxy", "x", "y", "enc", "a", "rest", "none"} {
			v, has := m.Param(name)
			wv, whas := want.PathParams[name]
			if v != wv || has != whas {
				t.Errorf("%s %s: Param(%q) = %q %v; want %q %v", c.method, c.path, name, v, has, wv, whas)
			}
		}
		m.LoadParams()
		if !maps.Equal(m.PathParams, want.PathParams) || (m.PathParams == nil) != (want.PathParams == nil) {
			t.Errorf("%s %s: LoadParams = %v; want %v", c.method, c.path, m.PathParams, want.PathParams)
		}
		if v, has := m.Param("none"); v != "" || has {
			t.Errorf("%s %s: Param(none) after LoadParams = %q %v", c.method, c.path, v, has)
		}
	}
	if n := testing.AllocsPerRun(100, func() {
		m, _ := rt.MatchDeferred("POST", "/pets/cat/1")
		if v, _ := m.Param("proxy"); v != "pets/cat/1" {
			t.Fatalf("Param(proxy) = %q", v)
		}
	}); n != 0 {
		t.Errorf("MatchDeferred and Param allocate %v times; want 0", n)
	}
}
