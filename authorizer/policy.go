package authorizer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"strings"
	"unicode/utf8"
)

// invokeAction is the action a request needs, lower-cased: IAM action
// names are case-insensitive.
const invokeAction = "execute-api:invoke"

// lambdaResponse is a valid answer of the authorizer function. It is
// read-only once parsed: cached answers are shared.
type lambdaResponse struct {
	simple      bool
	authorized  bool    // simple responses
	principalID string  // policy responses
	policy      *policy // policy responses
	context     map[string]any
	usageKey    string // usageIdentifierKey, policy responses
}

// decide applies the answer to a request for arn.
func (r *lambdaResponse) decide(arn string, cached bool) (*LambdaResult, error) {
	if r.simple {
		if !r.authorized {
			return nil, &Deny{Status: http.StatusForbidden, Reason: "the authorizer answered isAuthorized false"}
		}
	} else {
		switch r.policy.evaluate(arn) {
		case explicitDeny:
			return nil, &Deny{Status: http.StatusForbidden, Reason: fmt.Sprintf("the authorizer's policy explicitly denies %s", arn), Explicit: true}
		case implicitDeny:
			return nil, &Deny{Status: http.StatusForbidden, Reason: fmt.Sprintf("no statement of the authorizer's policy allows %s (implicit deny)", arn)}
		}
	}
	return &LambdaResult{PrincipalID: r.principalID, Context: maps.Clone(r.context), UsageIdentifierKey: r.usageKey, Cached: cached}, nil
}

// parseLambdaResponse reads the function's answer: a simple response when
// simple is set (2.0 only), else an IAM policy response. v2 allows any JSON
// value in context.
func parseLambdaResponse(payload []byte, v2, simple bool) (*lambdaResponse, error) {
	var top map[string]json.RawMessage
	if err := decodeJSON(payload, &top); err != nil {
		return nil, fmt.Errorf("the answer is not a JSON object: %w", err)
	}
	if top == nil {
		return nil, errors.New("the answer is null, not a JSON object")
	}
	r := &lambdaResponse{simple: simple}
	var err error
	if r.context, err = parseContext(top["context"], v2); err != nil {
		return nil, err
	}
	if simple {
		raw, ok := top["isAuthorized"]
		if !ok {
			return nil, errors.New("the simple response has no isAuthorized")
		}
		if err := decodeJSON(raw, &r.authorized); err != nil || isNull(raw) {
			return nil, fmt.Errorf("isAuthorized %s is not a boolean", clip(raw))
		}
		return r, nil
	}

	raw, ok := top["principalId"]
	if !ok {
		return nil, errors.New("the policy response has no principalId")
	}
	if err := decodeJSON(raw, &r.principalID); err != nil || isNull(raw) {
		return nil, fmt.Errorf("principalId %s is not a string", clip(raw))
	}
	raw, ok = top["policyDocument"]
	if !ok || isNull(raw) {
		return nil, errors.New("the policy response has no policyDocument")
	}
	if r.policy, err = parsePolicy(raw); err != nil {
		return nil, fmt.Errorf("policyDocument: %w", err)
	}
	if raw, ok := top["usageIdentifierKey"]; ok && !isNull(raw) {
		if err := decodeJSON(raw, &r.usageKey); err != nil {
			return nil, fmt.Errorf("usageIdentifierKey %s is not a string", clip(raw))
		}
	}
	return r, nil
}

// parseContext reads the answer's context: absent or null is none. In 1.0
// its values must be strings, numbers or booleans.
func parseContext(raw json.RawMessage, v2 bool) (map[string]any, error) {
	if raw == nil || isNull(raw) {
		return nil, nil
	}
	var ctx map[string]any
	if err := decodeJSON(raw, &ctx); err != nil {
		return nil, fmt.Errorf("context %s is not a JSON object", clip(raw))
	}
	if v2 {
		return ctx, nil
	}
	for k, v := range ctx {
		switch v.(type) {
		case string, json.Number, bool:
		default:
			return nil, fmt.Errorf("context value %q is %s: payload format 1.0 allows only strings, numbers and booleans", k, jsonKind(v))
		}
	}
	return ctx, nil
}

// decision is the outcome of evaluating a policy.
type decision int

const (
	implicitDeny decision = iota // no statement allows
	allowed
	explicitDeny
)

// policy is a parsed policyDocument.
type policy struct {
	statements []statement
}

// statement is one policy statement. Patterns are kept as written, actions
// lower-cased.
type statement struct {
	deny        bool
	actions     []string
	notAction   bool // actions came from NotAction
	resources   []string
	notResource bool // resources came from NotResource
	conditional bool // has a Condition, which cannot be evaluated
}

// evaluate applies IAM's rules for execute-api:Invoke on arn: an applicable
// Deny wins, else an applicable Allow allows, else the request is denied
// implicitly. Conditions fail closed.
func (p *policy) evaluate(arn string) decision {
	d := implicitDeny
	for _, s := range p.statements {
		if !s.applies(arn) {
			continue
		}
		if s.deny {
			return explicitDeny
		}
		if !s.conditional {
			d = allowed
		}
	}
	return d
}

// applies reports whether the statement covers execute-api:Invoke on arn.
func (s *statement) applies(arn string) bool {
	action := false
	for _, a := range s.actions {
		if matchWildcard(a, invokeAction) {
			action = true
			break
		}
	}
	if action == s.notAction {
		return false
	}
	resource := false
	for _, r := range s.resources {
		if matchWildcard(r, arn) {
			resource = true
			break
		}
	}
	return resource != s.notResource
}

