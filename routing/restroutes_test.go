package routing

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
)

// parseSpecs reads resources written one per string as "PATH METHOD...",
// e.g. "/pets GET POST" or "/jobs" (no methods).
func parseSpecs(specs []string) []RESTResource {
	rs := make([]RESTResource, 0, len(specs))
	for _, s := range specs {
		f := strings.Fields(s)
		if len(f) == 0 {
			continue
		}
		rs = append(rs, RESTResource{Path: f[0], Methods: f[1:]})
	}
	return rs
}

func mustRESTRoutes(tb testing.TB, specs ...string) *RESTRoutes {
	tb.Helper()
	t, err := NewRESTRoutes(parseSpecs(specs))
	if err != nil {
		tb.Fatalf("NewRESTRoutes(%q): %v", specs, err)
	}
	return t
}

// TestRESTRoutesMatch is the precedence table of reference
// http-and-rest-apis.md §2.2 (with §2.1 and §1.1 for paths) plus this
// package's documented choices.
func TestRESTRoutesMatch(t *testing.T) {
	users := []string{"/users/me PATCH", "/users/{userId} GET"}
	proxyRoot := []string{"/ ANY", "/{proxy+} ANY"}
	files := []string{"/files/{proxy+} ANY"}
	for _, tc := range []struct {
		name         string
		specs        []string
		method, path string
		want         RESTMatchResult
		resource     string            // ResourcePath
		key          string            // Method
		params       map[string]string // nil: none
	}{
		// §2.2: resolution on the (resource, method) pair
		{"aws: resource without methods falls back to a greedy ancestor", []string{"/jobs", "/{proxy+} ANY"}, "GET", "/jobs", RESTMatched, "/{proxy+}", "ANY", params("proxy", "jobs")},
		{"aws: OPTIONS-only resource, GET falls through", []string{"/jobs OPTIONS", "/{proxy+} ANY"}, "GET", "/jobs", RESTMatched, "/{proxy+}", "ANY", params("proxy", "jobs")},
		{"aws: OPTIONS-only resource serves OPTIONS", []string{"/jobs OPTIONS", "/{proxy+} ANY"}, "OPTIONS", "/jobs", RESTMatched, "/jobs", "OPTIONS", nil},
		{"aws: literal without the method falls back to the {param} sibling", users, "GET", "/users/me", RESTMatched, "/users/{userId}", "GET", params("userId", "me")},
		{"aws: literal with the method", users, "PATCH", "/users/me", RESTMatched, "/users/me", "PATCH", nil},
		{"aws: no candidate has the method", users, "DELETE", "/users/me", RESTNoMethod, "/users/me", "", nil},
		{"fallback from {param} to a greedy ancestor", []string{"/a/{x} POST", "/{p+} GET"}, "GET", "/a/b", RESTMatched, "/{p+}", "GET", params("p", "a/b")},
		{"fallback from a deep greedy to a shallower one", []string{"/a/b/{q+} POST", "/a/{p+} GET"}, "GET", "/a/b/c", RESTMatched, "/a/{p+}", "GET", params("p", "b/c")},
		{"fallback across two levels", []string{"/a/b/c", "/a/{x}/c PUT", "/{p+} ANY"}, "GET", "/a/b/c", RESTMatched, "/{p+}", "ANY", params("p", "a/b/c")},

		// specificity: literal, then {param}, then {greedy+}, from the left
		{"literal beats {param}", []string{"/pets/dog GET", "/pets/{id} GET"}, "GET", "/pets/dog", RESTMatched, "/pets/dog", "GET", nil},
		{"{param} when the literal differs", []string{"/pets/dog GET", "/pets/{id} GET"}, "GET", "/pets/cat", RESTMatched, "/pets/{id}", "GET", params("id", "cat")},
		{"{param} beats a greedy ancestor", []string{"/pets/{id} GET", "/{proxy+} ANY"}, "GET", "/pets/1", RESTMatched, "/pets/{id}", "GET", params("id", "1")},
		{"greedy takes several segments", []string{"/pets/{id} GET", "/{proxy+} ANY"}, "GET", "/pets/1/toys", RESTMatched, "/{proxy+}", "ANY", params("proxy", "pets/1/toys")},
		{"deeper greedy beats shallower", []string{"/a/b/{q+} ANY", "/a/{p+} ANY"}, "GET", "/a/b/c", RESTMatched, "/a/b/{q+}", "ANY", params("q", "c")},
		{"leftmost literal wins", []string{"/a/{x}/c GET", "/{y}/b/c GET"}, "GET", "/a/b/c", RESTMatched, "/a/{x}/c", "GET", params("x", "b")},
		{"dead-end literal backtracks to {param}", []string{"/a/x GET", "/{y}/b GET"}, "GET", "/a/b", RESTMatched, "/{y}/b", "GET", params("y", "a")},
		{"two parameters", []string{"/pets/{petId}/toys/{toyId} GET"}, "GET", "/pets/1/toys/2", RESTMatched, "/pets/{petId}/toys/{toyId}", "GET", params("petId", "1", "toyId", "2")},

		// ANY and explicit methods
		{"explicit method beats ANY on the same resource", []string{"/pets ANY GET"}, "GET", "/pets", RESTMatched, "/pets", "GET", nil},
		{"ANY for another method", []string{"/pets ANY GET"}, "POST", "/pets", RESTMatched, "/pets", "ANY", nil},
		{"more specific ANY beats less specific explicit", []string{"/pets/dog ANY", "/pets/{id} GET"}, "GET", "/pets/dog", RESTMatched, "/pets/dog", "ANY", nil},
		{"HEAD does not fall back to GET", []string{"/pets GET"}, "HEAD", "/pets", RESTNoMethod, "/pets", "", nil},
		{"ANY covers HEAD", []string{"/pets ANY"}, "HEAD", "/pets", RESTMatched, "/pets", "ANY", nil},
		{"ANY does not cover TRACE", []string{"/pets ANY"}, "TRACE", "/pets", RESTNoMethod, "/pets", "", nil},
		{"methods are case-sensitive", []string{"/pets ANY GET"}, "get", "/pets", RESTNoMethod, "/pets", "", nil},
		{"ANY is no request method", []string{"/pets ANY"}, "ANY", "/pets", RESTNoMethod, "/pets", "", nil},

		// root and greedy at the root
		{"root", []string{"/ GET"}, "GET", "/", RESTMatched, "/", "GET", nil},
		{"empty path is the root", []string{"/ GET"}, "GET", "", RESTMatched, "/", "GET", nil},
		{"root greedy does not match the root", []string{"/{proxy+} ANY"}, "GET", "/", RESTNoMethod, "/", "", nil},
		{"root ANY next to a root greedy", proxyRoot, "GET", "/", RESTMatched, "/", "ANY", nil},
		{"root greedy takes the whole path", proxyRoot, "POST", "/a/b/c", RESTMatched, "/{proxy+}", "ANY", params("proxy", "a/b/c")},
		{"root is always a resource", []string{"/pets GET"}, "GET", "/", RESTNoMethod, "/", "", nil},

		// greedy: one or more segments, never the parent
		{"greedy does not match its parent", files, "GET", "/files", RESTNoMethod, "/files", "", nil},
		{"greedy does not match its parent with a slash", files, "GET", "/files/", RESTNoMethod, "/files", "", nil},
		{"greedy value loses the trailing slash", files, "GET", "/files/a/b/", RESTMatched, "/files/{proxy+}", "ANY", params("proxy", "a/b")},
		{"greedy keeps an empty first segment", files, "GET", "/files//a", RESTMatched, "/files/{proxy+}", "ANY", params("proxy", "/a")},
		{"greedy keeps inner double slashes", files, "GET", "/files/a//b", RESTMatched, "/files/{proxy+}", "ANY", params("proxy", "a//b")},

		// no decoding (§1.1)
		{"param value not decoded", []string{"/users/{id} GET"}, "GET", "/users/test%2Balias@gmail.com", RESTMatched, "/users/{id}", "GET", params("id", "test%2Balias@gmail.com")},
		{"%2F stays in its segment", []string{"/users/{id} GET"}, "GET", "/users/a%2Fb", RESTMatched, "/users/{id}", "GET", params("id", "a%2Fb")},
		{"a real slash is two segments", []string{"/users/{id} GET"}, "GET", "/users/a/b", RESTNoResource, "", "", nil},
		{"greedy value not decoded", files, "GET", "/files/a%20b/c%2Fd", RESTMatched, "/files/{proxy+}", "ANY", params("proxy", "a%20b/c%2Fd")},
		{"literal compared as received", []string{"/pets GET"}, "GET", "/p%65ts", RESTNoResource, "", "", nil},
		{"plus stays plus", []string{"/q/{v} GET"}, "GET", "/q/a+b", RESTMatched, "/q/{v}", "GET", params("v", "a+b")},

		// trailing slashes and empty segments
		{"trailing slash ignored", []string{"/pets GET"}, "GET", "/pets/", RESTMatched, "/pets", "GET", nil},
		{"several trailing slashes ignored", []string{"/pets GET"}, "GET", "/pets//", RESTMatched, "/pets", "GET", nil},
		{"trailing slash after a param", []string{"/users/{id} GET"}, "GET", "/users/1/", RESTMatched, "/users/{id}", "GET", params("id", "1")},
		{"only slashes is the root", []string{"/ GET"}, "GET", "//", RESTMatched, "/", "GET", nil},
		{"empty segment matches no param", []string{"/pets/{id} GET"}, "GET", "/pets//1", RESTNoResource, "", "", nil},
		{"empty first segment matches no literal", []string{"/pets GET"}, "GET", "//pets", RESTNoResource, "", "", nil},

		// no resource vs no method
		{"unknown path", []string{"/pets GET"}, "GET", "/nothing", RESTNoResource, "", "", nil},
		{"known path, other method", []string{"/pets GET"}, "POST", "/pets", RESTNoMethod, "/pets", "", nil},
		{"implicit parent has no methods", []string{"/pets/{id} GET"}, "GET", "/pets", RESTNoMethod, "/pets", "", nil},
		{"no method names the most specific resource", []string{"/pets/dog PATCH", "/pets/{id} PUT"}, "GET", "/pets/dog", RESTNoMethod, "/pets/dog", "", nil},
		{"literals are case-sensitive", []string{"/pets GET"}, "GET", "/Pets", RESTNoResource, "", "", nil},
		{"path without a leading slash", []string{"/pets GET", "/{p+} ANY"}, "GET", "pets", RESTNoResource, "", "", nil},
		{"too long for the tree", []string{"/pets/{id} GET"}, "GET", "/pets/1/2", RESTNoResource, "", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt := mustRESTRoutes(t, tc.specs...)
			m, res := rt.Match(tc.method, tc.path)
			want := RESTMatch{ResourcePath: tc.resource, Method: tc.key, PathParams: tc.params}
			if res != tc.want || m.ResourcePath != want.ResourcePath || m.Method != want.Method || !maps.Equal(m.PathParams, want.PathParams) {
				t.Errorf("Match(%q, %q) = %+v, %v; want %+v, %v", tc.method, tc.path, m, res, want, tc.want)
			}
			if tc.params == nil && m.PathParams != nil {
				t.Errorf("PathParams = %v, want nil", m.PathParams)
			}
			if nm, nres := naiveRESTMatch(parseSpecs(tc.specs), tc.method, tc.path); nres != res || nm.ResourcePath != m.ResourcePath || nm.Method != m.Method || !maps.Equal(nm.PathParams, m.PathParams) {
				t.Errorf("naive oracle disagrees: %+v, %v", nm, nres)
			}
			checkDeferred(t, rt, tc.method, tc.path, m, res)
		})
	}
}

