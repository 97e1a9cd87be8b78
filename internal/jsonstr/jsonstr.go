package jsonstr

import "unsafe"

// Append appends s as a JSON string, quotes included: '"' and '\\'
// are escaped, \n, \r and \t by name, other control characters and DEL as
// \u00XX; everything else, including non-ASCII and invalid UTF-8, is
// copied as it is.
func Append(b []byte, s string) []byte {
	b = append(b, '"')
	b = AppendEscaped(b, s)
	return append(b, '"')
}

// AppendEscaped appends s escaped as the inside of a JSON string, by the
// rules of Append.
func AppendEscaped(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c != 0x7f {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	return append(b, s[start:]...)
}

// Quote returns s as a JSON string, by the rules of Append.
func Quote(s string) string {
	b := Append(make([]byte, 0, len(s)+2), s)
	return unsafe.String(unsafe.SliceData(b), len(b))
}
