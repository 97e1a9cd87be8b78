package routing

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// HTTP API routes (apigatewayv2 protocolType HTTP): which route key a
// request matches. Source: reference http-and-rest-apis.md §2.1 (APIGW-DG
// http-api-develop-routes.md). Rules marked "ours" are choices where AWS's
// behaviour is unverified; the tests pin each one.
//
// Candidates are the routes whose path template matches the request path and
// whose method is the request's method or ANY. The first of these wins:
//
//  1. A full match (no greedy segment). Among full matches the most
//     specific path template wins, compared segment by segment from the
//     left: at the first segment where two templates differ, a literal beats
//     a {param} ("GET /pets/dog/1" beats "GET /pets/dog/{id}", and
//     "GET /a/{x}" beats "GET /{y}/b" for /a/b). An exact method beats ANY
//     only between routes of the same template ("GET /pets" beats
//     "ANY /pets"); across templates the path decides, so for GET /pets/dog
//     "ANY /pets/dog" beats "GET /pets/{id}" (AWS: "the most specific
//     match").
//  2. A greedy match ({name+}), ranked the same way with the greedy segment
//     below a {param}: "/a/{x}/{p+}" beats "/a/{p+}" beats "/{p+}" for
//     /a/b/c. On the same template the exact method beats ANY
//     ("GET /{proxy+}" beats "ANY /{proxy+}": AWS's tiers "greedy with the
//     method", then "ANY /{proxy+}"). Ours: across templates the path
//     decides, as in 1, so "ANY /api/{proxy+}" beats "GET /{proxy+}" for
//     GET /api/x. A full match always beats a greedy one, even a greedy one
//     with a literal at an earlier segment ("GET /{x}/b" beats
//     "GET /a/{p+}" for /a/b).
//  3. "$default", when configured.
//  4. Nothing: the caller answers 404 {"message":"Not Found"}.
//
// Methods are compared exactly (case-sensitive). HEAD matches HEAD and ANY
// routes, never GET routes. A request method that no route key can name
// ("get", "TRACE") matches ANY routes only.
//
// Paths, as Match receives them (after the stage, escaped as received):
//   - "" reads as "/". A path that does not start with "/" matches only
//     $default.
//   - Trailing slash, ours (unverified on AWS, reference §2.1): it is
//     significant. "GET /items" does not match /items/; a route key cannot
//     end in "/" except the root "GET /", which matches "/" (and "") only.
//   - An empty segment ("//", or the last one of "/items/") matches no
//     literal and no {param}: only a greedy segment or $default takes it.
//   - {name} takes one non-empty segment. {name+} takes one or more
//     segments, the non-empty rest of the path: "/a/{proxy+}" matches
//     /a/b/c, /a/b/ and /a//b, never /a nor /a/ (reference §2.1: a greedy
//     segment does not match its parent).
//   - Literals are compared case-sensitively and percent-decoded on both
//     sides (ours): /p%65ts matches "GET /pets", /caf%C3%A9 matches
//     "GET /café"; %2F never splits a segment (/a%2Fb is the one segment
//     "a/b"). An escape that does not decode leaves its segment as written.
//   - Parameter values are percent-decoded (reference §2.1), "+" stays "+".
//     A greedy value is the rest of the path without its leading slash,
//     decoded as a whole (%2F becomes "/") with its trailing slash kept
//     (/a/b/ gives "b/"). A value whose escapes do not decode is kept as
//     written.
//
// Route keys are "$default" or "METHOD /path" with one space. Ours: two keys
// with the same method and the same template up to parameter names
// ("GET /pets/{id}" and "GET /pets/{name}", or "GET /%61" and "GET /a")
// conflict, since a request could not choose between them.

// HTTPRoutes is an HTTP API's route table. It is immutable after
// NewHTTPRoutes and safe for concurrent use. The package documentation
// gives the matching rules.
type HTTPRoutes struct {
	root       *httpNode
	hasDefault bool // a "$default" route exists
}

