package sigv4

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
)

const (
	ak     = "AKIDEXAMPLE"
	secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
)

func verifier(now time.Time) *Verifier {
	return &Verifier{
		Lookup: func(k string) (string, bool) { return secret, k == ak },
		Now:    func() time.Time { return now },
	}
}

func hash(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// signed returns a request signed by the SDK's signer as aws-sdk-go-v2 would.
func signed(t testing.TB, method, url string, body []byte, at time.Time, mutate func(*http.Request), withPayloadHeader bool) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if mutate != nil {
		mutate(r)
	}
	if withPayloadHeader {
		r.Header.Set("X-Amz-Content-Sha256", hash(body))
	}
	err = v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: ak, SecretAccessKey: secret}, r, hash(body), "execute-api", "eu-west-1", at)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestVerifySDKSignedRequests(t *testing.T) {
	now := time.Date(2026, 11, 22, 9, 4, 51, 0, time.UTC)
	v := verifier(now)
	for _, tc := range []struct {
		name, method, url string
		body              []byte
		payloadHeader     bool
	}{
		{"post", "POST", "http://127.0.0.1:8080/prod/@connections/R1kmxc2VNjMCFIA%3D", []byte(`{"a":1}`), false},
		{"get", "GET", "http://127.0.0.1:8080/prod/@connections/R1kmxc2VNjMCFIA%3D", nil, false},
		{"delete", "DELETE", "http://h.execute-api.local/prod/@connections/a%2Bb%2Fc%3D", nil, false},
		{"query", "GET", "http://h/prod/x?b=2&a=1&a=0&sp=a%20b&e=", nil, false},
		{"space and unicode path", "POST", "http://h/prod/a%20b/%C3%A9", []byte("x"), true},
		{"payload header", "POST", "http://h/prod/@connections/x", []byte("hello"), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := signed(t, tc.method, tc.url, tc.body, now.Add(-time.Minute), nil, tc.payloadHeader)
			id, err := v.Verify(r, tc.body)
			if err != nil {
				t.Fatalf("Verify: %v\nAuthorization: %s", err, r.Header.Get("Authorization"))
			}
			if id.AccessKeyID != ak || id.Region != "eu-west-1" || id.Service != "execute-api" {
				t.Errorf("identity %+v", id)
			}
		})
	}
}

func TestVerifyRejectsTampering(t *testing.T) {
	now := time.Date(2026, 11, 22, 9, 4, 51, 0, time.UTC)
	url := "http://127.0.0.1:8080/prod/@connections/R1kmxc2VNjMCFIA%3D"
	body := []byte("payload")
	for _, tc := range []struct {
		name   string
		tamper func(r *http.Request) []byte
		want   Kind
	}{
		{"body", func(r *http.Request) []byte { return []byte("other") }, InvalidSignature},
		{"path", func(r *http.Request) []byte {
			r.URL.RawPath = "/dev/@connections/R1kmxc2VNjMCFIA%3D"
			r.URL.Path = "/dev/@connections/R1kmxc2VNjMCFIA="
			return body
		}, InvalidSignature},
		{"signed header", func(r *http.Request) []byte { r.Host = "evil:8080"; return body }, InvalidSignature},
		{"date", func(r *http.Request) []byte {
			r.Header.Set("X-Amz-Date", now.Add(-2*time.Minute).UTC().Format("20060102T150405Z"))
			return body
		}, InvalidSignature},
		{"unknown key", func(r *http.Request) []byte {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), ak, "AKIDOTHER", 1))
			return body
		}, UnknownAccessKey},
		{"service", func(r *http.Request) []byte {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/execute-api/", "/apigateway/", 1))
			return body
		}, InvalidSignature},
		{"scope date", func(r *http.Request) []byte {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/20261122/", "/20261121/", 1))
			return body
		}, InvalidSignature},
		{"missing", func(r *http.Request) []byte { r.Header.Del("Authorization"); return body }, MissingAuthentication},
		{"bad signature hex", func(r *http.Request) []byte {
			a := r.Header.Get("Authorization")
			r.Header.Set("Authorization", a[:strings.Index(a, "Signature=")]+"Signature=XYZ")
			return body
		}, IncompleteSignature},
		{"no credential", func(r *http.Request) []byte {
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 SignedHeaders=host, Signature="+strings.Repeat("a", 64))
			return body
		}, IncompleteSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := signed(t, "POST", url, body, now, nil, false)
			b := tc.tamper(r)
			_, err := verifier(now).Verify(r, b)
			var e *Error
			if !errors.As(err, &e) || e.Kind != tc.want {
				t.Fatalf("err = %v, want kind %d", err, tc.want)
			}
		})
	}
	// Wrong secret.
	r := signed(t, "POST", url, body, now, nil, false)
	v := verifier(now)
	v.Lookup = func(string) (string, bool) { return "not-the-secret", true }
	if _, err := v.Verify(r, body); err == nil || err.Error() != msgMismatch {
		t.Errorf("wrong secret: %v", err)
	}
}

