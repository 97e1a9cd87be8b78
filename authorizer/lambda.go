package authorizer

import (
	"bytes"
	"container/list"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/textproto"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/portico-gw/portico/integration"
)

// ErrInvalidLambdaConfig is wrapped by the errors of LambdaConfig.Validate
// and NewLambda.
var ErrInvalidLambdaConfig = errors.New("authorizer: invalid Lambda authorizer configuration")

// ErrLambdaFailure is wrapped by the errors of Lambda.Authorize when the
// authorizer function gave no decision: Invoke failed, or the answer is not
// a valid response. The mode answers 500.
var ErrLambdaFailure = errors.New("authorizer: Lambda authorizer failure")

const (
	// MaxLambdaTTL is the longest LambdaConfig.TTL (API Gateway: 3600 s).
	MaxLambdaTTL = time.Hour
	// maxCacheEntries bounds the answers a Lambda authorizer keeps.
	maxCacheEntries = 10000
	// unauthorizedMessage is the failure message that means 401 in payload
	// format 1.0.
	unauthorizedMessage = "Unauthorized"
)

// The types of Lambda authorizers (LambdaConfig.Type).
const (
	// TypeRequest is a REQUEST authorizer: the function gets the request
	// event and the identity sources' values.
	TypeRequest = "REQUEST"
	// TypeToken is a REST API TOKEN authorizer: the function gets one
	// header's value as authorizationToken, and nothing else of the request.
	TypeToken = "TOKEN"
)

// LambdaConfig configures a Lambda authorizer: REQUEST (HTTP, WebSocket and
// REST APIs) or TOKEN (REST APIs).
type LambdaConfig struct {
	// Type is TypeRequest or TypeToken. Empty means TypeRequest.
	Type string
	// Invoke calls the authorizer function with the event and returns its
	// raw result (the mode wires it to a Lambda ARN or a
	// Lambda-event-over-HTTP URL through package integration). A returned
	// error is a failure; see the package documentation for "Unauthorized".
	// Required.
	Invoke func(ctx context.Context, event []byte) ([]byte, error)
	// PayloadFormatVersion is "1.0" (REST-compatible REQUEST event and IAM
	// policy response; also what WebSocket $connect uses) or "2.0" (HTTP
	// APIs). Empty means "1.0".
	PayloadFormatVersion string
	// EnableSimpleResponses accepts {"isAuthorized": bool, "context": {...}}
	// instead of an IAM policy (2.0 only).
	EnableSimpleResponses bool
	// IdentitySources select the request values that must be present and
	// form the cache key: "$request.header.X" (case-insensitive),
	// "$request.querystring.X" (case-sensitive), "$context.X",
	// "$stageVariables.X", and the WebSocket forms
	// "route.request.header.X", "route.request.querystring.X",
	// "stageVariables.X", "context.X", and the REST API forms
	// "method.request.header.X", "method.request.querystring.X" (REST
	// APIs also use "stageVariables.X" and "context.X"; see
	// ParseV1IdentitySource). Empty means none: every request invokes the
	// function. A TOKEN authorizer needs exactly one, a header: its value
	// is the token.
	IdentitySources []string
	// IdentityValidationExpression, for a TOKEN authorizer, is a regular
	// expression (Go RE2 syntax) the whole token must match: a token that
	// does not is a 401 without invoking the function. Empty means no
	// check.
	IdentityValidationExpression string
	// TTL caches results per identity-source values
	// (authorizerResultTtlInSeconds). Zero disables caching; at most
	// MaxLambdaTTL; caching needs at least one identity source.
	TTL time.Duration
	// Now is the clock of the cache. Nil means time.Now.
	Now func() time.Time
}

// Validate reports whether c can build an authorizer: an Invoke function, a
// known type and payload format version, simple responses only with 2.0,
// identity sources of a known form, and a TTL from 0 to MaxLambdaTTL that
// is 0 when there is no identity source. A TOKEN authorizer needs payload
// format 1.0, exactly one identity source, a header, and an
// IdentityValidationExpression that compiles; a REQUEST authorizer has no
// IdentityValidationExpression. Its errors wrap ErrInvalidLambdaConfig.
func (c LambdaConfig) Validate() error {
	_, _, err := c.parse()
	return err
}

