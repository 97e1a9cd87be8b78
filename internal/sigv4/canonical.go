package sigv4

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/portico-gw/portico/internal/urlpath"
)

// scratch holds the buffers one verification needs; they are pooled so the
// hot path does not allocate them.
type scratch struct {
	canon []byte      // canonical request
	sts   []byte      // HMAC inner block followed by the string to sign
	query []byte      // encoded query keys and values
	pairs []queryPair // offsets into query
}

// queryPair is one query parameter: query[k0:k1] is its encoded key,
// query[k1:v1] its encoded value.
type queryPair struct{ k0, k1, v1 int }

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// maxPooled bounds the buffers kept in the pool so one huge request does not
// pin memory.
const maxPooled = 64 << 10

func getScratch() *scratch { return scratchPool.Get().(*scratch) }

func putScratch(s *scratch) {
	if cap(s.canon) > maxPooled || cap(s.sts) > maxPooled || cap(s.query) > maxPooled || cap(s.pairs) > maxPooled/16 {
		return
	}
	scratchPool.Put(s)
}

// appendCanonicalRequest appends the canonical request of r to dst, up to
// and including the newline before the payload hash, which the caller
// appends:
//
//	METHOD
//	canonical URI
//	canonical query
//	canonical headers (one "name:value" line each), then an empty line
//	signed headers
func appendCanonicalRequest(dst []byte, s *scratch, r *http.Request, a *authorization) []byte {
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	dst = append(dst, method...)
	dst = append(dst, '\n')

	// The raw path as sent, escaped once more (every service but S3).
	path := urlpath.Escaped(r.URL) // r.URL.EscapedPath(), without allocating
	if path == "" {
		path = "/"
	}
	dst = appendEscaped(dst, path, false)
	dst = append(dst, '\n')

	dst = appendCanonicalQuery(dst, s, r.URL.RawQuery, a.presigned)
	dst = append(dst, '\n')

	for rest := a.signedHeaders; ; {
		name, tail, more := strings.Cut(rest, ";")
		dst = append(dst, name...)
		dst = append(dst, ':')
		dst = appendHeaderValues(dst, r, name)
		dst = append(dst, '\n')
		if !more {
			break
		}
		rest = tail
	}
	dst = append(dst, '\n')
	dst = append(dst, a.signedHeaders...)
	dst = append(dst, '\n')
	return dst
}

// appendHeaderValues appends the canonical value of the header name
// (lowercase): its values trimmed, inner runs of spaces collapsed, joined
// with ",".
func appendHeaderValues(dst []byte, r *http.Request, name string) []byte {
	if name == "host" {
		host := r.Host
		if host == "" {
			host = r.URL.Host
		}
		return appendTrimmed(dst, host)
	}
	values := headerValues(r.Header, name)
	if len(values) == 0 && name == "content-length" && r.ContentLength > 0 {
		return strconv.AppendInt(dst, r.ContentLength, 10)
	}
	for i, v := range values {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendTrimmed(dst, v)
	}
	return dst
}

// headerValues returns h's values for the lowercase name, building the
// canonical key on the stack when it can.
func headerValues(h http.Header, name string) []string {
	var b [64]byte
	if len(name) > len(b) {
		return h[http.CanonicalHeaderKey(name)]
	}
	upper := true
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case 'a' <= c && c <= 'z':
			if upper {
				c -= 'a' - 'A'
			}
		case '0' <= c && c <= '9', c == '-':
		default:
			// Rare characters: let net/http decide the canonical form.
			return h[http.CanonicalHeaderKey(name)]
		}
		b[i] = c
		upper = c == '-'
	}
	return h[string(b[:len(name)])]
}

// appendTrimmed appends v without leading and trailing white space and with
// each run of spaces collapsed to one, as the SDK signers do.
func appendTrimmed(dst []byte, v string) []byte {
	v = strings.TrimSpace(v)
	for i := 0; i < len(v); i++ {
		if v[i] == ' ' && i > 0 && v[i-1] == ' ' {
			continue
		}
		dst = append(dst, v[i])
	}
	return dst
}

