package expr

import (
	"fmt"
	"strings"
)

// Root is what a reference reads.
type Root uint8

// The roots. One root has several spellings: $request.header.x (HTTP API
// mapping values), route.request.header.x (WebSocket requestParameters)
// and method.request.header.x (REST requestParameters) are all
// RequestHeader.
const (
	RequestHeader                       Root = iota + 1 // request.header.NAME
	RequestMultiValueHeader                             // request.multivalueheader.NAME
	RequestQueryString                                  // request.querystring.NAME
	RequestMultiValueQueryString                        // request.multivaluequerystring.NAME
	RequestPath                                         // request.path (Name ""), request.path.NAME
	RequestBody                                         // request.body, request.body.PATH
	ResponseHeader                                      // response.header.NAME
	ResponseBody                                        // response.body, response.body.PATH
	Context                                             // context.NAME
	StageVariable                                       // stageVariables.NAME
	IntegrationResponseStatus                           // integration.response.statuscode
	IntegrationResponseHeader                           // integration.response.header.NAME
	IntegrationResponseMultiValueHeader                 // integration.response.multivalueheader.NAME
)

// Ref is a parsed reference. It is immutable and safe for concurrent use.
type Ref struct {
	Root Root
	// Name is the header, query string parameter, path parameter, context
	// variable or stage variable name; "" for the whole path, a body and
	// the status code.
	Name string
	// Path is the JSON path into a body; nil for the whole body and for
	// other roots.
	Path *Path
	text string
}

// String returns the reference as written, without "$" or braces:
// "request.header.x", "route.request.body.a".
func (r *Ref) String() string { return r.text }

// Select returns the value r selects from body, a body root's reference:
// the whole body (present when not empty) or r.Path's text by the scalar
// text and null rules (doc.go).
func (r *Ref) Select(body []byte) (string, bool) {
	if r.Path == nil {
		return string(body), len(body) > 0
	}
	return r.Path.Text(body)
}

// Scope resolves references for one evaluation: a request as it arrived
// (and, for responses, the response). Implementations resolve body
// references with Ref.Select.
type Scope interface {
	// Value returns the value of ref; ok is false when it is absent.
	Value(ref *Ref) (value string, ok bool)
}

// rootName is one spelling of a root: its prefix and what follows.
type rootName struct {
	prefix string
	root   Root
	name   bool // a name follows; else the root stands alone or goes on with a path
}

// The spellings, as every form writes them after its namespace prefix
// ("request.", "route.request.", ...).
var (
	requestRoots = []rootName{
		{"header.", RequestHeader, true},
		{"multivalueheader.", RequestMultiValueHeader, true},
		{"querystring.", RequestQueryString, true},
		{"multivaluequerystring.", RequestMultiValueQueryString, true},
		{"path", RequestPath, false},
		{"body", RequestBody, false},
	}
	responseRoots = []rootName{
		{"header.", ResponseHeader, true},
		{"body", ResponseBody, false},
	}
	integrationResponseRoots = []rootName{
		{"statuscode", IntegrationResponseStatus, false},
		{"header.", IntegrationResponseHeader, true},
		{"multivalueheader.", IntegrationResponseMultiValueHeader, true},
	}
	// integrationResponseParamRoots are what REST responseParameters read
	// of an integration response: its headers and its body.
	integrationResponseParamRoots = []rootName{
		{"header.", IntegrationResponseHeader, true},
		{"multivalueheader.", IntegrationResponseMultiValueHeader, true},
		{"body", ResponseBody, false},
	}
)

// namespace is a prefix under which roots are spelled.
type namespace struct {
	prefix string
	roots  []rootName
}

var (
	nsRequest             = namespace{"request.", requestRoots}
	nsResponse            = namespace{"response.", responseRoots}
	nsRouteRequest        = namespace{"route.request.", requestRoots}
	nsMethodRequest       = namespace{"method.request.", requestRoots}
	nsIntegrationResponse = namespace{"integration.response.", integrationResponseRoots}
	// nsIntegrationResponseParams is the same prefix for REST
	// responseParameters values.
	nsIntegrationResponseParams = namespace{"integration.response.", integrationResponseParamRoots}
)

