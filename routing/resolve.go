package routing

import (
	"errors"
	"net"
	"net/url"
	"strings"
)

// API is what the resolver knows of an API: its ID and stage names.
type API struct {
	ID     string
	Stages []string
}

// Style says how a request named its API.
type Style int

// Addressing styles, in the order they are tried.
const (
	ByHost      Style = iota + 1 // Host {apiId}.execute-api.{anything}
	ByPath                       // /_aws/execute-api/{apiId}/{stage}
	BySingleAPI                  // /{stage}, when exactly one API is configured
)

// Target is the API stage a request addresses.
type Target struct {
	APIID, Stage string
	// BasePath is the escaped path prefix that addressed the stage ("/dev",
	// "/_aws/execute-api/chat/dev"; "" for a $default stage).
	BasePath string
	// Rest is the escaped remainder after BasePath: "" or starting with "/".
	Rest  string
	Style Style
}

// Resolution errors, wrapped in *ResolveError.
var (
	ErrUnknownAPI   = errors.New("routing: unknown API")
	ErrUnknownStage = errors.New("routing: unknown stage")
	ErrNoStage      = errors.New("routing: no stage in path")
)

// ResolveError carries the names a resolution failed on.
type ResolveError struct {
	APIID, Stage string
	Err          error
}

func (e *ResolveError) Error() string {
	switch {
	case e.Stage != "":
		return e.Err.Error() + " " + e.Stage + " of API " + e.APIID
	case e.APIID != "":
		return e.Err.Error() + " " + e.APIID
	}
	return e.Err.Error()
}

func (e *ResolveError) Unwrap() error { return e.Err }

// Resolver maps requests to API stages. It is immutable and safe for
// concurrent use.
type Resolver struct {
	apis map[string]map[string]bool
	only string // the single API's ID, when there is exactly one
}

// NewResolver returns a resolver for apis.
func NewResolver(apis []API) *Resolver {
	r := &Resolver{apis: make(map[string]map[string]bool, len(apis))}
	for _, a := range apis {
		st := make(map[string]bool, len(a.Stages))
		for _, s := range a.Stages {
			st[s] = true
		}
		r.apis[a.ID] = st
	}
	if len(apis) == 1 {
		r.only = apis[0].ID
	}
	return r
}

const pathStylePrefix = "/_aws/execute-api/"

// Resolve finds the API stage for a request from its Host and raw (escaped)
// path. The order is: (custom domains, a later addition, go first), then the
// Host {apiId}.execute-api.*, then the path style
// /_aws/execute-api/{apiId}/{stage}, then /{stage} when one API is
// configured. A Host of the execute-api form always decides the API, even
// when the path also looks path-style.
func (r *Resolver) Resolve(host, rawPath string) (Target, error) {
	if id, ok := hostAPIID(host); ok {
		return r.stage(id, "", rawPath, ByHost)
	}
	if rest, ok := strings.CutPrefix(rawPath, pathStylePrefix); ok {
		id, tail, _ := strings.Cut(rest, "/")
		if tail != "" || strings.HasSuffix(rest, "/") {
			tail = "/" + tail
		}
		return r.stage(id, pathStylePrefix+id, tail, ByPath)
	}
	if r.only != "" {
		return r.stage(r.only, "", rawPath, BySingleAPI)
	}
	return Target{}, &ResolveError{Err: ErrUnknownAPI}
}

// stage resolves the stage segment at the start of rawPath (escaped), under
// the base prefix.
func (r *Resolver) stage(apiID, prefix, rawPath string, style Style) (Target, error) {
	stages, ok := r.apis[apiID]
	if !ok {
		return Target{}, &ResolveError{APIID: apiID, Err: ErrUnknownAPI}
	}
	p := strings.TrimPrefix(rawPath, "/")
	seg, rest, hasRest := strings.Cut(p, "/")
	if hasRest {
		rest = "/" + rest
	}
	name, err := url.PathUnescape(seg)
	if err != nil {
		name = seg
	}
	switch {
	case name != "" && stages[name]:
		return Target{APIID: apiID, Stage: name, BasePath: prefix + "/" + seg, Rest: rest, Style: style}, nil
	case stages["$default"]:
		rp := rawPath
		if rp == "" {
			rp = "/"
		}
		return Target{APIID: apiID, Stage: "$default", BasePath: prefix, Rest: rp, Style: style}, nil
	case name == "":
		return Target{}, &ResolveError{APIID: apiID, Err: ErrNoStage}
	}
	return Target{}, &ResolveError{APIID: apiID, Stage: name, Err: ErrUnknownStage}
}

// hostAPIID extracts {apiId} from a Host of the form {apiId}.execute-api.{anything}.
func hostAPIID(host string) (string, bool) {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(host)
	id, rest, ok := strings.Cut(host, ".")
	if !ok || id == "" || !strings.HasPrefix(rest, "execute-api.") {
		return "", false
	}
	return id, true
}
