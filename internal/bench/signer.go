package bench

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"sync"
	"time"
)

// leanSigner signs the load generator's POSTs with AWS Signature Version 4
// (service execute-api), as aws-sdk-go-v2's signer does, for the only
// request shape the bench sends: a POST with a body, signing host and
// x-amz-date. It exists so that the instrument stays light: the SDK's
// signer costs about twice the gateway's verification, CPU the gateway
// loses on a shared 2-core machine while the baseline's unsigned client
// pays nothing. The gateway verifies every signature, so a wrong one fails
// the run; TestLeanSignerMatchesSDK checks it against the SDK's.
type leanSigner struct {
	accessKey, secret, region string

	mu      sync.Mutex
	day     string
	signKey []byte
}

func (s *leanSigner) key(day string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.day != day {
		k := hmacSHA256([]byte("AWS4"+s.secret), day)
		k = hmacSHA256(k, s.region)
		k = hmacSHA256(k, "execute-api")
		s.signKey, s.day = hmacSHA256(k, "aws4_request"), day
	}
	return s.signKey
}

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}

// sign adds X-Amz-Date and Authorization to req, whose body is body.
func (s *leanSigner) sign(req *http.Request, body []byte, now time.Time) {
	amzDate := now.UTC().Format("20060102T150405Z")
	day := amzDate[:8]
	sum := sha256.Sum256(body)
	var b strings.Builder
	b.Grow(256)
	b.WriteString(req.Method)
	b.WriteByte('\n')
	b.WriteString(canonicalURI(req.URL.EscapedPath()))
	b.WriteString("\n")
	b.WriteString(req.URL.RawQuery) // the bench sends no query
	b.WriteString("\nhost:")
	b.WriteString(req.URL.Host)
	b.WriteString("\nx-amz-date:")
	b.WriteString(amzDate)
	b.WriteString("\n\nhost;x-amz-date\n")
	b.WriteString(hex.EncodeToString(sum[:]))
	creq := sha256.Sum256([]byte(b.String()))
	scope := day + "/" + s.region + "/execute-api/aws4_request"
	toSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(creq[:])
	sig := hex.EncodeToString(hmacSHA256(s.key(day), toSign))
	req.Header.Set("X-Amz-Date", amzDate)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+s.accessKey+"/"+scope+", SignedHeaders=host;x-amz-date, Signature="+sig)
}

// canonicalURI escapes an escaped path once more, as the SDK does for
// every service but S3: each byte other than an unreserved character or
// "/" becomes %XX.
func canonicalURI(escaped string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(escaped); i++ {
		c := escaped[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' || c == '/' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}