// parse validates c, parses its identity sources and compiles its
// identity validation expression (nil when none).
func (c LambdaConfig) parse() ([]identitySource, *regexp.Regexp, error) {
	sources, err := c.identitySources()
	if err != nil {
		return nil, nil, err
	}
	switch c.Type {
	case "", TypeRequest:
		if c.IdentityValidationExpression != "" {
			return nil, nil, fmt.Errorf("%w: an identity validation expression needs a TOKEN authorizer", ErrInvalidLambdaConfig)
		}
		return sources, nil, nil
	case TypeToken:
	default:
		return nil, nil, fmt.Errorf("%w: type %q is not REQUEST or TOKEN", ErrInvalidLambdaConfig, c.Type)
	}
	if c.PayloadFormatVersion == "2.0" {
		return nil, nil, fmt.Errorf("%w: a TOKEN authorizer has payload format version 1.0", ErrInvalidLambdaConfig)
	}
	if len(sources) != 1 || sources[0].kind != fromHeader {
		return nil, nil, fmt.Errorf("%w: a TOKEN authorizer needs exactly one identity source, a header (method.request.header.NAME)", ErrInvalidLambdaConfig)
	}
	if c.IdentityValidationExpression == "" {
		return sources, nil, nil
	}
	// Whole-string match, as Java's Pattern.matches that API Gateway's
	// expressions are written for.
	re, err := regexp.Compile(`^(?:` + c.IdentityValidationExpression + `)$`)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: identity validation expression %q: %w", ErrInvalidLambdaConfig, c.IdentityValidationExpression, err)
	}
	return sources, re, nil
}

// identitySources validates what c has in common for every type and
// parses its identity sources.
func (c LambdaConfig) identitySources() ([]identitySource, error) {
	if c.Invoke == nil {
		return nil, fmt.Errorf("%w: Invoke is required", ErrInvalidLambdaConfig)
	}
	switch c.PayloadFormatVersion {
	case "", "1.0":
		if c.EnableSimpleResponses {
			return nil, fmt.Errorf("%w: simple responses need payload format version 2.0", ErrInvalidLambdaConfig)
		}
	case "2.0":
	default:
		return nil, fmt.Errorf("%w: payload format version %q is not 1.0 or 2.0", ErrInvalidLambdaConfig, c.PayloadFormatVersion)
	}
	sources := make([]identitySource, 0, len(c.IdentitySources))
	for _, expr := range c.IdentitySources {
		s, err := parseIdentitySource(expr)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidLambdaConfig, err)
		}
		sources = append(sources, s)
	}
	switch {
	case c.TTL < 0:
		return nil, fmt.Errorf("%w: TTL %v is negative", ErrInvalidLambdaConfig, c.TTL)
	case c.TTL > MaxLambdaTTL:
		return nil, fmt.Errorf("%w: TTL %v is more than %v", ErrInvalidLambdaConfig, c.TTL, MaxLambdaTTL)
	case c.TTL > 0 && len(sources) == 0:
		return nil, fmt.Errorf("%w: caching (TTL %v) needs at least one identity source", ErrInvalidLambdaConfig, c.TTL)
	}
	return sources, nil
}

// Lambda is a REQUEST or TOKEN Lambda authorizer. It is safe for
// concurrent use and owns no goroutine, so it needs no closing.
type Lambda struct {
	invoke     func(ctx context.Context, event []byte) ([]byte, error)
	token      bool // a TOKEN authorizer
	v2         bool // payload format version 2.0
	simple     bool
	sources    []identitySource
	validation *regexp.Regexp // the TOKEN's identity validation expression; nil for none
	now        func() time.Time
	cache      *resultCache // nil when caching is off
}

// NewLambda validates cfg and returns an authorizer. It invokes nothing.
func NewLambda(cfg LambdaConfig) (*Lambda, error) {
	sources, validation, err := cfg.parse()
	if err != nil {
		return nil, err
	}
	l := &Lambda{
		invoke:     cfg.Invoke,
		token:      cfg.Type == TypeToken,
		v2:         cfg.PayloadFormatVersion == "2.0",
		simple:     cfg.EnableSimpleResponses,
		sources:    sources,
		validation: validation,
		now:        cfg.Now,
	}
	if l.now == nil {
		l.now = time.Now
	}
	if cfg.TTL > 0 {
		l.cache = &resultCache{ttl: cfg.TTL, max: maxCacheEntries, entries: make(map[string]*cacheEntry)}
	}
	return l, nil
}

