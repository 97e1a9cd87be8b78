package functions

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
)

// invokeServer serves rt's Invoke API with one key pair.
func invokeServer(t testing.TB, rt *Runtime, allowUnsigned bool) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle(InvokePath, rt.InvokeHandler(InvokeAPIConfig{Credentials: map[string]string{"AKIDTEST": "secret"}, AllowUnsigned: allowUnsigned}))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func sdkClient(url, key, secret string) *lambda.Client {
	return lambda.New(lambda.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider(key, secret, ""),
		Retryer:      aws.NopRetryer{},
	})
}

// The SDK's Lambda client invokes local functions through the Invoke API.
func TestInvokeAPIWithTheSDK(t *testing.T) {
	rt, _ := newRuntime(t, goFunction(t, "fn"))
	srv := invokeServer(t, rt, false)
	c := sdkClient(srv.URL, "AKIDTEST", "secret")
	ctx := context.Background()

	out, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("fn"), Payload: []byte(`{"action":"print","name":"sdk"}`), LogType: types.LogTypeTail})
	if err != nil {
		t.Fatal(err)
	}
	if out.StatusCode != 200 || out.FunctionError != nil || aws.ToString(out.ExecutedVersion) != "$LATEST" {
		t.Errorf("status %d FunctionError %v version %v", out.StatusCode, out.FunctionError, out.ExecutedVersion)
	}
	if decode(t, out.Payload)["hello"] != "sdk" {
		t.Errorf("payload %s", out.Payload)
	}
	tail, err := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	if err != nil || !strings.HasPrefix(string(tail), "START RequestId: ") || !strings.Contains(string(tail), "hello from go\nEND RequestId: ") ||
		!strings.Contains(string(tail), "\nREPORT RequestId: ") {
		t.Errorf("LogResult %q (%v)", tail, err)
	}

	out, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("arn:aws:lambda:us-east-1:000000000000:function:fn"), Payload: []byte(`{"action":"fail"}`)})
	if err != nil {
		t.Fatal(err)
	}
	wantFunctionError(t, out, "errorString", "boom from go")

	out, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("fn"), InvocationType: types.InvocationTypeEvent, Payload: []byte(`{"action":"print"}`)})
	if err != nil || out.StatusCode != 202 {
		t.Errorf("Event: %v %v", out, err)
	}
	out, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("fn"), InvocationType: types.InvocationTypeDryRun})
	if err != nil || out.StatusCode != 204 {
		t.Errorf("DryRun: %v %v", out, err)
	}
	waitFor(t, "the Event invocation", func() bool { s, _ := rt.Stats("fn"); return s.Invocations == 3 })

	_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("nope")})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) || nf.ErrorMessage() != "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope" {
		t.Errorf("unknown function: %v", err)
	}

	_, err = sdkClient(srv.URL, "AKIDTEST", "wrong").Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("fn")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidSignatureException" {
		t.Errorf("bad signature: %v", err)
	}
}

// Unsigned requests pass only with AllowUnsigned, and only from loopback.
func TestInvokeAPIUnsigned(t *testing.T) {
	rt, _ := newRuntime(t, goFunction(t, "fn"))
	for _, allow := range []bool{false, true} {
		srv := invokeServer(t, rt, allow)
		resp, err := http.Post(srv.URL+"/2015-03-31/functions/fn/invocations", "application/json", strings.NewReader(`{"action":"fail"}`))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch {
		case !allow && (resp.StatusCode != 403 || resp.Header.Get("X-Amzn-Errortype") != "MissingAuthenticationTokenException"):
			t.Errorf("unsigned, not allowed: %d %s", resp.StatusCode, body)
		case allow && (resp.StatusCode != 200 || resp.Header.Get("X-Amz-Function-Error") != "Unhandled" || !strings.Contains(string(body), "boom from go")):
			t.Errorf("unsigned, allowed: %d %v %s", resp.StatusCode, resp.Header, body)
		}
	}
}

// `aws lambda invoke --endpoint-url` reaches local functions.
func TestInvokeAPIWithTheCLI(t *testing.T) {
	needTool(t, "aws")
	rt, _ := newRuntime(t, goFunction(t, "fn"))
	srv := invokeServer(t, rt, false)
	outFile := filepath.Join(t.TempDir(), "out.json")
	cmd := exec.Command("aws", "lambda", "invoke", "--endpoint-url", srv.URL, "--region", "us-east-1",
		"--function-name", "fn", "--payload", `{"name":"cli"}`, "--log-type", "Tail", outFile)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=AKIDTEST", "AWS_SECRET_ACCESS_KEY=secret", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	stdout, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("aws lambda invoke: %v\n%s", err, stdout)
	}
	if !strings.Contains(string(stdout), `"StatusCode": 200`) || !strings.Contains(string(stdout), `"ExecutedVersion": "$LATEST"`) || !strings.Contains(string(stdout), `"LogResult": "`) {
		t.Errorf("CLI output %s", stdout)
	}
	b, err := os.ReadFile(outFile)
	if err != nil {
		t.Fatal(err)
	}
	if decode(t, b)["hello"] != "cli" {
		t.Errorf("out.json %s", b)
	}
}