// TestRESTRoutesResourceOrder checks that the order of the resources does
// not change a match.
func TestRESTRoutesResourceOrder(t *testing.T) {
	specs := []string{"/ ANY", "/{proxy+} ANY", "/pets GET", "/pets/{id} GET DELETE", "/pets/dog ANY", "/users/me PATCH", "/users/{userId} GET"}
	requests := [][2]string{{"GET", "/"}, {"GET", "/pets/dog"}, {"DELETE", "/pets/1"}, {"GET", "/users/me"}, {"POST", "/pets"}, {"GET", "/x/y"}}
	want := mustRESTRoutes(t, specs...)
	rev := slices.Clone(specs)
	slices.Reverse(rev)
	got := mustRESTRoutes(t, rev...)
	for _, r := range requests {
		wm, wres := want.Match(r[0], r[1])
		gm, gres := got.Match(r[0], r[1])
		if wres != gres || wm.ResourcePath != gm.ResourcePath || wm.Method != gm.Method || !maps.Equal(wm.PathParams, gm.PathParams) {
			t.Errorf("%s %s: %+v %v in order, %+v %v reversed", r[0], r[1], wm, wres, gm, gres)
		}
	}
}

func TestNewRESTRoutesErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		specs []string
		path  string // the path the error names
		msg   string // part of the message
	}{
		{"empty path", []string{" GET"}, "", "start with"},
		{"no leading slash", []string{"pets GET"}, "pets", "start with"},
		{"trailing slash", []string{"/pets/ GET"}, "/pets/", "trailing slash"},
		{"empty part", []string{"/a//b GET"}, "/a//b", "empty path part"},
		{"invalid character", []string{"/a:b GET"}, "/a:b", "a-zA-Z0-9._-"},
		{"space", []string{"/a%20b GET"}, "/a%20b", "a-zA-Z0-9._-"},
		{"non-ASCII", []string{"/café GET"}, "/café", "a-zA-Z0-9._-"},
		{"brace inside a part", []string{"/a{b} GET"}, "/a{b}", "a-zA-Z0-9._-"},
		{"unclosed brace", []string{"/{id GET"}, "/{id", "whole part"},
		{"brace then text", []string{"/{id}x GET"}, "/{id}x", "whole part"},
		{"empty name", []string{"/{} GET"}, "/{}", "variable name"},
		{"empty greedy name", []string{"/{+} GET"}, "/{+}", "variable name"},
		{"invalid name", []string{"/{a:b} GET"}, "/{a:b}", "variable name"},
		{"plus in the name", []string{"/{a+b} GET"}, "/{a+b}", "variable name"},
		{"greedy not last", []string{"/{p+}/x GET"}, "/{p+}/x", "not the last"},
		{"duplicate variable name", []string{"/{id}/{id} GET"}, "/{id}/{id}", "duplicate variable"},
		{"two variable children", []string{"/pets/{id} GET", "/pets/{name} GET"}, "/pets/{name}", "one variable path part per parent"},
		{"variable and greedy children", []string{"/pets/{id} GET", "/pets/{p+} ANY"}, "/pets/{p+}", "one variable path part per parent"},
		{"variable children through implicit parents", []string{"/a/{x}/b GET", "/a/{y}/c GET"}, "/a/{y}/c", "one variable path part per parent"},
		{"duplicate resource", []string{"/pets GET", "/pets POST"}, "/pets", "duplicate resource"},
		{"duplicate root", []string{"/ GET", "/"}, "/", "duplicate resource"},
		{"lower-case method", []string{"/pets get"}, "/pets", "upper case"},
		{"unknown method", []string{"/pets TRACE"}, "/pets", "not one of"},
		{"duplicate method", []string{"/pets GET GET"}, "/pets", "duplicate method"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewRESTRoutes(parseSpecs(tc.specs))
			if tc.specs[0][0] == ' ' { // parseSpecs drops an empty path
				_, err = NewRESTRoutes([]RESTResource{{Path: "", Methods: []string{"GET"}}})
			}
			var pe *ResourcePathError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want *ResourcePathError", err)
			}
			if pe.Path != tc.path || !strings.Contains(pe.Msg, tc.msg) {
				t.Errorf("err = %v, want path %q and %q", err, tc.path, tc.msg)
			}
			if !strings.Contains(err.Error(), fmt.Sprintf("%q", tc.path)) {
				t.Errorf("%q does not name the path", err)
			}
		})
	}
}

