package vtl

import (
	"math"
	"strconv"
	"strings"

	"github.com/portico-gw/portico/internal/jsonstr"
)

// Values at run time are Go values standing for Java ones:
//
//	nil                      null (renders as "")
//	string                   java.lang.String
//	int64                    Integer/Long (int and other Go integers are accepted from callers)
//	float64                  Double
//	bool                     Boolean
//	map[string]any           Map: a JSON object (LinkedHashMap, prints {a=1}) or a map literal
//	map[string]string        Map supplied by the caller (stage variables, parameters)
//	[]any                    a JSON array (json-smart JSONArray, prints as compact JSON)
//	*javaList                ArrayList from a list literal, range, split or keySet (prints [a, b])
//	mapEntry                 Map.Entry from entrySet (prints k=v)
//	*loopState               $foreach
//	*defined                 a #define block: renders its body when referenced
//	inputObject, utilObject  $input and $util

// javaList is a mutable Java list: list literals, ranges, keySet, values,
// entrySet and split results.
type javaList struct{ items []any }

// mapEntry is one Map.Entry of entrySet.
type mapEntry struct {
	key string
	val any
}

// loopState is $foreach inside a #foreach.
type loopState struct {
	index   int
	hasNext bool
	parent  *loopState
}

// defined is the value of a #define block.
type defined struct{ body []node }

// maxDepth bounds the nesting walked when printing or comparing values, so
// that a list holding itself cannot recurse forever.
const maxDepth = 100

// truthy is Velocity 1.7's condition rule: null and false are false,
// every other value (an empty string included) is true.
func truthy(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case bool:
		return v
	}
	return true
}

// number converts Go numbers to int64 or float64.
func number(v any) (i int64, f float64, isInt, ok bool) {
	switch v := v.(type) {
	case int64:
		return v, 0, true, true
	case int:
		return int64(v), 0, true, true
	case int32:
		return int64(v), 0, true, true
	case uint32:
		return int64(v), 0, true, true
	case uint64:
		if v <= math.MaxInt64 {
			return int64(v), 0, true, true
		}
		return 0, float64(v), false, true
	case float64:
		return 0, v, false, true
	case float32:
		return 0, float64(v), false, true
	}
	return 0, 0, false, false
}

// toFloat returns v as a float64 when it is a number.
func toFloat(v any) (float64, bool) {
	i, f, isInt, ok := number(v)
	if isInt {
		return float64(i), true
	}
	return f, ok
}

// toInt returns v as an int when it is an integer (or a whole float).
func toInt(v any) (int, bool) {
	i, f, isInt, ok := number(v)
	if !ok {
		return 0, false
	}
	if !isInt {
		if f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			return 0, false
		}
		i = int64(f)
	}
	if i > math.MaxInt32 || i < math.MinInt32 {
		return 0, false
	}
	return int(i), true
}

// javaDouble formats f as Java's Double.toString does: "1.0", "0.001",
// "1.0E7", "1.5E-5".
func javaDouble(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	if a := math.Abs(f); a >= 1e-3 && a < 1e7 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'E', -1, 64)
	mant, exp, _ := strings.Cut(s, "E")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	neg := strings.HasPrefix(exp, "-")
	exp = strings.TrimLeft(exp, "+-0")
	if neg {
		exp = "-" + exp
	}
	return mant + "E" + exp
}

// printer writes values as text with a size budget.
type printer struct {
	r   *renderer
	b   []byte
	max int
	err error
}

// over reports (and records) that the output budget is spent.
func (p *printer) over() bool {
	if p.err == nil && len(p.b) > p.max {
		p.err = errOutputTooLarge
	}
	return p.err != nil
}

