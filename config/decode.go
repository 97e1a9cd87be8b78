package config

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// This file decodes a yaml.Node tree into the schema by hand, against the
// structs' yaml tags, so that every unknown key, wrong type and duplicate key
// is reported with its position, and all of them at once. Environment
// variables are expanded here, value by value.

// maxNodes bounds the work on one file: aliases can make a small file decode
// into an enormous one.
const maxNodes = 100_000

// decoder holds the state of one parse: the errors so far and where each key
// path was found, for the validator's messages.
type decoder struct {
	file      string
	lookupEnv func(string) (string, bool)
	errs      ErrorList
	pos       map[string]*yaml.Node // key path → value node; "" is the root
	keys      map[string]*yaml.Node // key path → key node
	bad       map[string]bool       // key paths already reported: no follow-on errors
	budget    int                   // nodes left to decode
	stop      bool                  // the budget ran out
}

func newDecoder(file string, lookupEnv func(string) (string, bool)) *decoder {
	return &decoder{
		file:      file,
		lookupEnv: lookupEnv,
		pos:       make(map[string]*yaml.Node),
		keys:      make(map[string]*yaml.Node),
		bad:       make(map[string]bool),
		budget:    maxNodes,
	}
}

func (d *decoder) errorf(n *yaml.Node, key, format string, args ...any) {
	e := &Error{File: d.file, Key: key, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	d.errs = append(d.errs, e)
}

// fail is errorf for a value that could not be decoded: later checks of key
// stay quiet, so that one mistake gives one message.
func (d *decoder) fail(n *yaml.Node, key, format string, args ...any) {
	d.errorf(n, key, format, args...)
	d.bad[key] = true
}

// at reports a problem with the value at key, positioned at that value or,
// when key is absent from the file, at its nearest present parent.
func (d *decoder) at(key, format string, args ...any) {
	if !d.quiet(key) {
		d.errorf(d.node(key), key, format, args...)
	}
}

// atKey is at, positioned at the key itself (a map key that is wrong).
func (d *decoder) atKey(key, format string, args ...any) {
	n := d.keys[key]
	if n == nil {
		n = d.node(key)
	}
	if !d.quiet(key) {
		d.errorf(n, key, format, args...)
	}
}

// quiet reports whether key or one of its parents failed to decode: what
// the validator would say about it would only repeat that error.
func (d *decoder) quiet(key string) bool {
	for {
		if d.bad[key] {
			return true
		}
		if key == "" {
			return false
		}
		key = parentKey(key)
	}
}

// node returns the value node of key or of its nearest present parent.
func (d *decoder) node(key string) *yaml.Node {
	for {
		if n, ok := d.pos[key]; ok {
			return n
		}
		if key == "" {
			return nil
		}
		key = parentKey(key)
	}
}

// line returns the line of key's value, or 0.
func (d *decoder) line(key string) int {
	if n := d.node(key); n != nil {
		return n.Line
	}
	return 0
}

// parentKey strips the last element of a key path: apis[0].routes[1] →
// apis[0].routes → apis[0] → apis → "".
func parentKey(key string) string {
	if strings.HasSuffix(key, `"]`) { // a quoted map key, which may hold [ and .
		for i := strings.LastIndex(key, `["`); i >= 0; i = strings.LastIndex(key[:i], `["`) {
			if _, err := strconv.Unquote(key[i+1 : len(key)-1]); err == nil {
				return key[:i]
			}
		}
	}
	if strings.HasSuffix(key, "]") {
		if i := strings.LastIndexByte(key, '['); i >= 0 {
			return key[:i]
		}
	}
	if i := strings.LastIndexByte(key, '.'); i >= 0 {
		return key[:i]
	}
	return ""
}

// childKey extends a key path with a mapping key, quoting names that are not
// plain so that the path stays unambiguous.
func childKey(parent, name string) string {
	if !plainName(name) {
		return parent + "[" + strconv.Quote(name) + "]"
	}
	if parent == "" {
		return name
	}
	return parent + "." + name
}

func indexKey(parent string, i int) string {
	return parent + "[" + strconv.Itoa(i) + "]"
}

func plainName(s string) bool {
	if s == "" || s[0] >= '0' && s[0] <= '9' || s[0] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

var durationType = reflect.TypeFor[Duration]()

// decode stores n into v, reporting every mismatch under key.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, key string) {
	if d.stop {
		return
	}
	if d.budget--; d.budget < 0 {
		d.stop = true
		d.fail(n, key, "the file expands to more than %d values (through aliases); simplify it", maxNodes)
		return
	}
	if n.Kind == yaml.AliasNode {
		// Errors inside point at the anchored text, where the problem is.
		d.decode(n.Alias, v, key)
		return
	}
	d.pos[key] = n
	if n.Tag != "" && !strings.HasPrefix(n.Tag, "!!") {
		d.fail(n, key, "unsupported YAML tag %s", n.Tag)
		return
	}
	if isNull(n) {
		return // absent: the zero value (a nil pointer, an empty list)
	}
	if v.Kind() == reflect.Pointer {
		p := reflect.New(v.Type().Elem())
		before := len(d.errs)
		d.decode(n, p.Elem(), key)
		if len(d.errs) == before { // stays nil on error: no follow-on complaints
			v.Set(p)
		}
		return
	}
	if v.Type() == durationType {
		d.decodeDuration(n, v, key)
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		d.decodeStruct(n, v, key)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.fail(n, key, "want a list (items start with \"- \"), got %s", describe(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, el := range n.Content {
			d.decode(el, s.Index(i), indexKey(key, i))
		}
		v.Set(s)
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			d.fail(n, key, "want a mapping, got %s", describe(n))
			return
		}
		m := reflect.MakeMapWithSize(v.Type(), len(n.Content)/2)
		d.eachPair(n, key, func(k, val *yaml.Node, sub string) {
			ev := reflect.New(v.Type().Elem()).Elem()
			d.decode(val, ev, sub)
			m.SetMapIndex(reflect.ValueOf(k.Value), ev)
		})
		v.Set(m)
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			d.fail(n, key, "want a string, got %s", describe(n))
			return
		}
		s, _ := d.expand(n, key)
		v.SetString(s)
	case reflect.Int:
		d.decodeInt(n, v, key)
	case reflect.Float64:
		d.decodeFloat(n, v, key)
	case reflect.Bool:
		d.decodeBool(n, v, key)
	default:
		panic("config: no decoder for " + v.Type().String())
	}
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, key string) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, key, "want a mapping, got %s", describe(n))
		return
	}
	t := v.Type()
	fields := make(map[string]int, t.NumField())
	names := make([]string, 0, t.NumField())
	for i := range t.NumField() {
		if tag := t.Field(i).Tag.Get("yaml"); tag != "" && tag != "-" {
			fields[tag] = i
			names = append(names, tag)
		}
	}
	var (
		seen      = make(map[string]bool, len(n.Content)/2)
		suggested []string
	)
	d.eachPair(n, key, func(k, val *yaml.Node, sub string) {
		seen[k.Value] = true
		i, ok := fields[k.Value]
		if !ok {
			if s := closest(k.Value, names); s != "" {
				d.errorf(k, sub, "unknown key; did you mean %s?", s)
				suggested = append(suggested, s)
			} else {
				d.errorf(k, sub, "unknown key; valid keys: %s", strings.Join(names, ", "))
			}
			return
		}
		d.decode(val, v.Field(i), sub)
	})
	// A misspelt key is reported once, not again as a missing one.
	for _, s := range suggested {
		if !seen[s] {
			d.bad[childKey(key, s)] = true
		}
	}
}