// appendCanonicalQuery appends the canonical query string: every parameter
// decoded and then AWS-escaped, sorted by escaped key then escaped value,
// joined by "&". X-Amz-Signature is left out of presigned requests.
//
// Decoding follows the query rules of net/url ("+" is a space) except that
// an invalid escape stands for itself rather than dropping the parameter.
func appendCanonicalQuery(dst []byte, s *scratch, rawQuery string, presigned bool) []byte {
	if rawQuery == "" {
		return dst
	}
	enc := s.query[:0]
	pairs := s.pairs[:0]
	for rest := rawQuery; rest != ""; {
		var seg string
		seg, rest, _ = strings.Cut(rest, "&")
		if seg == "" {
			continue
		}
		k, v, _ := strings.Cut(seg, "=")
		k0 := len(enc)
		enc = appendReescaped(enc, k)
		k1 := len(enc)
		if presigned && string(enc[k0:k1]) == "X-Amz-Signature" {
			enc = enc[:k0]
			continue
		}
		enc = appendReescaped(enc, v)
		pairs = append(pairs, queryPair{k0, k1, len(enc)})
	}
	slices.SortFunc(pairs, func(a, b queryPair) int {
		if c := bytes.Compare(enc[a.k0:a.k1], enc[b.k0:b.k1]); c != 0 {
			return c
		}
		return bytes.Compare(enc[a.k1:a.v1], enc[b.k1:b.v1])
	})
	for i, p := range pairs {
		if i > 0 {
			dst = append(dst, '&')
		}
		dst = append(dst, enc[p.k0:p.k1]...)
		dst = append(dst, '=')
		dst = append(dst, enc[p.k1:p.v1]...)
	}
	s.query, s.pairs = enc, pairs
	return dst
}

// appendReescaped query-unescapes s and appends it AWS-escaped.
func appendReescaped(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c, n := unescapeAt(s, i)
		dst = appendEscapedByte(dst, c)
		i += n
	}
	return dst
}

// appendEscaped appends s with AWS URI encoding: every byte but A-Z a-z 0-9
// - . _ ~ becomes %XX (uppercase hex); "/" is kept unless encodeSlash.
func appendEscaped(dst []byte, s string, encodeSlash bool) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '/' && !encodeSlash {
			dst = append(dst, c)
		} else {
			dst = appendEscapedByte(dst, c)
		}
	}
	return dst
}

func appendEscapedByte(dst []byte, c byte) []byte {
	if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
		return append(dst, c)
	}
	const hexUpper = "0123456789ABCDEF"
	return append(dst, '%', hexUpper[c>>4], hexUpper[c&15])
}

// appendHexSHA256 appends the lowercase hex SHA-256 of b.
func appendHexSHA256(dst, b []byte) []byte {
	sum := sha256.Sum256(b)
	return hex.AppendEncode(dst, sum[:])
}

// stringToSignMAC computes HMAC-SHA256(key, string to sign) for the
// canonical request canon. It works on s.sts with two sha256.Sum256 calls
// instead of crypto/hmac, which allocates its state on every use.
func stringToSignMAC(s *scratch, key *[32]byte, a *authorization, canon []byte) [32]byte {
	const ipad, opad = 0x36, 0x5c
	b := s.sts[:0]
	for i := range 64 {
		k := byte(0)
		if i < len(key) {
			k = key[i]
		}
		b = append(b, k^ipad)
	}
	b = append(b, algorithm+"\n"...)
	b = append(b, a.amzDate...)
	b = append(b, '\n')
	b = append(b, a.date...)
	b = append(b, '/')
	b = append(b, a.region...)
	b = append(b, '/')
	b = append(b, a.service...)
	b = append(b, "/"+terminator+"\n"...)
	b = appendHexSHA256(b, canon)
	inner := sha256.Sum256(b)
	s.sts = b

	var outer [64 + 32]byte
	for i := range 64 {
		k := byte(0)
		if i < len(key) {
			k = key[i]
		}
		outer[i] = k ^ opad
	}
	copy(outer[64:], inner[:])
	return sha256.Sum256(outer[:])
}

// decodeSignature decodes a signature already checked by isSignature.
func decodeSignature(s string) (sig [32]byte) {
	for i := range sig {
		h, _ := urlpath.Unhex(s[2*i])
		l, _ := urlpath.Unhex(s[2*i+1])
		sig[i] = h<<4 | l
	}
	return sig
}
