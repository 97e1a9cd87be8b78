package integration

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
)

// Content types the HTTP API rules give.
var (
	jsonType  = []string{"application/json"}
	plainType = []string{defaultHTTPContentType}
)

// v2Cases are payload format 2.0 results and how an HTTP API reads them.
var v2Cases = []proxyCase{
	// Valid JSON without statusCode: the body of a 200 application/json.
	{name: "bare string", payload: `"Hello from Lambda!"`, status: 200, body: "Hello from Lambda!", header: http.Header{"Content-Type": jsonType}},
	{name: "string with escapes", payload: `"Special \"quoted\" text\n\u00e9"`, status: 200, body: "Special \"quoted\" text\n\u00e9"},
	{name: "empty string", payload: `""`, status: 200, body: "", header: http.Header{"Content-Type": jsonType}},
	{name: "object without statusCode", payload: `{ "message": "x" }`, status: 200, body: `{ "message": "x" }`, header: http.Header{"Content-Type": jsonType}},
	{name: "object kept as returned", payload: " \n{\"b\":1,\"a\":[true, null]}\n", status: 200, body: `{"b":1,"a":[true, null]}`},
	{name: "proxy keys without statusCode", payload: `{"body":"hi","headers":{"X-A":"1"}}`, status: 200, body: `{"body":"hi","headers":{"X-A":"1"}}`,
		header: http.Header{"Content-Type": jsonType, "X-A": nil}},
	{name: "null statusCode", payload: `{"statusCode":null,"body":"hi"}`, status: 200, body: `{"statusCode":null,"body":"hi"}`},
	{name: "number", payload: `42`, status: 200, body: "42", header: http.Header{"Content-Type": jsonType}},
	{name: "float", payload: `-1.5e3`, status: 200, body: "-1.5e3"},
	{name: "true", payload: `true`, status: 200, body: "true"},
	{name: "array", payload: `[1, 2, {"statusCode":500}]`, status: 200, body: `[1, 2, {"statusCode":500}]`},
	{name: "null", payload: `null`, status: 200, body: "null", header: http.Header{"Content-Type": jsonType}},
	{name: "empty object", payload: `{}`, status: 200, body: "{}"},
	{name: "function error shape", payload: `{"errorMessage":"boom","errorType":"Error"}`, status: 200, body: `{"errorMessage":"boom","errorType":"Error"}`},

	// A structured response.
	{name: "full", payload: `{"statusCode":201,"headers":{"Content-Type":"text/html","X-A":"b"},"cookies":["a=1; Path=/","b=2"],"body":"<p>hi</p>","isBase64Encoded":false}`,
		status: 201, body: "<p>hi</p>", header: http.Header{"Content-Type": {"text/html"}, "X-A": {"b"}, "Set-Cookie": {"a=1; Path=/", "b=2"}}},
	{name: "statusCode only", payload: `{"statusCode":204}`, status: 204, header: http.Header{"Content-Type": plainType}},
	{name: "default Content-Type", payload: `{"statusCode":200,"body":"Hello, World!"}`, status: 200, body: "Hello, World!", header: http.Header{"Content-Type": plainType}},
	{name: "lower-case content-type kept", payload: `{"statusCode":200,"headers":{"content-type":"application/xml"},"body":"{}"}`,
		status: 200, body: "{}", header: http.Header{"Content-Type": {"application/xml"}}},
	{name: "integral float status", payload: `{"statusCode":404.0}`, status: 404},
	{name: "exponent status", payload: `{"statusCode":1e2}`, status: 100},
	{name: "comma-joined header", payload: `{"statusCode":200,"headers":{"X-M":"test,other"}}`, status: 200, header: http.Header{"X-M": {"test,other"}}},
	{name: "scalar headers", payload: `{"statusCode":200,"headers":{"X-Bool":true,"X-Int":42,"X-Float":1.50,"X-False":false}}`,
		status: 200, header: http.Header{"X-Bool": {"true"}, "X-Int": {"42"}, "X-Float": {"1.50"}, "X-False": {"false"}}},
	{name: "null header value", payload: `{"statusCode":200,"headers":{"Content-Type":null,"X-A":"1"}}`,
		status: 200, header: http.Header{"Content-Type": plainType, "X-A": {"1"}}},
	{name: "empty header value", payload: `{"statusCode":200,"headers":{"X-Empty":""}}`, status: 200, header: http.Header{"X-Empty": {""}}},
	{name: "multiValueHeaders ignored", payload: `{"statusCode":200,"multiValueHeaders":{"X-M":["1","2"]}}`,
		status: 200, header: http.Header{"X-M": nil, "Content-Type": plainType}},
	{name: "bad multiValueHeaders ignored", payload: `{"statusCode":200,"multiValueHeaders":"nonsense"}`, status: 200},
	{name: "unknown keys ignored", payload: `{"statusCode":200,"message":"hi","statusDescription":"OK","body":"b"}`, status: 200, body: "b"},
	{name: "cookies and Set-Cookie header", payload: `{"statusCode":200,"headers":{"Set-Cookie":"h=1"},"cookies":["c=1","","d=2"]}`,
		status: 200, header: http.Header{"Set-Cookie": {"h=1", "c=1", "d=2"}}},
	{name: "null fields", payload: `{"statusCode":200,"headers":null,"cookies":null,"body":null,"isBase64Encoded":null}`,
		status: 200, header: http.Header{"Content-Type": plainType}},
	{name: "base64", payload: `{"statusCode":200,"headers":{"Content-Type":"image/png"},"body":"iVBORw0KGgo=","isBase64Encoded":true}`,
		status: 200, body: "\x89PNG\r\n\x1a\n", header: http.Header{"Content-Type": {"image/png"}}},
	{name: "base64 without padding", payload: `{"statusCode":200,"body":"aGVsbG8","isBase64Encoded":true}`, status: 200, body: "hello"},
	{name: "base64 false", payload: `{"statusCode":200,"body":"aGVsbG8=","isBase64Encoded":false}`, status: 200, body: "aGVsbG8="},
	{name: "base64 empty body", payload: `{"statusCode":200,"isBase64Encoded":true}`, status: 200},
	{name: "body with JSON text", payload: `{"statusCode":200,"body":"{\"message\":\"hi\"}"}`, status: 200, body: `{"message":"hi"}`},

	{name: "empty payload", payload: ``, err: malformedErr},
	{name: "blank payload", payload: " \n\t", err: malformedErr},
	{name: "not JSON", payload: `Hello, World!`, err: malformedErr},
	{name: "truncated JSON", payload: `{"name": "John Doe", "age":`, err: malformedErr},
	{name: "trailing data", payload: `{"statusCode":200} {}`, err: malformedErr},
	{name: "two strings", payload: `"a" "b"`, err: malformedErr},
	{name: "non-JSON space", payload: "\u00a0\"a\"", err: malformedErr},
	{name: "statusCode string", payload: `{"statusCode":"200"}`, err: malformedErr},
	{name: "statusCode zero", payload: `{"statusCode":0,"body":"x"}`, err: malformedErr},
	{name: "statusCode fraction", payload: `{"statusCode":200.5,"body":"Hello"}`, err: malformedErr},
	{name: "statusCode too large", payload: `{"statusCode":600}`, err: malformedErr},
	{name: "statusCode huge", payload: `{"statusCode":1e400}`, err: malformedErr},
	{name: "statusCode bool", payload: `{"statusCode":true}`, err: malformedErr},
	{name: "statusCode object", payload: `{"statusCode":{"code":200}}`, err: malformedErr},
	{name: "body object", payload: `{"statusCode":200,"body":{"a":1}}`, err: malformedErr},
	{name: "body number", payload: `{"statusCode":200,"body":1}`, err: malformedErr},
	{name: "headers array", payload: `{"statusCode":200,"headers":["X-A"]}`, err: malformedErr},
	{name: "headers string", payload: `{"statusCode":200,"headers":"X-A: 1"}`, err: malformedErr},
	{name: "header object value", payload: `{"statusCode":200,"headers":{"X-A":{"b":1}}}`, err: malformedErr},
	{name: "header array value", payload: `{"statusCode":200,"headers":{"X-A":["1","2"]}}`, err: malformedErr},
	{name: "invalid header name", payload: `{"statusCode":200,"headers":{"X A":"1"}}`, err: malformedErr},
	{name: "header value with newline", payload: `{"statusCode":200,"headers":{"X-A":"1\r\nX-B: 2"}}`, err: malformedErr},
	{name: "cookies string", payload: `{"statusCode":200,"cookies":"a=1"}`, err: malformedErr},
	{name: "cookies numbers", payload: `{"statusCode":200,"cookies":[1]}`, err: malformedErr},
	{name: "cookie with newline", payload: `{"statusCode":200,"cookies":["a=1\nb=2"]}`, err: malformedErr},
	{name: "isBase64Encoded string", payload: `{"statusCode":200,"body":"","isBase64Encoded":"true"}`, err: malformedErr},
	{name: "bad base64", payload: `{"statusCode":200,"body":"!!!","isBase64Encoded":true}`, err: malformedErr},
}