func TestNewRESTRoutesAccepts(t *testing.T) {
	for _, specs := range [][]string{
		nil,
		{"/"},
		{"/ ANY DELETE GET HEAD OPTIONS PATCH POST PUT"},
		{"/a.b_c-D9 GET"},
		{"/{proxy+} ANY", "/"},
		{"/pets/{id} GET", "/pets/{id}/toys/{toy.id_2-x} GET", "/pets"}, // a parent listed after its child
		{"/pets/{id} GET", "/pets/dog GET", "/pets/{id}/{rest+} ANY"},   // literal and variable siblings
		{"/a/{x}/b GET", "/a/{x}/c GET", "/a/{x} PUT", "/x/{x} PUT"},    // the same variable shared
		{"/{a}/{b}/{c}/{d} GET"},
	} {
		if _, err := NewRESTRoutes(parseSpecs(specs)); err != nil {
			t.Errorf("NewRESTRoutes(%q): %v", specs, err)
		}
	}
}

func TestRESTMatchResultString(t *testing.T) {
	for r, want := range map[RESTMatchResult]string{RESTMatched: "matched", RESTNoMethod: "no method", RESTNoResource: "no resource", 9: "RESTMatchResult(9)"} {
		if got := r.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", r, got, want)
		}
	}
	if RESTMatchResult(0) != RESTNoResource {
		t.Error("the zero RESTMatchResult is not RESTNoResource")
	}
}