// HTTPMatch is the outcome of Match.
type HTTPMatch struct {
	// RouteKey is the matched key exactly as configured, e.g.
	// "GET /pets/{id}" or "$default".
	RouteKey string
	// PathParams maps parameter names to percent-decoded values; nil when
	// the route has no parameters. A greedy parameter holds the rest of the
	// path without its leading slash. MatchDeferred leaves it nil for
	// LoadParams.
	PathParams map[string]string

	// deferred is MatchDeferred's route and path, for Param and
	// LoadParams; nil after Match or without parameters.
	deferred *httpRoute
	path     string
}

// LoadParams fills in PathParams after MatchDeferred, as Match would have
// set them (nil when the route has none). It does nothing after Match, or
// when it already ran. It is not safe for concurrent use on one HTTPMatch.
func (m *HTTPMatch) LoadParams() {
	if m.deferred != nil && m.PathParams == nil {
		m.PathParams = m.deferred.pathParams(m.path)
	}
}

// Param returns the path parameter name as PathParams holds it, or would
// after LoadParams, and whether it is there. It allocates only to decode a
// percent-escaped value.
func (m *HTTPMatch) Param(name string) (value string, ok bool) {
	if m.PathParams != nil || m.deferred == nil {
		value, ok = m.PathParams[name]
		return value, ok
	}
	m.deferred.eachParam(m.path, func(n, raw string) {
		if n == name { // the last one wins, as in the map
			value, ok = unescapeSegment(raw), true
		}
	})
	return value, ok
}

// RouteKeyError is returned by NewHTTPRoutes for a route key it rejects.
type RouteKeyError struct {
	Key string // the route key as given
	Msg string
}

// Error returns the message, naming the key.
func (e *RouteKeyError) Error() string {
	return fmt.Sprintf("routing: route key %q: %s", e.Key, e.Msg)
}

// httpMethods are the methods a route key may name, ANY first.
var httpMethods = [...]string{"ANY", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}

const anyMethod = 0 // index of ANY in httpMethods

// methodIndex returns m's index in httpMethods, or -1.
func methodIndex(m string) int {
	for i, h := range httpMethods {
		if h == m {
			return i
		}
	}
	return -1
}

// httpNode is a node of the route trie: the template prefix that leads to it
// from the root, one segment per level.
type httpNode struct {
	literals map[string]*httpNode // next segment a literal, by its decoded text
	param    *httpNode            // next segment a {param}
	full     [len(httpMethods)]*httpRoute
	greedy   [len(httpMethods)]*httpRoute // next segment a {name+}, the last
}

// httpRoute is a parsed route key other than "$default".
type httpRoute struct {
	key    string
	segs   []routeSeg
	params int // number of segments that are parameters
}

type segKind uint8

const (
	segLiteral segKind = iota
	segParam
	segGreedy
)

// routeSeg is one segment of a path template.
type routeSeg struct {
	kind segKind
	text string // the percent-decoded literal, or the parameter name
}

