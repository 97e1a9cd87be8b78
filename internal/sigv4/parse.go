package sigv4

import (
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/portico-gw/portico/internal/urlpath"
)

const (
	algorithm  = "AWS4-HMAC-SHA256"
	terminator = "aws4_request"
	amzLayout  = "20060102T150405Z"

	// maxPresignExpiry is the longest X-Amz-Expires AWS accepts (7 days).
	maxPresignExpiry = 7 * 24 * 3600
)

// credential is the parsed Credential parameter:
// AccessKeyID/YYYYMMDD/region/service/aws4_request.
type credential struct {
	accessKeyID, date, region, service string
}

// authorization is what a request claims about its signature, taken from
// the Authorization header or from the presigned query parameters.
type authorization struct {
	credential
	signedHeaders string        // "host;x-amz-date", validated by checkSignedHeaders
	signature     string        // 64 lowercase hex digits
	amzDate       string        // YYYYMMDDTHHMMSSZ
	expires       time.Duration // presigned only
	presigned     bool
}

// parseAuthorization splits an Authorization header value of the form
// "AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…" into its
// parameters. It checks their presence, not their contents.
func parseAuthorization(h string) (cred, signedHeaders, signature string, err *Error) {
	alg, rest, _ := strings.Cut(strings.TrimSpace(h), " ")
	var haveCred, haveSigned, haveSig bool
	for rest != "" {
		var part string
		part, rest, _ = strings.Cut(rest, ",")
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			sum := sha256.Sum256([]byte(part))
			return "", "", "", &Error{IncompleteSignature, "Invalid key=value pair (missing equal-sign) in Authorization header (hashed with SHA-256 and encoded with Base64): '" +
				base64.StdEncoding.EncodeToString(sum[:]) + "'."}
		}
		switch k {
		case "Credential":
			if !haveCred {
				cred, haveCred = v, true
			}
		case "SignedHeaders":
			if !haveSigned {
				signedHeaders, haveSigned = v, true
			}
		case "Signature":
			if !haveSig {
				signature, haveSig = v, true
			}
		}
	}
	if alg != algorithm {
		return "", "", "", &Error{IncompleteSignature, "Authorization header requires the '" + algorithm + "' algorithm, not '" + truncate(alg, 40) + "'."}
	}
	if cred == "" || signedHeaders == "" || signature == "" {
		var b strings.Builder
		if cred == "" {
			b.WriteString("Authorization header requires 'Credential' parameter. ")
		}
		if signature == "" {
			b.WriteString("Authorization header requires 'Signature' parameter. ")
		}
		if signedHeaders == "" {
			b.WriteString("Authorization header requires 'SignedHeaders' parameter. ")
		}
		b.WriteString("Authorization=")
		b.WriteString(truncate(h, 200))
		return "", "", "", &Error{IncompleteSignature, b.String()}
	}
	return cred, signedHeaders, signature, nil
}

// parseCredential checks the shape of a Credential parameter. The region
// may be anything, including empty; the service is checked by the caller.
func parseCredential(s string) (credential, *Error) {
	var parts [5]string
	rest := s
	for i := range 4 {
		var ok bool
		parts[i], rest, ok = strings.Cut(rest, "/")
		if !ok {
			return credential{}, badCredential(s)
		}
	}
	parts[4] = rest
	if parts[0] == "" || strings.IndexByte(parts[4], '/') >= 0 {
		return credential{}, badCredential(s)
	}
	if parts[4] != terminator {
		return credential{}, &Error{IncompleteSignature, "Credential should be scoped with a valid terminator: '" + terminator + "', not '" + truncate(parts[4], 40) + "'."}
	}
	if !isDigits(parts[1], 8) {
		return credential{}, &Error{IncompleteSignature, "Credential should be scoped to a date in the form YYYYMMDD, not '" + truncate(parts[1], 40) + "'."}
	}
	return credential{accessKeyID: parts[0], date: parts[1], region: parts[2], service: parts[3]}, nil
}

func badCredential(s string) *Error {
	return &Error{IncompleteSignature, "Credential should have the form AccessKeyID/YYYYMMDD/region/service/" + terminator + ", not '" + truncate(s, 200) + "'."}
}

