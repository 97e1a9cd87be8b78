package rest

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/portico-gw/portico/config"
	"github.com/portico-gw/portico/integration"
	"github.com/portico-gw/portico/internal/jsonstr"
)

// This file is request validation (AWS's request validators and models,
// rest-apis.md §1.5): the models compiled once by New, the per-method
// validator, and validate, the one step the pipeline calls after the API
// key and usage plan checks and before the integration.

// builtinModels are the models every REST API has (AWS creates them with
// the API). A model of the same name in the configuration replaces one.
var builtinModels = map[string]string{
	"Empty": `{"type":"object","title":"Empty Schema"}`,
	"Error": `{"type":"object","properties":{"message":{"type":"string"}},"title":"Error Schema"}`,
}

// ModelURL is the URL by which a model of an API is named in another
// model's "$ref" (AWS's form).
func ModelURL(apiID, name string) string {
	return "https://apigateway.amazonaws.com/restapis/" + apiID + "/models/" + name
}

// compileModels compiles the API's models, the built-in ones included, as
// JSON Schema draft 4. Each is registered under its ModelURL first, so
// that models reference each other by that URL; nothing is loaded from
// the network or the file system. A model that is not JSON or not a
// valid schema is an error naming it.
func compileModels(apiID string, models []config.RestModel) (map[string]*jsonschema.Schema, error) {
	src := maps.Clone(builtinModels)
	for _, m := range models {
		src[m.Name] = m.Schema
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	c.UseLoader(noLoader{})
	names := slices.Sorted(maps.Keys(src))
	for _, name := range names {
		s := src[name]
		if strings.TrimSpace(s) == "" {
			s = "{}"
		}
		doc, err := jsonschema.UnmarshalJSON(strings.NewReader(s))
		if err != nil {
			return nil, fmt.Errorf("model %q: the schema is not JSON: %w", name, err)
		}
		if err := c.AddResource(ModelURL(apiID, name), doc); err != nil {
			return nil, fmt.Errorf("model %q: %w", name, err)
		}
	}
	out := make(map[string]*jsonschema.Schema, len(names))
	for _, name := range names {
		s, err := c.Compile(ModelURL(apiID, name))
		var bad *jsonschema.SchemaValidationError
		var ve *jsonschema.ValidationError
		switch {
		case errors.As(err, &bad) && errors.As(bad.Err, &ve): // one line instead of the library's tree
			return nil, fmt.Errorf("model %q is not a valid JSON Schema (draft 4): %s", name, validationDetail(ve))
		case err != nil:
			return nil, fmt.Errorf("model %q is not a valid JSON Schema (draft 4): %w", name, err)
		}
		out[name] = s
	}
	return out, nil
}

// noLoader refuses every URL that is not one of the API's models: schemas
// never reach the network or the file system.
type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, errors.New("only this API's models (https://apigateway.amazonaws.com/restapis/{apiId}/models/{name}) can be referenced")
}

// validator is a method's request validator with what it checks, ready
// to serve. A nil *validator checks nothing.
type validator struct {
	// params are the required method request parameters, sorted by their
	// whole key (method.request.header.h1 before
	// method.request.querystring.q1), the order AWS lists missing ones
	// in. Empty when the validator does not check parameters.
	params []requiredParam
	// models are the body's models by lower-case media type ("$default"
	// included); nil when the validator does not check the body.
	models map[string]*jsonschema.Schema
}

// requiredParam is one method.request.LOCATION.NAME: true.
type requiredParam struct{ location, name string }

// newValidator builds a method's validator; nil when the method has none
// or its validator checks nothing that the method declares.
func newValidator(m *config.RestMethod, validators map[string]config.RequestValidator, models map[string]*jsonschema.Schema) (*validator, error) {
	if m.RequestValidatorID == "" {
		return nil, nil
	}
	rv, ok := validators[m.RequestValidatorID]
	if !ok {
		return nil, fmt.Errorf("request validator %q not found", m.RequestValidatorID)
	}
	v := &validator{}
	if rv.ValidateRequestParameters {
		for _, key := range slices.Sorted(maps.Keys(m.RequestParameters)) {
			if !m.RequestParameters[key] {
				continue
			}
			location, name, ok := strings.Cut(strings.TrimPrefix(key, "method.request."), ".")
			if !ok || name == "" {
				return nil, fmt.Errorf("requestParameters %q: want method.request.LOCATION.NAME", key)
			}
			v.params = append(v.params, requiredParam{location, name})
		}
	}
	if rv.ValidateRequestBody && len(m.RequestModels) > 0 {
		v.models = make(map[string]*jsonschema.Schema, len(m.RequestModels))
		for ct, name := range m.RequestModels {
			s := models[name]
			if s == nil {
				return nil, fmt.Errorf("requestModels %q: model %q not found", ct, name)
			}
			v.models[strings.ToLower(strings.TrimSpace(ct))] = s
		}
	}
	if len(v.params) == 0 && v.models == nil {
		return nil, nil
	}
	return v, nil
}

