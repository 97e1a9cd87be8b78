package routing

import (
	"fmt"
	"strings"
)

// REST API resources (apigateway v1): which resource and method of a
// deployed resource tree a request matches. Sources: reference
// http-and-rest-apis.md §2.2 (the tree, the (resource, method) fallback,
// ANY), §2.1 (trailing slash, a greedy part never matches its parent), §1.1
// (AWS-measured proxy event: trailing slash, empty segments and encoding of
// the path parameters) and rest-apis.md §1.1 (the path-part rule). Rules
// marked "ours" are choices where the reference is silent; the tests pin
// each one.
//
// The tree: every resource path names a node, and so does each of its
// prefixes (AWS creates a resource from its parent, so "/pets/{petId}"
// implies "/pets" and "/"). A prefix that was not listed is a resource
// without methods. A node has any number of literal children and at most
// one variable child, {name} or {name+}.
//
// Candidates are the resources whose path matches the request path, in this
// order, at each level from the left: the literal child, then the {name}
// child, then the {name+} child, which takes the rest of the path (a
// depth-first search: "/a/{x}/c" comes before "/{y}/b/c" for /a/b/c, and
// "/a/b/{q+}" before "/a/{p+}" for /a/b/c). Resolution is on the (resource,
// method) pair (§2.2): the first candidate that declares the request's
// method or ANY wins, its explicit method before its ANY. So:
//
//   - "/users/me" with PATCH only and "/users/{userId}" with GET: GET
//     /users/me is {userId} with userId=me;
//   - "/jobs" without methods (or OPTIONS only) and "/{proxy+}" with ANY:
//     GET /jobs is /{proxy+} with proxy=jobs;
//   - "ANY /pets/dog" beats "GET /pets/{id}" for GET /pets/dog: a more
//     specific candidate with ANY wins over a less specific one with the
//     exact method (§2.2: "most specific path wins only if it declares the
//     method (or ANY)").
//
// Results: RESTMatched; RESTNoMethod when some resource matches the path but
// no candidate has the method or ANY; RESTNoResource when no resource
// matches the path. AWS answers both misses with 403 {"message":"Missing
// Authentication Token"} (§2.2: never 404 or 405).
//
// Methods: ANY stands for DELETE, GET, HEAD, OPTIONS, PATCH, POST and PUT
// (§2.2) and for nothing else, so a request method outside those ("TRACE",
// "get", "ANY") matches no method. Methods are case-sensitive. HEAD does
// not fall back to GET (ours: AWS treats HEAD as a method of its own).
//
// Paths, as Match receives them (after the stage, escaped as received):
//   - "" reads as "/". A path that does not start with "/" matches no
//     resource.
//   - Trailing slashes are ignored for matching (§2.1: LocalStack strips
//     them with rstrip("/"), aws-sam-cli PR #1495 matches AWS): /pets/ and
//     /pets// match "/pets", and the greedy value loses them too (§1.1:
//     /proxy-value/ gives proxy=proxy-value).
//   - An empty segment ("//" inside the path) matches no literal and no
//     {name}; a greedy part takes it and keeps it (§1.1: proxy-value//x).
//   - {name} takes one non-empty segment; {name+} takes one or more, the
//     non-empty rest of the path without its leading slash: "/files/{p+}"
//     never matches /files nor /files/ (§2.1: "/{proxy+}" does not match
//     "/"; a parent needs its own methods).
//   - No decoding (§1.1, AWS-measured: path parameter values are not
//     URL-decoded, test%2Balias@gmail.com stays encoded): parameter values
//     are the path's bytes as received, and literals are compared with the
//     segment as received (ours, the same rule; /p%65ts does not match
//     "/pets"). A %2F never splits a segment: /a%2Fb is one segment.
//   - Literals are case-sensitive.
//
// Resource paths (rest-apis.md §1.1, the path-part rule): "/" or "/" and
// parts joined by "/"; a part is one or more of a-z A-Z 0-9 . _ - or a
// whole {name} or {name+} with such a name; {name+} is the last part. A
// parent has at most one variable child ("/pets/{id}" and "/pets/{name}"
// conflict, as do "/pets/{id}" and "/pets/{p+}"). Ours: a parameter name
// appears once per path. Duplicate paths, and a duplicate method on a
// resource, are errors.

