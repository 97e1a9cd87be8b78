package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

const (
	testFunctionARN = "arn:aws:lambda:us-east-1:123456789012:function:chat"
	testRouteEvent  = `{"requestContext":{"routeKey":"sendmessage","eventType":"MESSAGE","connectionId":"R1kmxc2VNjMCFIA=","apiId":"chat","stage":"dev"},"body":"{\"action\":\"sendmessage\",\"text\":\"h\u00e9\"}","isBase64Encoded":false}`
)

// invocation is what the fake Lambda saw of one Invoke call.
type invocation struct {
	functionName   string
	invocationType string
	authorization  string
	event          []byte
}

// fakeLambda serves the Lambda Invoke REST API
// (POST /2015-03-31/functions/{FunctionName}/invocations) and records calls.
type fakeLambda struct {
	mu    sync.Mutex
	calls []invocation
}

func (f *fakeLambda) invocations() []invocation {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]invocation(nil), f.calls...)
}

// newFakeLambda starts the fake with answer as the function and returns it
// with a real SDK client built by NewLambdaClient.
func newFakeLambda(t testing.TB, answer http.HandlerFunc) (*fakeLambda, LambdaInvoker) {
	t.Helper()
	f := &fakeLambda{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2015-03-31/functions/{name}/invocations", func(w http.ResponseWriter, r *http.Request) {
		event, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("reading the event: %v", err)
		}
		f.mu.Lock()
		f.calls = append(f.calls, invocation{
			functionName:   r.PathValue("name"),
			invocationType: r.Header.Get("X-Amz-Invocation-Type"),
			authorization:  r.Header.Get("Authorization"),
			event:          event,
		})
		f.mu.Unlock()
		answer(w, r)
	})
	srv := newServer(t, mux)
	client, err := NewLambdaClient(context.Background(), LambdaOptions{
		Endpoint: srv.URL, Region: "us-east-1", AccessKeyID: "AK", SecretAccessKey: "SK",
	})
	if err != nil {
		t.Fatalf("NewLambdaClient: %v", err)
	}
	return f, client
}

func reply(payload string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, payload) }
}

func functionFailure(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Amz-Function-Error", "Unhandled")
	_, _ = io.WriteString(w, `{"errorMessage":"boom","errorType":"Error"}`)
}

func slow(w http.ResponseWriter, r *http.Request) { waitForCancel(r) }

// awsError answers like the Lambda service refusing a call.
func awsError(status int, errorType string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amzn-ErrorType", errorType)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, `{"Type":"User","message":"`+errorType+`"}`)
	}
}