// NewHTTPRoutes validates and indexes route keys: "$default" or
// "METHOD /path". METHOD is one of ANY GET POST PUT PATCH DELETE HEAD
// OPTIONS, upper case as AWS requires. The path starts with "/"; its
// segments are literals, {name} (a whole segment) or {name+} (greedy, the
// last segment only). Parameter names are non-empty, unique within a key
// and contain no "{", "}" or "+". Rejected: duplicate and conflicting keys,
// a trailing slash other than the root path "/", empty segments ("//"),
// braces inside a segment ("/a{b}"), whitespace, control characters, "?",
// "#" and invalid UTF-8 in the path. Errors are *RouteKeyError naming the
// offending key. NewHTTPRoutes does not retain keys.
func NewHTTPRoutes(keys []string) (*HTTPRoutes, error) {
	t := &HTTPRoutes{root: &httpNode{}}
	seen := make(map[string]bool, len(keys))
	for _, key := range keys {
		if seen[key] {
			return nil, &RouteKeyError{Key: key, Msg: "duplicate route key"}
		}
		seen[key] = true
		if key == "$default" {
			t.hasDefault = true
			continue
		}
		r, method, err := parseHTTPRouteKey(key)
		if err != nil {
			return nil, err
		}
		if err := t.root.insert(r, method); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// parseHTTPRouteKey parses "METHOD /path" and returns the route and the
// method's index in httpMethods.
func parseHTTPRouteKey(key string) (*httpRoute, int, error) {
	fail := func(format string, a ...any) (*httpRoute, int, error) {
		return nil, 0, &RouteKeyError{Key: key, Msg: fmt.Sprintf(format, a...)}
	}
	method, path, ok := strings.Cut(key, " ")
	if !ok {
		return fail(`want "$default" or "METHOD /path"`)
	}
	m := methodIndex(method)
	switch {
	case m < 0 && methodIndex(strings.ToUpper(method)) >= 0:
		return fail("method %q must be upper case", method)
	case m < 0:
		return fail("method %q is not one of %s", method, strings.Join(httpMethods[:], " "))
	case path == "" || path[0] != '/':
		return fail(`path %q does not start with "/"`, path)
	case !utf8.ValidString(path):
		return fail("path is not valid UTF-8")
	}
	for _, c := range path {
		if unicode.IsSpace(c) || unicode.IsControl(c) || c == '?' || c == '#' {
			return fail("invalid character %q in path", c)
		}
	}
	r := &httpRoute{key: key}
	if path == "/" {
		return r, m, nil
	}
	if strings.HasSuffix(path, "/") {
		return fail(`trailing slash (only the root path "/" may end in "/")`)
	}
	segs := strings.Split(path[1:], "/")
	r.segs = make([]routeSeg, 0, len(segs))
	for i, seg := range segs {
		if seg == "" {
			return fail(`empty path segment ("//")`)
		}
		if !strings.ContainsAny(seg, "{}") {
			r.segs = append(r.segs, routeSeg{kind: segLiteral, text: unescapeSegment(seg)})
			continue
		}
		if seg[0] != '{' || seg[len(seg)-1] != '}' {
			return fail("segment %q: a parameter is a whole segment, {name} or {name+}", seg)
		}
		name, kind := seg[1:len(seg)-1], segParam
		if n, ok := strings.CutSuffix(name, "+"); ok {
			name, kind = n, segGreedy
		}
		switch {
		case name == "":
			return fail("segment %q: empty parameter name", seg)
		case strings.ContainsAny(name, "{}+"):
			return fail("segment %q: invalid parameter name %q", seg, name)
		case kind == segGreedy && i != len(segs)-1:
			return fail("greedy parameter %q is not the last segment", seg)
		}
		for _, s := range r.segs {
			if s.kind != segLiteral && s.text == name {
				return fail("duplicate parameter name %q", name)
			}
		}
		r.segs = append(r.segs, routeSeg{kind: kind, text: name})
		r.params++
	}
	return r, m, nil
}

// insert adds r, of the method at index method, below n.
func (n *httpNode) insert(r *httpRoute, method int) error {
	slot := &n.full[method]
	for _, s := range r.segs {
		switch s.kind {
		case segLiteral:
			child := n.literals[s.text]
			if child == nil {
				if n.literals == nil {
					n.literals = make(map[string]*httpNode)
				}
				child = &httpNode{}
				n.literals[s.text] = child
			}
			n = child
		case segParam:
			if n.param == nil {
				n.param = &httpNode{}
			}
			n = n.param
		case segGreedy:
			slot = &n.greedy[method] // last segment
			continue
		}
		slot = &n.full[method]
	}
	if *slot != nil {
		return &RouteKeyError{Key: r.key, Msg: fmt.Sprintf("conflicts with %q (same method and path, parameter names aside)", (*slot).key)}
	}
	*slot = r
	return nil
}

// Match finds the route for method and path, the request path with the
// stage prefix already removed, still percent-encoded as received. ok is
// false when nothing matches (the caller answers 404 {"message":"Not
// Found"}). The package documentation gives the priority.
func (t *HTTPRoutes) Match(method, path string) (m HTTPMatch, ok bool) {
	m, ok = t.MatchDeferred(method, path)
	if m.deferred != nil {
		m.PathParams, m.deferred, m.path = m.deferred.pathParams(m.path), nil, ""
	}
	return m, ok
}

// MatchDeferred is Match without PathParams, which it leaves nil: the
// match's LoadParams fills them in, and Param reads one of them, so that a
// caller that needs none allocates nothing.
func (t *HTTPRoutes) MatchDeferred(method, path string) (m HTTPMatch, ok bool) {
	if path == "" {
		path = "/"
	}
	if path[0] == '/' {
		var r *httpRoute
		w := httpWalk{method: methodIndex(method), path: path}
		if path == "/" {
			r = w.pick(&t.root.full)
		} else if r = w.walk(t.root, 0); r == nil {
			r = w.greedy
		}
		if r != nil {
			m := HTTPMatch{RouteKey: r.key}
			if r.params > 0 {
				m.deferred, m.path = r, path
			}
			return m, true
		}
	}
	if t.hasDefault {
		return HTTPMatch{RouteKey: "$default"}, true
	}
	return HTTPMatch{}, false
}

// httpWalk is one Match's search of the trie.
type httpWalk struct {
	method int // index in httpMethods, or -1
	path   string
	greedy *httpRoute // the best greedy route found so far
}

// walk searches below n for the path after its first p bytes (p is at a
// "/" or the end) and returns the best full match. It visits templates in
// priority order, a literal before a {param} before a greedy segment at
// each level, so the first full match it finds is the best one, and so is
// the first greedy match, which it keeps in w.greedy for when there is no
// full match.
func (w *httpWalk) walk(n *httpNode, p int) *httpRoute {
	if p == len(w.path) {
		return w.pick(&n.full)
	}
	start := p + 1
	end := len(w.path)
	if i := strings.IndexByte(w.path[start:], '/'); i >= 0 {
		end = start + i
	}
	if seg := w.path[start:end]; seg != "" {
		if len(n.literals) > 0 {
			child := n.literals[seg]
			if strings.IndexByte(seg, '%') >= 0 {
				var buf [64]byte
				if b, ok := appendUnescaped(buf[:0], seg); ok {
					child = n.literals[string(b)] // the lookup does not allocate
				}
			}
			if child != nil {
				if r := w.walk(child, end); r != nil {
					return r
				}
			}
		}
		if n.param != nil {
			if r := w.walk(n.param, end); r != nil {
				return r
			}
		}
	}
	if w.greedy == nil && start < len(w.path) {
		w.greedy = w.pick(&n.greedy)
	}
	return nil
}

// appendUnescaped appends seg to b percent-decoded, as unescapeSegment
// decodes it but without allocating when b has room. ok is false when an
// escape is malformed; seg then stands as written.
func appendUnescaped(b []byte, seg string) (_ []byte, ok bool) {
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		if c == '%' {
			if i+2 >= len(seg) || !isHex(seg[i+1]) || !isHex(seg[i+2]) {
				return b, false
			}
			c = unhex(seg[i+1])<<4 | unhex(seg[i+2])
			i += 2
		}
		b = append(b, c)
	}
	return b, true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// pick returns the route of the request's method, else the ANY route.
func (w *httpWalk) pick(routes *[len(httpMethods)]*httpRoute) *httpRoute {
	if w.method > anyMethod && routes[w.method] != nil {
		return routes[w.method]
	}
	return routes[anyMethod]
}

// pathParams extracts r's parameters from path, which r matches; nil when r
// has none.
func (r *httpRoute) pathParams(path string) map[string]string {
	if r.params == 0 {
		return nil
	}
	params := make(map[string]string, r.params)
	r.eachParam(path, func(name, raw string) { params[name] = unescapeSegment(raw) })
	return params
}

// eachParam calls fn with each of r's parameters in path, which r matches,
// in order: its name and its value still escaped.
func (r *httpRoute) eachParam(path string, fn func(name, raw string)) {
	p := 0 // at the "/" before the next segment
	for _, s := range r.segs {
		start := p + 1
		if s.kind == segGreedy {
			fn(s.text, path[start:]) // decodes a multi-segment rest the same way
			break
		}
		end := len(path)
		if i := strings.IndexByte(path[start:], '/'); i >= 0 {
			end = start + i
		}
		if s.kind == segParam {
			fn(s.text, path[start:end])
		}
		p = end
	}
}