func TestRESTRoutesConcurrent(t *testing.T) {
	rt := mustRESTRoutes(t, "/pets/{id} GET", "/{proxy+} ANY")
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				if m, res := rt.Match("GET", "/pets/7"); res != RESTMatched || m.PathParams["id"] != "7" {
					t.Errorf("got %+v, %v", m, res)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestRESTRoutesMatchAllocs(t *testing.T) {
	rt := mustRESTRoutes(t, slices.DeleteFunc(slices.Clone(benchRESTSpecs), func(s string) bool { return strings.Contains(s, "+}") })...)
	for _, r := range [][2]string{{"GET", "/pets"}, {"GET", "/pets/dog/"}, {"POST", "/store/inventory"}, {"GET", "/nothing/here"}, {"DELETE", "/pets"}} {
		if n := testing.AllocsPerRun(100, func() { rt.Match(r[0], r[1]) }); n != 0 {
			t.Errorf("Match(%q, %q) allocates %v times, want 0", r[0], r[1], n)
		}
	}
	all := mustRESTRoutes(t, benchRESTSpecs...)
	for _, r := range [][2]string{{"GET", "/pets/dog"}, {"POST", "/files/a/b/c"}, {"GET", "/pets"}} {
		if n := testing.AllocsPerRun(100, func() {
			m, _ := all.MatchDeferred(r[0], r[1])
			m.Param("id")
		}); n != 0 {
			t.Errorf("MatchDeferred(%q, %q) and Param allocate %v times, want 0", r[0], r[1], n)
		}
	}
}

// checkDeferred checks MatchDeferred against Match's result m, res: the
// same match, every parameter by Param before and after LoadParams, and
// LoadParams' PathParams.
func checkDeferred(t testing.TB, rt *RESTRoutes, method, path string, m RESTMatch, res RESTMatchResult) {
	t.Helper()
	d, dres := rt.MatchDeferred(method, path)
	if dres != res || d.ResourcePath != m.ResourcePath || d.Method != m.Method || d.PathParams != nil {
		t.Fatalf("MatchDeferred(%q, %q) = %+v, %v; want Match's %+v, %v without PathParams", method, path, d, dres, m, res)
	}
	for _, loaded := range []bool{false, true} {
		for name, want := range m.PathParams {
			if got := d.Param(name); got != want {
				t.Fatalf("MatchDeferred(%q, %q).Param(%q) = %q (loaded %v); want %q", method, path, name, got, loaded, want)
			}
		}
		if got := d.Param("no such parameter"); got != "" {
			t.Fatalf("Param of a missing name = %q", got)
		}
		d.LoadParams()
	}
	if !maps.Equal(d.PathParams, m.PathParams) || (m.PathParams == nil) != (d.PathParams == nil) {
		t.Fatalf("MatchDeferred(%q, %q) then LoadParams: PathParams %v; want Match's %v", method, path, d.PathParams, m.PathParams)
	}
}

// naiveRESTMatch is an oracle: it lists every resource (listed or a
// prefix of one), keeps those whose template matches the path, orders them
// by specificity and takes the first with the method or ANY.
func naiveRESTMatch(resources []RESTResource, method, path string) (RESTMatch, RESTMatchResult) {
	type node struct {
		path    string
		segs    []string // template parts
		methods []string
	}
	nodes := map[string]*node{"/": {path: "/"}}
	for _, r := range resources {
		parts := strings.Split(r.Path, "/")[1:]
		if r.Path == "/" {
			parts = nil
		}
		for i := range parts {
			p := "/" + strings.Join(parts[:i+1], "/")
			if nodes[p] == nil {
				nodes[p] = &node{path: p, segs: parts[:i+1]}
			}
		}
		nodes[r.Path].methods = r.Methods
	}
	if path == "" {
		path = "/"
	}
	if path[0] != '/' {
		return RESTMatch{}, RESTNoResource
	}
	path = strings.TrimRight(path, "/")
	var segs []string
	if path != "" {
		segs = strings.Split(path[1:], "/")
	}
	kind := func(t string) int {
		switch {
		case strings.HasSuffix(t, "+}"):
			return 2
		case strings.HasPrefix(t, "{"):
			return 1
		}
		return 0
	}
	var cands []*node
	var cparams []map[string]string
	for _, n := range nodes {
		ps := map[string]string{}
		ok := true
		for i, t := range n.segs {
			if i >= len(segs) {
				ok = false
				break
			}
			name := strings.TrimSuffix(strings.Trim(t, "{}"), "+")
			switch kind(t) {
			case 2:
				ps[name] = strings.Join(segs[i:], "/")
			case 1:
				ok = segs[i] != ""
				ps[name] = segs[i]
			default:
				ok = segs[i] == t
			}
			if !ok || kind(t) == 2 {
				break
			}
		}
		if ok && (len(n.segs) == len(segs) || len(n.segs) > 0 && kind(n.segs[len(n.segs)-1]) == 2) {
			if len(ps) == 0 {
				ps = nil
			}
			cands = append(cands, n)
			cparams = append(cparams, ps)
		}
	}
	if len(cands) == 0 {
		return RESTMatch{}, RESTNoResource
	}
	idx := make([]int, len(cands))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		sa, sb := cands[a].segs, cands[b].segs
		for i := 0; i < len(sa) && i < len(sb); i++ {
			if ka, kb := kind(sa[i]), kind(sb[i]); ka != kb {
				return ka - kb
			}
		}
		return len(sb) - len(sa) // not reached for two distinct matches
	})
	valid := method != "ANY" && methodIndex(method) >= 0
	for _, i := range idx {
		if !valid {
			break
		}
		for _, key := range []string{method, "ANY"} {
			if slices.Contains(cands[i].methods, key) {
				return RESTMatch{ResourcePath: cands[i].path, Method: key, PathParams: cparams[i]}, RESTMatched
			}
		}
	}
	return RESTMatch{ResourcePath: cands[idx[0]].path}, RESTNoMethod
}