// LambdaRequest is what the mode knows of the request.
type LambdaRequest struct {
	// Header holds the request's headers; names are matched
	// case-insensitively.
	Header http.Header
	// Query holds the query string parameters; names are case-sensitive.
	Query url.Values
	// Context holds the $context variables the mode offers, by name without
	// "$context." (routeKey, requestId, stage, connectionId,
	// identity.sourceIp, ...).
	Context map[string]string
	// StageVariables holds the stage's variables.
	StageVariables map[string]string
	// ARN is the methodArn (1.0) or routeArn (2.0):
	// arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}
	// for HTTP and REST APIs, .../{stage}/$connect for WebSocket.
	ARN string
	// Event is the request event the mode built in the authorizer's format
	// (see the package documentation); Authorize adds its keys to a copy
	// and never modifies it. Nil means an empty object. A TOKEN authorizer
	// ignores it and BuildEvent: its event is made of the token and ARN.
	Event map[string]any
	// BuildEvent, when Event is nil, builds it. It is called only when the
	// function is invoked, so that a cache hit costs no event.
	BuildEvent func() map[string]any
}

// LambdaResult is what an allowed request carries to its integration.
type LambdaResult struct {
	// PrincipalID is the policy's principalId; empty for simple responses.
	PrincipalID string
	// Context is the function's context: nil when it sent none. The map is
	// the caller's; values nested in it are shared and read-only.
	Context map[string]any
	// UsageIdentifierKey is a policy response's usageIdentifierKey: the API
	// key when the API takes its keys from the authorizer.
	UsageIdentifierKey string
	// Cached reports that the function was not invoked for this request:
	// its answer came from the cache, or from the invocation of a
	// concurrent request with the same identity values.
	Cached bool
}

// Authorize decides whether req may go on.
//
// It returns a result when the request is allowed. It returns a *Deny as
// the error (find it with errors.As) when it is not: 401 when an identity
// source is missing or empty, or a TOKEN does not match the identity
// validation expression (the function is not invoked), or, in payload
// format 1.0, when the function fails with "Unauthorized"; 403 for
// isAuthorized false or a policy that does not allow req.ARN. Any other
// error means no decision was made and the mode answers 500: it wraps
// ErrLambdaFailure when the function failed or answered something invalid,
// or ctx.Err() when ctx ended first.
func (l *Lambda) Authorize(ctx context.Context, req *LambdaRequest) (*LambdaResult, error) {
	values, deny := l.identityValues(req)
	if deny != nil {
		return nil, deny
	}
	if l.validation != nil && !l.validation.MatchString(values[0]) {
		return nil, &Deny{
			Status: http.StatusUnauthorized,
			Reason: fmt.Sprintf("the token in %s does not match the identity validation expression", l.sources[0].expr),
		}
	}
	if l.cache == nil {
		resp, err := l.call(ctx, req, values)
		if err != nil {
			return nil, err
		}
		return resp.decide(req.ARN, false)
	}

	key := cacheKey(values)
	for {
		e, invoke := l.cache.lookup(key, l.now())
		if invoke {
			resp, err := l.callFor(ctx, e, req, values)
			if err != nil {
				return nil, err
			}
			return resp.decide(req.ARN, false)
		}
		select {
		case <-e.done:
		case <-ctx.Done():
			return nil, fmt.Errorf("authorizer: waiting for the Lambda authorizer: %w", ctx.Err())
		}
		switch {
		case e.abandoned:
			continue // the invoking request went away: try again
		case e.err != nil:
			var d *Deny
			if errors.As(e.err, &d) {
				copied := *d
				return nil, &copied
			}
			return nil, e.err
		}
		return e.resp.decide(req.ARN, true)
	}
}

// callFor invokes the function for cache entry e, which this call created,
// and records the outcome in the cache, even if Invoke panics.
func (l *Lambda) callFor(ctx context.Context, e *cacheEntry, req *LambdaRequest, values []string) (resp *lambdaResponse, err error) {
	finished := false
	defer func() {
		if !finished {
			l.cache.finish(e, nil, fmt.Errorf("%w: the invocation panicked", ErrLambdaFailure), false, l.now())
		}
	}()
	resp, err = l.call(ctx, req, values)
	abandoned := err != nil && ctx.Err() != nil
	l.cache.finish(e, resp, err, abandoned, l.now())
	finished = true
	return resp, err
}

// call builds the event, invokes the function and parses its answer.
func (l *Lambda) call(ctx context.Context, req *LambdaRequest, values []string) (*lambdaResponse, error) {
	event, err := l.event(req, values)
	if err != nil {
		return nil, err
	}
	out, err := l.invoke(ctx, event)
	if err != nil {
		if !l.v2 && failedUnauthorized(err) {
			return nil, &Deny{Status: http.StatusUnauthorized, Reason: `the authorizer function failed with "Unauthorized"`}
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("authorizer: invoking the Lambda authorizer: %w", ctxErr)
		}
		return nil, fmt.Errorf("%w: invoking the function: %w", ErrLambdaFailure, err)
	}
	resp, err := parseLambdaResponse(out, l.v2, l.simple)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrLambdaFailure, err)
	}
	return resp, nil
}

