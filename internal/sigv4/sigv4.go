package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Kind classifies verification failures.
type Kind int

// Failure kinds.
const (
	MissingAuthentication Kind = iota + 1
	IncompleteSignature
	InvalidSignature
	UnknownAccessKey
	SignatureExpired
)

// Error is a verification failure. Msg follows AWS's wording.
type Error struct {
	Kind Kind
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

const (
	algorithm   = "AWS4-HMAC-SHA256"
	amzDate     = "20060102T150405Z"
	msgMismatch = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
)

// Verifier checks SigV4 signatures of incoming requests.
type Verifier struct {
	// Service is the signing name required in the credential scope. Zero means "execute-api".
	Service string
	// Lookup returns the secret for an access key ID.
	Lookup func(accessKeyID string) (secret string, ok bool)
	// MaxSkew is the allowed clock difference. Zero means 5 minutes.
	MaxSkew time.Duration
	// Now returns the current time. Nil means time.Now.
	Now func() time.Time

	keys     sync.Map // signing keys by secret, date, region, service
	keyCount atomic.Int64
}

// Identity is who signed a request.
type Identity struct {
	AccessKeyID, Region, Service string
	SignedAt                     time.Time
}

// Signed reports whether r carries SigV4 authentication in its
// Authorization header or its query string.
func Signed(r *http.Request) bool {
	return r.Header.Get("Authorization") != "" ||
		(strings.Contains(r.URL.RawQuery, "X-Amz-Algorithm=") && r.URL.Query().Get("X-Amz-Algorithm") != "")
}

type parsed struct {
	accessKey, date, region, service string
	signedHeaders                    []string
	signature                        string
	amzDate                          string
	expires                          time.Duration // presigned only
	presigned                        bool
}

// ParseAuthorization parses an Authorization header value.
func parseAuthorization(h string) (parsed, *Error) {
	var p parsed
	alg, rest, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || alg != algorithm {
		return p, &Error{IncompleteSignature, "Authorization header requires the " + algorithm + " algorithm."}
	}
	var cred, signed, sig string
	for _, f := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(f), "=")
		switch k {
		case "Credential":
			cred = v
		case "SignedHeaders":
			signed = v
		case "Signature":
			sig = v
		}
	}
	if cred == "" {
		return p, &Error{IncompleteSignature, "Authorization header requires 'Credential' parameter. Authorization=" + truncate(h)}
	}
	if signed == "" {
		return p, &Error{IncompleteSignature, "Authorization header requires 'SignedHeaders' parameter. Authorization=" + truncate(h)}
	}
	if sig == "" {
		return p, &Error{IncompleteSignature, "Authorization header requires 'Signature' parameter. Authorization=" + truncate(h)}
	}
	if e := p.setCredential(cred); e != nil {
		return p, e
	}
	p.signedHeaders = strings.Split(signed, ";")
	p.signature = sig
	return p, nil
}

func truncate(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}

func (p *parsed) setCredential(cred string) *Error {
	parts := strings.Split(cred, "/")
	if len(parts) != 5 || parts[4] != "aws4_request" || parts[0] == "" || len(parts[1]) != 8 {
		return &Error{IncompleteSignature, "Credential should be scoped to a valid region, and a service, and a date: " + truncate(cred)}
	}
	p.accessKey, p.date, p.region, p.service = parts[0], parts[1], parts[2], parts[3]
	return nil
}