// rebuildRESTPath substitutes params into a resource path.
func rebuildRESTPath(resource string, params map[string]string) string {
	if resource == "/" {
		return ""
	}
	parts := strings.Split(resource[1:], "/")
	for i, p := range parts {
		if strings.HasPrefix(p, "{") {
			parts[i] = params[strings.TrimSuffix(strings.Trim(p, "{}"), "+")]
		}
	}
	return "/" + strings.Join(parts, "/")
}

var fuzzRESTSpecs = "/ GET\n/{proxy+} ANY\n/pets GET POST\n/pets/{id} GET DELETE\n/pets/dog ANY\n/users/me PATCH\n/users/{userId} GET\n/files/{p+} PUT\n/jobs OPTIONS"

func FuzzRESTRoutes(f *testing.F) {
	for _, s := range [][2]string{
		{"GET", "/"}, {"GET", ""}, {"GET", "//"}, {"POST", "/pets"}, {"GET", "/pets/"}, {"GET", "/pets/dog"},
		{"DELETE", "/pets/1"}, {"GET", "/users/me"}, {"PATCH", "/users/me"}, {"PUT", "/files/a//b/"},
		{"GET", "/files"}, {"HEAD", "/pets"}, {"GET", "/users/a%2Fb"}, {"GET", "//pets"}, {"TRACE", "/x"},
		{"ANY", "/x"}, {"GET", "pets"}, {"OPTIONS", "/jobs"}, {"GET", "/jobs"}, {"GET", "/a/b/c///"},
	} {
		f.Add(fuzzRESTSpecs, s[0], s[1])
	}
	f.Add("/a/{x}/c GET\n/{y}/b/c GET\n/a/b/{q+} POST", "GET", "/a/b/c")
	f.Add("/{a}/{b} GET\n/{a}/x ANY", "PUT", "/q/x")
	f.Add("/pets/{id} GET\n/pets/{name} GET", "GET", "/pets/1")
	f.Fuzz(func(t *testing.T, specs, method, path string) {
		resources := parseSpecs(strings.Split(specs, "\n"))
		rt, err := NewRESTRoutes(resources)
		if err != nil {
			var pe *ResourcePathError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, not a *ResourcePathError", err)
			}
			return
		}
		m, res := rt.Match(method, path)
		nm, nres := naiveRESTMatch(resources, method, path)
		if res != nres || m.ResourcePath != nm.ResourcePath || m.Method != nm.Method || !maps.Equal(m.PathParams, nm.PathParams) {
			t.Fatalf("Match(%q, %q) = %+v, %v; oracle %+v, %v", method, path, m, res, nm, nres)
		}
		checkDeferred(t, rt, method, path, m, res)
		if res != RESTMatched {
			return
		}
		if m.Method != method && m.Method != "ANY" {
			t.Fatalf("Method %q for request method %q", m.Method, method)
		}
		if path == "" {
			path = "/"
		}
		if got, want := rebuildRESTPath(m.ResourcePath, m.PathParams), strings.TrimRight(path, "/"); got != want {
			t.Fatalf("params %v of %q rebuild %q, want %q", m.PathParams, m.ResourcePath, got, want)
		}
	})
}

