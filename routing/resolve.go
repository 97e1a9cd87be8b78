package routing

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// API is what a Resolver knows of an API: its ID and its stage names.
type API struct {
	ID     string
	Stages []string
}

// Style says how a request named its API.
type Style int

// Addressing styles, in the order Resolve tries them (custom domains, a
// later addition, will come first).
const (
	ByHost      Style = iota + 1 // Host {apiId}.execute-api.{anything}, path /{stage}/...
	ByPath                       // path /_aws/execute-api/{apiId}/{stage}/...
	BySingleAPI                  // path /{stage}/... on any host, when exactly one API is configured
)

// String returns the style's name: "host", "path" or "single-api".
func (s Style) String() string {
	switch s {
	case ByHost:
		return "host"
	case ByPath:
		return "path"
	case BySingleAPI:
		return "single-api"
	}
	return fmt.Sprintf("Style(%d)", int(s))
}

// Target is the API stage a data-plane request addresses. BasePath+Rest is
// always the raw path given to Resolve.
type Target struct {
	APIID, Stage string
	// BasePath is the escaped path prefix that addressed the stage, e.g.
	// "/dev" or "/_aws/execute-api/chat/dev"; callback URLs are built from
	// it. For the "$default" stage it holds no stage segment: "" (or
	// "/_aws/execute-api/{apiId}" in the path style).
	BasePath string
	// Rest is the remainder of the path after BasePath, "" or starting with
	// "/", kept escaped as in the raw path: "/@connections/abc%3D".
	Rest string
	// Style says how the API was found.
	Style Style
}

// Resolution errors, always wrapped in a *ResolveError that names the API
// and stage concerned.
var (
	// ErrUnknownAPI: the Host or path style names an API that is not
	// configured, or the request names no API and the resolver does not
	// hold exactly one.
	ErrUnknownAPI = errors.New("routing: unknown API")
	// ErrUnknownStage: the stage segment names no stage of the API, and the
	// API has no "$default" stage.
	ErrUnknownStage = errors.New("routing: unknown stage")
	// ErrNoStage: the path has no stage segment ("", "/", "//x", or the path
	// style ends after the API ID), and the API has no "$default" stage.
	ErrNoStage = errors.New("routing: no stage in path")
)

// ResolveError is the error Resolve returns. APIID is the API named by the
// request ("" when none was), Stage the decoded stage segment for
// ErrUnknownStage; Err is one of ErrUnknownAPI, ErrUnknownStage,
// ErrNoStage.
type ResolveError struct {
	APIID, Stage string
	Err          error
}

// Error returns the sentinel's text with the API and stage named, e.g.
// `routing: unknown stage "qa" of API "chat"`.
func (e *ResolveError) Error() string {
	switch {
	case e.Stage != "":
		return fmt.Sprintf("%v %q of API %q", e.Err, e.Stage, e.APIID)
	case e.APIID != "" && errors.Is(e.Err, ErrUnknownAPI):
		return fmt.Sprintf("%v %q", e.Err, e.APIID)
	case e.APIID != "":
		return fmt.Sprintf("%v of API %q", e.Err, e.APIID)
	}
	return e.Err.Error()
}

// Unwrap returns Err.
func (e *ResolveError) Unwrap() error { return e.Err }

// Resolver finds which API stage a data-plane request addresses. It is
// immutable after NewResolver and safe for concurrent use.
type Resolver struct {
	byID    map[string]*apiStages // exact API ID
	byLower map[string]*apiStages // lower-cased API ID, for Host matching
	single  *apiStages            // the only API, when exactly one is configured
}

type apiStages struct {
	id         string
	stages     map[string]bool // named stages, "$default" excluded
	hasDefault bool            // a "$default" stage exists
}

// NewResolver returns a resolver for apis. It copies what it needs and
// skips APIs without an ID. Later
// duplicates of an API ID add their stages to the first; when two IDs
// differ only in case, a Host (case-insensitive) that matches neither
// exactly resolves to the first of them.
func NewResolver(apis []API) *Resolver {
	r := &Resolver{byID: make(map[string]*apiStages, len(apis)), byLower: make(map[string]*apiStages, len(apis))}
	for _, a := range apis {
		if a.ID == "" {
			continue
		}
		st := r.byID[a.ID]
		if st == nil {
			st = &apiStages{id: a.ID, stages: make(map[string]bool, len(a.Stages))}
			r.byID[a.ID] = st
			if l := strings.ToLower(a.ID); r.byLower[l] == nil {
				r.byLower[l] = st
			}
		}
		for _, s := range a.Stages {
			if s == "$default" {
				st.hasDefault = true
			} else {
				st.stages[s] = true
			}
		}
	}
	if len(r.byID) == 1 {
		for _, st := range r.byID {
			r.single = st
		}
	}
	return r
}

