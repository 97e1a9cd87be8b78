package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// functions: codeUri is relative to the file's directory and made
// absolute; SAM's PascalCase spelling loads too.
func TestFunctions(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "build", "orders"), 0o755); err != nil {
		t.Fatal(err)
	}
	doc := `functions:
  - functionName: orders
    runtime: provided.al2023
    codeUri: build/orders
    environment:
      variables: {TABLE: orders}
    timeout: 10
    memorySize: 256
    maxConcurrency: 2
    maxQueue: 0
    idleTimeout: 1m
    watch: true
  - FunctionName: web
    Runtime: nodejs20.x
    Handler: index.handler
    CodeUri: .
`
	f, err := parse(filepath.Join(dir, "portico.yaml"), []byte(doc), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	ten, mem, two, zero, minute := 10, 256, 2, 0, Duration(time.Minute)
	want := []Function{
		{FunctionName: "orders", Runtime: "provided.al2023", CodeURI: filepath.Join(dir, "build", "orders"),
			Environment: &FunctionEnvironment{Variables: map[string]string{"TABLE": "orders"}},
			Timeout:     &ten, MemorySize: &mem, MaxConcurrency: &two, MaxQueue: &zero, IdleTimeout: &minute, Watch: true},
		{FunctionName: "web", Runtime: "nodejs20.x", Handler: "index.handler", CodeURI: dir},
	}
	if !reflect.DeepEqual(f.Functions, want) {
		t.Errorf("functions:\n%+v\nwant\n%+v", f.Functions, want)
	}
	for uri, name := range map[string]string{
		"arn:aws:lambda:us-east-1:000000000000:function:orders":                                                                           "orders",
		"arn:aws:lambda:eu-west-1:123456789012:function:web:live":                                                                         "web",
		"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:orders/invocations": "orders",
		"arn:aws:lambda:us-east-1:000000000000:function:other":                                                                            "",
		"http://127.0.0.1/function:orders":                                                                                                "",
	} {
		if got, ok := f.LocalFunction(uri); got != name || ok != (name != "") {
			t.Errorf("LocalFunction(%s) = %q, %v", uri, got, ok)
		}
	}
}

func TestFunctionErrors(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "file"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	doc := `functions:
  - functionName: a
    runtime: java21
    codeUri: missing
  - functionName: a
    runtime: python3.12
    codeUri: file
    timeout: 0
    memorySize: 64
    environment:
      variables: {AWS_REGION: x, 1bad: y}
  - runtime: nodejs22.x
    codeUri: .
    idleTimeout: 0s
`
	_, err := parse(filepath.Join(dir, "p.yaml"), []byte(doc), env(nil))
	if err == nil {
		t.Fatal("accepted")
	}
	got := strings.ReplaceAll(err.Error(), dir+"/", "")
	want := strings.Join([]string{
		`p.yaml:3:14: functions[0].runtime: "java21": want one of ` + strings.Join(FunctionRuntimes, ", "),
		`p.yaml:4:14: functions[0].codeUri: "missing": no such file or directory`,
		`p.yaml:5:5: functions[1].handler: required for python3.12, e.g. app.lambda_handler`,
		`p.yaml:5:19: functions[1].functionName: duplicate function "a" (also functions[0], line 2)`,
		`p.yaml:7:14: functions[1].codeUri: "file" is not a directory`,
		`p.yaml:8:14: functions[1].timeout: 0: want 1 to 900`,
		`p.yaml:9:17: functions[1].memorySize: 64: want 128 to 10240`,
		`p.yaml:11:19: functions[1].environment.variables.AWS_REGION: AWS_REGION is reserved: Lambda sets it`,
		`p.yaml:11:34: functions[1].environment.variables["1bad"]: environment variable names start with a letter and use letters, digits and _`,
		`p.yaml:12:5: functions[2].functionName: required`,
		`p.yaml:12:5: functions[2].handler: required for nodejs22.x, e.g. index.handler`,
		`p.yaml:14:18: functions[2].idleTimeout: must be positive, e.g. 5m`,
	}, "\n")
	if got != want {
		t.Errorf("errors:\n%s\nwant:\n%s", got, want)
	}
}
