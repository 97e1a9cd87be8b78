package integration

import (
	"net/http"
	"testing"
)

// proxyCase is one Lambda result and how it reads as a proxy response. The
// same cases run through the parser, the real Lambda SDK client and the
// HTTP form of AWS_PROXY.
type proxyCase struct {
	name    string
	payload string
	status  int
	body    string
	header  http.Header
	err     errKind
}

var proxyCases = []proxyCase{
	{name: "full", payload: `{"statusCode":201,"headers":{"X-A":"b"},"multiValueHeaders":{"X-M":["1","2"]},"body":"hi"}`,
		status: 201, body: "hi", header: http.Header{"X-A": {"b"}, "X-M": {"1", "2"}}},
	{name: "missing statusCode", payload: `{"body":"hi"}`, status: 200, body: "hi"},
	{name: "missing body", payload: `{"statusCode":204}`, status: 204},
	{name: "empty object", payload: `{}`, status: 200},
	{name: "null", payload: `null`, status: 200},
	{name: "empty payload", payload: ``, status: 200},
	{name: "blank payload", payload: " \n", status: 200},
	{name: "null fields", payload: `{"statusCode":null,"headers":null,"body":null,"isBase64Encoded":null}`, status: 200},
	{name: "base64", payload: `{"statusCode":200,"body":"aGVsbG8=","isBase64Encoded":true}`, status: 200, body: "hello"},
	{name: "base64 false", payload: `{"body":"aGVsbG8=","isBase64Encoded":false}`, status: 200, body: "aGVsbG8="},
	{name: "integral float status", payload: `{"statusCode":404.0}`, status: 404},
	{name: "merged headers", payload: `{"headers":{"X-A":"1","X-B":"b"},"multiValueHeaders":{"x-a":["1","2"]}}`,
		status: 200, header: http.Header{"X-A": {"1", "2"}, "X-B": {"b"}}},
	{name: "subprotocol", payload: `{"statusCode":200,"headers":{"Sec-WebSocket-Protocol":"chat"}}`,
		status: 200, header: http.Header{"Sec-Websocket-Protocol": {"chat"}}},
	{name: "cookies", payload: `{"cookies":["a=1","b=2"]}`, status: 200, header: http.Header{"Set-Cookie": {"a=1", "b=2"}}},
	{name: "body with JSON text", payload: `{"statusCode":200,"body":"{\"message\":\"hi\"}"}`, status: 200, body: `{"message":"hi"}`},

	{name: "bad base64", payload: `{"body":"!!!","isBase64Encoded":true}`, err: malformedErr},
	{name: "bare string", payload: `"hello"`, err: malformedErr},
	{name: "bare number", payload: `42`, err: malformedErr},
	{name: "bare array", payload: `[{"statusCode":200}]`, err: malformedErr},
	{name: "bare true", payload: `true`, err: malformedErr},
	{name: "not JSON", payload: `hello world`, err: malformedErr},
	{name: "truncated JSON", payload: `{"statusCode":200,`, err: malformedErr},
	{name: "trailing data", payload: `{"body":"a"} {}`, err: malformedErr},
	{name: "unknown key", payload: `{"statusCode":200,"message":"hi"}`, err: malformedErr},
	{name: "unknown key only", payload: `{"message":"hi"}`, err: malformedErr},
	{name: "statusCode string", payload: `{"statusCode":"200"}`, err: malformedErr},
	{name: "statusCode fraction", payload: `{"statusCode":200.5}`, err: malformedErr},
	{name: "statusCode too small", payload: `{"statusCode":99}`, err: malformedErr},
	{name: "statusCode too large", payload: `{"statusCode":600}`, err: malformedErr},
	{name: "body object", payload: `{"body":{"a":1}}`, err: malformedErr},
	{name: "body number", payload: `{"body":1}`, err: malformedErr},
	{name: "header number", payload: `{"headers":{"X-A":1}}`, err: malformedErr},
	{name: "headers array", payload: `{"headers":["X-A"]}`, err: malformedErr},
	{name: "multiValueHeaders string", payload: `{"multiValueHeaders":{"X-A":"1"}}`, err: malformedErr},
	{name: "isBase64Encoded string", payload: `{"body":"","isBase64Encoded":"true"}`, err: malformedErr},
	{name: "cookies string", payload: `{"cookies":"a=1"}`, err: malformedErr},
	{name: "invalid header name", payload: `{"headers":{"X A":"1"}}`, err: malformedErr},
	{name: "header value with newline", payload: `{"headers":{"X-A":"1\r\nX-B: 2"}}`, err: malformedErr},
}

func TestParseProxyResponse(t *testing.T) {
	for _, tc := range proxyCases {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := parseProxyResponse([]byte(tc.payload))
			checkErr(t, err, tc.err)
			if tc.err == noErr {
				checkResponse(t, resp, tc.status, tc.body, tc.header)
			}
		})
	}
}

func FuzzParseProxyResponse(f *testing.F) {
	for _, tc := range proxyCases {
		f.Add([]byte(tc.payload))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		resp, err := parseProxyResponse(payload)
		if err != nil {
			if resp != nil {
				t.Fatalf("both a Response and an error")
			}
			return
		}
		if resp.StatusCode < 100 || resp.StatusCode > 599 {
			t.Fatalf("StatusCode %d", resp.StatusCode)
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