// eachPair calls f for each key of mapping n, reporting keys that are not
// strings and duplicate keys.
func (d *decoder) eachPair(n *yaml.Node, key string, f func(k, val *yaml.Node, sub string)) {
	first := make(map[string]int, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.AliasNode {
			k = k.Alias
		}
		switch {
		case k.Kind != yaml.ScalarNode:
			d.errorf(k, key, "keys must be strings, got %s", describe(k))
			continue
		case k.Tag == "!!merge":
			d.errorf(k, key, "merge keys (<<) are not supported; write the keys out")
			continue
		case k.Tag != "" && !strings.HasPrefix(k.Tag, "!!"):
			d.errorf(k, key, "unsupported YAML tag %s", k.Tag)
			continue
		case isNull(k):
			d.errorf(k, key, "a key cannot be empty or null")
			continue
		}
		sub := childKey(key, k.Value)
		if line, dup := first[k.Value]; dup {
			d.errorf(k, sub, "duplicate key (first set on line %d)", line)
			continue
		}
		first[k.Value] = k.Line
		d.keys[sub] = k
		f(k, val, sub)
	}
}

// expand returns n's value with environment variables expanded, and whether
// expansion changed it. An unset variable is reported and expands to "".
func (d *decoder) expand(n *yaml.Node, key string) (string, bool) {
	s, missing := expandEnv(n.Value, d.lookupEnv)
	for _, name := range missing {
		d.fail(n, key, "environment variable %s is not set", name)
	}
	return s, s != n.Value
}

