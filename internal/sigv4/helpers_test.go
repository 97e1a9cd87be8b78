package sigv4

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go/logging"
)

const (
	testAccessKey = "AKIDEXAMPLE"
	testSecret    = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	testRegion    = "eu-west-1"
	testURL       = "http://127.0.0.1:8080/prod/@connections/R1kmxc2VNjMCFIA%3D"
)

// testNow is the verifier's clock in most tests.
var testNow = time.Date(2026, 11, 22, 9, 10, 0, 0, time.UTC)

// newVerifier returns a verifier that knows testAccessKey and whose clock
// reads now.
func newVerifier(now time.Time) *Verifier {
	return &Verifier{
		Lookup: func(ak string) (string, bool) { return testSecret, ak == testAccessKey },
		Now:    func() time.Time { return now },
	}
}

func hexSHA256(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// signing describes how the SDK signer signs a test request. Zero fields
// mean testSecret, "execute-api", testRegion, testNow and the body's hash.
type signing struct {
	secret, service, region string
	at                      time.Time
	payloadHash             string      // passed to the signer
	contentHeader           bool        // also send X-Amz-Content-Sha256: payloadHash
	header                  http.Header // added before signing
	sessionToken            string
	emptyRegion             bool // sign with an empty region, as a client with no Region does
}

func (s signing) withDefaults(body []byte) signing {
	if s.secret == "" {
		s.secret = testSecret
	}
	if s.service == "" {
		s.service = "execute-api"
	}
	if s.region == "" && !s.emptyRegion {
		s.region = testRegion
	}
	if s.at.IsZero() {
		s.at = testNow
	}
	if s.payloadHash == "" {
		s.payloadHash = hexSHA256(body)
	}
	return s
}

// canonicalLogger captures the canonical string the SDK signer logs.
type canonicalLogger struct{ canonical string }

func (l *canonicalLogger) Logf(_ logging.Classification, format string, v ...any) {
	msg := fmt.Sprintf(format, v...)
	const start, end = "---[ CANONICAL STRING  ]-----------------------------\n", "\n---[ STRING TO SIGN ]"
	if i := strings.Index(msg, start); i >= 0 {
		msg = msg[i+len(start):]
		if j := strings.Index(msg, end); j >= 0 {
			l.canonical = msg[:j]
		}
	}
}

// sdkSign builds a request and signs it with aws-sdk-go-v2's SigV4 signer,
// returning it with the canonical request the signer used.
func sdkSign(tb testing.TB, method, rawURL string, body []byte, s signing) (*http.Request, string) {
	tb.Helper()
	s = s.withDefaults(body)
	r, err := http.NewRequest(method, rawURL, bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	for k, vs := range s.header {
		for _, v := range vs {
			r.Header.Add(k, v)
		}
	}
	if s.contentHeader {
		r.Header.Set("X-Amz-Content-Sha256", s.payloadHash)
	}
	var log canonicalLogger
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.LogSigning, o.Logger = true, &log })
	creds := aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: s.secret, SessionToken: s.sessionToken}
	if err := signer.SignHTTP(context.Background(), creds, r, s.payloadHash, s.service, s.region, s.at); err != nil {
		tb.Fatal(err)
	}
	return r, log.canonical
}

// sdkPresign presigns a request with the SDK signer and returns the request
// a client following the URL would send.
func sdkPresign(tb testing.TB, method, rawURL string, s signing) *http.Request {
	tb.Helper()
	s = s.withDefaults(nil)
	r, err := http.NewRequest(method, rawURL, nil)
	if err != nil {
		tb.Fatal(err)
	}
	for k, vs := range s.header {
		r.Header[k] = vs
	}
	creds := aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: s.secret}
	u, hdr, err := v4.NewSigner().PresignHTTP(context.Background(), creds, r, s.payloadHash, s.service, s.region, s.at)
	if err != nil {
		tb.Fatal(err)
	}
	pr, err := http.NewRequest(method, u, nil)
	if err != nil {
		tb.Fatal(err)
	}
	for k, vs := range hdr {
		if !strings.EqualFold(k, "Host") {
			pr.Header[k] = vs
		}
	}
	return pr
}

// overWire writes r as net/http's client does and reads it back as its
// server does, so tests see what a handler would: RawPath, Host, headers.
func overWire(tb testing.TB, r *http.Request, body []byte) *http.Request {
	tb.Helper()
	c := r.Clone(context.Background())
	c.Body = http.NoBody
	if len(body) > 0 {
		c.Body = readCloser{bytes.NewReader(body)}
	}
	var buf bytes.Buffer
	if err := c.Write(&buf); err != nil {
		tb.Fatal(err)
	}
	sr, err := http.ReadRequest(bufio.NewReader(&buf))
	if err != nil {
		tb.Fatal(err)
	}
	return sr
}

func bufioReader(s string) *bufio.Reader { return bufio.NewReader(strings.NewReader(s)) }

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

// wantKind fails unless err is an *Error of kind want (0 means no error)
// whose message starts with msg.
func wantKind(tb testing.TB, err error, want Kind, msg string) {
	tb.Helper()
	if want == 0 {
		if err != nil {
			tb.Fatalf("Verify: %v", err)
		}
		return
	}
	var e *Error
	if !errors.As(err, &e) {
		tb.Fatalf("err = %v, want *Error of kind %v", err, want)
	}
	if e.Kind != want {
		tb.Fatalf("kind = %v (%q), want %v", e.Kind, e.Msg, want)
	}
	if !strings.HasPrefix(e.Msg, msg) {
		tb.Fatalf("message %q, want prefix %q", e.Msg, msg)
	}
}

// ourCanonical is the canonical request the verifier builds for r, without
// the payload line.
func ourCanonical(tb testing.TB, r *http.Request) string {
	tb.Helper()
	a, err := readAuthorization(r)
	if err != nil {
		tb.Fatalf("readAuthorization: %v", err)
	}
	var s scratch
	return string(appendCanonicalRequest(nil, &s, r, &a))
}
