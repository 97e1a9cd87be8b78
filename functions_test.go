package portico_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/portico-gw/portico/config"
)

var (
	goFnOnce sync.Once
	goFnDir  string
	goFnErr  error
)

// TestMain removes the Go function built by goFunctionDir.
func TestMain(m *testing.M) {
	code := m.Run()
	if goFnDir != "" {
		os.RemoveAll(goFnDir)
	}
	os.Exit(code)
}

// goFunctionDir builds functions/testdata/gohandler as a provided.al2023
// bootstrap, once per test binary.
func goFunctionDir(t testing.TB) string {
	t.Helper()
	goFnOnce.Do(func() {
		dir, err := os.MkdirTemp("", "portico-gofn-")
		if err != nil {
			goFnErr = err
			return
		}
		goFnDir = dir
		out, err := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", filepath.Join(dir, "bootstrap"), "./functions/testdata/gohandler").CombinedOutput()
		if err != nil {
			goFnErr = errors.New(err.Error() + ": " + string(out))
		}
	})
	if goFnErr != nil {
		t.Fatalf("building the Go function: %v", goFnErr)
	}
	return goFnDir
}

// functionsConfig is a node with two local functions (Go and Python), an
// HTTP API and a REST API whose AWS_PROXY integrations name them by ARN.
func functionsConfig(t testing.TB) string {
	pyDir, _ := filepath.Abs("functions/testdata/python")
	return `admin: 127.0.0.1:0
credentials:
  - {accessKeyId: AKIDADMIN, secretAccessKey: admin-secret}
functions:
  - functionName: gofn
    runtime: provided.al2023
    codeUri: ` + goFunctionDir(t) + `
    environment: {variables: {GREETING: from-config}}
  - functionName: pyproxy
    runtime: python3.12
    handler: app.proxy
    codeUri: ` + pyDir + `
  - functionName: pyauth
    runtime: python3.12
    handler: app.authorize
    codeUri: ` + pyDir + `
apis:
  - apiId: web0000001
    protocolType: HTTP
    integrations:
      - integrationId: go
        integrationType: AWS_PROXY
        integrationUri: arn:aws:lambda:us-east-1:000000000000:function:gofn
        payloadFormatVersion: "2.0"
    authorizers:
      - authorizerId: pyauth
        name: pyauth
        authorizerType: REQUEST
        authorizerUri: arn:aws:lambda:us-east-1:000000000000:function:pyauth
        authorizerPayloadFormatVersion: "2.0"
        enableSimpleResponses: true
        identitySource: [$request.header.Authorization]
    routes:
      - {routeKey: "GET /go", target: integrations/go}
      - {routeKey: "GET /guarded", target: integrations/go, authorizationType: CUSTOM, authorizerId: pyauth}
    stages: [{stageName: $default}]
restApis:
  - restApiId: rest000001
    name: rest
    resources:
      /items/{id}:
        resourceMethods:
          GET:
            methodIntegration:
              type: AWS_PROXY
              httpMethod: POST
              uri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:pyproxy/invocations
    stages: [{stageName: prod}]
`
}

func get(t testing.TB, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// A route whose AWS_PROXY integration is a local function's ARN runs the
// function on the node: HTTP API (payload 2.0) to a Go bootstrap, REST API
// (API Gateway's invocation ARN) to a Python handler, with the gateway's
// usual answers when the function fails; a Lambda authorizer is a local
// Python function too.
func TestLocalFunctionsBehindAPIs(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed")
	}
	gw := startGateway(t, functionsConfig(t))

	resp, body := get(t, gw.URL+"/_aws/execute-api/web0000001/go")
	var m map[string]any
	if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &m) != nil || m["env"] != "from-config" || m["function"] != "gofn" {
		t.Errorf("HTTP API: %d %s", resp.StatusCode, body)
	}

	for token, want := range map[string]int{"let-me-in": 200, "nope": 403} {
		req, _ := http.NewRequest("GET", gw.URL+"/_aws/execute-api/web0000001/guarded", nil)
		req.Header.Set("Authorization", token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Lambda authorizer, token %s: status %d, want %d", token, resp.StatusCode, want)
		}
	}

	resp, body = get(t, gw.URL+"/_aws/execute-api/rest000001/prod/items/7")
	if resp.StatusCode != 201 || resp.Header.Get("X-Fn") != "pyproxy" || body != `{"path": "/items/7", "version": "1.0"}` {
		t.Errorf("REST API: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	resp, body = get(t, gw.URL+"/_aws/execute-api/rest000001/prod/items/7?fail=1")
	if resp.StatusCode != 502 || body != `{"message": "Internal server error"}` {
		t.Errorf("REST API, function error: %d %s", resp.StatusCode, body)
	}
	if s, _ := gw.Server.Functions().Stats("pyproxy"); s.ColdStarts != 1 || s.Invocations != 2 {
		t.Errorf("pyproxy stats %+v: want the failed call to reuse the warm environment", s)
	}
}

// The admin listener serves the Lambda Invoke API of the local functions
// to the SDK's Lambda client, signed with the file's credentials; a file
// may hold functions and no API.
func TestAdminLambdaInvoke(t *testing.T) {
	gw := startGateway(t, `admin: 127.0.0.1:0
credentials:
  - {accessKeyId: AKIDADMIN, secretAccessKey: admin-secret}
functions:
  - {functionName: gofn, runtime: go1.x, handler: bootstrap, codeUri: `+goFunctionDir(t)+`}
`)
	c := lambda.New(lambda.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String("http://" + gw.Server.AdminAddr().String()),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDADMIN", "admin-secret", ""),
		Retryer:      aws.NopRetryer{},
	})
	out, err := c.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String("gofn"), Payload: []byte(`{"name":"admin"}`)})
	if err != nil {
		t.Fatal(err)
	}
	var answer struct {
		Hello string
		Pid   int
	}
	if json.Unmarshal(out.Payload, &answer) != nil || answer.Hello != "admin" || out.FunctionError != nil {
		t.Errorf("payload %s", out.Payload)
	}
	out, err = c.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String("gofn"), Payload: []byte(`{"action":"fail"}`)})
	if err != nil || aws.ToString(out.FunctionError) != "Unhandled" {
		t.Errorf("function error: %v %v", out, err)
	}
	_, err = c.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String("missing")})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("unknown function: %v", err)
	}
	// Shutdown kills the environments.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := gw.Server.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(answer.Pid, 0); err != syscall.ESRCH {
		t.Errorf("the function's process %d survived Shutdown (kill 0: %v)", answer.Pid, err)
	}
}

// A reload applies the functions list: a changed function answers from a
// new environment with its new configuration.
func TestReloadFunctions(t *testing.T) {
	doc := func(greeting string) string {
		return "functions:\n  - {functionName: gofn, runtime: provided.al2, codeUri: " + goFunctionDir(t) +
			", environment: {variables: {GREETING: " + greeting + "}}}\n"
	}
	gw := startGateway(t, doc("before"))
	invoke := func() map[string]any {
		t.Helper()
		out, err := gw.Server.Functions().Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String("gofn")})
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(out.Payload, &m); err != nil {
			t.Fatalf("%s: %v", out.Payload, err)
		}
		return m
	}
	if got := invoke()["env"]; got != "before" {
		t.Fatalf("GREETING %v", got)
	}
	f, err := config.Parse("test.yaml", []byte(doc("after")))
	if err != nil {
		t.Fatal(err)
	}
	if err := gw.Server.Reload(f); err != nil {
		t.Fatal(err)
	}
	if got := invoke()["env"]; got != "after" {
		t.Errorf("after the reload GREETING is %v", got)
	}
}
