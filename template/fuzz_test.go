package template

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds templates to Parse: it may reject them, never panic or
// return both a File and an error.
func FuzzParse(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "*.yaml"))
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("Resources:\n  A: {Type: AWS::Serverless::Function, Properties: {FunctionName: !Sub '${A.Arn}'}}\n"))
	f.Add([]byte("Conditions: {A: !Not [{Condition: A}]}\nResources:\n  X: {Type: AWS::S3::Bucket, Condition: A}\n"))
	f.Add([]byte("a: &a [*a]\nResources: {}\n"))
	f.Add([]byte(`{"Resources": {"A": {"Type": "AWS::ApiGatewayV2::Api", "Properties": {"Name": {"Fn::Select": ["9", []]}}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse(filepath.Join("testdata", "fuzz.yaml"), data, Options{})
		if (file == nil) == (err == nil) {
			t.Fatalf("Parse returned %v and %v", file, err)
		}
	})
}