// java appends v as Java's String.valueOf does; top says whether null
// prints as "" (a rendered reference) or "null" (inside a collection).
func (p *printer) java(v any, top bool, depth int) {
	if p.over() {
		return
	}
	if depth > maxDepth {
		p.err = errTooDeep
		return
	}
	switch v := v.(type) {
	case nil:
		if !top {
			p.b = append(p.b, "null"...)
		}
	case string:
		p.b = append(p.b, v...)
	case bool:
		p.b = strconv.AppendBool(p.b, v)
	case map[string]any:
		p.b = append(p.b, '{')
		for i, k := range p.r.keys(v) {
			if i > 0 {
				p.b = append(p.b, ", "...)
			}
			p.b = append(p.b, k...)
			p.b = append(p.b, '=')
			p.java(v[k], false, depth+1)
			if p.over() {
				return
			}
		}
		p.b = append(p.b, '}')
	case map[string]string:
		p.java(stringMap(v), top, depth)
	case []any:
		p.json(v, depth)
	case []string:
		p.b = append(p.b, '[')
		for i, s := range v {
			if i > 0 {
				p.b = append(p.b, ", "...)
			}
			p.b = append(p.b, s...)
		}
		p.b = append(p.b, ']')
	case *javaList:
		p.b = append(p.b, '[')
		for i, x := range v.items {
			if i > 0 {
				p.b = append(p.b, ", "...)
			}
			p.java(x, false, depth+1)
			if p.over() {
				return
			}
		}
		p.b = append(p.b, ']')
	case mapEntry:
		p.b = append(p.b, v.key...)
		p.b = append(p.b, '=')
		p.java(v.val, false, depth+1)
	case *defined:
		p.r.renderDefined(p, v, depth)
	case *loopState, inputObject, utilObject:
	default:
		if i, f, isInt, ok := number(v); ok {
			if isInt {
				p.b = strconv.AppendInt(p.b, i, 10)
			} else {
				p.b = append(p.b, javaDouble(f)...)
			}
		}
	}
}

// json appends v as compact JSON, as json-smart writes a JSONArray or a
// map: object members in their order, numbers as Java prints them.
func (p *printer) json(v any, depth int) {
	if p.over() {
		return
	}
	if depth > maxDepth {
		p.err = errTooDeep
		return
	}
	switch v := v.(type) {
	case nil:
		p.b = append(p.b, "null"...)
	case string:
		p.b = jsonstr.Append(p.b, v)
	case bool:
		p.b = strconv.AppendBool(p.b, v)
	case map[string]any:
		p.b = append(p.b, '{')
		for i, k := range p.r.keys(v) {
			if i > 0 {
				p.b = append(p.b, ',')
			}
			p.b = jsonstr.Append(p.b, k)
			p.b = append(p.b, ':')
			p.json(v[k], depth+1)
			if p.over() {
				return
			}
		}
		p.b = append(p.b, '}')
	case map[string]string:
		p.json(stringMap(v), depth)
	case []any:
		p.jsonList(v, depth)
	case *javaList:
		p.jsonList(v.items, depth)
	case []string:
		p.b = append(p.b, '[')
		for i, s := range v {
			if i > 0 {
				p.b = append(p.b, ',')
			}
			p.b = jsonstr.Append(p.b, s)
		}
		p.b = append(p.b, ']')
	case mapEntry:
		p.json(map[string]any{v.key: v.val}, depth)
	default:
		if i, f, isInt, ok := number(v); ok {
			if isInt {
				p.b = strconv.AppendInt(p.b, i, 10)
			} else if math.IsNaN(f) || math.IsInf(f, 0) {
				p.b = append(p.b, "null"...)
			} else {
				p.b = append(p.b, javaDouble(f)...)
			}
			return
		}
		// Anything else is its text as a JSON string.
		q := printer{r: p.r, max: p.max - len(p.b)}
		q.java(v, true, depth+1)
		if q.err != nil {
			p.err = q.err
			return
		}
		p.b = jsonstr.Append(p.b, string(q.b))
	}
}

func (p *printer) jsonList(items []any, depth int) {
	p.b = append(p.b, '[')
	for i, x := range items {
		if i > 0 {
			p.b = append(p.b, ',')
		}
		p.json(x, depth+1)
		if p.over() {
			return
		}
	}
	p.b = append(p.b, ']')
}

