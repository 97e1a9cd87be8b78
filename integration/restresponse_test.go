package integration

import (
	"context"
	"io"
	"maps"
	"net/http"
	"slices"
	"testing"
)

// restCase is one row of AWS's measured REST proxy response matrix
// (reference http-and-rest-apis.md §1.1) and what the client gets.
// strictSame says whether ProxyResponseStrict (WebSocket) reads it the same
// way: the rows where it does not are why REST has rules of its own.
type restCase struct {
	name       string
	payload    string
	status     int
	body       string
	header     http.Header // the whole header
	base64     bool        // Body is still base64 text
	err        errKind
	strictSame bool
}

var restCases = []restCase{
	// The reference's matrix, row by row.
	{name: "status only", payload: `{"statusCode":200}`,
		status: 200, header: http.Header{"Content-Type": {"application/json"}}},
	{name: "boolean header", payload: `{"statusCode":200,"headers":{"header-bool":true}}`,
		status: 200, header: http.Header{"Header-Bool": {"true"}, "Content-Type": {"application/json"}}},
	{name: "null headers", payload: `{"statusCode":200,"headers":null}`,
		status: 200, header: http.Header{"Content-Type": {"application/json"}}},
	{name: "unknown key", payload: `{"statusCode":200,"wrongValue":"x"}`, err: malformedErr, strictSame: true},
	{name: "empty object", payload: `{}`, err: malformedErr},
	{name: "empty payload", payload: ``, err: malformedErr},
	{name: "non-object", payload: `"justAString"`, err: malformedErr, strictSame: true},
	{name: "statusCode text", payload: `{"statusCode":"test"}`, err: malformedErr, strictSame: true},
	{name: "statusCode numeric string", payload: `{"statusCode":"201"}`,
		status: 201, header: http.Header{"Content-Type": {"application/json"}}},
	{name: "multiValueHeaders not a list", payload: `{"multiValueHeaders":{"k":"not-a-list"}}`, err: malformedErr, strictSame: true},
	{name: "no statusCode", payload: `{"headers":{"Content-Type":"text/plain","X-A":"b"}}`,
		status: 200, header: http.Header{"Content-Type": {"text/plain"}, "X-A": {"b"}}, strictSame: true},
	{name: "base64 left to Accept", payload: `{"statusCode":200,"body":"aGVsbG8=","isBase64Encoded":true}`,
		status: 200, body: "aGVsbG8=", base64: true, header: http.Header{"Content-Type": {"application/json"}}},
	{name: "merged headers", payload: `{"statusCode":200,"multiValueHeaders":{"test-multi":["value-multi"]},"headers":{"test-multi":"value-solo","Content-Type":"text/plain"}}`,
		status: 200, header: http.Header{"Test-Multi": {"value-multi", "value-solo"}, "Content-Type": {"text/plain"}}, strictSame: true},

	// Around the matrix.
	{name: "null", payload: `null`, err: malformedErr},
	{name: "cookies", payload: `{"statusCode":200,"cookies":["a=1"]}`, err: malformedErr},
	{name: "legacy base64Encoded", payload: `{"statusCode":200,"base64Encoded":true}`, err: malformedErr, strictSame: true},
	{name: "number header", payload: `{"statusCode":200,"headers":{"X-N":1.5,"Content-Type":"text/plain"}}`,
		status: 200, header: http.Header{"X-N": {"1.5"}, "Content-Type": {"text/plain"}}},
	{name: "object header", payload: `{"statusCode":200,"headers":{"X-O":{}}}`, err: malformedErr, strictSame: true},
	{name: "integral float status", payload: `{"statusCode":404.0,"headers":{"Content-Type":"text/plain"}}`,
		status: 404, header: http.Header{"Content-Type": {"text/plain"}}, strictSame: true},
	{name: "status out of range", payload: `{"statusCode":"600"}`, err: malformedErr, strictSame: true},
	{name: "status fraction", payload: `{"statusCode":200.5}`, err: malformedErr, strictSame: true},
	{name: "body", payload: `{"statusCode":200,"body":"{\"a\":1}","headers":{"Content-Type":"application/json"}}`,
		status: 200, body: `{"a":1}`, header: http.Header{"Content-Type": {"application/json"}}, strictSame: true},
	{name: "body object", payload: `{"statusCode":200,"body":{"a":1}}`, err: malformedErr, strictSame: true},
	{name: "isBase64Encoded string", payload: `{"statusCode":200,"isBase64Encoded":"true"}`, err: malformedErr, strictSame: true},
	{name: "bad header name", payload: `{"headers":{"X A":"1"}}`, err: malformedErr, strictSame: true},
}