// RESTRoutes is a REST API's resource tree, as deployed to a stage. It is
// immutable after NewRESTRoutes and safe for concurrent use.
type RESTRoutes struct {
	root *restNode
}

// RESTResource is one resource of a REST API and the methods it declares.
type RESTResource struct {
	// Path is the resource path: "/", "/pets", "/pets/{petId}",
	// "/files/{proxy+}".
	Path string
	// Methods are the methods declared on the resource, upper case: ANY,
	// DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT. It may be empty.
	Methods []string
}

// RESTMatch is what Match found.
type RESTMatch struct {
	// ResourcePath is the resource's path template, e.g. "/pets/{petId}"
	// (the proxy event's "resource"); with RESTNoMethod, the most specific
	// resource that matched the path.
	ResourcePath string
	// Method is the method key that matched: the request's method or "ANY".
	Method string
	// PathParams maps parameter names to their values as received (not
	// percent-decoded); nil when the resource has no parameters. A greedy
	// parameter holds the rest of the path without its leading slash and
	// without trailing slashes. MatchDeferred leaves it nil for LoadParams.
	PathParams map[string]string

	// deferred is MatchDeferred's resource and path, for Param and
	// LoadParams; nil after Match or without a match.
	deferred *restNode
	path     string // without trailing slashes
}

// LoadParams fills in PathParams after MatchDeferred, as Match would have
// set them (nil when the resource has none). It does nothing after Match,
// or when it already ran. It is not safe for concurrent use on one
// RESTMatch.
func (m *RESTMatch) LoadParams() {
	if m.deferred != nil && m.PathParams == nil {
		m.PathParams = m.deferred.pathParams(m.path)
	}
}

// Param returns the path parameter name as PathParams holds it, or would
// after LoadParams: "" when there is no such parameter. It does not
// allocate.
func (m *RESTMatch) Param(name string) string {
	if m.PathParams != nil || m.deferred == nil {
		return m.PathParams[name]
	}
	value := ""
	m.deferred.eachParam(m.path, func(n, v string) bool {
		if n == name {
			value = v
			return false
		}
		return true
	})
	return value
}

// RESTMatchResult says whether and how Match failed.
type RESTMatchResult uint8

// Match results. AWS answers both misses with 403 {"message":"Missing
// Authentication Token"}; the two are told apart for logs.
const (
	RESTNoResource RESTMatchResult = iota // no resource matches the path
	RESTNoMethod                          // resources match the path, but none declares the method or ANY
	RESTMatched                           // a resource and method matched
)

// String returns "matched", "no resource" or "no method".
func (r RESTMatchResult) String() string {
	switch r {
	case RESTMatched:
		return "matched"
	case RESTNoMethod:
		return "no method"
	case RESTNoResource:
		return "no resource"
	}
	return fmt.Sprintf("RESTMatchResult(%d)", uint8(r))
}

// ResourcePathError is returned by NewRESTRoutes for a resource it rejects.
type ResourcePathError struct {
	Path string // the resource path as given
	Msg  string
}

// Error returns the message, naming the path.
func (e *ResourcePathError) Error() string {
	return fmt.Sprintf("routing: resource path %q: %s", e.Path, e.Msg)
}

// restNode is a resource: one node of the tree.
type restNode struct {
	path     string     // the resource path, e.g. "/pets/{petId}"
	segs     []routeSeg // its parts
	params   int        // how many of segs are variables
	listed   bool       // given to NewRESTRoutes (not only a prefix of one)
	methods  [len(httpMethods)]bool
	literals map[string]*restNode
	variable *restNode // the {name} or {name+} child
}

