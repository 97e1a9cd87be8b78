package config

import (
	"fmt"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Error is one problem in a configuration file.
type Error struct {
	File         string
	Line, Column int
	Key          string // dotted path with indexes: apis[0].routes[1].target
	Msg          string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Column)
	}
	b.WriteString(": ")
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ErrorList is every problem found in a file, in file order.
type ErrorList []*Error

func (l ErrorList) Error() string {
	msgs := make([]string, len(l))
	for i, e := range l {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// Std returns d as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

// Load reads, expands, decodes and validates a YAML or JSON file.
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, ErrorList{{File: path, Msg: err.Error()}}
	}
	return Parse(path, data)
}

// Parse is Load from bytes; filename appears in error messages.
func Parse(filename string, data []byte) (*File, error) {
	return parse(filename, data, os.LookupEnv)
}

func parse(filename string, data []byte, lookupEnv func(string) (string, bool)) (*File, error) {
	d := &decoder{file: filename, lookupEnv: lookupEnv, pos: make(map[string]*yaml.Node)}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line := 0
		if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
			line, _ = strconv.Atoi(m[1])
		}
		return nil, ErrorList{{File: filename, Line: line, Msg: strings.TrimPrefix(err.Error(), "yaml: ")}}
	}
	if len(doc.Content) == 0 {
		return nil, ErrorList{{File: filename, Line: 1, Column: 1, Msg: "the file is empty"}}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		d.errorf(root, "", "the top level must be a mapping of keys such as listen and apis")
		return nil, d.errs
	}
	var f File
	d.decode(root, reflect.ValueOf(&f).Elem(), "")
	validate(&f, d)
	if len(d.errs) > 0 {
		sort.SliceStable(d.errs, func(i, j int) bool {
			if d.errs[i].Line != d.errs[j].Line {
				return d.errs[i].Line < d.errs[j].Line
			}
			return d.errs[i].Column < d.errs[j].Column
		})
		return nil, d.errs
	}
	return &f, nil
}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

type decoder struct {
	file      string
	lookupEnv func(string) (string, bool)
	errs      ErrorList
	pos       map[string]*yaml.Node // key path → value node
	keyPos    map[string]*yaml.Node // key path → key node
}

func (d *decoder) errorf(n *yaml.Node, key, format string, args ...any) {
	e := &Error{File: d.file, Key: key, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	d.errs = append(d.errs, e)
}

// at reports an error at the position of key (its value), or the file.
func (d *decoder) at(key, format string, args ...any) {
	d.errorf(d.pos[key], key, format, args...)
}

var (
	durationType = reflect.TypeOf(Duration(0))
	envRE        = regexp.MustCompile(`\$\$\{|\$\{([A-Z_][A-Z0-9_]*)\}`)
)

// expand replaces ${NAME} with the environment variable and $${ with ${.
func (d *decoder) expand(n *yaml.Node, key string) string {
	s := n.Value
	if !strings.Contains(s, "${") {
		return s
	}
	return envRE.ReplaceAllStringFunc(s, func(m string) string {
		if m == "$${" {
			return "${"
		}
		name := m[2 : len(m)-1]
		v, ok := d.lookupEnv(name)
		if !ok {
			d.errorf(n, key, "environment variable %s is not set", name)
		}
		return v
	})
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "null"
		}
		return "a scalar (" + strings.TrimPrefix(n.Tag, "!!") + ")"
	case yaml.AliasNode:
		return "an alias"
	}
	return "a document"
}