func (d *decoder) decodeFloat(n *yaml.Node, v reflect.Value, key string) {
	if n.Kind != yaml.ScalarNode {
		d.fail(n, key, "want a number, got %s", describe(n))
		return
	}
	s, fromEnv := d.expand(n, key)
	if n.Tag != "!!int" && n.Tag != "!!float" && !fromEnv {
		d.fail(n, key, "want a number, got %s", describe(n))
		return
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		d.fail(n, key, "want a number, got %q", s)
		return
	}
	v.SetFloat(f)
}

func (d *decoder) decodeInt(n *yaml.Node, v reflect.Value, key string) {
	if n.Kind != yaml.ScalarNode {
		d.fail(n, key, "want an integer, got %s", describe(n))
		return
	}
	s, fromEnv := d.expand(n, key)
	var (
		i   int64
		err error
	)
	switch {
	case n.Tag == "!!int":
		i, err = strconv.ParseInt(s, 0, 0) // 0x10, 0o17, 1_000 as YAML writes them
	case fromEnv:
		i, err = strconv.ParseInt(s, 10, 0)
	default:
		hint := ""
		if _, err := strconv.Atoi(s); err == nil {
			hint = " (remove the quotes)"
		}
		d.fail(n, key, "want an integer, got %s%s", describe(n), hint)
		return
	}
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			d.fail(n, key, "integer %s is out of range", s)
		} else {
			d.fail(n, key, "want an integer, got %q", s)
		}
		return
	}
	v.SetInt(i)
}

func (d *decoder) decodeBool(n *yaml.Node, v reflect.Value, key string) {
	if n.Kind != yaml.ScalarNode {
		d.fail(n, key, "want true or false, got %s", describe(n))
		return
	}
	s, fromEnv := d.expand(n, key)
	if n.Tag == "!!bool" || fromEnv {
		switch strings.ToLower(s) {
		case "true":
			v.SetBool(true)
			return
		case "false":
			v.SetBool(false)
			return
		}
	}
	d.fail(n, key, "want true or false, got %s", describe(n))
}

func (d *decoder) decodeDuration(n *yaml.Node, v reflect.Value, key string) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!bool" {
		d.fail(n, key, "want a duration such as 30s or 10m, got %s", describe(n))
		return
	}
	s, _ := d.expand(n, key)
	dur, err := parseDuration(s)
	if err != nil {
		d.fail(n, key, "%v", err)
		return
	}
	v.SetInt(int64(dur))
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// describe names what a node holds, for "want X, got Y" messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
	default:
		return "a document"
	}
	v := n.Value
	if len(v) > 40 {
		v = v[:37] + "..."
	}
	switch n.Tag {
	case "!!null":
		return "null"
	case "!!int":
		return "the integer " + v
	case "!!float":
		return "the number " + v
	case "!!bool":
		return "the boolean " + v
	case "!!str":
		return "the string " + strconv.Quote(v)
	}
	return fmt.Sprintf("%s %q", n.Tag, v)
}

// closest suggests a valid key for a misspelt one: the same name in another
// case, or the nearest within two edits.
func closest(k string, names []string) string {
	best, bestDist := "", 3
	for _, n := range names {
		if strings.EqualFold(n, k) {
			return n
		}
		if dist := editDistance(k, n); dist < bestDist {
			best, bestDist = n, dist
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return max(len(a), len(b)) // not a typo; keep the cost bounded
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
