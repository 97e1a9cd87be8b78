package rest

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/portico-gw/portico/config"
	"github.com/portico-gw/portico/integration"
	"github.com/portico-gw/portico/internal/jsonmodel"
	"github.com/portico-gw/portico/internal/jsonstr"
)

// This file is request validation (AWS's request validators and models,
// rest-apis.md §1.5): the models compiled once by New, the per-method
// validator, and validate, the one step the pipeline calls after the API
// key and usage plan checks and before the integration.

// compileModels compiles the API's models with the built-in ones
// (jsonmodel.Compile).
func compileModels(apiID string, models []config.RestModel) (map[string]*jsonschema.Schema, error) {
	schemas := make(map[string]string, len(models))
	for _, m := range models {
		schemas[m.Name] = m.Schema
	}
	return jsonmodel.Compile(apiID, schemas)
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
			if s, ok := q.pathParams()[p.name]; ok {
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
	mt := requestMediaType(q.r)
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
			return jsonmodel.Detail(ve), false
		}
		return "[the request body does not match the model]", false
	}
	return "", true
}
