package vtl

import (
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"unsafe"

	"github.com/theory/jsonpath"
	"github.com/theory/jsonpath/spec"
)

// compileJSONPath parses a JSONPath (RFC 9535) as Jayway reads it: a path
// that starts with neither '$' nor '@' is relative to the root ("a.b" is
// "$.a.b").
func compileJSONPath(s string) (*jsonpath.Path, error) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "$") {
		if strings.HasPrefix(s, "[") {
			s = "$" + s
		} else {
			s = "$." + s
		}
	}
	p, err := jsonpath.Parse(s)
	if err != nil {
		return nil, errors.New("invalid JSONPath " + strconv.Quote(s))
	}
	return p, nil
}

// bodyJSON returns the decoded body; ok is false when it is not JSON.
func (r *renderer) bodyJSON() (any, bool) {
	if !r.bodyDone {
		r.bodyDone = true
		body := r.data.Body
		if len(body) == 0 {
			body = []byte("{}")
		}
		r.step(len(body) / bytesPerStep)
		v, err := r.decodeJSON(body)
		r.body, r.bodyIsJSON = v, err == nil
	}
	return r.body, r.bodyIsJSON
}

// query runs a JSONPath on the body with Jayway's result rule: a definite
// path (no wildcard, slice, filter or descendant) yields its value (found
// is false when nothing is there), an indefinite one the list of matches in
// document order. A body that is not JSON matches nothing.
func (r *renderer) query(p *jsonpath.Path) (v any, found bool) {
	doc, ok := r.bodyJSON()
	definite := p.Query().Singular() != nil
	if !ok {
		if definite {
			return nil, false
		}
		return []any{}, true
	}
	if definite {
		nodes := p.Select(doc)
		if len(nodes) == 0 {
			return nil, false
		}
		return nodes[0], true
	}
	located := p.SelectLocated(doc)
	r.step(8 * len(located))
	keys := make([][]int, len(located))
	for i, n := range located {
		keys[i] = r.docPosition(doc, n.Path)
	}
	idx := make([]int, len(located))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return slices.Compare(keys[a], keys[b]) })
	out := make([]any, len(located))
	for i, j := range idx {
		out[i] = located[j].Node
	}
	return out, true
}

// docPosition returns the document-order position of a normalized path:
// array indexes and member positions (map iteration order is random; JSON
// text order is Jayway's).
func (r *renderer) docPosition(doc any, path spec.NormalizedPath) []int {
	pos := make([]int, 0, len(path))
	cur := doc
	for _, sel := range path {
		switch s := sel.(type) {
		case spec.Index:
			pos = append(pos, int(s))
			if l, ok := cur.([]any); ok && int(s) < len(l) {
				cur = l[s]
			}
		case spec.Name:
			m, _ := cur.(map[string]any)
			pos = append(pos, r.memberPos(m, string(s)))
			cur = m[string(s)]
		}
	}
	return pos
}

// memberPos returns the position of key k in m's key order.
func (r *renderer) memberPos(m map[string]any, k string) int {
	if m == nil {
		return 0
	}
	id := mapID(m)
	idx, ok := r.keyPos[id]
	if !ok {
		keys := r.keys(m)
		idx = make(map[string]int, len(keys))
		for i, key := range keys {
			idx[key] = i
		}
		if r.keyPos == nil {
			r.keyPos = map[unsafe.Pointer]map[string]int{}
		}
		r.keyPos[id] = idx
	}
	return idx[k]
}

// maxJSONDepth bounds the nesting of decoded JSON.
const maxJSONDepth = 1000

// decodeJSON decodes one JSON text into map[string]any (key order
// recorded), []any, string, int64 (integers that fit), float64, bool and
// nil, as json-smart does for Jayway. A repeated key keeps its first
// position and its last value.
func (r *renderer) decodeJSON(b []byte) (any, error) {
	d := jsonDecoder{r: r, s: b}
	d.space()
	v, err := d.value(0)
	if err != nil {
		return nil, err
	}
	d.space()
	if d.i != len(d.s) {
		return nil, errBadJSON
	}
	return v, nil
}

var errBadJSON = errors.New("invalid JSON")

// jsonDecoder is a small JSON decoder that keeps object key order.
type jsonDecoder struct {
	r *renderer
	s []byte
	i int
}