// failedUnauthorized reports whether an Invoke error is the function
// failing with the message "Unauthorized": the errorMessage of an
// *integration.FunctionError's payload, or else the error's own text.
func failedUnauthorized(err error) bool {
	var fe *integration.FunctionError
	if errors.As(err, &fe) {
		var body map[string]any
		if json.Unmarshal(fe.Payload, &body) != nil {
			return false
		}
		msg, _ := body["errorMessage"].(string)
		return msg == unauthorizedMessage
	}
	return err.Error() == unauthorizedMessage
}

// event returns the JSON event: a copy of the mode's event with the keys
// Authorize owns set.
func (l *Lambda) event(req *LambdaRequest, values []string) ([]byte, error) {
	if l.token {
		return encodeEvent(map[string]any{"type": TypeToken, "authorizationToken": values[0], "methodArn": req.ARN})
	}
	base := req.Event
	if base == nil && req.BuildEvent != nil {
		base = req.BuildEvent()
	}
	ev := make(map[string]any, len(base)+4)
	maps.Copy(ev, base)
	ev["type"] = TypeRequest
	if l.v2 {
		ev["routeArn"] = req.ARN
		ev["identitySource"] = values // nil (JSON null) without identity sources
	} else {
		ev["methodArn"] = req.ARN
		var joined any // JSON null without identity sources
		if len(l.sources) > 0 {
			joined = strings.Join(values, ",")
		}
		ev["identitySource"] = joined
		ev["authorizationToken"] = joined
	}
	return encodeEvent(ev)
}