func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// Verify checks r's signature. body is the full request body.
func (v *Verifier) Verify(r *http.Request, body []byte) (Identity, error) {
	var p parsed
	var query url.Values
	if r.URL.RawQuery != "" {
		query = r.URL.Query()
	}
	if h := r.Header.Get("Authorization"); h != "" {
		var e *Error
		if p, e = parseAuthorization(h); e != nil {
			return Identity{}, e
		}
		p.amzDate = r.Header.Get("X-Amz-Date")
		if p.amzDate == "" {
			p.amzDate = r.Header.Get("Date")
		}
	} else if query != nil && query.Get("X-Amz-Algorithm") != "" {
		if query.Get("X-Amz-Algorithm") != algorithm {
			return Identity{}, &Error{IncompleteSignature, "X-Amz-Algorithm must be " + algorithm + "."}
		}
		if e := p.setCredential(query.Get("X-Amz-Credential")); e != nil {
			return Identity{}, e
		}
		p.signedHeaders = strings.Split(query.Get("X-Amz-SignedHeaders"), ";")
		p.signature = query.Get("X-Amz-Signature")
		p.amzDate = query.Get("X-Amz-Date")
		p.presigned = true
		secs, err := strconv.Atoi(query.Get("X-Amz-Expires"))
		if err != nil || secs < 0 || secs > 7*24*3600 {
			return Identity{}, &Error{IncompleteSignature, "X-Amz-Expires must be a number of seconds up to 604800."}
		}
		p.expires = time.Duration(secs) * time.Second
	} else {
		return Identity{}, &Error{MissingAuthentication, "Missing Authentication Token"}
	}

	if !isHex64(p.signature) {
		return Identity{}, &Error{IncompleteSignature, "The signature must be 64 lowercase hexadecimal characters."}
	}
	signedAt, err := time.Parse(amzDate, p.amzDate)
	if err != nil {
		return Identity{}, &Error{IncompleteSignature, "Authorization requires an X-Amz-Date in the form YYYYMMDD'T'HHMMSS'Z'."}
	}
	if p.amzDate[:8] != p.date {
		return Identity{}, &Error{InvalidSignature, "Credential scope date " + p.date + " does not match X-Amz-Date " + p.amzDate + "."}
	}
	service := v.Service
	if service == "" {
		service = "execute-api"
	}
	if p.service != service {
		return Identity{}, &Error{InvalidSignature, "Credential should be scoped to correct service: '" + service + "'."}
	}
	hasHost := false
	for i, h := range p.signedHeaders {
		if h != strings.ToLower(h) || h == "" || (i > 0 && p.signedHeaders[i-1] >= h) {
			return Identity{}, &Error{IncompleteSignature, "SignedHeaders must be lowercase, sorted and distinct."}
		}
		if h == "host" {
			hasHost = true
		}
	}
	if !hasHost {
		return Identity{}, &Error{IncompleteSignature, "SignedHeaders must include host."}
	}

	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	t := now()
	skew := v.MaxSkew
	if skew <= 0 {
		skew = 5 * time.Minute
	}
	if p.presigned {
		if t.After(signedAt.Add(p.expires)) {
			return Identity{}, &Error{SignatureExpired, "Request has expired"}
		}
		if signedAt.After(t.Add(skew)) {
			return Identity{}, &Error{SignatureExpired, "Request is not yet valid"}
		}
	} else {
		if signedAt.Before(t.Add(-skew)) {
			return Identity{}, &Error{SignatureExpired, "Signature expired: " + p.amzDate + " is now earlier than " +
				t.Add(-skew).UTC().Format(amzDate) + " (" + t.UTC().Format(amzDate) + " - " + minutes(skew) + ")"}
		}
		if signedAt.After(t.Add(skew)) {
			return Identity{}, &Error{SignatureExpired, "Signature not yet current: " + p.amzDate + " is still later than " +
				t.Add(skew).UTC().Format(amzDate) + " (" + t.UTC().Format(amzDate) + " + " + minutes(skew) + ")"}
		}
	}

	var secret string
	ok := false
	if v.Lookup != nil {
		secret, ok = v.Lookup(p.accessKey)
	}
	if !ok {
		return Identity{}, &Error{UnknownAccessKey, "The security token included in the request is invalid."}
	}

	creq := canonicalRequest(r, &p, query, body)
	sum := sha256.Sum256([]byte(creq))
	scope := p.date + "/" + p.region + "/" + p.service + "/aws4_request"
	sts := algorithm + "\n" + p.amzDate + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
	key := v.signingKey(secret, p.date, p.region, p.service)
	var want [64]byte
	hex.Encode(want[:], hmacSHA256(key, sts))
	if !hmac.Equal(want[:], []byte(p.signature)) {
		return Identity{}, &Error{InvalidSignature, msgMismatch}
	}
	return Identity{AccessKeyID: p.accessKey, Region: p.region, Service: p.service, SignedAt: signedAt}, nil
}

func minutes(d time.Duration) string {
	return strconv.Itoa(int(d/time.Minute)) + " min."
}

// signingKey derives (and caches) the SigV4 signing key, which depends only
// on the secret, the day, the region and the service.
func (v *Verifier) signingKey(secret, date, region, service string) []byte {
	ck := secret + "\x00" + date + "\x00" + region + "\x00" + service
	if k, ok := v.keys.Load(ck); ok {
		return k.([]byte)
	}
	key := hmacSHA256([]byte("AWS4"+secret), date)
	key = hmacSHA256(key, region)
	key = hmacSHA256(key, service)
	key = hmacSHA256(key, "aws4_request")
	if v.keyCount.Add(1) > maxCachedKeys {
		v.keys.Clear()
		v.keyCount.Store(0)
	}
	v.keys.Store(ck, key)
	return key
}

// maxCachedKeys bounds the signing-key cache; a new day or region adds keys.
const maxCachedKeys = 1024

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}

// canonicalRequest builds the SigV4 canonical request. The canonical URI is
// the raw (escaped) path escaped once more, as for every service but S3.
func canonicalRequest(r *http.Request, p *parsed, query url.Values, body []byte) string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	b.WriteString(escape(path, false))
	b.WriteByte('\n')

	keys := make([]string, 0, len(query))
	for k := range query {
		if p.presigned && k == "X-Amz-Signature" {
			continue
		}
		keys = append(keys, k)
	}
	type kv struct{ k, v string }
	var pairs []kv
	for _, k := range keys {
		for _, v := range query[k] {
			pairs = append(pairs, kv{escape(k, true), escape(v, true)})
		}
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	for i, pr := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(pr.k)
		b.WriteByte('=')
		b.WriteString(pr.v)
	}
	b.WriteByte('\n')

	for _, h := range p.signedHeaders {
		b.WriteString(h)
		b.WriteByte(':')
		var vals []string
		if h == "host" {
			vals = []string{r.Host}
		} else if h == "content-length" && r.Header.Get("Content-Length") == "" {
			vals = []string{strconv.FormatInt(r.ContentLength, 10)}
		} else {
			vals = r.Header.Values(h)
		}
		for i, v := range vals {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strings.Join(strings.Fields(v), " "))
		}
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(p.signedHeaders, ";"))
	b.WriteByte('\n')

	payload := r.Header.Get("X-Amz-Content-Sha256")
	switch {
	case p.presigned && payload == "":
		payload = "UNSIGNED-PAYLOAD"
	case payload == "" || !contains(p.signedHeaders, "x-amz-content-sha256"):
		sum := sha256.Sum256(body)
		payload = hex.EncodeToString(sum[:])
	}
	b.WriteString(payload)
	return b.String()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// escape applies AWS URI encoding: everything but A-Za-z0-9-._~ is
// percent-encoded; "/" is kept unless encodeSlash.
func escape(s string, encodeSlash bool) string {
	const hexUpper = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' || (c == '/' && !encodeSlash) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexUpper[c>>4])
		b.WriteByte(hexUpper[c&15])
	}
	return b.String()
}
