package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/portico-gw/portico/internal/urlpath"
)

// Kind classifies why a request failed verification. API Gateway reports
// MissingAuthentication as MissingAuthenticationTokenException,
// IncompleteSignature as IncompleteSignatureException, InvalidSignature and
// SignatureExpired as InvalidSignatureException and UnknownAccessKey as
// UnrecognizedClientException, all with status 403.
type Kind int

// The kinds of verification failure.
const (
	// MissingAuthentication: no Authorization header and no presigned
	// query parameters.
	MissingAuthentication Kind = iota + 1
	// IncompleteSignature: a malformed Authorization header or presigned
	// query (missing or malformed parameters, wrong algorithm, bad
	// credential scope, host not signed, missing or malformed date).
	IncompleteSignature
	// InvalidSignature: the signature does not match, or the credential
	// scope names the wrong service or another day than X-Amz-Date.
	InvalidSignature
	// UnknownAccessKey: Lookup does not know the access key ID.
	UnknownAccessKey
	// SignatureExpired: X-Amz-Date is outside the allowed clock skew, or a
	// presigned URL has expired.
	SignatureExpired
)

var kindNames = [...]string{
	MissingAuthentication: "MissingAuthentication",
	IncompleteSignature:   "IncompleteSignature",
	InvalidSignature:      "InvalidSignature",
	UnknownAccessKey:      "UnknownAccessKey",
	SignatureExpired:      "SignatureExpired",
}