// encodeEvent writes an event as JSON without HTML escaping.
func encodeEvent(ev map[string]any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(ev); err != nil {
		return nil, fmt.Errorf("authorizer: encoding the Lambda authorizer event: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// sourceKind is where an identity source reads its value.
type sourceKind int

const (
	fromHeader sourceKind = iota
	fromQuery
	fromContext
	fromStageVariable
)

// identitySource is one parsed identity source.
type identitySource struct {
	expr string // as configured, for Deny.Reason
	kind sourceKind
	name string // the header (canonical form), parameter or variable name
}

// identitySourceForms are the accepted identity source prefixes.
var identitySourceForms = []struct {
	prefix string
	kind   sourceKind
}{
	{"$request.header.", fromHeader},
	{"$request.querystring.", fromQuery},
	{"$context.", fromContext},
	{"$stageVariables.", fromStageVariable},
	{"method.request.header.", fromHeader},
	{"method.request.querystring.", fromQuery},
	{"route.request.header.", fromHeader},
	{"route.request.querystring.", fromQuery},
	{"context.", fromContext},
	{"stageVariables.", fromStageVariable},
}

// parseIdentitySource parses one identity source expression.
func parseIdentitySource(expr string) (identitySource, error) {
	expr = strings.TrimSpace(expr)
	for _, f := range identitySourceForms {
		name, ok := strings.CutPrefix(expr, f.prefix)
		if !ok {
			continue
		}
		s := identitySource{expr: expr, kind: f.kind, name: name}
		switch {
		case f.kind == fromHeader && !isHeaderName(name):
			return s, fmt.Errorf("identity source %q: %q is not a header name", expr, name)
		case f.kind == fromStageVariable && !isStageVariableName(name):
			return s, fmt.Errorf("identity source %q: a stage variable name has only letters, digits and '_'", expr)
		case name == "" || strings.ContainsAny(name, " \t\r\n,"):
			return s, fmt.Errorf("identity source %q: the name is empty or holds blanks or commas", expr)
		}
		if f.kind == fromHeader {
			s.name = textproto.CanonicalMIMEHeaderKey(name)
		}
		return s, nil
	}
	return identitySource{}, fmt.Errorf("identity source %q is not $request.header.X, $request.querystring.X, $context.X, "+
		"$stageVariables.X, method.request.header.X, method.request.querystring.X, route.request.header.X, "+
		"route.request.querystring.X, context.X or stageVariables.X", expr)
}

// isHeaderName reports whether s is an HTTP token (RFC 9110 §5.6.2).
func isHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
		if !ok {
			return false
		}
	}
	return true
}

// isStageVariableName reports whether s is a valid stage variable name:
// letters, digits and underscores.
func isStageVariableName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// identityValues returns the value of each identity source, or a 401 *Deny
// naming the first one that is absent or empty.
func (l *Lambda) identityValues(req *LambdaRequest) ([]string, *Deny) {
	if len(l.sources) == 0 {
		return nil, nil
	}
	values := make([]string, len(l.sources))
	for i, s := range l.sources {
		v := s.value(req)
		if v == "" {
			return nil, &Deny{
				Status: http.StatusUnauthorized,
				Reason: fmt.Sprintf("identity source %s is missing or empty", s.expr),
			}
		}
		values[i] = v
	}
	return values, nil
}

// value returns the source's value in req, "" when it has none.
func (s identitySource) value(req *LambdaRequest) string {
	switch s.kind {
	case fromHeader:
		return joinNonEmpty(headerValues(req.Header, s.name))
	case fromQuery:
		return joinNonEmpty(req.Query[s.name])
	case fromContext:
		return req.Context[s.name]
	default:
		return req.StageVariables[s.name]
	}
}

// headerValues returns the values of the header canonical, looking for
// names in other cases too when h was not built with canonical keys.
func headerValues(h http.Header, canonical string) []string {
	if vs := h[canonical]; len(vs) > 0 {
		return vs
	}
	var names []string
	for name := range h {
		if strings.EqualFold(name, canonical) {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return nil
	}
	slices.Sort(names)
	var vs []string
	for _, name := range names {
		vs = append(vs, h[name]...)
	}
	return vs
}

// joinNonEmpty joins the non-empty values with commas.
func joinNonEmpty(values []string) string {
	switch len(values) {
	case 0:
		return ""
	case 1:
		return values[0]
	}
	var b strings.Builder
	for _, v := range values {
		if v == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(v)
	}
	return b.String()
}

// cacheKey encodes identity values without ambiguity: each value is
// preceded by its length.
func cacheKey(values []string) string {
	var b strings.Builder
	for _, v := range values {
		b.WriteString(strconv.Itoa(len(v)))
		b.WriteByte(':')
		b.WriteString(v)
	}
	return b.String()
}

// resultCache holds the function's answers by identity values, and the
// invocations under way.
type resultCache struct {
	ttl time.Duration
	max int // the most answers kept

	mu      sync.Mutex
	entries map[string]*cacheEntry // guarded by mu: completed answers and invocations under way
	order   list.List              // guarded by mu: the completed entries, oldest (soonest to expire) first
}

// cacheEntry is an invocation under way, then its answer.
type cacheEntry struct {
	key  string
	done chan struct{} // closed once the fields below are set

	// Set by the invoking call before done is closed; read-only after.
	resp      *lambdaResponse
	err       error
	abandoned bool // the invoking call's ctx ended before an answer

	// Guarded by resultCache.mu.
	expires time.Time
	elem    *list.Element // in order once completed and kept; nil while under way
	waiters int           // lookups that joined the invocation under way (tests watch it)
}

// lookup returns key's entry: a fresh answer or an invocation under way
// (invoke false: wait for e.done), or a new entry the caller must invoke
// for and finish (invoke true).
func (c *resultCache) lookup(key string, now time.Time) (e *cacheEntry, invoke bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[key]; ok {
		if e.elem == nil {
			e.waiters++
			return e, false
		}
		if now.Before(e.expires) {
			return e, false
		}
		c.removeLocked(e)
	}
	c.pruneLocked(now)
	e = &cacheEntry{key: key, done: make(chan struct{})}
	c.entries[key] = e
	return e, true
}

// finish records the outcome of e's invocation: an answer is kept until
// now+TTL, a failure is dropped. Then it wakes the waiters.
func (c *resultCache) finish(e *cacheEntry, resp *lambdaResponse, err error, abandoned bool, now time.Time) {
	e.resp, e.err, e.abandoned = resp, err, abandoned
	c.mu.Lock()
	if c.entries[e.key] == e {
		if err != nil {
			delete(c.entries, e.key)
		} else {
			e.expires = now.Add(c.ttl)
			e.elem = c.order.PushBack(e)
			c.pruneLocked(now)
		}
	}
	c.mu.Unlock()
	close(e.done)
}

// pruneLocked drops the expired answers, then the oldest ones while there
// are more than max. Answers are in order of arrival, and so of expiry: the
// expired ones are at the front. Invocations under way stay.
func (c *resultCache) pruneLocked(now time.Time) {
	for front := c.order.Front(); front != nil; front = c.order.Front() {
		e := front.Value.(*cacheEntry)
		if now.Before(e.expires) && c.order.Len() <= c.max {
			return
		}
		c.removeLocked(e)
	}
}

// removeLocked drops a completed entry.
func (c *resultCache) removeLocked(e *cacheEntry) {
	delete(c.entries, e.key)
	if e.elem != nil {
		c.order.Remove(e.elem)
		e.elem = nil
	}
}
