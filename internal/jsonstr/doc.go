// Package jsonstr writes Go strings as JSON strings: the one escaper for
// management API bodies and access logs. Escaping: '"' and '\\' with a
// backslash, \n \r \t by name, other control characters and DEL as
// \u00XX, everything else (non-ASCII, invalid UTF-8) as it is, which
// encoding/json and every AWS SDK decode.
//
// Its functions are pure and safe for concurrent use.
package jsonstr
