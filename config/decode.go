package config

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// This file decodes a yaml.Node tree into the schema by hand, against the
// structs' yaml tags, so that every unknown key, wrong type and duplicate key
// is reported with its position, and all of them at once. Environment
// variables are expanded here, value by value.

// The bounds on the work one file can cause. Plain values are bounded by
// maxFileBytes and maxValues; aliases separately, since a small file whose
// aliases refer to aliases can decode into an enormous one.
const (
	maxFileBytes  = 16 << 20
	maxValues     = 2_000_000
	maxAliasNodes = 100_000
)

// decoder holds the state of one parse: the errors and warnings so far and
// where each key path was found, for the validator's messages. Key paths
// are canonical (the schema's camelCase names, list indexes); written maps
// the ones the file spells otherwise (RouteKey, routes.Items[0]) to that
// spelling, which is what messages show.
type decoder struct {
	file      string
	lookupEnv func(string) (string, bool)
	errs      ErrorList
	warns     ErrorList
	pos       map[string]*yaml.Node // key path → value node; "" is the root
	keys      map[string]*yaml.Node // key path → key node
	bad       map[string]bool       // key paths already reported: no follow-on errors
	written   map[string]string     // key path → the file's spelling, where it differs
	elems     map[string][]string   // key path of a list written as a mapping → its elements' key paths
	// restResources are each REST API's resources as validation
	// normalised them, for parse to store.
	restResources [][]RestResource
	valueLeft     int  // plain values the file may still hold
	aliasLeft     int  // values aliases may still add
	inAlias       int  // depth of alias expansion being decoded
	stop          bool // a budget ran out: decoding stopped
	// baseDir is the config file's directory, which relative paths
	// (functions' codeUri) start from. Empty means the working directory.
	baseDir string
	// base is set by LoadBase: the file may have no API.
	base bool
	// openapi reads the OpenAPI documents entries name.
	openapi OpenAPIImporter
}

func newDecoder(file string, lookupEnv func(string) (string, bool)) *decoder {
	return &decoder{
		file:      file,
		lookupEnv: lookupEnv,
		pos:       make(map[string]*yaml.Node),
		keys:      make(map[string]*yaml.Node),
		bad:       make(map[string]bool),
		written:   make(map[string]string),
		elems:     make(map[string][]string),
		valueLeft: maxValues,
		aliasLeft: maxAliasNodes,
	}
}

// show returns key path as the file spells it.
func (d *decoder) show(key string) string {
	if len(d.written) == 0 {
		return key
	}
	for p := key; ; p = parentKey(p) {
		if w, ok := d.written[p]; ok {
			return w + key[len(p):]
		}
		if p == "" {
			return key
		}
	}
}

// spell records that the file writes key as shown, when it differs.
func (d *decoder) spell(key, shown string) {
	if shown != key {
		d.written[key] = shown
	}
}

// warnf records a warning about key, positioned at n.
func (d *decoder) warnf(n *yaml.Node, key, format string, args ...any) {
	d.add(&d.warns, n, d.show(key), fmt.Sprintf(format, args...))
}

// warnAt is warnf positioned at key's value or nearest present parent.
func (d *decoder) warnAt(key, format string, args ...any) {
	if !d.quiet(key) {
		d.warnf(d.node(key), key, format, args...)
	}
}

func (d *decoder) errorf(n *yaml.Node, key, format string, args ...any) {
	d.add(&d.errs, n, d.show(key), fmt.Sprintf(format, args...))
}

// hasKey reports whether mapping n has one of the keys.
func hasKey(n *yaml.Node, keys ...string) bool {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Kind == yaml.ScalarNode && oneOf(k.Value, keys...) {
			return true
		}
	}
	return false
}

// rawf is errorf with the key path already spelt as in the file.
func (d *decoder) rawf(n *yaml.Node, shown, format string, args ...any) {
	d.add(&d.errs, n, shown, fmt.Sprintf(format, args...))
}

