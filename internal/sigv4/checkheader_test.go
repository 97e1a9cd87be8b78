package sigv4

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestCheckHeader checks that CheckHeader refuses, without a body, what
// Verify would refuse for the same headers, with the same kind and message,
// and lets through what only the body or the HMAC can refute.
func TestCheckHeader(t *testing.T) {
	body := []byte("payload")
	replaceAuth := func(old, new string) func(*http.Request) {
		return func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), old, new, 1))
		}
	}
	for _, tc := range []struct {
		name     string
		signing  signing
		tamper   func(*http.Request)
		region   string // Verifier.Region
		now      time.Time
		want     Kind // of CheckHeader
		msg      string
		verifyOK bool // Verify with the real body succeeds
	}{
		{name: "valid", verifyOK: true},
		{name: "valid, region required", region: testRegion, verifyOK: true},
		{name: "other region required", region: "us-east-1", want: InvalidSignature,
			msg: "Credential should be scoped to a valid region, not 'eu-west-1'."},
		{name: "empty region when one is required", region: testRegion, signing: signing{emptyRegion: true}, want: InvalidSignature,
			msg: "Credential should be scoped to a valid region, not ''."},
		{name: "empty region, none required", signing: signing{emptyRegion: true}, verifyOK: true},
		{name: "missing", tamper: func(r *http.Request) { r.Header.Del("Authorization") }, want: MissingAuthentication, msg: msgMissing},
		{name: "malformed", tamper: replaceAuth("Signature=", "Sig="), want: IncompleteSignature, msg: "Authorization header requires 'Signature' parameter."},
		{name: "unknown key", tamper: replaceAuth(testAccessKey, "AKIDOTHER"), want: UnknownAccessKey, msg: msgUnknownKey},
		{name: "service", signing: signing{service: "apigateway"}, want: InvalidSignature, msg: "Credential should be scoped to correct service"},
		{name: "expired", now: testNow.Add(time.Hour), want: SignatureExpired, msg: "Signature expired"},
		{name: "from the future", now: testNow.Add(-time.Hour), want: SignatureExpired, msg: "Signature not yet current"},
		{name: "no date", tamper: func(r *http.Request) { r.Header.Del("X-Amz-Date") }, want: IncompleteSignature},
		// Only the HMAC refutes these: CheckHeader lets them through.
		{name: "wrong signature", tamper: func(r *http.Request) {
			a := r.Header.Get("Authorization")
			r.Header.Set("Authorization", a[:len(a)-64]+strings.Repeat("0", 64))
		}},
		{name: "another secret", signing: signing{secret: "other"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			signed, _ := sdkSign(t, "POST", testURL, body, tc.signing)
			r := overWire(t, signed, body)
			if tc.tamper != nil {
				tc.tamper(r)
			}
			now := tc.now
			if now.IsZero() {
				now = testNow.Add(time.Minute)
			}
			v := newVerifier(now)
			v.Region = tc.region
			err := v.CheckHeader(r)
			wantKind(t, err, tc.want, tc.msg)
			_, verr := v.Verify(r, body)
			switch {
			case tc.verifyOK && verr != nil:
				t.Errorf("Verify: %v, want success", verr)
			case !tc.verifyOK && verr == nil:
				t.Error("Verify succeeded, want a failure")
			case err != nil && verr.Error() != err.Error():
				t.Errorf("Verify says %q, CheckHeader %q", verr, err)
			}
		})
	}
}

// TestCheckHeaderNeedsNoBody: CheckHeader never touches r.Body.
func TestCheckHeaderNeedsNoBody(t *testing.T) {
	signed, _ := sdkSign(t, "POST", testURL, []byte("payload"), signing{})
	r := overWire(t, signed, []byte("payload"))
	r.Body = panicBody{}
	if err := newVerifier(testNow).CheckHeader(r); err != nil {
		t.Fatal(err)
	}
}

type panicBody struct{}

func (panicBody) Read([]byte) (int, error) { panic("CheckHeader read the body") }
func (panicBody) Close() error             { panic("CheckHeader closed the body") }
