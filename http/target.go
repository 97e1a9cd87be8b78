package httpapi

import (
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/portico-gw/portico/integration"
	"github.com/portico-gw/portico/internal/clientaddr"
)

// This file builds what an HTTP_PROXY request carries to its backend: the
// target URL and the forwarding fields. The URL's placeholders are found
// once, at load; a request fills them and, when parsing the result would
// change nothing, skips url.Parse and URL.String (fastTarget).

var uriParamRE = regexp.MustCompile(`\{([A-Za-z0-9_.-]+)\+?\}`)
var stageVarRE = regexp.MustCompile(`\$\{stageVariables\.([A-Za-z0-9_]+)\}`)

// target is an HTTP_PROXY integration URI for one stage: its
// ${stageVariables.name} filled from the stage's variables, then split at
// its {name} and {name+} placeholders, as the two regular expressions
// would replace them in turn.
type target struct {
	parts []targetPart
}

// targetPart is literal text, or a placeholder: its text as written and the
// path parameter it names.
type targetPart struct {
	text, name string
	param      bool
}

func newTarget(uri string, stageVars map[string]string) *target {
	uri = stageVarRE.ReplaceAllStringFunc(uri, func(s string) string {
		return stageVars[stageVarRE.FindStringSubmatch(s)[1]]
	})
	t := &target{}
	last := 0
	for _, m := range uriParamRE.FindAllStringSubmatchIndex(uri, -1) {
		if m[0] > last {
			t.parts = append(t.parts, targetPart{text: uri[last:m[0]]})
		}
		t.parts = append(t.parts, targetPart{text: uri[m[0]:m[1]], name: uri[m[2]:m[3]], param: true})
		last = m[1]
	}
	if last < len(uri) || len(t.parts) == 0 {
		t.parts = append(t.parts, targetPart{text: uri[last:]})
	}
	return t
}

// fill returns the URI with each placeholder replaced by its path
// parameter, escaped as a path (greedy values keep their slashes); a
// placeholder no parameter names stays as written.
func (t *target) fill(params map[string]string) string {
	return t.fillFunc(func(name string) (string, bool) {
		v, ok := params[name]
		return v, ok
	})
}

// fillFunc is fill with the path parameters given by param.
func (t *target) fillFunc(param func(name string) (string, bool)) string {
	if len(t.parts) == 1 && !t.parts[0].param {
		return t.parts[0].text
	}
	// Each part's text first, then one allocation of the right size.
	var stack [8]string
	texts := stack[:0]
	n := 0
	for _, p := range t.parts {
		text := p.text
		if p.param {
			if v, ok := param(p.name); ok {
				text = (&url.URL{Path: v}).EscapedPath()
			}
		}
		texts = append(texts, text)
		n += len(text)
	}
	var b strings.Builder
	b.Grow(n)
	for _, text := range texts {
		b.WriteString(text)
	}
	return b.String()
}

// targetURL parses the filled URI; the $default route (and only it)
// appends the request path, and the client's query string is appended.
func targetURL(uri string, q *request, rt *route) (*url.URL, error) {
	u, err := url.Parse(uri)
	if err != nil {
		return nil, err
	}
	if rt.key == "$default" {
		u.RawPath = strings.TrimSuffix(u.EscapedPath(), "/") + q.rest
		u.Path, _ = url.PathUnescape(u.RawPath)
	}
	if raw := q.r.URL.RawQuery; raw != "" {
		if u.RawQuery != "" {
			u.RawQuery += "&" + raw
		} else {
			u.RawQuery = raw
		}
	}
	return u, nil
}