func TestLambdaInvoke(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		uri      string
		wantName string // the FunctionName the Invoke API sees
		answer   http.HandlerFunc
		timeout  time.Duration
		status   int
		body     string
		err      errKind
	}{
		{name: "success", uri: testFunctionARN, wantName: testFunctionARN,
			answer: reply(`{"statusCode":200,"body":"pong"}`), status: 200, body: "pong"},
		{name: "qualified ARN", uri: testFunctionARN + ":live", wantName: testFunctionARN + ":live",
			answer: reply(`{"statusCode":200,"body":"live"}`), status: 200, body: "live"},
		{name: "apigateway invocation ARN",
			uri:      "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + testFunctionARN + "/invocations",
			wantName: testFunctionARN, answer: reply(`{"statusCode":201}`), status: 201},
		{name: "returns nothing", uri: testFunctionARN, wantName: testFunctionARN, answer: reply(``), status: 200},
		{name: "function error", uri: testFunctionARN, wantName: testFunctionARN, answer: functionFailure, err: functionErr},
		{name: "slow function", uri: testFunctionARN, wantName: testFunctionARN, answer: slow, timeout: 100 * time.Millisecond, err: timeoutErr},
		{name: "function not found", uri: testFunctionARN, wantName: testFunctionARN, answer: awsError(404, "ResourceNotFoundException"), err: anyErr},
		{name: "service error is not retried", uri: testFunctionARN, wantName: testFunctionARN, answer: awsError(500, "ServiceException"), err: anyErr},
		{name: "throttled is not retried", uri: testFunctionARN, wantName: testFunctionARN, answer: awsError(429, "TooManyRequestsException"), err: anyErr},
		{name: "malformed result", uri: testFunctionARN, wantName: testFunctionARN, answer: reply(`"just a string"`), err: malformedErr},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake, client := newFakeLambda(t, tc.answer)
			inv := mustNew(t, Spec{Type: "AWS_PROXY", URI: tc.uri, Timeout: tc.timeout}, Env{Lambda: client})
			resp, err := inv.Invoke(context.Background(), &Request{Event: []byte(testRouteEvent)})
			checkErr(t, err, tc.err)
			if tc.err == noErr {
				checkResponse(t, resp, tc.status, tc.body, nil)
			}
			calls := fake.invocations()
			if len(calls) != 1 {
				t.Fatalf("%d invocations, want exactly 1", len(calls))
			}
			c := calls[0]
			if c.functionName != tc.wantName {
				t.Errorf("FunctionName = %q, want %q", c.functionName, tc.wantName)
			}
			if c.invocationType != "RequestResponse" {
				t.Errorf("X-Amz-Invocation-Type = %q, want RequestResponse", c.invocationType)
			}
			if !strings.Contains(c.authorization, "Credential=AK/") {
				t.Errorf("Authorization = %q, want SigV4 with the static key", c.authorization)
			}
			if !bytes.Equal(c.event, []byte(testRouteEvent)) {
				t.Errorf("event = %s, want it unchanged: %s", c.event, testRouteEvent)
			}
			var ev events.APIGatewayWebsocketProxyRequest
			if err := json.Unmarshal(c.event, &ev); err != nil || ev.RequestContext.ConnectionID != "R1kmxc2VNjMCFIA=" {
				t.Errorf("event does not decode as a WebSocket event: %v, %+v", err, ev.RequestContext)
			}
		})
	}
}

func TestLambdaFunctionError(t *testing.T) {
	t.Parallel()
	_, client := newFakeLambda(t, functionFailure)
	inv := mustNew(t, Spec{Type: "AWS_PROXY", URI: testFunctionARN}, Env{Lambda: client})
	_, err := inv.Invoke(context.Background(), &Request{Event: []byte(`{}`)})
	var fe *FunctionError
	if !errors.As(err, &fe) {
		t.Fatalf("error = %v, want a *FunctionError", err)
	}
	if fe.Type != "Unhandled" || string(fe.Payload) != `{"errorMessage":"boom","errorType":"Error"}` {
		t.Errorf("FunctionError = %+v", fe)
	}
	if !strings.Contains(err.Error(), "chat") || !strings.Contains(err.Error(), `"boom"`) {
		t.Errorf("error text %q should name the function and its message", err)
	}
}

func TestLambdaProxyResponses(t *testing.T) {
	t.Parallel()
	for _, tc := range proxyCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, client := newFakeLambda(t, reply(tc.payload))
			inv := mustNew(t, Spec{Type: "AWS_PROXY", URI: testFunctionARN}, Env{Lambda: client})
			resp, err := inv.Invoke(context.Background(), &Request{Event: []byte(testRouteEvent)})
			checkErr(t, err, tc.err)
			if tc.err == noErr {
				checkResponse(t, resp, tc.status, tc.body, tc.header)
			}
		})
	}
}