func TestClockSkew(t *testing.T) {
	now := time.Date(2026, 11, 22, 9, 10, 0, 0, time.UTC)
	for _, tc := range []struct {
		offset time.Duration
		ok     bool
	}{
		{-6 * time.Minute, false}, {-4 * time.Minute, true}, {4 * time.Minute, true}, {6 * time.Minute, false},
	} {
		r := signed(t, "GET", "http://h/prod/@connections/x", nil, now.Add(tc.offset), nil, false)
		_, err := verifier(now).Verify(r, nil)
		if tc.ok != (err == nil) {
			t.Errorf("signed %v from now: %v", tc.offset, err)
		}
		var e *Error
		if !tc.ok && (!errors.As(err, &e) || e.Kind != SignatureExpired) {
			t.Errorf("signed %v from now: %v, want SignatureExpired", tc.offset, err)
		}
	}
	r := signed(t, "GET", "http://h/prod/x", nil, now.Add(-6*time.Minute), nil, false)
	_, err := verifier(now).Verify(r, nil)
	if want := "Signature expired: 20261122T090400Z is now earlier than 20261122T090500Z (20261122T091000Z - 5 min.)"; err == nil || err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
}

func TestPresigned(t *testing.T) {
	now := time.Date(2026, 11, 22, 9, 10, 0, 0, time.UTC)
	r, _ := http.NewRequest("GET", "http://h/prod/@connections/abc%3D?X-Amz-Expires=60", nil)
	u, _, err := v4.NewSigner().PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: ak, SecretAccessKey: secret}, r, "UNSIGNED-PAYLOAD", "execute-api", "us-east-1", now)
	if err != nil {
		t.Fatal(err)
	}
	pr, _ := http.NewRequest("GET", u, nil)
	if _, err := verifier(now.Add(30*time.Second)).Verify(pr, nil); err != nil {
		t.Fatalf("presigned: %v (%s)", err, u)
	}
	if _, err := verifier(now.Add(2*time.Minute)).Verify(pr, nil); err == nil {
		t.Fatal("expired presigned URL accepted")
	}
}

// TestRealManagementClient checks the three management calls made by the
// real aws-sdk-go-v2 client verify, and that a wrong secret does not.
func TestRealManagementClient(t *testing.T) {
	v := &Verifier{Lookup: func(k string) (string, bool) { return secret, k == ak }}
	var results []error
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		_, err := v.Verify(r, body)
		results = append(results, err)
		switch r.Method {
		case http.MethodGet:
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"connectedAt":"2000-01-01T00:00:00Z","identity":{"sourceIp":"1.2.3.4","userAgent":"x"},"lastActiveAt":"2000-01-01T00:00:00Z"}`)
		case http.MethodDelete:
			w.WriteHeader(http.StatusNoContent)
		}
	}))
	defer srv.Close()
	client := func(sec string) *apigatewaymanagementapi.Client {
		return apigatewaymanagementapi.NewFromConfig(aws.Config{Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider(ak, sec, "")},
			func(o *apigatewaymanagementapi.Options) { o.BaseEndpoint = aws.String(srv.URL + "/prod") })
	}
	ctx := context.Background()
	id := aws.String("R1kmxc2VNjMCFIA=")
	c := client(secret)
	if _, err := c.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: id, Data: []byte("hello")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetConnection(ctx, &apigatewaymanagementapi.GetConnectionInput{ConnectionId: id}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteConnection(ctx, &apigatewaymanagementapi.DeleteConnectionInput{ConnectionId: id}); err != nil {
		t.Fatal(err)
	}
	_, _ = client("wrong").PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: id, Data: []byte("x")})
	if len(results) != 4 {
		t.Fatalf("%d requests", len(results))
	}
	for i, err := range results[:3] {
		if err != nil {
			t.Errorf("SDK request %d: %v", i, err)
		}
	}
	if results[3] == nil {
		t.Error("a request signed with the wrong secret verified")
	}
}

func FuzzVerify(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature="+strings.Repeat("a", 64), "20261122T090451Z", "/prod/@connections/a%3D", "a=1")
	f.Add("AWS4-HMAC-SHA256 Credential=/, SignedHeaders=;, Signature=", "x", "/", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=-1")
	f.Add("garbage", "", "//%zz", "X-Amz-Credential=a/b/c/d/aws4_request")
	f.Fuzz(func(t *testing.T, auth, date, path, query string) {
		r, err := http.NewRequest("POST", "http://h/", nil)
		if err != nil {
			return
		}
		r.URL.RawPath, r.URL.Path, r.URL.RawQuery = path, path, query
		r.Header.Set("Authorization", auth)
		r.Header.Set("X-Amz-Date", date)
		_, _ = verifier(time.Date(2026, 11, 22, 9, 5, 0, 0, time.UTC)).Verify(r, []byte("body"))
		_ = Signed(r)
	})
}

func BenchmarkVerify(b *testing.B) {
	now := time.Now()
	body := bytes.Repeat([]byte("x"), 100)
	r := signed(b, "POST", "http://127.0.0.1:8080/prod/@connections/R1kmxc2VNjMCFIA%3D", body, now, func(r *http.Request) {
		r.Header.Set("Content-Type", "application/octet-stream")
	}, false)
	v := verifier(now)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(r, body); err != nil {
			b.Fatal(err)
		}
	}
}