// same reports whether two parse results are the same answer.
func same(a *Response, aErr error, b *Response, bErr error) bool {
	if (aErr == nil) != (bErr == nil) {
		return false
	}
	if aErr != nil {
		return true
	}
	return a.StatusCode == b.StatusCode && string(a.Body) == string(b.Body) &&
		a.Base64Encoded == b.Base64Encoded &&
		maps.EqualFunc(a.Header, b.Header, slices.Equal[[]string])
}

func TestRESTProxyResponse(t *testing.T) {
	rest, _ := newResponseParser(ProxyResponseREST)
	strict, _ := newResponseParser(ProxyResponseStrict)
	for _, tc := range restCases {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := rest([]byte(tc.payload))
			checkErr(t, err, tc.err)
			if tc.err == noErr {
				checkResponse(t, resp, tc.status, tc.body, tc.header)
				if len(resp.Header) != len(tc.header) {
					t.Errorf("Header = %v, want %v", resp.Header, tc.header)
				}
				if resp.Base64Encoded != tc.base64 {
					t.Errorf("Base64Encoded = %v, want %v", resp.Base64Encoded, tc.base64)
				}
			}
			sresp, serr := strict([]byte(tc.payload))
			if got := same(resp, err, sresp, serr); got != tc.strictSame {
				t.Errorf("ProxyResponseStrict reads it the same: %v, want %v (strict: %+v, %v)", got, tc.strictSame, sresp, serr)
			}
		})
	}
}

func TestRESTProxyResponseOverHTTP(t *testing.T) {
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"statusCode":"201","headers":{"X-Ok":true},"body":"aGk=","isBase64Encoded":true}`)
	}))
	inv := mustNew(t, Spec{Type: "AWS_PROXY", URI: srv.URL, ProxyResponse: ProxyResponseREST}, Env{})
	resp, err := inv.Invoke(context.Background(), &Request{Event: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	checkResponse(t, resp, 201, "aGk=", http.Header{"X-Ok": {"true"}, "Content-Type": {"application/json"}})
	if err := resp.DecodeForREST("image/png", []string{"image/png"}); err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != "hi" || resp.Base64Encoded {
		t.Errorf("decoded body %q, Base64Encoded %v", resp.Body, resp.Base64Encoded)
	}
}

func TestAcceptsBinary(t *testing.T) {
	tests := []struct {
		accept string
		types  []string
		want   bool
	}{
		{"image/png", []string{"image/png"}, true},
		{"IMAGE/PNG; q=0.9", []string{"image/png"}, true},
		{"image/png, text/html", []string{"text/html", "image/png"}, true},
		{"text/html, image/png", []string{"image/png"}, false}, // only the first type counts
		{"image/*", []string{"image/png"}, false},              // measured
		{"*/test", []string{"*/test"}, false},                  // measured
		{"image/gif", []string{"image/*"}, true},
		{"text/gif", []string{"image/*"}, false},
		{"anything/else", []string{"*/*"}, true},
		{"", []string{"*/*"}, true},
		{"", []string{"image/png"}, false},
		{"image/png", nil, false},
	}
	for _, tt := range tests {
		if got := AcceptsBinary(tt.accept, tt.types); got != tt.want {
			t.Errorf("AcceptsBinary(%q, %q) = %v, want %v", tt.accept, tt.types, got, tt.want)
		}
	}
}

func TestDecodeForREST(t *testing.T) {
	tests := []struct {
		name   string
		resp   Response
		accept string
		body   string
		err    errKind
	}{
		{"not base64", Response{Body: []byte("aGk=")}, "image/png", "aGk=", noErr},
		{"no match", Response{Body: []byte("aGk="), Base64Encoded: true}, "text/html", "aGk=", noErr},
		{"match", Response{Body: []byte("aGk="), Base64Encoded: true}, "image/png", "hi", noErr},
		{"unpadded", Response{Body: []byte("aGk"), Base64Encoded: true}, "image/png", "hi", noErr},
		{"bad base64, no match", Response{Body: []byte("!!"), Base64Encoded: true}, "text/html", "!!", noErr},
		{"bad base64, match", Response{Body: []byte("!!"), Base64Encoded: true}, "image/png", "", malformedErr},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.resp
			err := r.DecodeForREST(tt.accept, []string{"image/png"})
			checkErr(t, err, tt.err)
			if err == nil && string(r.Body) != tt.body {
				t.Errorf("Body = %q, want %q", r.Body, tt.body)
			}
			if r.Base64Encoded {
				t.Error("Base64Encoded still true")
			}
		})
	}
}

func FuzzRESTProxyResponse(f *testing.F) {
	for _, tc := range restCases {
		f.Add([]byte(tc.payload))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		resp, err := parseRESTResponse(payload)
		if err != nil {
			if resp != nil {
				t.Fatal("both a Response and an error")
			}
			return
		}
		if resp.StatusCode < 100 || resp.StatusCode > 599 || resp.Header.Get("Content-Type") == "" {
			t.Fatalf("StatusCode %d, header %v", resp.StatusCode, resp.Header)
		}
	})
}