func TestLambdaParentCancel(t *testing.T) {
	t.Parallel()
	_, client := newFakeLambda(t, slow)
	inv := mustNew(t, Spec{Type: "AWS_PROXY", URI: testFunctionARN, Timeout: 10 * time.Second}, Env{Lambda: client})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := inv.Invoke(ctx, &Request{Event: []byte(`{}`)})
	if err != context.Canceled {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
}

// TestNewLambdaClientLocalCredentials checks the "test"/"test" fallback for
// a custom endpoint when the default chain finds nothing, and that the
// chain wins when it does find something.
func TestNewLambdaClientLocalCredentials(t *testing.T) {
	for _, env := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
		"AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"} {
		t.Setenv(env, "")
	}
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", dir+"/config")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", dir+"/credentials")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")

	tests := []struct {
		name  string
		keyID string // in the environment
		want  string
	}{
		{name: "nothing found", want: "Credential=test/"},
		{name: "environment", keyID: "ENVKEY", want: "Credential=ENVKEY/"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("AWS_ACCESS_KEY_ID", tc.keyID)
			t.Setenv("AWS_SECRET_ACCESS_KEY", tc.keyID)
			var auth string
			srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				auth = r.Header.Get("Authorization")
				_, _ = io.WriteString(w, `{"statusCode":200}`)
			}))
			client, err := NewLambdaClient(context.Background(), LambdaOptions{Endpoint: srv.URL})
			if err != nil {
				t.Fatalf("NewLambdaClient: %v", err)
			}
			inv := mustNew(t, Spec{Type: "AWS_PROXY", URI: testFunctionARN}, Env{Lambda: client})
			if _, err := inv.Invoke(context.Background(), &Request{Event: []byte(`{}`)}); err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			if !strings.Contains(auth, tc.want) || !strings.Contains(auth, "/us-east-1/lambda/") {
				t.Errorf("Authorization = %q, want %s and region us-east-1", auth, tc.want)
			}
		})
	}
}

func TestNewLambdaClientErrors(t *testing.T) {
	t.Parallel()
	for _, o := range []LambdaOptions{
		{Endpoint: "http://127.0.0.1:1", Region: "us-east-1", AccessKeyID: "AK"},
		{Endpoint: "127.0.0.1:3001", Region: "us-east-1"},
		{Endpoint: "ftp://example.com", Region: "us-east-1"},
	} {
		if _, err := NewLambdaClient(context.Background(), o); err == nil {
			t.Errorf("NewLambdaClient(%+v) succeeded, want an error", o)
		}
	}
}

