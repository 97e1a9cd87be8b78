// Package urlpath reads a request's escaped path without allocating.
//
// url.URL.EscapedPath allocates on every call for a path whose RawPath is
// set (any path with an escape, such as a connection ID's "%3D"): it
// unescapes RawPath to compare it with Path. Escaped makes the same
// comparison byte by byte and returns the same string.
package urlpath

import "net/url"

// Escaped returns u.EscapedPath(). When u.RawPath is a plain encoding of
// u.Path (unreserved characters, sub-delimiters, ':', '@', '/' and %XX
// escapes) it is returned without allocating; any other case is left to
// u.EscapedPath.
func Escaped(u *url.URL) string {
	if u.RawPath != "" && plainEncoded(u.RawPath) && UnescapesTo(u.RawPath, u.Path) {
		return u.RawPath
	}
	return u.EscapedPath()
}

// UnescapesTo reports whether url.PathUnescape(escaped) would return plain
// without error.
func UnescapesTo(escaped, plain string) bool {
	j := 0
	for i := 0; i < len(escaped); i++ {
		c := escaped[i]
		if c == '%' {
			if i+2 >= len(escaped) {
				return false
			}
			hi, ok1 := Unhex(escaped[i+1])
			lo, ok2 := Unhex(escaped[i+2])
			if !ok1 || !ok2 {
				return false
			}
			c = hi<<4 | lo
			i += 2
		}
		if j >= len(plain) || plain[j] != c {
			return false
		}
		j++
	}
	return j == len(plain)
}

// UnescapedLen returns the length of escaped once its %XX escapes are
// decoded (escapes are not checked).
func UnescapedLen(escaped string) int {
	n := len(escaped)
	for i := 0; i < len(escaped); i++ {
		if escaped[i] == '%' {
			n -= 2
		}
	}
	return max(n, 0)
}

// plainEncoded reports whether s holds only characters that
// url.URL.EscapedPath accepts unescaped in a path, a subset of what it
// accepts: anything else takes the slow path.
func plainEncoded(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		default:
			switch c {
			case '-', '.', '_', '~', '!', '$', '&', '\'', '(', ')', '*', '+', ',', ';', '=', ':', '@', '/', '%':
			default:
				return false
			}
		}
	}
	return true
}

// Unhex is the value of the hexadecimal digit c, either case; ok is false
// when c is not one.
func Unhex(c byte) (v byte, ok bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