func (d *decoder) decode(n *yaml.Node, v reflect.Value, key string) {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	d.pos[key] = n
	if v.Kind() == reflect.Pointer {
		if n.Tag == "!!null" {
			return
		}
		p := reflect.New(v.Type().Elem())
		before := len(d.errs)
		d.decode(n, p.Elem(), key)
		if len(d.errs) == before { // leave nil on error: no follow-on complaints
			v.Set(p)
		}
		return
	}
	if v.Type() == durationType {
		if n.Kind != yaml.ScalarNode {
			d.errorf(n, key, "want a duration such as 30s or 10m, got %s", kindName(n))
			return
		}
		s := d.expand(n, key)
		if s == "0" {
			v.SetInt(0)
			return
		}
		if _, err := strconv.Atoi(s); err == nil {
			d.errorf(n, key, "%s has no unit: write a unit, e.g. 30s or 10m", s)
			return
		}
		dur, err := time.ParseDuration(s)
		if err != nil {
			d.errorf(n, key, "%q is not a duration (e.g. 30s, 10m, 2h)", s)
			return
		}
		v.SetInt(int64(dur))
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			d.errorf(n, key, "want a mapping, got %s", kindName(n))
			return
		}
		fields := map[string]int{}
		var names []string
		for i := 0; i < v.NumField(); i++ {
			tag := v.Type().Field(i).Tag.Get("yaml")
			if tag == "" || tag == "-" {
				continue
			}
			fields[tag] = i
			names = append(names, tag)
		}
		d.eachPair(n, key, func(k, val *yaml.Node, sub string) {
			idx, ok := fields[k.Value]
			if !ok {
				msg := "unknown key"
				if s := closest(k.Value, names); s != "" {
					msg += "; did you mean " + s + "?"
				} else {
					msg += "; valid keys: " + strings.Join(names, ", ")
				}
				d.errorf(k, sub, "%s", msg)
				return
			}
			d.decode(val, v.Field(idx), sub)
		})
	case reflect.Slice:
		if n.Tag == "!!null" {
			return
		}
		if n.Kind != yaml.SequenceNode {
			d.errorf(n, key, "want a list, got %s", kindName(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, el := range n.Content {
			d.decode(el, s.Index(i), fmt.Sprintf("%s[%d]", key, i))
		}
		v.Set(s)
	case reflect.Map:
		if n.Tag == "!!null" {
			return
		}
		if n.Kind != yaml.MappingNode {
			d.errorf(n, key, "want a mapping, got %s", kindName(n))
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
		if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
			d.errorf(n, key, "want a string, got %s", kindName(n))
			return
		}
		v.SetString(d.expand(n, key))
	case reflect.Int:
		if n.Kind != yaml.ScalarNode {
			d.errorf(n, key, "want an integer, got %s", kindName(n))
			return
		}
		s := d.expand(n, key)
		i, err := strconv.Atoi(s)
		if err != nil {
			d.errorf(n, key, "want an integer, got %q", s)
			return
		}
		v.SetInt(int64(i))
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode {
			d.errorf(n, key, "want true or false, got %s", kindName(n))
			return
		}
		s := d.expand(n, key)
		switch s {
		case "true":
			v.SetBool(true)
		case "false":
			v.SetBool(false)
		default:
			d.errorf(n, key, "want true or false, got %q", s)
		}
	default:
		d.errorf(n, key, "unsupported field type %s", v.Type())
	}
}

// eachPair calls f for each key of mapping n, reporting duplicate keys.
func (d *decoder) eachPair(n *yaml.Node, key string, f func(k, val *yaml.Node, sub string)) {
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		sub := join(key, k.Value)
		if line, dup := seen[k.Value]; dup {
			d.errorf(k, sub, "duplicate key (first set on line %d)", line)
			continue
		}
		seen[k.Value] = k.Line
		f(k, val, sub)
	}
}

func join(key, sub string) string {
	if key == "" {
		return sub
	}
	return key + "." + sub
}

// closest suggests a valid key within edit distance 2 (or same lowercase).
func closest(k string, names []string) string {
	best, bestD := "", 3
	for _, n := range names {
		if strings.EqualFold(n, k) {
			return n
		}
		if dist := editDistance(k, n); dist < bestD {
			best, bestD = n, dist
		}
	}
	return best
}

func editDistance(a, b string) int {
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