// NewRESTRoutes validates resources and builds their tree. Errors are
// *ResourcePathError naming the offending path. The rules are in
// restroutes.go and the package documentation. NewRESTRoutes does not
// retain resources.
func NewRESTRoutes(resources []RESTResource) (*RESTRoutes, error) {
	t := &RESTRoutes{root: &restNode{path: "/"}}
	for _, res := range resources {
		segs, err := parseResourcePath(res.Path)
		if err != nil {
			return nil, err
		}
		n, err := t.root.insert(res.Path, segs)
		if err != nil {
			return nil, err
		}
		if n.listed {
			return nil, &ResourcePathError{Path: res.Path, Msg: "duplicate resource"}
		}
		n.listed = true
		for _, m := range res.Methods {
			i := methodIndex(m)
			switch {
			case i < 0 && methodIndex(strings.ToUpper(m)) >= 0:
				return nil, &ResourcePathError{Path: res.Path, Msg: fmt.Sprintf("method %q must be upper case", m)}
			case i < 0:
				return nil, &ResourcePathError{Path: res.Path, Msg: fmt.Sprintf("method %q is not one of %s", m, strings.Join(httpMethods[:], " "))}
			case n.methods[i]:
				return nil, &ResourcePathError{Path: res.Path, Msg: fmt.Sprintf("duplicate method %q", m)}
			}
			n.methods[i] = true
		}
	}
	return t, nil
}

// parseResourcePath checks path against the path-part rule and returns its
// parts (none for "/").
func parseResourcePath(path string) ([]routeSeg, error) {
	fail := func(format string, a ...any) ([]routeSeg, error) {
		return nil, &ResourcePathError{Path: path, Msg: fmt.Sprintf(format, a...)}
	}
	if path == "" || path[0] != '/' {
		return fail(`does not start with "/"`)
	}
	if path == "/" {
		return nil, nil
	}
	if strings.HasSuffix(path, "/") {
		return fail(`trailing slash (only the root "/" ends in "/")`)
	}
	parts := strings.Split(path[1:], "/")
	segs := make([]routeSeg, 0, len(parts))
	for i, part := range parts {
		if part == "" {
			return fail(`empty path part ("//")`)
		}
		if part[0] != '{' {
			if !isPathPartName(part) {
				return fail("path part %q: only a-zA-Z0-9._- and a whole {name} or {name+} are allowed", part)
			}
			segs = append(segs, routeSeg{kind: segLiteral, text: part})
			continue
		}
		name, ok := strings.CutSuffix(part[1:], "}")
		if !ok {
			return fail("path part %q: a variable is a whole part, {name} or {name+}", part)
		}
		kind := segParam
		if n, ok := strings.CutSuffix(name, "+"); ok {
			name, kind = n, segGreedy
		}
		switch {
		case !isPathPartName(name):
			return fail("path part %q: a variable name is one or more of a-zA-Z0-9._-", part)
		case kind == segGreedy && i != len(parts)-1:
			return fail("greedy path part %q is not the last", part)
		}
		for _, s := range segs {
			if s.kind != segLiteral && s.text == name {
				return fail("duplicate variable name %q", name)
			}
		}
		segs = append(segs, routeSeg{kind: kind, text: name})
	}
	return segs, nil
}

// isPathPartName reports whether s is one or more of a-zA-Z0-9._-.
func isPathPartName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// insert finds or creates the node of path, whose parts are segs, below
// the root n, creating its prefixes as resources without methods.
func (n *restNode) insert(path string, segs []routeSeg) (*restNode, error) {
	for i, s := range segs {
		if s.kind == segLiteral {
			child := n.literals[s.text]
			if child == nil {
				if n.literals == nil {
					n.literals = make(map[string]*restNode)
				}
				child = newRESTNode(segs[:i+1])
				n.literals[s.text] = child
			}
			n = child
			continue
		}
		if v := n.variable; v != nil {
			last := v.segs[len(v.segs)-1]
			if last != s {
				return nil, &ResourcePathError{Path: path, Msg: fmt.Sprintf("%q already has the variable child %q (one variable path part per parent)", n.path, v.path)}
			}
		} else {
			n.variable = newRESTNode(segs[:i+1])
		}
		n = n.variable
	}
	return n, nil
}

// newRESTNode returns the node of the resource whose parts are segs.
func newRESTNode(segs []routeSeg) *restNode {
	var b strings.Builder
	n := &restNode{segs: segs[:len(segs):len(segs)]}
	for _, s := range segs {
		b.WriteByte('/')
		switch s.kind {
		case segLiteral:
			b.WriteString(s.text)
		case segParam:
			b.WriteString("{" + s.text + "}")
			n.params++
		case segGreedy:
			b.WriteString("{" + s.text + "+}")
			n.params++
		}
	}
	n.path = b.String()
	return n
}