// v1Cases are payload format 1.0 results and how an HTTP API reads them.
var v1Cases = []proxyCase{
	{name: "full", payload: `{"statusCode":201,"headers":{"X-A":"b"},"multiValueHeaders":{"X-M":["1","2"]},"body":"hi","isBase64Encoded":false}`,
		status: 201, body: "hi", header: http.Header{"X-A": {"b"}, "X-M": {"1", "2"}, "Content-Type": plainType}},
	{name: "statusCode only", payload: `{"statusCode":204}`, status: 204, header: http.Header{"Content-Type": plainType}},
	{name: "Content-Type given", payload: `{"statusCode":200,"headers":{"Content-Type":"application/json"},"body":"{}"}`,
		status: 200, body: "{}", header: http.Header{"Content-Type": jsonType}},
	{name: "Content-Type in multiValueHeaders", payload: `{"statusCode":200,"multiValueHeaders":{"content-type":["text/csv"]}}`,
		status: 200, header: http.Header{"Content-Type": {"text/csv"}}},
	{name: "merged headers", payload: `{"statusCode":200,"headers":{"Combined":"single","X-Same":"1"},"multiValueHeaders":{"Combined":["multi1","multi2"],"x-same":["1","2"]}}`,
		status: 200, header: http.Header{"Combined": {"multi1", "multi2", "single"}, "X-Same": {"1", "2"}}},
	{name: "scalar headers", payload: `{"statusCode":200,"headers":{"header-bool":true},"multiValueHeaders":{"X-N":[1,false,null]}}`,
		status: 200, header: http.Header{"Header-Bool": {"true"}, "X-N": {"1", "false"}}},
	{name: "null fields", payload: `{"statusCode":200,"headers":null,"multiValueHeaders":null,"body":null,"isBase64Encoded":null}`, status: 200},
	{name: "null multi value", payload: `{"statusCode":200,"multiValueHeaders":{"X-A":null}}`, status: 200, header: http.Header{"X-A": nil}},
	{name: "unknown keys ignored", payload: `{"statusCode":200,"wrongValue":"x","body":"b"}`, status: 200, body: "b"},
	{name: "cookies ignored", payload: `{"statusCode":200,"cookies":["a=1"]}`, status: 200, header: http.Header{"Set-Cookie": nil}},
	{name: "base64 always decoded", payload: `{"statusCode":200,"body":"aGVsbG8=","isBase64Encoded":true}`, status: 200, body: "hello"},
	{name: "integral float status", payload: `{"statusCode":404.0}`, status: 404},

	{name: "missing statusCode", payload: `{"body":"hi","headers":{"X-A":"1"}}`, err: malformedErr},
	{name: "null statusCode", payload: `{"statusCode":null,"body":"hi"}`, err: malformedErr},
	{name: "empty object", payload: `{}`, err: malformedErr},
	{name: "null", payload: `null`, err: malformedErr},
	{name: "empty payload", payload: ``, err: malformedErr},
	{name: "bare string", payload: `"hello"`, err: malformedErr},
	{name: "bare number", payload: `200`, err: malformedErr},
	{name: "bare array", payload: `[{"statusCode":200}]`, err: malformedErr},
	{name: "not JSON", payload: `hello world`, err: malformedErr},
	{name: "truncated JSON", payload: `{"statusCode":200,`, err: malformedErr},
	{name: "statusCode string", payload: `{"statusCode":"201"}`, err: malformedErr},
	{name: "statusCode zero", payload: `{"statusCode":0}`, err: malformedErr},
	{name: "statusCode fraction", payload: `{"statusCode":200.5}`, err: malformedErr},
	{name: "multiValueHeaders not a list", payload: `{"statusCode":200,"multiValueHeaders":{"k":"not-a-list"}}`, err: malformedErr},
	{name: "multiValueHeaders array", payload: `{"statusCode":200,"multiValueHeaders":[["k","v"]]}`, err: malformedErr},
	{name: "multi value object", payload: `{"statusCode":200,"multiValueHeaders":{"k":[{"v":1}]}}`, err: malformedErr},
	{name: "header object value", payload: `{"statusCode":200,"headers":{"X-A":{}}}`, err: malformedErr},
	{name: "invalid header name", payload: `{"statusCode":200,"multiValueHeaders":{"X:A":["1"]}}`, err: malformedErr},
	{name: "header value with NUL", payload: `{"statusCode":200,"headers":{"X-A":"a\u0000b"}}`, err: malformedErr},
	{name: "body object", payload: `{"statusCode":200,"body":{}}`, err: malformedErr},
	{name: "isBase64Encoded number", payload: `{"statusCode":200,"isBase64Encoded":1}`, err: malformedErr},
	{name: "bad base64", payload: `{"statusCode":200,"body":"!!!","isBase64Encoded":true}`, err: malformedErr},
}

