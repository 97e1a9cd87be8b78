package rest

import (
	"errors"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/portico-gw/portico/config"
)

// validationDetail lists each violation with its JSON Pointer (RFC 6901
// escapes), at most maxDetails of them.
func TestValidationDetail(t *testing.T) {
	models, err := compileModels("api0001", []config.RestModel{
		{Name: "Slash", Schema: `{"properties":{"a/b~c":{"type":"string"}}}`},
		{Name: "Many", Schema: `{"type":"array","items":{"type":"string"}}`},
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
			got := validationDetail(ve)
			if !strings.HasPrefix(got, tt.want) {
				t.Errorf("%s, want %s", got, tt.want)
			}
			if tt.model == "Many" && (strings.Count(got, "at '") != maxDetails || !strings.HasSuffix(got, "; ...]")) {
				t.Errorf("%s: want %d violations and \"; ...\"", got, maxDetails)
			}
		})
	}
}