var benchRESTSpecs = []string{
	"/ GET", "/{proxy+} ANY", "/pets GET POST", "/pets/{petId} GET DELETE PUT", "/pets/{petId}/toys GET",
	"/pets/dog ANY", "/store/inventory GET", "/store/order POST", "/store/order/{orderId} GET DELETE",
	"/users GET POST", "/users/{username} GET PUT DELETE", "/users/login GET", "/users/logout GET",
}

func BenchmarkRESTMatch(b *testing.B) {
	rt := mustRESTRoutes(b, benchRESTSpecs...)
	for _, r := range []struct{ name, method, path string }{
		{"literal", "GET", "/store/inventory"},
		{"param", "GET", "/pets/42"},
		{"fallback-to-greedy", "PATCH", "/pets/42/toys"},
		{"greedy-deep", "GET", "/a/b/c/d/e/f"},
		{"fallback-from-literal", "DELETE", "/pets"},
		{"no-method", "TRACE", "/pets"},
	} {
		b.Run(r.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rt.Match(r.method, r.path)
			}
		})
	}
}

func ExampleRESTRoutes_Match() {
	routes, err := NewRESTRoutes([]RESTResource{
		{Path: "/users/me", Methods: []string{"PATCH"}},
		{Path: "/users/{userId}", Methods: []string{"GET"}},
		{Path: "/jobs", Methods: []string{"OPTIONS"}},
		{Path: "/{proxy+}", Methods: []string{"ANY"}},
	})
	if err != nil {
		panic(err)
	}
	for _, req := range [][2]string{{"GET", "/users/me"}, {"PATCH", "/users/me/"}, {"GET", "/jobs"}, {"GET", "/"}, {"DELETE", "/users/a%2Fb"}} {
		m, res := routes.Match(req[0], req[1])
		fmt.Println(res, m.Method, m.ResourcePath, m.PathParams)
	}
	// Output:
	// matched GET /users/{userId} map[userId:me]
	// matched PATCH /users/me map[]
	// matched ANY /{proxy+} map[proxy:jobs]
	// no method  / map[]
	// matched ANY /{proxy+} map[proxy:users/a%2Fb]
}