// parseRef parses ref (without "$" or braces) in the namespaces given;
// context.NAME and stageVariables.NAME are always known. On error it
// returns a message and the offset in ref.
func parseRef(ref string, spaces ...namespace) (*Ref, int, string) {
	if ref == "" {
		return nil, 0, "empty reference"
	}
	if name, ok := strings.CutPrefix(ref, "context."); ok {
		if !dottedName(name, "._") {
			return nil, len("context."), "context variable names hold letters, digits, . and _"
		}
		return &Ref{Root: Context, Name: name, text: ref}, 0, ""
	}
	if name, ok := strings.CutPrefix(ref, "stageVariables."); ok {
		if !dottedName(name, "_") {
			return nil, len("stageVariables."), "stage variable names hold letters, digits and _"
		}
		return &Ref{Root: StageVariable, Name: name, text: ref}, 0, ""
	}
	for _, ns := range spaces {
		rest, ok := strings.CutPrefix(ref, ns.prefix)
		if !ok {
			continue
		}
		off := len(ns.prefix)
		for _, rn := range ns.roots {
			tail, ok := strings.CutPrefix(rest, rn.prefix)
			if !ok {
				continue
			}
			r := &Ref{Root: rn.root, text: ref}
			off += len(rn.prefix)
			if rn.name {
				if msg := checkName(rn.root, tail); msg != "" {
					return nil, off, msg
				}
				r.Name = tail
				return r, 0, ""
			}
			switch rn.root {
			case RequestBody, ResponseBody:
				p, o, msg := parsePath(tail)
				if msg != "" {
					return nil, off + o, msg
				}
				r.Path = p
				return r, 0, ""
			case RequestPath:
				switch {
				case tail == "":
					return r, 0, ""
				case tail == ".":
					return nil, off, "empty path parameter name"
				case tail[0] == '.':
					r.Name = tail[1:]
					return r, 0, ""
				}
			case IntegrationResponseStatus:
				if tail == "" {
					return r, 0, ""
				}
			}
			return nil, off - len(rn.prefix), fmt.Sprintf("unknown source %s", ref)
		}
		return nil, off, fmt.Sprintf("unknown source %s", ref)
	}
	return nil, 0, "unknown source"
}

// checkName checks the name of a root that needs one.
func checkName(root Root, name string) string {
	switch root {
	case RequestHeader, RequestMultiValueHeader, ResponseHeader, IntegrationResponseHeader, IntegrationResponseMultiValueHeader:
		if !ValidHeaderName(name) {
			return fmt.Sprintf("%q is not a header name", name)
		}
	case RequestQueryString, RequestMultiValueQueryString:
		if name == "" {
			return "empty query string parameter name"
		}
	}
	return ""
}

// dottedName reports whether s is non-empty, holds only letters, digits and
// the bytes of extra, and has no empty dot-separated segment.
func dottedName(s, extra string) bool {
	if s == "" || strings.HasPrefix(s, ".") || strings.HasSuffix(s, ".") || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(extra, c) >= 0) {
			return false
		}
	}
	return true
}

// ValidHeaderName reports whether name is an RFC 9110 token, as a header
// name must be.
func ValidHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

// SyntaxError is returned by this package's parsers for text they cannot
// parse.
type SyntaxError struct {
	Expr   string // the text as given
	Offset int    // byte offset in Expr where the problem was found
	Msg    string
}

// Error returns the message, naming the text and the offset.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("expr: %q: offset %d: %s", e.Expr, e.Offset, e.Msg)
}

// fail returns a *SyntaxError.
func fail(s string, off int, format string, a ...any) error {
	return &SyntaxError{Expr: s, Offset: off, Msg: fmt.Sprintf(format, a...)}
}
