package template

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// props reads one resolved mapping (a resource's Properties, or a
// mapping inside them), reporting wrong types at their position, and
// remembers what it read so that done can warn about the rest.
type props struct {
	l *loader
	// node is the mapping; nil when absent. When lazy, it is as written,
	// and each value is resolved when first read, so that what is never
	// read (Policies that name a skipped table, say) is never resolved.
	node     *yaml.Node
	lazy     bool
	resolved map[string]*yaml.Node // lazy: the values resolved so far
	at       *yaml.Node            // where to report what is missing
	key      string                // "Resources.X.Properties"
	read     map[string]bool
}

// properties reads r's Properties. ok is false when they did not
// resolve (the problem is recorded).
func (l *loader) properties(r *resource) (*props, bool) {
	p := &props{l: l, at: r.key, key: r.where() + ".Properties", read: map[string]bool{}}
	if r.raw == nil {
		return p, true
	}
	if r.raw.Kind == yaml.MappingNode && !isIntrinsic(r.raw) {
		p.node, p.at, p.lazy, p.resolved = r.raw, r.raw, true, map[string]*yaml.Node{}
		return p, true
	}
	n := l.resolve(r.raw, p.key)
	if n == nil {
		return nil, false
	}
	if n.Kind != yaml.MappingNode {
		l.errorf(n, p.key, "want a mapping, got %s", describe(n))
		return nil, false
	}
	p.node, p.at = n, n
	return p, true
}

// child reads the mapping under name; a missing one reads as empty.
func (p *props) child(name string) *props {
	n := p.get(name)
	c := &props{l: p.l, at: p.at, key: p.key + "." + name, read: map[string]bool{}}
	if n == nil {
		return c
	}
	if n.Kind != yaml.MappingNode {
		p.l.errorf(n, c.key, "want a mapping, got %s", describe(n))
		return c
	}
	c.node, c.at = n, n
	return c
}

// of wraps an element node (of a list, say) as props.
func (p *props) of(n *yaml.Node, key string) *props {
	c := &props{l: p.l, at: n, key: key, read: map[string]bool{}}
	if n.Kind != yaml.MappingNode {
		p.l.errorf(n, key, "want a mapping, got %s", describe(n))
		return c
	}
	c.node = n
	return c
}

// value returns the resolved value of name, or nil when it is absent,
// AWS::NoValue or did not resolve (the problem is recorded).
func (p *props) value(name string) *yaml.Node {
	v := mapGet(p.node, name)
	if v == nil || !p.lazy {
		return v
	}
	if r, ok := p.resolved[name]; ok {
		return r
	}
	r := p.l.resolve(v, p.key+"."+name)
	if r == noValue {
		r = nil
	}
	p.resolved[name] = r
	return r
}

// has reports whether name is present.
func (p *props) has(name string) bool { return p.value(name) != nil }

// get returns the value of name, or nil, and marks it read.
func (p *props) get(name string) *yaml.Node {
	p.read[name] = true
	return p.value(name)
}

// str reads a string; numbers and booleans read as written.
func (p *props) str(name string) string {
	n := p.get(name)
	if n == nil {
		return ""
	}
	if n.Kind != yaml.ScalarNode {
		p.l.errorf(n, p.key+"."+name, "want a string, got %s", describe(n))
		return ""
	}
	return n.Value
}

// required reads a string that must be present.
func (p *props) required(name, example string) string {
	if !p.has(name) {
		p.read[name] = true
		p.l.errorf(p.at, p.key+"."+name, "required%s", example)
		return ""
	}
	return p.str(name)
}

// integer reads a number; nil when absent.
func (p *props) integer(name string) *int {
	n := p.get(name)
	if n == nil {
		return nil
	}
	v, err := strconv.Atoi(strings.TrimSpace(n.Value))
	if n.Kind != yaml.ScalarNode || err != nil {
		if f, ferr := strconv.ParseFloat(n.Value, 64); ferr == nil && f == float64(int(f)) {
			v := int(f)
			return &v
		}
		p.l.errorf(n, p.key+"."+name, "want a whole number, got %s", describe(n))
		return nil
	}
	return &v
}

// float reads a number; nil when absent.
func (p *props) float(name string) *float64 {
	n := p.get(name)
	if n == nil {
		return nil
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(n.Value), 64)
	if n.Kind != yaml.ScalarNode || err != nil {
		p.l.errorf(n, p.key+"."+name, "want a number, got %s", describe(n))
		return nil
	}
	return &v
}

// boolean reads true or false (CloudFormation accepts the strings too);
// absent is def.
func (p *props) boolean(name string, def bool) bool {
	n := p.get(name)
	if n == nil {
		return def
	}
	switch strings.ToLower(n.Value) {
	case "true":
		return true
	case "false":
		return false
	}
	p.l.errorf(n, p.key+"."+name, "want true or false, got %s", describe(n))
	return def
}

// list reads a list of strings; a single string reads as a list of one.
func (p *props) list(name string) []string {
	n := p.get(name)
	if n == nil {
		return nil
	}
	return p.l.strings(n, p.key+"."+name)
}

// strings reads n as a list of strings (or one string).
func (l *loader) strings(n *yaml.Node, key string) []string {
	if n.Kind == yaml.ScalarNode {
		return []string{n.Value}
	}
	if n.Kind != yaml.SequenceNode {
		l.errorf(n, key, "want a list of strings, got %s", describe(n))
		return nil
	}
	out := make([]string, 0, len(n.Content))
	for i, c := range n.Content {
		if c.Kind != yaml.ScalarNode {
			l.errorf(c, fmt.Sprintf("%s[%d]", key, i), "want a string, got %s", describe(c))
			continue
		}
		out = append(out, c.Value)
	}
	return out
}

// stringMap reads a mapping of strings.
func (p *props) stringMap(name string) map[string]string {
	n := p.get(name)
	if n == nil {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		p.l.errorf(n, p.key+"."+name, "want a mapping of strings, got %s", describe(n))
		return nil
	}
	out := map[string]string{}
	pairs(n, func(k, v *yaml.Node) {
		if v.Kind != yaml.ScalarNode {
			p.l.errorf(v, p.key+"."+name+"."+k.Value, "want a string, got %s", describe(v))
			return
		}
		out[k.Value] = v.Value
	})
	return out
}

// boolMap reads a mapping of booleans (requestParameters).
func (p *props) boolMap(name string) map[string]bool {
	m := p.stringMap(name)
	if m == nil {
		return nil
	}
	out := make(map[string]bool, len(m))
	for k, v := range m {
		out[k] = strings.EqualFold(v, "true")
	}
	return out
}

// jsonString reads a value that may be an object (written as YAML) or a
// JSON string, and returns it as JSON text.
func (p *props) jsonString(name string) string {
	n := p.get(name)
	if n == nil {
		return ""
	}
	if n.Kind == yaml.ScalarNode {
		return n.Value
	}
	b, err := json.Marshal(toValue(n))
	if err != nil {
		p.l.errorf(n, p.key+"."+name, "%v", err)
	}
	return string(b)
}

// done warns about the properties that were not read, except those
// named quiet (read and ignored on purpose: Policies, Tags, ...).
func (p *props) done(what string, quiet ...string) {
	pairs(p.node, func(k, v *yaml.Node) {
		if p.read[k.Value] || slices.Contains(quiet, k.Value) {
			return
		}
		p.l.warnf(k, p.key+"."+k.Value, "%s: Portico does not act on %s; ignored", what, k.Value)
	})
}