// Match finds the resource and method for a request: method as received,
// path after the stage prefix, still percent-encoded as received. The
// result is RESTMatched, RESTNoMethod (m.ResourcePath is then the most
// specific resource that matched the path) or RESTNoResource. Match does
// not allocate unless the resource has parameters.
func (t *RESTRoutes) Match(method, path string) (RESTMatch, RESTMatchResult) {
	m, result := t.MatchDeferred(method, path)
	if m.deferred != nil {
		m.PathParams, m.deferred, m.path = m.deferred.pathParams(m.path), nil, ""
	}
	return m, result
}

// MatchDeferred is Match without PathParams, which it leaves nil: the
// match's LoadParams fills them in, and Param reads one of them, so that a
// caller that needs none allocates nothing.
func (t *RESTRoutes) MatchDeferred(method, path string) (RESTMatch, RESTMatchResult) {
	if path == "" {
		path = "/"
	}
	if path[0] != '/' {
		return RESTMatch{}, RESTNoResource
	}
	path = strings.TrimRight(path, "/") // "/" becomes "", the root
	w := restWalk{method: methodIndex(method), path: path}
	if w.method == anyMethod {
		w.method = -1 // "ANY" is no request method
	}
	n, key := w.walk(t.root, 0)
	if n == nil {
		if w.first == nil {
			return RESTMatch{}, RESTNoResource
		}
		return RESTMatch{ResourcePath: w.first.path}, RESTNoMethod
	}
	return RESTMatch{ResourcePath: n.path, Method: httpMethods[key], deferred: n, path: path}, RESTMatched
}

// restWalk is one Match's search of the tree.
type restWalk struct {
	method int    // index in httpMethods, or -1
	path   string // without trailing slashes
	first  *restNode
}

// walk searches below n for the path after its first p bytes (p is at a
// "/" or the end) and returns the first candidate, in priority order, that
// declares the method or ANY, with the index of the key that matched. It
// records the first candidate in w.first.
func (w *restWalk) walk(n *restNode, p int) (*restNode, int) {
	if p == len(w.path) {
		return w.pick(n)
	}
	start := p + 1
	end := len(w.path)
	if i := strings.IndexByte(w.path[start:], '/'); i >= 0 {
		end = start + i
	}
	if seg := w.path[start:end]; seg != "" {
		if child := n.literals[seg]; child != nil {
			if r, k := w.walk(child, end); r != nil {
				return r, k
			}
		}
		if v := n.variable; v != nil && v.segs[len(v.segs)-1].kind == segParam {
			if r, k := w.walk(v, end); r != nil {
				return r, k
			}
		}
	}
	// A greedy child takes the rest, which is not empty here: p < len(path)
	// and the path has no trailing slash.
	if v := n.variable; v != nil && v.segs[len(v.segs)-1].kind == segGreedy {
		return w.pick(v)
	}
	return nil, 0
}

// pick returns n and the index of the request's method if n declares it,
// else of ANY if n declares that; else nil. It records the first candidate.
func (w *restWalk) pick(n *restNode) (*restNode, int) {
	if w.first == nil {
		w.first = n
	}
	switch {
	case w.method < 0:
		return nil, 0
	case n.methods[w.method]:
		return n, w.method
	case n.methods[anyMethod]:
		return n, anyMethod
	}
	return nil, 0
}

// pathParams extracts n's parameters from path, which n matches and which
// has no trailing slash; nil when n has none.
func (n *restNode) pathParams(path string) map[string]string {
	if n.params == 0 {
		return nil
	}
	params := make(map[string]string, n.params)
	n.eachParam(path, func(name, value string) bool {
		params[name] = value
		return true
	})
	return params
}

// eachParam calls fn with each of n's parameters in path, which n matches
// and which has no trailing slash, left to right, until fn returns false.
func (n *restNode) eachParam(path string, fn func(name, value string) bool) {
	p := 0 // at the "/" before the next segment
	for _, s := range n.segs {
		start := p + 1
		if s.kind == segGreedy {
			fn(s.text, path[start:])
			return
		}
		end := len(path)
		if i := strings.IndexByte(path[start:], '/'); i >= 0 {
			end = start + i
		}
		if s.kind == segParam && !fn(s.text, path[start:end]) {
			return
		}
		p = end
	}
}
