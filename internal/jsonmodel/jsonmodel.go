// Package jsonmodel compiles a REST API's models, JSON Schema draft 4
// documents (github.com/santhosh-tekuri/jsonschema/v6), and writes schema
// violations as one readable line. config calls Compile to report a bad
// model with its position in the file; package rest compiles the models
// it validates request bodies with. Nothing is loaded from the network or
// the file system: models refer to each other by URL only.
//
// Its functions are pure; a compiled *jsonschema.Schema is safe for
// concurrent use.
package jsonmodel

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Builtins are the models every REST API has (AWS creates them with the
// API), by name. An API's model of the same name replaces one.
var Builtins = map[string]string{
	"Empty": `{"type":"object","title":"Empty Schema"}`,
	"Error": `{"type":"object","properties":{"message":{"type":"string"}},"title":"Error Schema"}`,
}

// URL is the URL by which a model of an API is named in another model's
// "$ref" (AWS's form).
func URL(apiID, name string) string {
	return "https://apigateway.amazonaws.com/restapis/" + apiID + "/models/" + name
}

// Error is a model that does not compile.
type Error struct {
	Model string // the model's name
	Err   error
}

func (e *Error) Error() string { return fmt.Sprintf("model %q %v", e.Model, e.Err) }

func (e *Error) Unwrap() error { return e.Err }

// Compile compiles schemas (by model name; "" means {}) with the
// Builtins, as JSON Schema draft 4. Each is registered under its URL
// first, so that models refer to each other by that URL; every other
// reference is refused. The first model that is not JSON or not a valid
// schema, in name order, is an *Error.
func Compile(apiID string, schemas map[string]string) (map[string]*jsonschema.Schema, error) {
	src := maps.Clone(Builtins)
	maps.Copy(src, schemas)
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
			return nil, &Error{name, fmt.Errorf("is not JSON: %w", err)}
		}
		if err := c.AddResource(URL(apiID, name), doc); err != nil {
			return nil, &Error{name, err}
		}
	}
	out := make(map[string]*jsonschema.Schema, len(names))
	for _, name := range names {
		s, err := c.Compile(URL(apiID, name))
		var bad *jsonschema.SchemaValidationError
		var ve *jsonschema.ValidationError
		switch {
		case errors.As(err, &bad) && errors.As(bad.Err, &ve): // one line instead of the library's tree
			// The invalid schema may be one that name refers to.
			if other, ok := strings.CutPrefix(bad.URL, URL(apiID, "")); ok {
				if other, _, _ = strings.Cut(other, "#"); src[other] != "" {
					name = other
				}
			}
			return nil, &Error{name, fmt.Errorf("is not a valid JSON Schema (draft 4): %s", Detail(ve))}
		case err != nil:
			return nil, &Error{name, fmt.Errorf("is not a valid JSON Schema (draft 4): %w", err)}
		}
		out[name] = s
	}
	return out, nil
}

// noLoader refuses every URL that is not one of the API's models.
type noLoader struct{}

func (noLoader) Load(string) (any, error) {
	return nil, errors.New("only this API's models (https://apigateway.amazonaws.com/restapis/{apiId}/models/{name}) can be referenced")
}

// printer prints the schema library's messages in English.
var printer = message.NewPrinter(language.English)

// MaxDetails bounds how many violations Detail lists.
const MaxDetails = 10

// Detail is the readable form of a schema violation: each violation (a
// leaf of the library's error tree) as "at 'POINTER': MESSAGE", where
// POINTER is the JSON Pointer of the offending value (empty for the whole
// document), joined with "; " inside brackets, in the order the library
// found them, at most MaxDetails of them ("; ..." when there are more).
// Example: [at '/price': maximum: got 501, want 500; at '/type': value
// must be one of 'dog', 'cat', 'fish'].
func Detail(ve *jsonschema.ValidationError) string {
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
		parts = append(parts, "at '"+pointer(e.InstanceLocation)+"': "+e.ErrorKind.LocalizedString(printer))
	}
	walk(ve)
	if len(parts) == 0 {
		return "[the document does not match the schema]"
	}
	more := ""
	if len(parts) > MaxDetails {
		parts, more = parts[:MaxDetails], "; ..."
	}
	return "[" + strings.Join(parts, "; ") + more + "]"
}

// pointer writes a JSON Pointer (RFC 6901) from its tokens.
func pointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1"))
	}
	return b.String()
}