// stringMap converts a caller's map[string]string to a map[string]any.
func stringMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// javaString returns v's Java text (null is "null" when top is false).
func (r *renderer) javaString(v any, top bool) (string, error) {
	if s, ok := v.(string); ok {
		return s, nil
	}
	p := printer{r: r, max: r.limits.maxOutput}
	p.java(v, top, 0)
	r.step(len(p.b) / bytesPerStep)
	return string(p.b), p.err
}

// equal is Velocity 1.7's ==: null equals only null, numbers compare by
// value, values of one kind by Java equals, others by their text.
func (r *renderer) equal(a, b any) (bool, error) {
	if a == nil || b == nil {
		return a == nil && b == nil, nil
	}
	if x, xok := toFloat(a); xok {
		if y, yok := toFloat(b); yok {
			ai, _, aInt, _ := number(a)
			bi, _, bInt, _ := number(b)
			if aInt && bInt {
				return ai == bi, nil
			}
			return x == y, nil
		}
	}
	switch a := a.(type) {
	case string:
		if b, ok := b.(string); ok {
			return a == b, nil
		}
	case bool:
		if b, ok := b.(bool); ok {
			return a == b, nil
		}
	}
	sa, err := r.javaString(a, false)
	if err != nil {
		return false, err
	}
	sb, err := r.javaString(b, false)
	return sa == sb, err
}

// compare orders two numbers (or two strings); ok is false otherwise.
func compare(a, b any) (c int, ok bool) {
	if x, xok := toFloat(a); xok {
		if y, yok := toFloat(b); yok {
			ai, _, aInt, _ := number(a)
			bi, _, bInt, _ := number(b)
			if aInt && bInt {
				return cmpInt(ai, bi), true
			}
			switch {
			case x < y:
				return -1, true
			case x > y:
				return 1, true
			}
			return 0, x == y
		}
	}
	if x, ok := a.(string); ok {
		if y, ok := b.(string); ok {
			return strings.Compare(x, y), true
		}
	}
	return 0, false
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// arith applies + - * / % as Velocity 1.7 does: null on either side is
// null; + with a string on either side concatenates; integers stay
// integers (division truncates); a division by zero is null.
func (r *renderer) arith(op binOp, a, b any) (any, error) {
	if a == nil || b == nil {
		return nil, nil
	}
	ai, af, aInt, aNum := number(a)
	bi, bf, bInt, bNum := number(b)
	if !aNum || !bNum {
		if op != opAdd {
			return nil, nil
		}
		_, as := a.(string)
		_, bs := b.(string)
		if !as && !bs {
			return nil, nil
		}
		sa, err := r.javaString(a, false)
		if err != nil {
			return nil, err
		}
		sb, err := r.javaString(b, false)
		if err != nil {
			return nil, err
		}
		if len(sa)+len(sb) > r.limits.maxOutput {
			return nil, errOutputTooLarge
		}
		r.step((len(sa) + len(sb)) / bytesPerStep)
		return sa + sb, nil
	}
	if aInt && bInt {
		switch op {
		case opAdd:
			return ai + bi, nil
		case opSub:
			return ai - bi, nil
		case opMul:
			return ai * bi, nil
		case opDiv:
			if bi == 0 || ai == math.MinInt64 && bi == -1 {
				return nil, nil
			}
			return ai / bi, nil
		case opMod:
			if bi == 0 || bi == -1 {
				if bi == -1 {
					return int64(0), nil
				}
				return nil, nil
			}
			return ai % bi, nil
		}
	}
	if aInt {
		af = float64(ai)
	}
	if bInt {
		bf = float64(bi)
	}
	switch op {
	case opAdd:
		return af + bf, nil
	case opSub:
		return af - bf, nil
	case opMul:
		return af * bf, nil
	case opDiv:
		if bf == 0 {
			return nil, nil
		}
		return af / bf, nil
	case opMod:
		if bf == 0 {
			return nil, nil
		}
		return math.Mod(af, bf), nil
	}
	return nil, nil
}