func TestLambdaFunctionARN(t *testing.T) {
	t.Parallel()
	tests := []struct {
		uri, arn, name string
	}{
		{testFunctionARN, testFunctionARN, "chat"},
		{testFunctionARN + ":$LATEST", testFunctionARN + ":$LATEST", "chat:$LATEST"},
		{"arn:aws-cn:lambda:cn-north-1:123456789012:function:my_fn-2:7", "arn:aws-cn:lambda:cn-north-1:123456789012:function:my_fn-2:7", "my_fn-2:7"},
		{"arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:000000000000:function:f:prod/invocations",
			"arn:aws:lambda:eu-west-1:000000000000:function:f:prod", "f:prod"},
		{"arn:aws:lambda:us-east-1:123456789012:layer:x", "", ""},
		{"arn:aws:lambda:us-east-1:123456789012:function:", "", ""},
		{"arn:aws:lambda:us-east-1:123456789012:function:a:b:c", "", ""},
		{"arn:aws:lambda::123456789012:function:a", "", ""},
		{"arn:aws:lambda:us-east-1:123456789012:function:a b", "", ""},
		{"arn:aws:sqs:us-east-1:123456789012:queue", "", ""},
		{"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + testFunctionARN, "", ""},
		{"arn:aws:apigateway:us-east-1:s3:path/bucket/key", "", ""},
		{"chat", "", ""},
		{"", "", ""},
	}
	for _, tc := range tests {
		arn, name, err := lambdaFunctionARN(tc.uri)
		if tc.arn == "" {
			if err == nil {
				t.Errorf("lambdaFunctionARN(%q) = %q, want an error", tc.uri, arn)
			}
			continue
		}
		if err != nil || arn != tc.arn || name != tc.name {
			t.Errorf("lambdaFunctionARN(%q) = %q, %q, %v; want %q, %q", tc.uri, arn, name, err, tc.arn, tc.name)
		}
	}
}

func FuzzLambdaFunctionARN(f *testing.F) {
	f.Add(testFunctionARN)
	f.Add(testFunctionARN + ":live")
	f.Add("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + testFunctionARN + "/invocations")
	f.Add("http://127.0.0.1/x")
	f.Fuzz(func(t *testing.T, uri string) {
		arn, name, err := lambdaFunctionARN(uri)
		if err != nil {
			return
		}
		again, name2, err := lambdaFunctionARN(arn)
		if err != nil || again != arn || name2 != name {
			t.Fatalf("%q gave %q, which gives %q, %q, %v", uri, arn, again, name2, err)
		}
	})
}

// TestAWSProxyOverHTTP runs the Lambda event over HTTP form of AWS_PROXY.
func TestAWSProxyOverHTTP(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		answer  http.HandlerFunc
		timeout time.Duration
		status  int
		body    string
		err     errKind
		errType string // FunctionError.Type
	}{
		{name: "success", answer: reply(`{"statusCode":200,"body":"pong"}`), status: 200, body: "pong"},
		{name: "returns nothing", answer: func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }, status: 200},
		{name: "non-2xx", answer: func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, `{"errorMessage":"boom"}`)
		}, err: functionErr, errType: "HTTP 500"},
		{name: "function error header", answer: functionFailure, err: functionErr, errType: "Unhandled"},
		{name: "slow", answer: slow, timeout: 100 * time.Millisecond, err: timeoutErr},
		{name: "garbage", answer: garbage(t), err: anyErr},
		{name: "hang up", answer: hangUp(t), err: anyErr},
		{name: "malformed result", answer: reply(`[1,2]`), err: malformedErr},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var got string // method, request URI and Content-Type
			var event []byte
			srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				mu.Lock()
				got, event = r.Method+" "+r.URL.RequestURI()+" "+r.Header.Get("Content-Type"), b
				mu.Unlock()
				tc.answer(w, r)
			}))
			inv := mustNew(t, Spec{Type: "AWS_PROXY", URI: srv.URL + "/events?k=v", Timeout: tc.timeout}, Env{})
			resp, err := inv.Invoke(context.Background(), &Request{Event: []byte(testRouteEvent), Body: []byte("ignored")})
			checkErr(t, err, tc.err)
			switch tc.err {
			case noErr:
				checkResponse(t, resp, tc.status, tc.body, nil)
			case functionErr:
				var fe *FunctionError
				errors.As(err, &fe)
				if fe.Type != tc.errType || len(fe.Payload) == 0 {
					t.Errorf("FunctionError = %+v, want Type %q and the payload", fe, tc.errType)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if want := "POST /events?k=v application/json"; got != want {
				t.Errorf("request = %q, want %q", got, want)
			}
			if !bytes.Equal(event, []byte(testRouteEvent)) {
				t.Errorf("event = %s, want it unchanged", event)
			}
		})
	}
}

func TestAWSProxyOverHTTPResponses(t *testing.T) {
	t.Parallel()
	for _, tc := range proxyCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, reply(tc.payload))
			inv := mustNew(t, Spec{Type: "AWS_PROXY", URI: srv.URL}, Env{})
			resp, err := inv.Invoke(context.Background(), &Request{Event: []byte(`{}`)})
			checkErr(t, err, tc.err)
			if tc.err == noErr {
				checkResponse(t, resp, tc.status, tc.body, tc.header)
			}
		})
	}
}

func TestAWSProxyOverHTTPParentCancel(t *testing.T) {
	t.Parallel()
	srv := newServer(t, http.HandlerFunc(slow))
	inv := mustNew(t, Spec{Type: "AWS_PROXY", URI: srv.URL}, Env{})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	if _, err := inv.Invoke(ctx, &Request{Event: []byte(`{}`)}); err != context.Canceled {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
	// A parent deadline is the parent's too, not ErrTimeout.
	ctx, cancel = context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := inv.Invoke(ctx, &Request{Event: []byte(`{}`)}); err != context.DeadlineExceeded {
		t.Fatalf("error = %v, want context.DeadlineExceeded", err)
	}
}
