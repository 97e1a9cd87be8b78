package rest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/portico-gw/portico/config"
	"github.com/portico-gw/portico/expr"
)

// mockIntegration is a MOCK integration: the gateway answers by itself,
// as REST APIs' CORS preflights do (a MOCK OPTIONS method whose
// integration response sets the Access-Control-Allow-* headers).
//
//   - The request template is chosen by the request's Content-Type
//     (absent: application/json); its statusCode (a JSON number) picks the
//     integration response. No template, or none with a statusCode, is
//     status 200 (Portico's choice). Templates are static text for now;
//     mapping templates (VTL) are issue #15.
//   - The integration response is the one whose selectionPattern matches
//     the status code as a whole string (Java-like whole match), else the
//     one without a pattern (the default); neither is
//     API_CONFIGURATION_ERROR.
//   - Its responseParameters set method.response.header.NAME from
//     'static', method.request.header|querystring|path.NAME,
//     stageVariables.NAME or context.NAME; its responseTemplates, chosen by
//     the Accept header, then application/json, then the first by name,
//     give the body and its Content-Type.
type mockIntegration struct {
	requestTemplates map[string]int // media type → statusCode (0: none)
	responses        []mockResponse // patterned first, in status order; the default last
}

type mockResponse struct {
	status    int
	pattern   *regexp.Regexp // nil for the default response
	headers   map[string]*expr.Template
	templates map[string]string
	// templateKeys are the templates' media types, sorted (pickTemplate).
	templateKeys []string
}

func newMockIntegration(in *config.RestIntegration, m *config.RestMethod) (*mockIntegration, error) {
	mi := &mockIntegration{requestTemplates: make(map[string]int, len(in.RequestTemplates))}
	for mt, tmpl := range in.RequestTemplates {
		var v struct {
			StatusCode json.Number `json:"statusCode"`
		}
		status := 0
		if json.Unmarshal([]byte(tmpl), &v) == nil && v.StatusCode != "" {
			n, err := strconv.Atoi(string(v.StatusCode))
			if err != nil || n < 100 || n > 599 {
				return nil, fmt.Errorf("requestTemplates[%q]: statusCode %s is not an HTTP status", mt, v.StatusCode)
			}
			status = n
		}
		mi.requestTemplates[strings.ToLower(mt)] = status
	}
	keys := make([]string, 0, len(in.IntegrationResponses))
	for k := range in.IntegrationResponses {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var def *mockResponse
	for _, k := range keys {
		ir := in.IntegrationResponses[k]
		status, err := strconv.Atoi(cmp.Or(ir.StatusCode, k))
		if err != nil || status < 100 || status > 599 {
			return nil, fmt.Errorf("integrationResponses[%q]: statusCode %q is not an HTTP status", k, ir.StatusCode)
		}
		resp := mockResponse{status: status, headers: make(map[string]*expr.Template, len(ir.ResponseParameters)), templates: ir.ResponseTemplates,
			templateKeys: slices.Sorted(maps.Keys(ir.ResponseTemplates))}
		for key, src := range ir.ResponseParameters {
			name, ok := strings.CutPrefix(key, "method.response.header.")
			if !ok || name == "" {
				return nil, fmt.Errorf("integrationResponses[%q].responseParameters: %q: want method.response.header.NAME", k, key)
			}
			t, err := expr.ParseParam(src, expr.MethodRequest)
			if err != nil {
				return nil, fmt.Errorf("integrationResponses[%q].responseParameters[%q]: %w", k, key, err)
			}
			resp.headers[name] = t
		}
		if ir.SelectionPattern == "" {
			if def != nil {
				return nil, fmt.Errorf("integrationResponses: %s and %s both have no selectionPattern", strconv.Itoa(def.status), k)
			}
			r := resp
			def = &r
			continue
		}
		if resp.pattern, err = regexp.Compile(`^(?:` + ir.SelectionPattern + `)$`); err != nil {
			return nil, fmt.Errorf("integrationResponses[%q].selectionPattern: %w", k, err)
		}
		mi.responses = append(mi.responses, resp)
	}
	if def != nil {
		mi.responses = append(mi.responses, *def)
	}
	return mi, nil
}

// serve answers the request.
func (mi *mockIntegration) serve(a *API, w http.ResponseWriter, q *request) {
	mt := "application/json"
	if ct := q.r.Header.Get("Content-Type"); ct != "" {
		if parsed, _, err := mime.ParseMediaType(ct); err == nil {
			mt = parsed
		}
	}
	status := mi.requestTemplates[mt]
	if status == 0 {
		status = http.StatusOK
	}
	code := strconv.Itoa(status)
	var chosen *mockResponse
	for i := range mi.responses {
		r := &mi.responses[i]
		if r.pattern == nil || r.pattern.MatchString(code) {
			chosen = r
			break
		}
	}
	if chosen == nil {
		a.log.Warn("no integration response matches the MOCK status", "request_id", q.requestID, "status", status)
		a.fail(w, q, APIConfigurationError, "")
		return
	}
	h := w.Header()
	scope := &methodScope{q: q, apiID: a.id}
	for name, t := range chosen.headers {
		if v, ok := t.Eval(scope); ok {
			h.Set(name, v)
		}
	}
	body, contentType := "", "application/json"
	if key := pickTemplate(chosen.templateKeys, q.r.Header.Get("Accept")); key != "" {
		body, contentType = chosen.templates[key], key
	}
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", contentType)
	}
	writeResponse(w, chosen.status, nil, []byte(body))
}