// httpFormats pairs each HTTP API payload format version with its cases.
var httpFormats = []struct {
	version string
	rules   ProxyResponseRules
	cases   []proxyCase
}{
	{payloadFormat20, ProxyResponseHTTPV2, v2Cases},
	{payloadFormat10, ProxyResponseHTTPV1, v1Cases},
}

func TestParseHTTPResponse(t *testing.T) {
	t.Parallel()
	for _, format := range httpFormats {
		parse, err := newResponseParser(format.rules)
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range format.cases {
			t.Run(format.version+"/"+tc.name, func(t *testing.T) {
				resp, err := parse([]byte(tc.payload))
				checkErr(t, err, tc.err)
				if tc.err == noErr {
					checkResponse(t, resp, tc.status, tc.body, tc.header)
					if len(resp.Header.Values("Content-Type")) == 0 {
						t.Errorf("no Content-Type")
					}
					return
				}
				var me *MalformedResponseError
				errors.As(err, &me)
				if string(me.Payload) != tc.payload || me.Reason == "" {
					t.Errorf("MalformedResponseError = %+v, want the payload and a reason", me)
				}
			})
		}
	}
}

func TestNewResponseParser(t *testing.T) {
	t.Parallel()
	if _, err := newResponseParser(ProxyResponseREST + 1); err == nil {
		t.Error("unknown rules accepted")
	}
	// The zero rules are the strict WebSocket reading: a bare string is
	// malformed there.
	parse, err := newResponseParser(ProxyResponseStrict)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parse([]byte(`"hello"`)); err == nil {
		t.Error("the zero rules did not give the WebSocket parser")
	}
}