// checkSignedHeaders checks that s is a ';'-separated list of distinct
// lowercase header names in ascending order that includes host, which is
// the form every SDK sends and the one the canonical request needs.
func checkSignedHeaders(s string) *Error {
	hasHost := false
	prev := ""
	for rest := s; ; {
		name, tail, more := strings.Cut(rest, ";")
		if name == "" || !isLowerToken(name) || (prev != "" && name <= prev) {
			return &Error{IncompleteSignature, "SignedHeaders should be lowercase header names in ascending order separated by ';', not '" + truncate(s, 200) + "'."}
		}
		if name == "host" {
			hasHost = true
		}
		if !more {
			break
		}
		prev, rest = name, tail
	}
	if !hasHost {
		return &Error{IncompleteSignature, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."}
	}
	return nil
}

// isLowerToken reports whether s is an RFC 9110 token without uppercase
// letters.
func isLowerToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// isSignature reports whether s is 64 lowercase hexadecimal digits.
func isSignature(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseAmzDate parses the ISO 8601 basic format YYYYMMDDTHHMMSSZ without
// allocating, rejecting out-of-range fields.
func parseAmzDate(s string) (time.Time, bool) {
	if len(s) != 16 || s[8] != 'T' || s[15] != 'Z' || !isDigits(s[:8], 8) || !isDigits(s[9:15], 6) {
		return time.Time{}, false
	}
	num := func(i, n int) int {
		v := 0
		for _, c := range []byte(s[i : i+n]) {
			v = v*10 + int(c-'0')
		}
		return v
	}
	year, month, day := num(0, 4), num(4, 2), num(6, 2)
	hour, minute, sec := num(9, 2), num(11, 2), num(13, 2)
	if month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC)
	if t.Day() != day { // February 30th and the like
		return time.Time{}, false
	}
	return t, true
}

// presignedParams reads the authentication parameters of a presigned URL.
// found reports whether the query has an X-Amz-Algorithm parameter at all.
func presignedParams(rawQuery string) (a authorization, found bool, err *Error) {
	var alg, cred, signed, sig, date, expires string
	var have [6]bool
	set := func(i int, dst *string, v string) {
		if !have[i] {
			*dst, have[i] = queryUnescape(v), true
		}
	}
	var kb [32]byte
	for rest := rawQuery; rest != ""; {
		var seg string
		seg, rest, _ = strings.Cut(rest, "&")
		k, v, _ := strings.Cut(seg, "=")
		key, ok := unescapeSmall(kb[:0], k)
		if !ok {
			continue
		}
		switch string(key) {
		case "X-Amz-Algorithm":
			set(0, &alg, v)
		case "X-Amz-Credential":
			set(1, &cred, v)
		case "X-Amz-SignedHeaders":
			set(2, &signed, v)
		case "X-Amz-Signature":
			set(3, &sig, v)
		case "X-Amz-Date":
			set(4, &date, v)
		case "X-Amz-Expires":
			set(5, &expires, v)
		}
	}
	if !have[0] {
		return a, false, nil
	}
	if alg != algorithm {
		return a, true, &Error{IncompleteSignature, "X-Amz-Algorithm only supports '" + algorithm + "'."}
	}
	var missing strings.Builder
	for i, name := range [...]string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Date", "X-Amz-Expires"} {
		if !have[i] {
			missing.WriteString("AWS query-string parameters must include '" + name + "'. ")
		}
	}
	if missing.Len() > 0 {
		missing.WriteString("Re-examine the query-string parameters.")
		return a, true, &Error{IncompleteSignature, missing.String()}
	}
	secs, perr := strconv.Atoi(expires)
	if perr != nil || secs < 0 {
		return a, true, &Error{IncompleteSignature, "X-Amz-Expires should be a non-negative number of seconds, not '" + truncate(expires, 40) + "'."}
	}
	if secs > maxPresignExpiry {
		return a, true, &Error{IncompleteSignature, "X-Amz-Expires must be less than a week (in seconds) that is 604800."}
	}
	c, cerr := parseCredential(cred)
	if cerr != nil {
		return a, true, cerr
	}
	return authorization{
		credential:    c,
		signedHeaders: signed,
		signature:     sig,
		amzDate:       date,
		expires:       time.Duration(secs) * time.Second,
		presigned:     true,
	}, true, nil
}

// hasQueryParam reports whether rawQuery has a parameter named name, without
// allocating. name must be at most 32 bytes.
func hasQueryParam(rawQuery, name string) bool {
	var kb [32]byte
	for rest := rawQuery; rest != ""; {
		var seg string
		seg, rest, _ = strings.Cut(rest, "&")
		k, _, _ := strings.Cut(seg, "=")
		if key, ok := unescapeSmall(kb[:0], k); ok && string(key) == name {
			return true
		}
	}
	return false
}

// unescapeSmall query-unescapes s into dst, which it does not grow: ok is
// false when the result does not fit.
func unescapeSmall(dst []byte, s string) ([]byte, bool) {
	for i := 0; i < len(s); i++ {
		if len(dst) == cap(dst) {
			return dst, false
		}
		c, n := unescapeAt(s, i)
		dst = append(dst, c)
		i += n
	}
	return dst, true
}

// unescapeAt decodes the query byte at s[i]: "%XX" is the byte 0xXX, "+" is
// a space, and anything else, including a '%' not followed by two hex
// digits, is itself. It returns the byte and how many extra bytes it used.
func unescapeAt(s string, i int) (byte, int) {
	switch c := s[i]; c {
	case '+':
		return ' ', 0
	case '%':
		if i+2 < len(s) {
			if h, ok := urlpath.Unhex(s[i+1]); ok {
				if l, ok := urlpath.Unhex(s[i+2]); ok {
					return h<<4 | l, 2
				}
			}
		}
		return c, 0
	default:
		return c, 0
	}
}

// queryUnescape decodes a query component, allocating only when it has
// escapes.
func queryUnescape(s string) string {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c, n := unescapeAt(s, i)
		b = append(b, c)
		i += n
	}
	return string(b)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