func (d *jsonDecoder) space() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *jsonDecoder) value(depth int) (any, error) {
	if depth > maxJSONDepth || d.i >= len(d.s) {
		return nil, errBadJSON
	}
	switch c := d.s[d.i]; {
	case c == '{':
		d.i++
		m := map[string]any{}
		var keys []string
		d.space()
		if d.i < len(d.s) && d.s[d.i] == '}' {
			d.i++
			d.r.setOrder(m, []string{})
			return m, nil
		}
		for {
			d.space()
			k, err := d.str()
			if err != nil {
				return nil, err
			}
			d.space()
			if d.i >= len(d.s) || d.s[d.i] != ':' {
				return nil, errBadJSON
			}
			d.i++
			d.space()
			v, err := d.value(depth + 1)
			if err != nil {
				return nil, err
			}
			if _, dup := m[k]; !dup {
				keys = append(keys, k)
			}
			m[k] = v
			d.space()
			if d.i >= len(d.s) {
				return nil, errBadJSON
			}
			if d.s[d.i] == '}' {
				d.i++
				d.r.setOrder(m, keys)
				return m, nil
			}
			if d.s[d.i] != ',' {
				return nil, errBadJSON
			}
			d.i++
		}
	case c == '[':
		d.i++
		l := []any{}
		d.space()
		if d.i < len(d.s) && d.s[d.i] == ']' {
			d.i++
			return l, nil
		}
		for {
			d.space()
			v, err := d.value(depth + 1)
			if err != nil {
				return nil, err
			}
			l = append(l, v)
			d.space()
			if d.i >= len(d.s) {
				return nil, errBadJSON
			}
			if d.s[d.i] == ']' {
				d.i++
				return l, nil
			}
			if d.s[d.i] != ',' {
				return nil, errBadJSON
			}
			d.i++
		}
	case c == '"':
		return d.str()
	case c == 't' || c == 'f' || c == 'n':
		for _, lit := range []struct {
			text string
			v    any
		}{{"true", true}, {"false", false}, {"null", nil}} {
			if strings.HasPrefix(string(d.s[d.i:min(d.i+5, len(d.s))]), lit.text) {
				d.i += len(lit.text)
				return lit.v, nil
			}
		}
		return nil, errBadJSON
	case c == '-' || c >= '0' && c <= '9':
		return d.number()
	}
	return nil, errBadJSON
}

func (d *jsonDecoder) number() (any, error) {
	start := d.i
	if d.s[d.i] == '-' {
		d.i++
	}
	digits := func() int {
		n := 0
		for d.i < len(d.s) && d.s[d.i] >= '0' && d.s[d.i] <= '9' {
			d.i++
			n++
		}
		return n
	}
	intStart := d.i
	if digits() == 0 || d.s[intStart] == '0' && d.i-intStart > 1 {
		return nil, errBadJSON
	}
	isInt := true
	if d.i < len(d.s) && d.s[d.i] == '.' {
		d.i++
		isInt = false
		if digits() == 0 {
			return nil, errBadJSON
		}
	}
	if d.i < len(d.s) && (d.s[d.i] == 'e' || d.s[d.i] == 'E') {
		d.i++
		isInt = false
		if d.i < len(d.s) && (d.s[d.i] == '+' || d.s[d.i] == '-') {
			d.i++
		}
		if digits() == 0 {
			return nil, errBadJSON
		}
	}
	text := string(d.s[start:d.i])
	if isInt {
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			return n, nil
		}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && !math.IsInf(f, 0) {
		return nil, errBadJSON
	}
	return f, nil
}

func (d *jsonDecoder) str() (string, error) {
	if d.i >= len(d.s) || d.s[d.i] != '"' {
		return "", errBadJSON
	}
	d.i++
	start := d.i
	for d.i < len(d.s) {
		c := d.s[d.i]
		if c == '"' {
			s := string(d.s[start:d.i])
			d.i++
			return s, nil
		}
		if c == '\\' || c < 0x20 {
			break
		}
		d.i++
	}
	var b []byte
	b = append(b, d.s[start:d.i]...)
	for d.i < len(d.s) {
		c := d.s[d.i]
		switch {
		case c == '"':
			d.i++
			return string(b), nil
		case c < 0x20:
			return "", errBadJSON
		case c == '\\':
			d.i++
			if d.i >= len(d.s) {
				return "", errBadJSON
			}
			e := d.s[d.i]
			d.i++
			switch e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r1, ok := d.hex4()
				if !ok {
					return "", errBadJSON
				}
				if utf16.IsSurrogate(r1) && d.i+1 < len(d.s) && d.s[d.i] == '\\' && d.s[d.i+1] == 'u' {
					save := d.i
					d.i += 2
					r2, ok := d.hex4()
					if ok {
						if dec := utf16.DecodeRune(r1, r2); dec != utf8.RuneError {
							b = utf8.AppendRune(b, dec)
							continue
						}
					}
					d.i = save
				}
				b = utf8.AppendRune(b, r1)
			default:
				return "", errBadJSON
			}
		default:
			b = append(b, c)
			d.i++
		}
	}
	return "", errBadJSON
}

func (d *jsonDecoder) hex4() (rune, bool) {
	if d.i+4 > len(d.s) {
		return 0, false
	}
	var n rune
	for _, c := range d.s[d.i : d.i+4] {
		h := unhex(c)
		if h < 0 {
			return 0, false
		}
		n = n<<4 | rune(h)
	}
	d.i += 4
	return n, true
}