// String returns the constant's name.
func (k Kind) String() string {
	if k > 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Error is a verification failure. Verify returns only *Error.
type Error struct {
	Kind Kind
	// Msg is the message AWS sends for this failure, where it is known.
	Msg string
}

// Error returns e.Msg, which is meant to be shown to the client.
func (e *Error) Error() string { return e.Msg }

const (
	msgMissing    = "Missing Authentication Token"
	msgMismatch   = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgUnknownKey = "The security token included in the request is invalid."

	unsignedPayload = "UNSIGNED-PAYLOAD"
	defaultService  = "execute-api"
	defaultSkew     = 5 * time.Minute
)

// Verifier checks AWS Signature Version 4 signatures of incoming requests.
// Its zero value uses service execute-api, a 5-minute skew and the system
// clock, and knows no access keys. Set the fields before first use and do
// not change them afterwards.
type Verifier struct {
	// Service is the signing name required in the credential scope. Zero means "execute-api".
	Service string
	// Lookup returns the secret for an access key ID; ok=false means unknown key.
	// Nil means every key is unknown. It is called concurrently.
	Lookup func(accessKeyID string) (secret string, ok bool)
	// Region, when set, is the only region accepted in the credential
	// scope. Zero means any region, even an empty one.
	Region string
	// MaxSkew is the allowed clock difference. Zero means 5 minutes.
	MaxSkew time.Duration
	// Now returns the current time. Nil means time.Now.
	Now func() time.Time

	keys keyCache
}

// NewVerifier returns a Verifier for service execute-api that accepts the
// keys of creds (access key ID → secret), the gateway's configured
// credentials. The map must not change afterwards.
func NewVerifier(creds map[string]string) *Verifier {
	return &Verifier{Service: "execute-api", Lookup: func(accessKeyID string) (string, bool) {
		secret, ok := creds[accessKeyID]
		return secret, ok
	}}
}

// Identity is who signed a verified request, from its credential scope.
type Identity struct {
	AccessKeyID, Region, Service string
	// SignedAt is X-Amz-Date (or Date), in UTC.
	SignedAt time.Time
}

// Signed reports whether r carries any SigV4 authentication (header or query), so callers can tell unsigned from badly signed.
// It is false exactly when Verify would fail with MissingAuthentication:
// r has no Authorization header and no X-Amz-Algorithm query parameter.
func Signed(r *http.Request) bool {
	if r == nil {
		return false
	}
	if r.Header.Get("Authorization") != "" {
		return true
	}
	return r.URL != nil && r.URL.RawQuery != "" && hasQueryParam(r.URL.RawQuery, "X-Amz-Algorithm")
}

// Verify checks r's signature. body is the full request body (the caller
// has read it; r.Body is not touched). The canonical URI is built from
// r.URL.EscapedPath() escaped once more, the host from r.Host. A signed
// X-Amz-Content-Sha256 is used as the payload hash (UNSIGNED-PAYLOAD leaves
// the body unauthenticated; a hash must match body); otherwise body is
// hashed. A presigned URL without that header may sign UNSIGNED-PAYLOAD or
// the body's hash. Any region is accepted unless Region is set. Errors are *Error.
func (v *Verifier) Verify(r *http.Request, body []byte) (Identity, error) {
	id, err := v.verify(r, body)
	if err != nil {
		return Identity{}, err
	}
	return id, nil
}

// CheckHeader checks what can be checked of r's signature without its body:
// the Authorization header (or presigned query) is present and well formed,
// the credential scope names the Verifier's service (and Region, when set)
// and the day of X-Amz-Date, the date lies within MaxSkew, and Lookup knows
// the access key. It computes no HMAC. A caller that must read the body
// before Verify calls it first, so that requests that cannot succeed are
// refused before their body is read. Errors are *Error, the same Verify
// would return for the same request.
func (v *Verifier) CheckHeader(r *http.Request) error {
	if _, err := v.check(r); err != nil {
		return err
	}
	return nil
}

// checked is what check found valid in a request's signature headers.
type checked struct {
	a           authorization
	signedAt    time.Time
	contentHash string // a signed X-Amz-Content-Sha256, or ""
	secret      string
}

// check runs every check of Verify that needs neither the body nor the
// signature's HMAC.
func (v *Verifier) check(r *http.Request) (checked, *Error) {
	if r == nil || r.URL == nil {
		return checked{}, &Error{MissingAuthentication, msgMissing}
	}
	a, err := readAuthorization(r)
	if err != nil {
		return checked{}, err
	}
	if !isSignature(a.signature) {
		return checked{}, &Error{IncompleteSignature, "The signature should be 64 lowercase hexadecimal digits, not '" + truncate(a.signature, 80) + "'."}
	}
	if err := checkSignedHeaders(a.signedHeaders); err != nil {
		return checked{}, err
	}
	signedAt, ok := parseAmzDate(a.amzDate)
	if !ok {
		return checked{}, &Error{IncompleteSignature, "Date must be in ISO-8601 'basic format'. Got '" + truncate(a.amzDate, 40) + "'. See http://en.wikipedia.org/wiki/ISO_8601"}
	}
	if a.date != a.amzDate[:8] {
		return checked{}, &Error{InvalidSignature, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" +
			a.date + "' != '" + a.amzDate[:8] + "', from '" + a.amzDate + "'."}
	}
	service := v.Service
	if service == "" {
		service = defaultService
	}
	if a.service != service {
		return checked{}, &Error{InvalidSignature, "Credential should be scoped to correct service: '" + service + "'."}
	}
	if v.Region != "" && a.region != v.Region {
		return checked{}, &Error{InvalidSignature, "Credential should be scoped to a valid region, not '" + truncate(a.region, 40) + "'."}
	}
	contentHash := ""
	if signsHeader(a.signedHeaders, "x-amz-content-sha256") {
		contentHash = r.Header.Get("X-Amz-Content-Sha256")
		if contentHash != "" && contentHash != unsignedPayload && !isHex64(contentHash) {
			return checked{}, &Error{InvalidSignature, "The provided 'x-amz-content-sha256' header is not valid."}
		}
	}
	if err := v.checkTime(a, signedAt); err != nil {
		return checked{}, err
	}
	secret, ok := "", false
	if v.Lookup != nil {
		secret, ok = v.Lookup(a.accessKeyID)
	}
	if !ok {
		return checked{}, &Error{UnknownAccessKey, msgUnknownKey}
	}
	return checked{a: a, signedAt: signedAt, contentHash: contentHash, secret: secret}, nil
}

func (v *Verifier) verify(r *http.Request, body []byte) (Identity, *Error) {
	c, err := v.check(r)
	if err != nil {
		return Identity{}, err
	}
	a, signedAt, contentHash, secret := c.a, c.signedAt, c.contentHash, c.secret
	kid := keyID{secret, a.date, a.region, a.service}
	key, cached := v.keys.get(kid)
	if !cached {
		key = deriveKey(kid)
	}

	s := getScratch()
	defer putScratch(s)
	canon := appendCanonicalRequest(s.canon[:0], s, r, &a)
	prefix := len(canon)
	want := decodeSignature(a.signature)

	var match bool
	switch {
	case contentHash != "":
		canon = append(canon, contentHash...)
		mac := stringToSignMAC(s, &key, &a, canon)
		match = hmac.Equal(mac[:], want[:])
	case a.presigned:
		// Presigned URLs sign UNSIGNED-PAYLOAD (S3 style) or, from the
		// SDKs' presigners for other services, the body's hash.
		canon = append(canon, unsignedPayload...)
		mac := stringToSignMAC(s, &key, &a, canon)
		if match = hmac.Equal(mac[:], want[:]); !match {
			canon = appendHexSHA256(canon[:prefix], body)
			mac = stringToSignMAC(s, &key, &a, canon)
			match = hmac.Equal(mac[:], want[:])
		}
	default:
		canon = appendHexSHA256(canon, body)
		mac := stringToSignMAC(s, &key, &a, canon)
		match = hmac.Equal(mac[:], want[:])
	}
	s.canon = canon
	if !match {
		return Identity{}, &Error{InvalidSignature, msgMismatch}
	}
	if contentHash != "" && contentHash != unsignedPayload {
		var got [64]byte
		if !strings.EqualFold(contentHash, string(appendHexSHA256(got[:0], body))) {
			return Identity{}, &Error{InvalidSignature, "The provided 'x-amz-content-sha256' header does not match what was computed."}
		}
	}
	if !cached {
		v.keys.put(kid, key)
	}
	return Identity{AccessKeyID: a.accessKeyID, Region: a.region, Service: a.service, SignedAt: signedAt}, nil
}

// readAuthorization takes the claimed signature from the Authorization
// header or, when there is none, from the presigned query parameters.
func readAuthorization(r *http.Request) (authorization, *Error) {
	if h := r.Header.Get("Authorization"); h != "" {
		credStr, signed, sig, err := parseAuthorization(h)
		if err != nil {
			return authorization{}, err
		}
		cred, err := parseCredential(credStr)
		if err != nil {
			return authorization{}, err
		}
		a := authorization{credential: cred, signedHeaders: signed, signature: sig}
		if a.amzDate = r.Header.Get("X-Amz-Date"); a.amzDate == "" {
			d := r.Header.Get("Date")
			if d == "" {
				return authorization{}, &Error{IncompleteSignature, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=" + truncate(h, 200)}
			}
			t, err := http.ParseTime(d)
			if err != nil {
				return authorization{}, &Error{IncompleteSignature, "Date must be in RFC 1123 format. Got '" + truncate(d, 40) + "'."}
			}
			a.amzDate = t.UTC().Format(amzLayout)
		}
		return a, nil
	}
	if r.URL.RawQuery != "" {
		a, found, err := presignedParams(r.URL.RawQuery)
		if err != nil {
			return authorization{}, err
		}
		if found {
			return a, nil
		}
	}
	return authorization{}, &Error{MissingAuthentication, msgMissing}
}

// checkTime applies the clock-skew window and, for presigned URLs, the
// expiry.
func (v *Verifier) checkTime(a authorization, signedAt time.Time) *Error {
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	t := now().UTC()
	skew := v.MaxSkew
	if skew <= 0 {
		skew = defaultSkew
	}
	if signedAt.After(t.Add(skew)) {
		return &Error{SignatureExpired, "Signature not yet current: " + a.amzDate + " is still later than " +
			t.Add(skew).Format(amzLayout) + " (" + t.Format(amzLayout) + " + " + describe(skew) + ")"}
	}
	if a.presigned {
		if t.After(signedAt.Add(a.expires)) {
			return &Error{SignatureExpired, "Request has expired"}
		}
		return nil
	}
	if signedAt.Before(t.Add(-skew)) {
		return &Error{SignatureExpired, "Signature expired: " + a.amzDate + " is now earlier than " +
			t.Add(-skew).Format(amzLayout) + " (" + t.Format(amzLayout) + " - " + describe(skew) + ")"}
	}
	return nil
}

// describe renders a skew the way AWS does ("5 min.").
func describe(d time.Duration) string {
	if d%time.Minute == 0 {
		return strconv.FormatInt(int64(d/time.Minute), 10) + " min."
	}
	return d.String() + "."
}

// signsHeader reports whether the ';'-separated list includes name.
func signsHeader(list, name string) bool {
	for rest := list; ; {
		h, tail, more := strings.Cut(rest, ";")
		if h == name {
			return true
		}
		if !more {
			return false
		}
		rest = tail
	}
}

func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if _, ok := urlpath.Unhex(s[i]); !ok {
			return false
		}
	}
	return true
}

