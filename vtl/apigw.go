package vtl

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Data is what one Render call reads: API Gateway's $input, $context and
// $stageVariables, and extra variables.
type Data struct {
	// Body is the payload: $input.body, and the JSON document of
	// $input.json and $input.path. An empty body reads as "{}".
	Body []byte
	// Params are the request parameters of $input.params.
	Params Params
	// Context is $context. #set writes into it (requestOverride,
	// responseOverride, nested maps created on demand); Render creates it
	// when it is nil and a #set needs it, and leaves only plain Go values
	// in what a template set (lists as []any, maps as map[string]any,
	// numbers as int64 or float64). Values are Go values: string, bool,
	// int, int64, float64, map[string]any, map[string]string, []any. Give
	// each Render its own Context map; nested maps may be shared between
	// requests as long as templates do not #set into them.
	Context map[string]any
	// StageVariables is $stageVariables.
	StageVariables map[string]string
	// Vars are extra top-level variables ($name), looked up after the
	// template's own (#set) variables and API Gateway's; optional.
	Vars map[string]any
}

// Params are a request's single-valued parameters, by name.
type Params struct {
	Path        map[string]string
	QueryString map[string]string
	Header      map[string]string
}

// inputObject is $input; utilObject is $util.
type (
	inputObject struct{}
	utilObject  struct{}
)

// inputBody is $input.body: the payload as text, "{}" when empty.
func (r *renderer) inputBody() string {
	if len(r.data.Body) == 0 {
		return "{}"
	}
	return string(r.data.Body)
}

// inputMethod runs $input.json, $input.path and $input.params.
func (r *renderer) inputMethod(part *refPart, args []any) any {
	switch part.name {
	case "params":
		switch len(args) {
		case 0:
			if r.params == nil {
				r.params = map[string]any{
					"path":        stringMap(r.data.Params.Path),
					"querystring": stringMap(r.data.Params.QueryString),
					"header":      stringMap(r.data.Params.Header),
				}
				// AWS's reference shows path, header, querystring (the
				// order of a Java HashMap of these three keys too).
				r.setOrder(r.params, []string{"path", "header", "querystring"})
			}
			return r.params
		case 1:
			name, ok := r.argString(args[0])
			if !ok {
				return nil
			}
			return r.param(name)
		}
	case "json", "path":
		if len(args) != 1 {
			return nil
		}
		jp := part.path
		if jp == nil {
			s, ok := r.argString(args[0])
			if !ok {
				return nil
			}
			var err error
			if jp, err = compileJSONPath(s); err != nil {
				r.failf(part.pos, "$input.%s: %v", part.name, err)
			}
		}
		v, found := r.query(jp)
		if part.name == "path" {
			return v
		}
		if !found {
			return ""
		}
		p := printer{r: r, max: r.limits.maxOutput}
		p.json(v, 0)
		if p.err != nil {
			r.fail(p.err)
		}
		r.step(len(p.b) / bytesPerStep)
		return string(p.b)
	case "getBody":
		return r.inputBody()
	}
	return nil
}

// param is $input.params(name): the path parameter, else the query string
// parameter, else the header (matched without regard to case), else "".
func (r *renderer) param(name string) string {
	p := r.data.Params
	if v, ok := p.Path[name]; ok {
		return v
	}
	if v, ok := p.QueryString[name]; ok {
		return v
	}
	if v, ok := p.Header[name]; ok {
		return v
	}
	keys := make([]string, 0, len(p.Header))
	for k := range p.Header {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if strings.EqualFold(k, name) {
			return p.Header[k]
		}
	}
	return ""
}

// utilMethod runs the $util functions.
func (r *renderer) utilMethod(part *refPart, args []any) any {
	if len(args) != 1 {
		return nil
	}
	if part.name == "parseJson" {
		s, ok := r.argString(args[0])
		if !ok {
			return nil
		}
		r.step(len(s) / bytesPerStep)
		v, err := r.decodeJSON([]byte(s))
		if err != nil {
			r.failf(part.pos, "$util.parseJson: the argument is not valid JSON")
		}
		return v
	}
	s, ok := r.argString(args[0])
	if !ok {
		if args[0] == nil {
			return nil
		}
		var err error
		if s, err = r.javaString(args[0], false); err != nil {
			r.fail(err)
		}
	}
	r.step(len(s) / bytesPerStep)
	switch part.name {
	case "escapeJavaScript":
		return escapeJavaScript(s, r.limits.maxOutput)
	case "urlEncode":
		return urlEncode(s)
	case "urlDecode":
		out, err := urlDecode(s)
		if err != nil {
			r.failf(part.pos, "$util.urlDecode: %v", err)
		}
		return out
	case "base64Encode":
		return base64.StdEncoding.EncodeToString([]byte(s))
	case "base64Decode":
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			r.failf(part.pos, "$util.base64Decode: the argument is not valid base64")
		}
		return string(b)
	}
	return nil
}

// escapeJavaScript escapes s as Apache Commons Lang 2's
// StringEscapeUtils.escapeJavaScript, which API Gateway documents: ' " \ and
// / get a backslash, \b \f \n \r \t their names, other control characters
// and every character above U+007F a \uXXXX escape (UTF-16, upper-case hex).
func escapeJavaScript(s string, maxLen int) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, c := range s {
		if b.Len() > maxLen {
			break
		}
		switch {
		case c > 0x7f:
			if c == utf8.RuneError {
				c = 0xFFFD
			}
			if c > 0xFFFF {
				r1, r2 := utf16.EncodeRune(c)
				fmt.Fprintf(&b, `\u%04X\u%04X`, r1, r2)
			} else {
				fmt.Fprintf(&b, `\u%04X`, c)
			}
		case c == '\b':
			b.WriteString(`\b`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\t':
			b.WriteString(`\t`)
		case c == '\f':
			b.WriteString(`\f`)
		case c == '\r':
			b.WriteString(`\r`)
		case c < 0x20:
			fmt.Fprintf(&b, `\u%04X`, c)
		case c == '\'' || c == '"' || c == '\\' || c == '/':
			b.WriteByte('\\')
			b.WriteRune(c)
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// urlEncode is Java's URLEncoder.encode(s, "UTF-8"): letters, digits and
// ".-*_" stay, space becomes '+', every other byte %XX.
func urlEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '-', c == '*', c == '_':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// urlDecode is Java's URLDecoder.decode(s, "UTF-8"): '+' is a space, %XX a
// byte; a malformed escape is an error.
func urlDecode(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			b.WriteByte(' ')
		case '%':
			if i+2 >= len(s) || unhex(s[i+1]) < 0 || unhex(s[i+2]) < 0 {
				return "", fmt.Errorf("malformed escape at character %d", i+1)
			}
			b.WriteByte(byte(unhex(s[i+1])<<4 | unhex(s[i+2])))
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return strings.ToValidUTF8(b.String(), "\uFFFD"), nil
}

func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}
