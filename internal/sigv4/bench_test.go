package sigv4

import (
	"bytes"
	"net/http"
	"testing"
)

// BenchmarkVerify measures Verify on requests as net/http's server hands
// them over. The signing key is cached after the first iteration, as it is
// in a running gateway.
func BenchmarkVerify(b *testing.B) {
	body := bytes.Repeat([]byte("x"), 128)
	post, _ := sdkSign(b, "POST", testURL, body, signing{header: http.Header{"Content-Type": {"application/octet-stream"}}})
	query, _ := sdkSign(b, "GET", "http://h/prod/items?limit=10&next=abc%3D%3D&sort=desc", nil, signing{})
	presigned := sdkPresign(b, "GET", "http://h/prod/@connections/abc%3D?X-Amz-Expires=300", signing{payloadHash: "UNSIGNED-PAYLOAD"})
	for _, bc := range []struct {
		name string
		r    *http.Request
		body []byte
	}{
		{"PostToConnection", overWire(b, post, body), body},
		{"GET with query", overWire(b, query, nil), nil},
		{"presigned", overWire(b, presigned, nil), nil},
	} {
		b.Run(bc.name, func(b *testing.B) {
			v := newVerifier(testNow)
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.body)))
			for b.Loop() {
				if _, err := v.Verify(bc.r, bc.body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkVerifyParallel measures Verify from all Ps at once, which
// exercises the scratch pool and the lock-free key cache.
func BenchmarkVerifyParallel(b *testing.B) {
	body := bytes.Repeat([]byte("x"), 128)
	signed, _ := sdkSign(b, "POST", testURL, body, signing{header: http.Header{"Content-Type": {"application/octet-stream"}}})
	r := overWire(b, signed, body)
	v := newVerifier(testNow)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := v.Verify(r, body); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