// keyID identifies a signing key: it depends only on these four.
type keyID struct{ secret, date, region, service string }

// deriveKey computes the SigV4 signing key
// HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request").
func deriveKey(id keyID) [32]byte {
	k := []byte("AWS4" + id.secret)
	for _, part := range [...]string{id.date, id.region, id.service, terminator} {
		m := hmac.New(sha256.New, k)
		m.Write([]byte(part))
		k = m.Sum(nil)
	}
	return [32]byte(k)
}

// maxCachedKeys bounds the signing-key cache; each access key adds one key
// per day and region.
const maxCachedKeys = 1024

// keyCache remembers derived signing keys. Readers load an immutable map
// without locking or allocating; writers copy it. Only keys that verified
// a request are added, so forged requests cannot churn it.
type keyCache struct {
	mu sync.Mutex // serialises put
	m  atomic.Pointer[map[keyID][32]byte]
}

func (c *keyCache) get(id keyID) ([32]byte, bool) {
	m := c.m.Load()
	if m == nil {
		return [32]byte{}, false
	}
	k, ok := (*m)[id]
	return k, ok
}

func (c *keyCache) put(id keyID, key [32]byte) {
	// The strings point into the request's headers; do not pin them.
	id = keyID{strings.Clone(id.secret), strings.Clone(id.date), strings.Clone(id.region), strings.Clone(id.service)}
	c.mu.Lock()
	defer c.mu.Unlock()
	var next map[keyID][32]byte
	if old := c.m.Load(); old == nil || len(*old) >= maxCachedKeys {
		next = make(map[keyID][32]byte, 1)
	} else {
		next = maps.Clone(*old)
	}
	next[id] = key
	c.m.Store(&next)
}
