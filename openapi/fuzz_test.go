package openapi

import (
	"os"
	"testing"
)

// FuzzImport feeds both importers arbitrary documents: they must never
// panic, and what they accept must be deterministic.
func FuzzImport(f *testing.F) {
	for _, name := range []string{"reqvalidators.json", "simplecalc.json"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "")
	}
	f.Add([]byte(petsOAS3), "prepend")
	f.Add([]byte(httpDoc), "split")
	f.Add([]byte("openapi: 3.0.1\ninfo: {title: t}\npaths: {/a: {$ref: '#/paths/~1a'}}"), "")
	f.Add([]byte(`{"swagger": "2.0", "info": {"title": "t"}, "paths": {"/{a}/{b+}": {"get": {"parameters": [{"$ref": "#/x"}]}}}}`), "ignore")
	f.Fuzz(func(t *testing.T, doc []byte, basePath string) {
		opt := ImportOptions{BasePath: basePath}
		rest, _, err1 := ImportREST("fuzz.yaml", doc, opt)
		again, _, err2 := ImportREST("fuzz.yaml", doc, opt)
		if (err1 == nil) != (err2 == nil) || len(rest.Resources) != len(again.Resources) {
			t.Fatalf("two imports of one document differ: %v / %v", err1, err2)
		}
		_, _, _ = ImportHTTP("fuzz.yaml", doc, opt)
	})
}