// parsePolicy reads a policyDocument: an object whose Statement is an array
// of statements or a single one.
func parsePolicy(raw json.RawMessage) (*policy, error) {
	var doc map[string]json.RawMessage
	if err := decodeJSON(raw, &doc); err != nil || doc == nil {
		return nil, fmt.Errorf("%s is not a JSON object", clip(raw))
	}
	rawStatements, ok := doc["Statement"]
	if !ok || isNull(rawStatements) {
		return nil, errors.New("no Statement")
	}
	var list []map[string]json.RawMessage
	switch firstByte(rawStatements) {
	case '[':
		if err := decodeJSON(rawStatements, &list); err != nil {
			return nil, fmt.Errorf("Statement is not an array of objects: %w", err)
		}
	case '{':
		var one map[string]json.RawMessage
		if err := decodeJSON(rawStatements, &one); err != nil {
			return nil, fmt.Errorf("Statement: %w", err)
		}
		list = append(list, one)
	default:
		return nil, fmt.Errorf("Statement %s is not an array or an object", clip(rawStatements))
	}
	p := &policy{statements: make([]statement, 0, len(list))}
	for i, fields := range list {
		s, err := parseStatement(fields)
		if err != nil {
			return nil, fmt.Errorf("Statement %d: %w", i, err)
		}
		p.statements = append(p.statements, s)
	}
	return p, nil
}

// parseStatement reads one statement: Effect, Action or NotAction, Resource
// or NotResource, and whether it has a Condition.
func parseStatement(fields map[string]json.RawMessage) (statement, error) {
	var s statement
	if fields == nil {
		return s, errors.New("null is not a statement")
	}
	var effect string
	if err := decodeJSON(fields["Effect"], &effect); err != nil || isNull(fields["Effect"]) {
		return s, fmt.Errorf("Effect %s is not a string", clip(fields["Effect"]))
	}
	switch effect {
	case "Allow":
	case "Deny":
		s.deny = true
	default:
		return s, fmt.Errorf("Effect %q is not Allow or Deny", effect)
	}
	var err error
	if s.actions, s.notAction, err = stringOrList(fields, "Action", "NotAction"); err != nil {
		return s, err
	}
	for i, a := range s.actions {
		s.actions[i] = strings.ToLower(a)
	}
	if s.resources, s.notResource, err = stringOrList(fields, "Resource", "NotResource"); err != nil {
		return s, err
	}
	s.conditional = fields["Condition"] != nil && !isNull(fields["Condition"])
	return s, nil
}

// stringOrList reads exactly one of the elements name and notName, a string
// or an array of strings.
func stringOrList(fields map[string]json.RawMessage, name, notName string) (values []string, not bool, err error) {
	raw, has := fields[name]
	notRaw, hasNot := fields[notName]
	switch {
	case has && hasNot:
		return nil, false, fmt.Errorf("both %s and %s", name, notName)
	case hasNot:
		raw, name, not = notRaw, notName, true
	case !has:
		return nil, false, fmt.Errorf("no %s", name)
	}
	switch firstByte(raw) {
	case '"':
		var v string
		if err := decodeJSON(raw, &v); err != nil {
			return nil, false, fmt.Errorf("%s: %w", name, err)
		}
		return []string{v}, not, nil
	case '[':
		if err := decodeJSON(raw, &values); err != nil {
			return nil, false, fmt.Errorf("%s is not an array of strings", name)
		}
		if values == nil {
			values = []string{}
		}
		return values, not, nil
	}
	return nil, false, fmt.Errorf("%s %s is not a string or an array of strings", name, clip(raw))
}

// matchWildcard reports whether s matches pattern, where * stands for any
// run of characters (none included) and ? for one character; every other
// character stands for itself. It runs in O(len(pattern)·len(s)) at worst,
// without recursion.
func matchWildcard(pattern, s string) bool {
	p, n := 0, 0
	starP, starN := -1, 0 // after the last *, and where its match ends
	for n < len(s) {
		if p < len(pattern) {
			switch c := pattern[p]; {
			case c == '*':
				starP, starN = p+1, n
				p++
				continue
			case c == '?':
				_, w := utf8.DecodeRuneInString(s[n:])
				p, n = p+1, n+w
				continue
			case c == s[n]:
				p, n = p+1, n+1
				continue
			}
		}
		if starP < 0 {
			return false
		}
		// Let the last * absorb one more character and try again from there.
		_, w := utf8.DecodeRuneInString(s[starN:])
		starN += w
		p, n = starP, starN
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// decodeJSON decodes one JSON value, numbers as json.Number, refusing
// trailing data.
func decodeJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON value")
	}
	return nil
}

// isNull reports whether raw is the JSON null.
func isNull(raw json.RawMessage) bool {
	return string(bytes.TrimSpace(raw)) == "null"
}

// firstByte returns the first non-blank byte of raw, 0 for none.
func firstByte(raw json.RawMessage) byte {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if len(raw) == 0 {
		return 0
	}
	return raw[0]
}

// jsonKind names the JSON type of a decoded value.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return fmt.Sprintf("%T", v)
}

// clip renders raw JSON for an error message, shortened.
func clip(raw json.RawMessage) string {
	if raw == nil {
		return "(absent)"
	}
	s := string(bytes.TrimSpace(raw))
	if len(s) > 60 {
		s = s[:60] + "..."
	}
	return s
}
