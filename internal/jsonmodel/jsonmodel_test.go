package jsonmodel

import (
	"errors"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Detail lists each violation with its JSON Pointer (RFC 6901
// escapes), at most MaxDetails of them.
func TestDetail(t *testing.T) {
	models, err := Compile("api0001", map[string]string{
		"Slash": `{"properties":{"a/b~c":{"type":"string"}}}`,
		"Many":  `{"type":"array","items":{"type":"string"}}`,
	})
	if err != nil {
		t.Fatal(err)
	}
	if models["Empty"] == nil || models["Error"] == nil {
		t.Fatal("the built-in models are missing")
	}
	tests := []struct{ model, body, want string }{
		{"Slash", `{"a/b~c":1}`, `[at '/a~1b~0c': got number, want string]`},
		{"Empty", `[]`, `[at '': got array, want object]`},
		{"Error", `{"message":false}`, `[at '/message': got boolean, want string]`},
		{"Many", `[1,2,3,4,5,6,7,8,9,10,11]`, `[at '/0': got number, want string; `},
	}
	for _, tt := range tests {
		t.Run(tt.model, func(t *testing.T) {
			doc, err := jsonschema.UnmarshalJSON(strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			var ve *jsonschema.ValidationError
			if !errors.As(models[tt.model].Validate(doc), &ve) {
				t.Fatal("valid")
			}
			got := Detail(ve)
			if !strings.HasPrefix(got, tt.want) {
				t.Errorf("%s, want %s", got, tt.want)
			}
			if tt.model == "Many" && (strings.Count(got, "at '") != MaxDetails || !strings.HasSuffix(got, "; ...]")) {
				t.Errorf("%s: want %d violations and \"; ...\"", got, MaxDetails)
			}
		})
	}
}

// Compile names the first model that is not JSON or not a schema, and
// refuses references outside the API's models.
func TestCompileErrors(t *testing.T) {
	tests := []struct{ schema, want string }{
		{`{"type":`, `model "Bad" is not JSON`},
		{`{"type":5}`, `model "Bad" is not a valid JSON Schema (draft 4): [at '/type': value must be one of`},
		{`{"$ref":"https://apigateway.amazonaws.com/restapis/api0001/models/Nope"}`, `only this API's models`},
		{`{"$ref":"file:///etc/passwd"}`, `only this API's models`},
	}
	for i, tt := range tests {
		schemas := map[string]string{"Bad": tt.schema}
		if i < 2 { // "A" refers to "Bad" and compiles first: the error still names Bad
			schemas["A"] = `{"$ref":"https://apigateway.amazonaws.com/restapis/api0001/models/Bad"}`
		}
		_, err := Compile("api0001", schemas)
		var me *Error
		if !errors.As(err, &me) || me.Model != "Bad" || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error with %q", tt.schema, err, tt.want)
		}
	}
}