// fastTarget is targetURL(uri, ...).String() when parsing uri (and rest,
// with appendRest) would change nothing: a lower-case http(s) scheme, a
// host of letters, digits, dots and hyphens with an optional numeric port,
// a path of unreserved characters and slashes, a query of printable
// characters without "#", and a rest of what a valid escaped path holds.
// ok is false otherwise, and the caller parses.
func fastTarget(uri string, appendRest bool, rest, rawQuery string) (s string, ok bool) {
	var hostStart int
	switch {
	case strings.HasPrefix(uri, "http://"):
		hostStart = len("http://")
	case strings.HasPrefix(uri, "https://"):
		hostStart = len("https://")
	default:
		return "", false
	}
	pathStart := hostStart
	for pathStart < len(uri) && uri[pathStart] != '/' && uri[pathStart] != '?' {
		pathStart++
	}
	if !plainHost(uri[hostStart:pathStart]) {
		return "", false
	}
	pathEnd := pathStart
	for pathEnd < len(uri) && uri[pathEnd] != '?' {
		if !unreservedOrSlash(uri[pathEnd]) {
			return "", false
		}
		pathEnd++
	}
	for i := pathEnd + 1; i < len(uri); i++ {
		if c := uri[i]; c <= ' ' || c >= 0x7f || c == '#' {
			return "", false
		}
	}
	if appendRest && !validEscapedPath(rest) {
		return "", false
	}
	query := uri[pathEnd:] // "", "?" or "?..."
	if !appendRest && rawQuery == "" {
		return uri, true
	}
	path := uri[pathStart:pathEnd]
	if appendRest {
		path = strings.TrimSuffix(path, "/")
	} else {
		rest = ""
	}
	sep := ""
	if rawQuery != "" {
		switch query {
		case "", "?":
			query, sep = "?", ""
		default:
			sep = "&"
		}
	}
	var b strings.Builder
	b.Grow(pathStart + len(path) + len(rest) + len(query) + len(sep) + len(rawQuery))
	b.WriteString(uri[:pathStart])
	b.WriteString(path)
	b.WriteString(rest)
	b.WriteString(query)
	b.WriteString(sep)
	b.WriteString(rawQuery)
	return b.String(), true
}

// plainHost reports whether host is a non-empty name of letters, digits,
// dots and hyphens, with an optional ":" and digits.
func plainHost(host string) bool {
	name, port, _ := strings.Cut(host, ":")
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !alnum(c) && c != '.' && c != '-' {
			return false
		}
	}
	for i := 0; i < len(port); i++ {
		if c := port[i]; c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func alnum(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' }

func unreservedOrSlash(c byte) bool {
	return alnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/'
}

// validEscapedPath reports whether p is what URL.EscapedPath keeps as
// written: unreserved characters, slashes, the sub-delimiters it leaves
// alone, and "%" followed by two hex digits.
func validEscapedPath(p string) bool {
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case unreservedOrSlash(c):
		case strings.IndexByte("!$&'()*+,;=:@[]", c) >= 0:
		case c == '%':
			if i+2 >= len(p) || !isHex(p[i+1]) || !isHex(p[i+2]) {
				return false
			}
			i += 2
		default:
			return false
		}
	}
	return true
}

// forwardFields returns the fields API Gateway sets on a forwarded request,
// as headersV2 computes them: X-Forwarded-For (the client's address after
// what it sent, or after the trusted proxies' entries), -Proto, -Port, the
// X-Amzn-Trace-Id (the client's, else one made for q) and Forwarded. They
// live in q: a request makes no slice for them.
func (q *request) forwardFields() []integration.Field {
	r := q.r
	client := clientaddr.From(r)
	ip := client.IP
	var xff string
	if client.Proxied {
		xff = strings.Join(client.Prior, ", ")
	} else {
		xff = joinedField(r.Header, "X-Forwarded-For")
	}
	if xff != "" {
		xff += ", " + ip
	} else {
		xff = ip
	}
	proto, port := "http", "80"
	if client.TLS() {
		proto, port = "https", "443"
	}
	if host := r.Host; strings.IndexByte(host, ':') >= 0 { // else SplitHostPort fails: "missing port"
		if _, p, err := net.SplitHostPort(host); err == nil {
			port = p
		}
	}
	trace := joinedField(r.Header, "X-Amzn-Trace-Id")
	if trace == "" {
		trace = q.traceID()
	}
	var forwarded string
	if strings.Contains(ip, ":") {
		forwarded = `for="[` + ip + `]";host=` + r.Host + ";proto=" + proto
	} else {
		forwarded = "for=" + ip + ";host=" + r.Host + ";proto=" + proto
	}
	q.fields = [5]integration.Field{
		{Name: "X-Forwarded-For", Value: xff},
		{Name: "X-Forwarded-Proto", Value: proto},
		{Name: "X-Forwarded-Port", Value: port},
		{Name: "X-Amzn-Trace-Id", Value: trace},
		{Name: "Forwarded", Value: forwarded},
	}
	return q.fields[:]
}

// joinedField is a header field's values joined with ",", as headersV2
// has them, found under its canonical name or any other spelling.
func joinedField(h http.Header, canonical string) string {
	if vals, ok := h[canonical]; ok {
		return strings.Join(vals, ",")
	}
	for name, vals := range h {
		if strings.EqualFold(name, canonical) {
			return strings.Join(vals, ",")
		}
	}
	return ""
}
