package sigv4

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// FuzzParseAuthorization feeds arbitrary Authorization headers, dates, paths
// and queries to the header parser and to Verify. Neither may panic, every
// failure must be a well-formed *Error, and Signed must agree with Verify
// about MissingAuthentication.
func FuzzParseAuthorization(f *testing.F) {
	// Real signatures, so the fuzzer starts deep inside Verify.
	for _, tc := range []struct {
		method, url string
		body        []byte
	}{
		{"POST", testURL, []byte("hello")},
		{"GET", "http://h/prod/items?b=2&a=1&sp=a%20b", nil},
	} {
		r, _ := sdkSign(f, tc.method, tc.url, tc.body, signing{})
		f.Add(r.Header.Get("Authorization"), r.Header.Get("X-Amz-Date"), r.URL.EscapedPath(), r.URL.RawQuery)
	}
	p := sdkPresign(f, "GET", "http://h/prod/x?X-Amz-Expires=60", signing{payloadHash: "UNSIGNED-PAYLOAD"})
	f.Add("", "", p.URL.EscapedPath(), p.URL.RawQuery)
	sig := strings.Repeat("a", 64)
	for _, auth := range []string{
		"",
		"AWS4-HMAC-SHA256",
		"AWS4-HMAC-SHA256 ",
		"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/eu-west-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + sig,
		"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122//execute-api/aws4_request,SignedHeaders=host,Signature=" + sig,
		"AWS4-HMAC-SHA256 Credential=/, SignedHeaders=;, Signature=",
		"AWS4-HMAC-SHA256 Credential=a/b/c/d/e/f, SignedHeaders=host;;x, Signature=" + sig,
		"AWS4-HMAC-SHA256 Credential==, SignedHeaders==, Signature==",
		"AWS4-HMAC-SHA256 ,,,, Credential",
		"Bearer eyJhbGciOiJSUzI1NiJ9.e30.sig",
		"Basic dXNlcjpwYXNz==",
		"\x00\xff AWS4-HMAC-SHA256 Credential=\u00e9",
	} {
		f.Add(auth, "20261122T091000Z", "/prod/@connections/a%3D", "a=1")
	}
	f.Add("", "", "//%zz", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=-1")
	f.Add("", "x", "/", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a%2Fb%2Fc%2Fd%2Faws4_request&X-Amz-Date=20261122T091000Z&X-Amz-Expires=9&X-Amz-SignedHeaders=host&X-Amz-Signature="+sig)
	f.Add("", "", "", "X%2DAmz-Algorithm&%&&=&+")

	v := newVerifier(testNow)
	f.Fuzz(func(t *testing.T, auth, date, path, query string) {
		if cred, signed, sig, err := parseAuthorization(auth); err == nil {
			if cred == "" || signed == "" || sig == "" {
				t.Fatalf("parseAuthorization(%q) = %q, %q, %q without error", auth, cred, signed, sig)
			}
		} else if err.Kind != IncompleteSignature || err.Msg == "" {
			t.Fatalf("parseAuthorization(%q): %+v", auth, err)
		}

		r := &http.Request{
			Method: "POST",
			URL:    &url.URL{Path: path, RawPath: path, RawQuery: query},
			Host:   "h",
			Header: http.Header{},
		}
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		if date != "" {
			r.Header.Set("X-Amz-Date", date)
		}
		_, err := v.Verify(r, []byte(path))
		// CheckHeader refuses nothing Verify accepts, and refuses as Verify
		// does.
		if herr := v.CheckHeader(r); herr != nil && (err == nil || herr.Error() != err.Error()) {
			t.Fatalf("CheckHeader: %v, but Verify: %v", herr, err)
		}
		if err == nil {
			return // the fuzzer forged a signature: astonishing, but not a crash
		}
		e, ok := err.(*Error)
		if !ok || e.Kind < MissingAuthentication || e.Kind > SignatureExpired || e.Msg == "" {
			t.Fatalf("Verify: %#v", err)
		}
		if Signed(r) == (e.Kind == MissingAuthentication) {
			t.Fatalf("Signed = %v but Verify: %v", Signed(r), err)
		}
	})
}