// readsBody reports whether the validator needs the whole body.
func (v *validator) readsBody() bool { return v != nil && v.models != nil }

// validate runs the method's request validator: required parameters
// first, then the body. On failure it writes BAD_REQUEST_PARAMETERS or
// BAD_REQUEST_BODY and returns false.
func (a *API) validate(w http.ResponseWriter, q *request) bool {
	v := q.m.validator
	if v == nil {
		return true
	}
	if missing := v.missingParams(q); len(missing) > 0 {
		msg := "Missing required request parameters: [" + strings.Join(missing, ", ") + "]"
		a.failValidation(w, q, BadRequestParameters, msg, msg)
		return false
	}
	if detail, ok := v.checkBody(q); !ok {
		a.failValidation(w, q, BadRequestBody, "", detail)
		return false
	}
	return true
}

// failValidation writes a validation failure with its detail as
// $context.error.validationErrorString, escaped as the inside of a JSON
// string (as AWS's value is), so that a template may quote it.
func (a *API) failValidation(w http.ResponseWriter, q *request, typ ResponseType, message, detail string) {
	ec := a.errorContext(q, message, 0)
	ec.ValidationErrorString = string(jsonstr.AppendEscaped(nil, detail))
	a.gateway.Write(w, typ, ec)
}

// missingParams returns the names of the required parameters that are
// absent or blank (only white space), in the validator's order.
func (v *validator) missingParams(q *request) []string {
	var missing []string
	var query map[string][]string
	for _, p := range v.params {
		var values []string
		switch p.location {
		case "querystring", "multivaluequerystring":
			if query == nil {
				query = integration.ParseQuery(q.r.URL.RawQuery)
			}
			values = query[p.name]
			if p.location == "querystring" && len(values) > 0 {
				values = values[len(values)-1:] // the value a single-value reference reads
			}
		case "header", "multivalueheader":
			if strings.EqualFold(p.name, "Host") {
				values = []string{q.r.Host}
			} else {
				values = q.r.Header.Values(p.name)
			}
		case "path":
			if s, ok := q.match.PathParams[p.name]; ok {
				values = []string{s}
			}
		}
		if !slices.ContainsFunc(values, func(s string) bool { return strings.TrimSpace(s) != "" }) {
			missing = append(missing, p.name)
		}
	}
	return missing
}

// checkBody validates the body against the model of its Content-Type
// (absent means application/json), else the "$default" model; without
// either the body is not checked (AWS: a payload no model matches cannot
// be validated). An empty body is validated as {}. On failure it returns
// the detail.
func (v *validator) checkBody(q *request) (string, bool) {
	if v.models == nil {
		return "", true
	}
	mt := "application/json"
	if ct := q.r.Header.Get("Content-Type"); ct != "" {
		if t, _, err := mime.ParseMediaType(ct); err == nil {
			mt = t
		} else {
			mt = strings.ToLower(strings.TrimSpace(ct))
		}
	}
	s := v.models[mt]
	if s == nil {
		if s = v.models["$default"]; s == nil {
			return "", true
		}
	}
	body := q.body
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return "[the request body is not JSON]", false
	}
	if err := s.Validate(doc); err != nil {
		var ve *jsonschema.ValidationError
		if errors.As(err, &ve) {
			return validationDetail(ve), false
		}
		return "[the request body does not match the model]", false
	}
	return "", true
}

// detailPrinter prints the schema library's messages in English.
var detailPrinter = message.NewPrinter(language.English)

// maxDetails bounds how many violations a detail lists.
const maxDetails = 10

// validationDetail is the readable form of a schema violation for
// $context.error.validationErrorString: each violation (a leaf of the
// library's error tree) as "at 'POINTER': MESSAGE", where POINTER is the
// JSON Pointer of the offending value (empty for the whole body), joined with
// "; " inside brackets, in the order the library found them, at most
// maxDetails of them ("; ..." when there are more). Example:
// [at '/price': maximum: got 501, want 500; at '/type': value must be one
// of 'dog', 'cat', 'fish'].
func validationDetail(ve *jsonschema.ValidationError) string {
	var parts []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		switch e.ErrorKind.(type) {
		case *kind.Schema, *kind.Reference, *kind.Group:
			return // wrappers, no violation of their own
		}
		parts = append(parts, "at '"+instancePointer(e.InstanceLocation)+"': "+e.ErrorKind.LocalizedString(detailPrinter))
	}
	walk(ve)
	if len(parts) == 0 {
		return "[the request body does not match the model]"
	}
	more := ""
	if len(parts) > maxDetails {
		parts, more = parts[:maxDetails], "; ..."
	}
	return "[" + strings.Join(parts, "; ") + more + "]"
}

// instancePointer writes a JSON Pointer (RFC 6901) from its tokens.
func instancePointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1"))
	}
	return b.String()
}