// addressing lists the ways a request can name its API, in precedence
// order. Each reports whether it applies; the first that applies decides,
// even when it then fails. Custom domains (domainNames with API mappings
// and base paths) go at the head of this list when they come.
var addressing = [...]func(r *Resolver, host, rawPath string) (Target, bool, error){
	(*Resolver).byHost,
	(*Resolver).byPath,
	(*Resolver).bySingleAPI,
}

// Resolve finds the API stage for a request from its Host (r.Host, may
// include a port) and its raw escaped path (r.URL.EscapedPath()). The
// precedence is that of the package documentation: the Host
// {apiId}.execute-api.{anything}; then the path /_aws/execute-api/{apiId}/;
// then /{stage} when exactly one API is configured. Errors are
// *ResolveError wrapping ErrUnknownAPI, ErrUnknownStage or ErrNoStage.
func (r *Resolver) Resolve(host, rawPath string) (Target, error) {
	for _, match := range addressing {
		if t, ok, err := match(r, host, rawPath); ok {
			return t, err
		}
	}
	return Target{}, &ResolveError{Err: ErrUnknownAPI}
}

// byHost applies when the Host is {apiId}.execute-api.{anything}
// (case-insensitive, port ignored). The Host then decides the API, even
// when the path also looks path-style.
func (r *Resolver) byHost(host, rawPath string) (Target, bool, error) {
	id, ok := hostAPIID(host)
	if !ok {
		return Target{}, false, nil
	}
	api := r.byID[id]
	if api == nil {
		api = r.byLower[strings.ToLower(id)]
	}
	if api == nil {
		return Target{}, true, &ResolveError{APIID: id, Err: ErrUnknownAPI}
	}
	t, err := api.stage(rawPath, 0, ByHost)
	return t, true, err
}

const pathStylePrefix = "/_aws/execute-api/"

// byPath applies when the path starts with /_aws/execute-api/. The API ID
// segment is percent-decoded and compared exactly (case-sensitive).
func (r *Resolver) byPath(_, rawPath string) (Target, bool, error) {
	rest, ok := strings.CutPrefix(rawPath, pathStylePrefix)
	if !ok {
		return Target{}, false, nil
	}
	seg, _, _ := strings.Cut(rest, "/")
	id := unescapeSegment(seg)
	api := r.byID[id]
	if api == nil {
		return Target{}, true, &ResolveError{APIID: id, Err: ErrUnknownAPI}
	}
	t, err := api.stage(rawPath, len(pathStylePrefix)+len(seg), ByPath)
	return t, true, err
}

// bySingleAPI applies when exactly one API is configured.
func (r *Resolver) bySingleAPI(_, rawPath string) (Target, bool, error) {
	if r.single == nil {
		return Target{}, false, nil
	}
	t, err := r.single.stage(rawPath, 0, BySingleAPI)
	return t, true, err
}

// stage resolves the stage segment at the start of path, the raw path after
// its first baseLen bytes. A named stage matches its decoded segment exactly; otherwise
// "$default", when the API has it, takes the whole path. A path that is
// neither "" nor starts with "/" ("*") names no stage.
func (a *apiStages) stage(rawPath string, baseLen int, style Style) (Target, error) {
	path := rawPath[baseLen:]
	if path != "" && path[0] != '/' {
		return Target{}, &ResolveError{APIID: a.id, Err: ErrNoStage} // "*" and other non-paths
	}
	seg, rest := "", ""
	if path != "" {
		seg = path[1:]
		if i := strings.IndexByte(seg, '/'); i >= 0 {
			seg, rest = seg[:i], seg[i:]
		}
	}
	name := unescapeSegment(seg)
	if name != "" && a.stages[name] {
		return Target{APIID: a.id, Stage: name, BasePath: rawPath[:baseLen+1+len(seg)], Rest: rest, Style: style}, nil
	}
	if a.hasDefault {
		return Target{APIID: a.id, Stage: "$default", BasePath: rawPath[:baseLen], Rest: path, Style: style}, nil
	}
	if name == "" {
		return Target{}, &ResolveError{APIID: a.id, Err: ErrNoStage}
	}
	return Target{}, &ResolveError{APIID: a.id, Stage: name, Err: ErrUnknownStage}
}

// unescapeSegment percent-decodes one path segment; a malformed escape
// leaves it as it is (and so it names nothing a configuration can hold,
// unless a name contains "%" itself).
func unescapeSegment(seg string) string {
	if s, err := url.PathUnescape(seg); err == nil {
		return s
	}
	return seg
}

// hostAPIID returns {apiId} from a Host of the form
// {apiId}.execute-api.{anything}, port ignored, "execute-api" matched
// case-insensitively. The ID is returned as written.
func hostAPIID(host string) (string, bool) {
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		host = host[:i]
	}
	id, rest, ok := strings.Cut(host, ".")
	const label = "execute-api."
	if !ok || id == "" || len(rest) <= len(label) || !strings.EqualFold(rest[:len(label)], label) {
		return "", false
	}
	return id, true
}