// methodScope resolves method.request.*, stageVariables.* and context.*
// references against a request.
type methodScope struct {
	q     *request
	apiID string
}

var _ expr.Scope = (*methodScope)(nil)

// Value implements expr.Scope.
func (s *methodScope) Value(ref *expr.Ref) (string, bool) {
	q := s.q
	if ref.Root != expr.Context {
		return requestValue(q.r, q.pathParams(), q.stage.vars, q.body, ref)
	}
	switch ref.Name {
	case "requestId":
		return q.requestID, true
	case "extendedRequestId":
		return q.apigwID, true
	case "apiId":
		return s.apiID, true
	case "stage":
		return q.stage.name, true
	case "resourcePath":
		return q.match.ResourcePath, true
	case "resourceId":
		return q.m.resourceID, true
	case "httpMethod":
		return q.r.Method, true
	case "identity.sourceIp":
		return sourceIPOf(q), true
	}
	return "", false
}

// requestValue resolves a method request reference (method.request.header,
// multivalueheader, querystring, multivaluequerystring, path, body) or a
// stage variable: single-value forms give the last value, as AWS's
// single-value maps hold; multi-value forms join with ",". r may be nil
// (no request: nothing resolves from it).
func requestValue(r *http.Request, pathParams, stageVars map[string]string, body []byte, ref *expr.Ref) (string, bool) {
	switch ref.Root {
	case expr.StageVariable:
		v, ok := stageVars[ref.Name]
		return v, ok
	case expr.RequestPath:
		v, ok := pathParams[ref.Name]
		return v, ok
	}
	if r == nil {
		return "", false
	}
	switch ref.Root {
	case expr.RequestHeader, expr.RequestMultiValueHeader:
		v := r.Header.Values(ref.Name)
		if len(v) == 0 {
			return "", false
		}
		if ref.Root == expr.RequestMultiValueHeader {
			return strings.Join(v, ","), true
		}
		return v[len(v)-1], true
	case expr.RequestQueryString, expr.RequestMultiValueQueryString:
		v := r.URL.Query()[ref.Name]
		if len(v) == 0 {
			return "", false
		}
		if ref.Root == expr.RequestMultiValueQueryString {
			return strings.Join(v, ","), true
		}
		return v[len(v)-1], true
	case expr.RequestBody:
		if ref.Path == nil {
			return string(body), true
		}
		return ref.Select(body)
	}
	return "", false
}