// add appends a problem with the key path shown, positioned at n, to list.
func (d *decoder) add(list *ErrorList, n *yaml.Node, shown, msg string) {
	e := &Error{File: d.file, Key: shown, Msg: msg}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	*list = append(*list, e)
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

// elem returns the key path of element i of the list at key: list[i], or
// for a list the file wrote as a mapping (see keyedLists) the mapping's
// key, list["/pets"].
func (d *decoder) elem(list string, i int) string {
	if p := d.elems[list]; i < len(p) {
		return p[i]
	}
	return indexKey(list, i)
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

var (
	durationType   = reflect.TypeFor[Duration]()
	stringListType = reflect.TypeFor[StringList]()
)

// keyedLists are the list element types that may also be written as a
// mapping keyed by one of their fields: resources keyed by path,
// gateway responses keyed by response type.
var keyedLists = map[reflect.Type]string{
	reflect.TypeFor[RestResource]():    "path",
	reflect.TypeFor[GatewayResponse](): "responseType",
}

// decode stores n into v, reporting every mismatch under key.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, key string) {
	if d.stop {
		return
	}
	switch {
	case d.inAlias > 0:
		if d.aliasLeft--; d.aliasLeft < 0 {
			d.stop = true
			d.fail(n, key, "the file expands to more than %d values through aliases (*name); write the repeated parts out or use fewer aliases", maxAliasNodes)
			return
		}
	default:
		if d.valueLeft--; d.valueLeft < 0 {
			d.stop = true
			d.fail(n, key, "the file has more than %d values; Portico reads no more", maxValues)
			return
		}
	}
	if n.Kind == yaml.AliasNode {
		// Errors inside point at the anchored text, where the problem is.
		d.inAlias++
		d.decode(n.Alias, v, key)
		d.inAlias--
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
	if v.Type() == stringListType && n.Kind == yaml.ScalarNode {
		s, _ := d.expand(n, key)
		l := StringList{}
		if strings.TrimSpace(s) != "" {
			for part := range strings.SplitSeq(s, ",") {
				l = append(l, strings.TrimSpace(part))
			}
		}
		v.Set(reflect.ValueOf(l))
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		d.decodeStruct(n, v, key)
	case reflect.Slice:
		shown := d.show(key)
		byField, keyed := keyedLists[v.Type().Elem()]
		if n.Kind == yaml.MappingNode && v.Type().Elem().Kind() == reflect.Struct && hasKey(n, "Items", "items", "Item", "item") &&
			(!keyed || onlyKeys(n, "Items", "items", "Item", "item", "NextToken", "nextToken", "Position", "position")) {
			var ok bool
			if n, shown, ok = d.listing(n, key); !ok {
				return
			}
		} else if n.Kind == yaml.MappingNode && keyed {
			d.decodeKeyed(n, v, key, byField)
			return
		}
		if n.Kind != yaml.SequenceNode {
			d.fail(n, key, "want a list (items start with \"- \"), got %s", describe(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, el := range n.Content {
			sub := indexKey(key, i)
			d.spell(sub, indexKey(shown, i))
			d.decode(el, s.Index(i), sub)
		}
		v.Set(s)
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			d.fail(n, key, "want a mapping, got %s", describe(n))
			return
		}
		shown := d.show(key)
		m := reflect.MakeMapWithSize(v.Type(), len(n.Content)/2)
		d.eachPair(n, key, func(k, val *yaml.Node) {
			sub := childKey(key, k.Value)
			d.spell(sub, childKey(shown, k.Value))
			d.keys[sub] = k
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

// listing accepts, in place of a list of resources, the output of an
// `aws apigatewayv2 get-*` listing command: a mapping of Items (the list)
// and NextToken, or items and nextToken as the REST-JSON wire writes them;
// or of an `aws apigateway get-*` (v1) one: items (item for get-stages)
// and position.
// It returns the list and how the file spells its key path; ok is false
// when the mapping was reported.
func (d *decoder) listing(n *yaml.Node, key string) (items *yaml.Node, shown string, ok bool) {
	var itemsKey *yaml.Node
	good := true
	d.eachPair(n, key, func(k, val *yaml.Node) {
		sub := childKey(d.show(key), k.Value)
		switch k.Value {
		case "Items", "items", "Item", "item": // item: apigateway's get-stages
			if itemsKey != nil {
				d.rawf(k, sub, "%s is also set, on line %d: write the key once", itemsKey.Value, itemsKey.Line)
				good = false
				return
			}
			itemsKey, items = k, val
		case "NextToken", "nextToken", "Position", "position":
			if val.Kind == yaml.ScalarNode && !isNull(val) && val.Value != "" {
				d.add(&d.warns, k, sub, "the listing holds one page: more items exist than were pasted (run the command without --max-items)")
			}
		default:
			d.rawf(k, sub, "unknown key; a list of resources is written as a list, or as the output of aws apigatewayv2 get-*: {Items: [...]}")
			good = false
		}
	})
	switch {
	case !good:
		d.bad[key] = true
		return nil, "", false
	}
	if items.Kind == yaml.AliasNode {
		items = items.Alias
	}
	return items, childKey(d.show(key), itemsKey.Value), true
}

// decodeKeyed decodes a mapping into a list of structs (a keyedLists
// type): each key fills the element's field byField, which the value may
// repeat but not contradict.
func (d *decoder) decodeKeyed(n *yaml.Node, v reflect.Value, key, byField string) {
	shown := d.show(key)
	et := v.Type().Elem()
	idx := fieldsOf(et).index[byField]
	s := reflect.MakeSlice(v.Type(), 0, len(n.Content)/2)
	var paths []string
	d.eachPair(n, key, func(k, val *yaml.Node) {
		sub := childKey(key, k.Value)
		d.spell(sub, childKey(shown, k.Value))
		d.keys[sub] = k
		el := reflect.New(et).Elem()
		d.decode(val, el, sub)
		f := el.FieldByIndex(idx)
		if w := f.String(); w != "" && w != k.Value {
			d.at(sub+"."+byField, "%q differs from its key %q", w, k.Value)
		}
		f.SetString(k.Value)
		s = reflect.Append(s, el)
		paths = append(paths, sub)
	})
	v.Set(s)
	d.elems[key] = paths
}

// onlyKeys reports whether every key of mapping n is one of keys.
func onlyKeys(n *yaml.Node, keys ...string) bool {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Kind != yaml.ScalarNode || !oneOf(k.Value, keys...) {
			return false
		}
	}
	return true
}

// schemaFields describes the keys of one struct type.
type schemaFields struct {
	index map[string][]int  // key → field index; aws-only fields are in extra
	extra map[string]int    // key → field index in the awsOnly extra struct
	inert map[string]bool   // schema keys that are accepted but not acted on
	alias map[string]string // another key for a schema key: RestApi's id for restApiId
	names []string          // the schema's own keys, in order
	all   []string          // names and then the aws-only keys: what suggestions choose from
}

var fieldCache sync.Map // reflect.Type → *schemaFields

func fieldsOf(t reflect.Type) *schemaFields {
	if f, ok := fieldCache.Load(t); ok {
		return f.(*schemaFields)
	}
	sf := &schemaFields{index: map[string][]int{}, extra: map[string]int{}, inert: map[string]bool{}, alias: map[string]string{}}
	for i := range t.NumField() {
		if tag := t.Field(i).Tag.Get("yaml"); tag != "" && tag != "-" {
			sf.index[tag] = []int{i}
			sf.names = append(sf.names, tag)
		}
	}
	aws := awsOnlyFields[t]
	for alias, name := range aws.aliases {
		if _, ok := sf.index[name]; !ok {
			panic("config: alias " + alias + " names no field of " + t.String())
		}
		sf.alias[alias] = name
	}
	for _, name := range aws.inert {
		if _, ok := sf.index[name]; !ok {
			panic("config: inert field " + name + " is not in " + t.String())
		}
		sf.inert[name] = true
	}
	if aws.extra != nil {
		for i := range aws.extra.NumField() {
			tag := aws.extra.Field(i).Tag.Get("yaml")
			if _, dup := sf.index[tag]; dup {
				panic("config: aws-only field " + tag + " is also in " + t.String())
			}
			sf.extra[tag] = i
			sf.all = append(sf.all, tag)
		}
	}
	sf.all = append(slices.Clip(sf.names), sf.all...)
	f, _ := fieldCache.LoadOrStore(t, sf)
	return f.(*schemaFields)
}

// canonicalName returns the schema key that the file's key k spells: k
// itself, or for a PascalCase key as the AWS CLI prints it (RouteKey,
// ApiId, JwtConfiguration) the key with its first letter lowered.
func (sf *schemaFields) canonicalName(k string) (string, bool) {
	if k != "" && k[0] >= 'A' && k[0] <= 'Z' && !sf.has(k) {
		k = string(k[0]+'a'-'A') + k[1:]
	}
	if sf.has(k) {
		return k, true
	}
	if name, ok := sf.alias[k]; ok {
		return name, true
	}
	return "", false
}

func (sf *schemaFields) has(k string) bool {
	if _, ok := sf.index[k]; ok {
		return true
	}
	_, ok := sf.extra[k]
	return ok
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, key string) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, key, "want a mapping, got %s", describe(n))
		return
	}
	sf := fieldsOf(v.Type())
	var extra reflect.Value
	if t := awsOnlyFields[v.Type()].extra; t != nil {
		extra = reflect.New(t).Elem()
	}
	shown := d.show(key)
	// The keys present, so that a suggestion never names one already set.
	present := make(map[string]bool, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		if c, ok := sf.canonicalName(n.Content[i].Value); ok {
			present[c] = true
		}
	}
	var (
		byName    = make(map[string]*yaml.Node, len(n.Content)/2) // canonical name → key node
		suggested []string
	)
	d.eachPair(n, key, func(k, val *yaml.Node) {
		name, ok := sf.canonicalName(k.Value)
		if !ok {
			sub := childKey(shown, k.Value)
			if s := closest(k.Value, sf.all, present); s != "" {
				d.rawf(k, sub, "unknown key; did you mean %s?", s)
				suggested = append(suggested, s)
			} else {
				d.rawf(k, sub, "unknown key; valid keys: %s", strings.Join(sf.names, ", "))
			}
			return
		}
		if first := byName[name]; first != nil {
			d.rawf(k, childKey(shown, k.Value), "%s is also set, on line %d: write the key once", first.Value, first.Line)
			return
		}
		byName[name] = k
		sub := childKey(key, name)
		d.spell(sub, childKey(shown, k.Value))
		d.keys[sub] = k
		var field reflect.Value
		if i, ok := sf.extra[name]; ok {
			field = extra.Field(i)
		} else {
			field = v.FieldByIndex(sf.index[name])
		}
		before := len(d.errs)
		d.decode(val, field, sub)
		if _, ok := sf.extra[name]; (ok || sf.inert[name]) && len(d.errs) == before && !empty(field) {
			d.warnf(k, sub, "accepted but not acted on by Portico")
		}
	})
	// A misspelt key is reported once, not again as a missing one.
	for _, s := range suggested {
		if !present[s] {
			d.bad[childKey(key, s)] = true
		}
	}
}

// empty reports whether v holds nothing: zero, or an empty list or map.
func empty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Map, reflect.Slice:
		return v.Len() == 0
	}
	return v.IsZero()
}

// eachPair calls f for each key of mapping n, reporting keys that are not
// strings and duplicate keys.
func (d *decoder) eachPair(n *yaml.Node, key string, f func(k, val *yaml.Node)) {
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
		if line, dup := first[k.Value]; dup {
			d.rawf(k, childKey(d.show(key), k.Value), "duplicate key (first set on line %d)", line)
			continue
		}
		first[k.Value] = k.Line
		f(k, val)
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

// closest suggests a valid key for a misspelt one k: the same name in
// another case, or the nearest within two edits (one for short names).
// Names already present in the mapping are never suggested.
func closest(k string, names []string, present map[string]bool) string {
	lower := k
	if k != "" && k[0] >= 'A' && k[0] <= 'Z' {
		lower = string(k[0]+'a'-'A') + k[1:]
	}
	best, bestDist := "", 3
	if len(k) <= 5 {
		bestDist = 2
	}
	for _, n := range names {
		if present[n] {
			continue
		}
		if strings.EqualFold(n, k) {
			return n
		}
		if dist := editDistance(lower, n); dist < bestDist {
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
