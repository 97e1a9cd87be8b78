package bench

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"net/http"
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

	mu  sync.Mutex
	day string
	mac hash.Hash // HMAC keyed with the day's signing key; guarded by mu
	buf []byte    // the canonical request and string to sign; guarded by mu
}

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}

// sign adds X-Amz-Date and Authorization to req, whose body is body.
func (s *leanSigner) sign(req *http.Request, body []byte, now time.Time) {
	var date [16]byte
	amzDate := now.UTC().AppendFormat(date[:0], "20060102T150405Z")
	day := string(amzDate[:8])
	var hexBuf [64]byte
	sum := sha256.Sum256(body)

	s.mu.Lock()
	if s.day != day {
		k := hmacSHA256([]byte("AWS4"+s.secret), day)
		k = hmacSHA256(k, s.region)
		k = hmacSHA256(k, "execute-api")
		s.mac, s.day = hmac.New(sha256.New, hmacSHA256(k, "aws4_request")), day
	}
	b := s.buf[:0]
	b = append(b, req.Method...)
	b = append(b, '\n')
	b = appendCanonicalURI(b, req.URL.EscapedPath())
	b = append(b, '\n')
	b = append(b, req.URL.RawQuery...) // the bench sends no query
	b = append(b, "\nhost:"...)
	b = append(b, req.URL.Host...)
	b = append(b, "\nx-amz-date:"...)
	b = append(b, amzDate...)
	b = append(b, "\n\nhost;x-amz-date\n"...)
	hex.Encode(hexBuf[:], sum[:])
	b = append(b, hexBuf[:]...)
	creq := sha256.Sum256(b)
	b = append(b[:0], "AWS4-HMAC-SHA256\n"...)
	b = append(b, amzDate...)
	b = append(b, '\n')
	scopeStart := len(b)
	b = append(b, day...)
	b = append(b, '/')
	b = append(b, s.region...)
	b = append(b, "/execute-api/aws4_request"...)
	scope := string(b[scopeStart:])
	b = append(b, '\n')
	hex.Encode(hexBuf[:], creq[:])
	b = append(b, hexBuf[:]...)
	s.mac.Reset()
	s.mac.Write(b)
	var sig [sha256.Size]byte
	s.mac.Sum(sig[:0])
	s.buf = b
	s.mu.Unlock()

	hex.Encode(hexBuf[:], sig[:])
	req.Header["X-Amz-Date"] = []string{string(amzDate)}
	req.Header["Authorization"] = []string{"AWS4-HMAC-SHA256 Credential=" + s.accessKey + "/" + scope + ", SignedHeaders=host;x-amz-date, Signature=" + string(hexBuf[:])}
}

// appendCanonicalURI escapes an escaped path once more, as the SDK does
// for every service but S3: each byte other than an unreserved character
// or "/" becomes %XX.
func appendCanonicalURI(b []byte, escaped string) []byte {
	const hexDigits = "0123456789ABCDEF"
	for i := 0; i < len(escaped); i++ {
		c := escaped[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' || c == '/' {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hexDigits[c>>4], hexDigits[c&15])
	}
	return b
}