// echoServer answers every request with its body: as a Lambda endpoint, a
// function that returns its event.
func echoServer(t testing.TB) string {
	t.Helper()
	return newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("reading the request: %v", err)
		}
		_, _ = w.Write(b)
	})).URL
}

// TestHTTPAPIProxyResponses runs every case through the real Lambda SDK
// client and through an AWS_PROXY URL, with a function that returns the
// event it is given.
func TestHTTPAPIProxyResponses(t *testing.T) {
	t.Parallel()
	url := echoServer(t)
	lambdaClient, err := NewLambdaClient(context.Background(), LambdaOptions{
		Endpoint: url, Region: "us-east-1", AccessKeyID: "AK", SecretAccessKey: "SK",
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range httpFormats {
		for _, via := range []struct{ name, uri string }{{"lambda", testFunctionARN}, {"URL", url}} {
			inv := mustNew(t, Spec{Type: "AWS_PROXY", URI: via.uri, ProxyResponse: format.rules}, Env{Lambda: lambdaClient})
			for _, tc := range format.cases {
				t.Run(format.version+"/"+via.name+"/"+tc.name, func(t *testing.T) {
					t.Parallel()
					resp, err := inv.Invoke(context.Background(), &Request{Event: []byte(tc.payload)})
					checkErr(t, err, tc.err)
					if tc.err == noErr {
						checkResponse(t, resp, tc.status, tc.body, tc.header)
					}
				})
			}
		}
	}
}

// TestHTTPAPIFunctionError checks that a function error is found out of
// band: its payload would otherwise read as a 2.0 body.
func TestHTTPAPIFunctionError(t *testing.T) {
	t.Parallel()
	_, lambdaClient := newFakeLambda(t, functionFailure)
	url := newServer(t, http.HandlerFunc(functionFailure)).URL
	for _, rules := range []ProxyResponseRules{ProxyResponseHTTPV2, ProxyResponseHTTPV1} {
		for _, uri := range []string{testFunctionARN, url} {
			inv := mustNew(t, Spec{Type: "AWS_PROXY", URI: uri, ProxyResponse: rules}, Env{Lambda: lambdaClient})
			_, err := inv.Invoke(context.Background(), &Request{Event: []byte(`{}`)})
			checkErr(t, err, functionErr)
		}
	}
}

func FuzzParseHTTPResponse(f *testing.F) {
	for _, format := range httpFormats {
		for _, tc := range format.cases {
			f.Add([]byte(tc.payload), format.version == payloadFormat20)
		}
	}
	f.Fuzz(func(t *testing.T, payload []byte, v2 bool) {
		parse := parseHTTPResponseV1
		if v2 {
			parse = parseHTTPResponseV2
		}
		resp, err := parse(payload)
		if err != nil {
			var me *MalformedResponseError
			if !errors.As(err, &me) {
				t.Fatalf("error %v is not a *MalformedResponseError", err)
			}
			if resp != nil {
				t.Fatalf("both a Response and an error")
			}
			return
		}
		if resp.StatusCode < 100 || resp.StatusCode > 599 {
			t.Fatalf("StatusCode %d", resp.StatusCode)
		}
		if len(resp.Header.Values("Content-Type")) == 0 {
			t.Fatalf("no Content-Type")
		}
		for name, vs := range resp.Header {
			if !validHeaderName(name) {
				t.Fatalf("header name %q", name)
			}
			for _, v := range vs {
				for i := 0; i < len(v); i++ {
					if v[i] == '\r' || v[i] == '\n' || v[i] == 0 {
						t.Fatalf("header value %q", v)
					}
				}
			}
		}
	})
}
