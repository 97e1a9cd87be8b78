package template

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// The intrinsic functions. resolve returns a new tree in which every call
// is replaced by its value, keeping the positions of what was written; a
// problem is recorded at the call and resolve returns nil. AWS::NoValue
// resolves to noValue, which mappings and lists then leave out.

// maxResolvedNodes bounds the values resolving may visit, so that a small
// template whose aliases refer to aliases cannot expand without end.
const maxResolvedNodes = 2_000_000

// noValue is what Ref AWS::NoValue resolves to.
var noValue = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "AWS::NoValue"}

// resolve resolves the intrinsic functions in n; key names n in messages.
func (l *loader) resolve(n *yaml.Node, key string) *yaml.Node {
	if n == nil {
		return nil
	}
	if l.budget++; l.budget > maxResolvedNodes {
		if l.budget == maxResolvedNodes+1 {
			l.errorf(n, key, "the template expands to more than %d values (aliases of aliases?)", maxResolvedNodes)
		}
		return nil
	}
	switch n.Kind {
	case yaml.AliasNode:
		return l.resolve(n.Alias, key)
	case yaml.ScalarNode:
		if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
			l.errorf(n, key, "unknown tag %s", n.Tag)
			return nil
		}
		return n
	case yaml.SequenceNode:
		out := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: n.Line, Column: n.Column}
		ok := true
		for i, c := range n.Content {
			r := l.resolve(c, fmt.Sprintf("%s[%d]", key, i))
			switch r {
			case nil:
				ok = false
			case noValue:
			default:
				out.Content = append(out.Content, r)
			}
		}
		if !ok {
			return nil
		}
		return out
	case yaml.MappingNode:
		if isIntrinsic(n) {
			return l.call(n.Content[0].Value, n.Content[1], n, key)
		}
		out := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: n.Line, Column: n.Column}
		ok := true
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			r := l.resolve(n.Content[i+1], key+"."+k.Value)
			switch r {
			case nil:
				ok = false
			case noValue:
			default:
				out.Content = append(out.Content, k, r)
			}
		}
		if !ok {
			return nil
		}
		return out
	}
	return n
}

// call evaluates the intrinsic function fn with the argument arg, written
// at at.
func (l *loader) call(fn string, arg, at *yaml.Node, key string) *yaml.Node {
	key += "." + fn
	switch fn {
	case "Ref":
		if arg.Kind != yaml.ScalarNode {
			l.errorf(arg, key, "want the name of a parameter or resource, got %s", describe(arg))
			return nil
		}
		return l.ref(arg.Value, arg, key)
	case "Fn::GetAtt":
		return l.getAttCall(arg, key)
	case "Fn::Sub":
		return l.sub(arg, key)
	case "Fn::Join":
		args := l.args(arg, key, 2, "[delimiter, [values...]]")
		if args == nil {
			return nil
		}
		delim, list := l.scalar(args[0], key+"[0]"), l.resolve(args[1], key+"[1]")
		if delim == nil || list == nil {
			return nil
		}
		if list.Kind != yaml.SequenceNode {
			l.errorf(list, key+"[1]", "want a list of values to join, got %s", describe(list))
			return nil
		}
		parts := make([]string, 0, len(list.Content))
		for i, c := range list.Content {
			if c.Kind != yaml.ScalarNode {
				l.errorf(c, fmt.Sprintf("%s[1][%d]", key, i), "want a string to join, got %s", describe(c))
				return nil
			}
			parts = append(parts, c.Value)
		}
		return str(strings.Join(parts, delim.Value), at)
	case "Fn::Select":
		args := l.args(arg, key, 2, "[index, [values...]]")
		if args == nil {
			return nil
		}
		idx, list := l.scalar(args[0], key+"[0]"), l.resolve(args[1], key+"[1]")
		if idx == nil || list == nil {
			return nil
		}
		i, err := strconv.Atoi(idx.Value)
		if list.Kind != yaml.SequenceNode {
			l.errorf(list, key+"[1]", "want a list to select from, got %s", describe(list))
			return nil
		}
		if err != nil || i < 0 || i >= len(list.Content) {
			l.errorf(idx, key+"[0]", "index %q is not within the list's %d values", idx.Value, len(list.Content))
			return nil
		}
		return list.Content[i]
	case "Fn::Split":
		args := l.args(arg, key, 2, "[delimiter, string]")
		if args == nil {
			return nil
		}
		delim, s := l.scalar(args[0], key+"[0]"), l.scalar(args[1], key+"[1]")
		if delim == nil || s == nil {
			return nil
		}
		out := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: at.Line, Column: at.Column}
		for p := range strings.SplitSeq(s.Value, delim.Value) {
			out.Content = append(out.Content, str(p, at))
		}
		return out
	case "Fn::If":
		args := l.args(arg, key, 3, "[condition, value if true, value if false]")
		if args == nil {
			return nil
		}
		if args[0].Kind != yaml.ScalarNode {
			l.errorf(args[0], key+"[0]", "want the name of a condition, got %s", describe(args[0]))
			return nil
		}
		v, known := l.condition(args[0].Value, args[0], key+"[0]")
		if !known {
			return nil
		}
		if v {
			return l.resolve(args[1], key+"[1]")
		}
		return l.resolve(args[2], key+"[2]")
	case "Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or":
		v, ok := l.boolCall(fn, arg, key)
		if !ok {
			return nil
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(v), Line: at.Line, Column: at.Column}
	case "Fn::FindInMap":
		return l.findInMap(arg, key)
	case "Fn::Base64":
		s := l.scalar(arg, key)
		if s == nil {
			return nil
		}
		return str(base64.StdEncoding.EncodeToString([]byte(s.Value)), at)
	case "Fn::Length":
		list := l.resolve(arg, key)
		if list == nil {
			return nil
		}
		if list.Kind != yaml.SequenceNode {
			l.errorf(list, key, "want a list, got %s", describe(list))
			return nil
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(len(list.Content)), Line: at.Line, Column: at.Column}
	case "Fn::ToJsonString":
		v := l.resolve(arg, key)
		if v == nil {
			return nil
		}
		b, err := json.Marshal(toValue(v))
		if err != nil {
			l.errorf(arg, key, "%v", err)
			return nil
		}
		return str(string(b), at)
	case "Fn::GetAZs":
		out := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: at.Line, Column: at.Column}
		for _, z := range []string{"a", "b", "c"} {
			out.Content = append(out.Content, str(l.region+z, at))
		}
		return out
	case "Fn::ImportValue":
		l.errorf(at, key, "Portico runs one template, so there is no other stack's export to import; declare a parameter and give its value with --parameter-overrides")
		return nil
	}
	l.errorf(at, key, "the intrinsic function %s is not supported by Portico", fn)
	return nil
}

// args checks that arg is a list of n values and returns them.
func (l *loader) args(arg *yaml.Node, key string, n int, shape string) []*yaml.Node {
	if arg.Kind != yaml.SequenceNode || len(arg.Content) != n {
		l.errorf(arg, key, "want %s, got %s", shape, describe(arg))
		return nil
	}
	return arg.Content
}

// scalar resolves n and checks that the result is a string.
func (l *loader) scalar(n *yaml.Node, key string) *yaml.Node {
	r := l.resolve(n, key)
	if r == nil {
		return nil
	}
	if r.Kind != yaml.ScalarNode || r == noValue {
		l.errorf(n, key, "want a string, got %s", describe(r))
		return nil
	}
	return r
}

// boolCall evaluates Fn::Equals, Fn::Not, Fn::And and Fn::Or.
func (l *loader) boolCall(fn string, arg *yaml.Node, key string) (v, ok bool) {
	if fn == "Fn::Equals" {
		args := l.args(arg, key, 2, "[value, value]")
		if args == nil {
			return false, false
		}
		a, b := l.resolve(args[0], key+"[0]"), l.resolve(args[1], key+"[1]")
		if a == nil || b == nil {
			return false, false
		}
		if a.Kind == yaml.ScalarNode && b.Kind == yaml.ScalarNode {
			return a.Value == b.Value, true
		}
		ja, _ := json.Marshal(toValue(a))
		jb, _ := json.Marshal(toValue(b))
		return string(ja) == string(jb), true
	}
	if arg.Kind != yaml.SequenceNode || len(arg.Content) == 0 || fn == "Fn::Not" && len(arg.Content) != 1 {
		l.errorf(arg, key, "want a list of conditions, got %s", describe(arg))
		return false, false
	}
	vals := make([]bool, len(arg.Content))
	for i, c := range arg.Content {
		if vals[i], ok = l.condExpr(c, fmt.Sprintf("%s[%d]", key, i)); !ok {
			return false, false
		}
	}
	switch fn {
	case "Fn::Not":
		return !vals[0], true
	case "Fn::And":
		for _, b := range vals {
			if !b {
				return false, true
			}
		}
		return true, true
	}
	for _, b := range vals { // Fn::Or
		if b {
			return true, true
		}
	}
	return false, true
}

// condExpr evaluates a condition expression: {Condition: name} or a
// function that yields a boolean.
func (l *loader) condExpr(n *yaml.Node, key string) (v, ok bool) {
	if n.Kind == yaml.MappingNode && len(n.Content) == 2 && n.Content[0].Value == "Condition" {
		return l.condition(n.Content[1].Value, n.Content[1], key+".Condition")
	}
	r := l.resolve(n, key)
	if r == nil {
		return false, false
	}
	if r.Kind == yaml.ScalarNode {
		switch strings.ToLower(r.Value) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	l.errorf(n, key, "want a condition (Fn::Equals, Fn::Not, Fn::And, Fn::Or or {Condition: name}), got %s", describe(r))
	return false, false
}

// condition evaluates the condition named name, once.
func (l *loader) condition(name string, at *yaml.Node, key string) (v, known bool) {
	switch l.condState[name] {
	case 1:
		return true, true
	case 2:
		return false, true
	case 3:
		l.errorf(at, key, "condition %s refers to itself", name)
		return false, false
	}
	def, ok := l.conds[name]
	if !ok {
		l.errorf(at, key, "no condition %s in Conditions", name)
		return false, false
	}
	l.condState[name] = 3
	v, known = l.condExpr(def, "Conditions."+name)
	switch {
	case !known:
		delete(l.condState, name)
	case v:
		l.condState[name] = 1
	default:
		l.condState[name] = 2
	}
	return v, known
}

// findInMap evaluates Fn::FindInMap: [map, top key, second key] with an
// optional fourth {DefaultValue: v}.
func (l *loader) findInMap(arg *yaml.Node, key string) *yaml.Node {
	if arg.Kind != yaml.SequenceNode || len(arg.Content) < 3 || len(arg.Content) > 4 {
		l.errorf(arg, key, "want [map name, top-level key, second-level key], got %s", describe(arg))
		return nil
	}
	var names [3]string
	for i := range 3 {
		s := l.scalar(arg.Content[i], fmt.Sprintf("%s[%d]", key, i))
		if s == nil {
			return nil
		}
		names[i] = s.Value
	}
	v := mapGet(mapGet(mapGet(l.mappings, names[0]), names[1]), names[2])
	if v == nil {
		if len(arg.Content) == 4 {
			if d := mapGet(arg.Content[3], "DefaultValue"); d != nil {
				return l.resolve(d, key+"[3].DefaultValue")
			}
		}
		l.errorf(arg, key, "Mappings has no %s.%s.%s", names[0], names[1], names[2])
		return nil
	}
	return l.resolve(v, "Mappings."+strings.Join(names[:], "."))
}

// sub evaluates Fn::Sub, as a string or [string, {variables}].
func (l *loader) sub(arg *yaml.Node, key string) *yaml.Node {
	tmpl := arg
	var vars *yaml.Node
	if arg.Kind == yaml.SequenceNode {
		if len(arg.Content) != 2 || arg.Content[1].Kind != yaml.MappingNode {
			l.errorf(arg, key, "want a string, or [string, {name: value}], got %s", describe(arg))
			return nil
		}
		tmpl, vars = arg.Content[0], arg.Content[1]
	}
	if tmpl.Kind != yaml.ScalarNode {
		l.errorf(tmpl, key, "want a string with ${Name} variables, got %s", describe(tmpl))
		return nil
	}
	s := tmpl.Value
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		s = s[i+2:]
		if strings.HasPrefix(s, "!") { // ${!Literal} is written as ${Literal}
			b.WriteString("${")
			s = s[1:]
			continue
		}
		j := strings.IndexByte(s, '}')
		if j < 0 {
			l.errorf(tmpl, key, "an unclosed ${ in %q", tmpl.Value)
			return nil
		}
		name := strings.TrimSpace(s[:j])
		s = s[j+1:]
		var v *yaml.Node
		if def := mapGet(vars, name); def != nil {
			v = l.resolve(def, key+"[1]."+name)
		} else if res, attr, ok := strings.Cut(name, "."); ok && !strings.HasPrefix(name, "AWS::") {
			v = l.getAtt(res, attr, tmpl, key)
		} else {
			v = l.ref(name, tmpl, key)
		}
		if v == nil {
			return nil
		}
		if v.Kind != yaml.ScalarNode || v == noValue {
			l.errorf(tmpl, key, "${%s} is %s, not a string", name, describe(v))
			return nil
		}
		b.WriteString(v.Value)
	}
	return str(b.String(), tmpl)
}

// getAttCall evaluates Fn::GetAtt: "Resource.Attribute" or [Resource, Attribute].
func (l *loader) getAttCall(arg *yaml.Node, key string) *yaml.Node {
	switch {
	case arg.Kind == yaml.ScalarNode:
		res, attr, ok := strings.Cut(arg.Value, ".")
		if !ok {
			l.errorf(arg, key, "want Resource.Attribute, got %q", arg.Value)
			return nil
		}
		return l.getAtt(res, attr, arg, key)
	case arg.Kind == yaml.SequenceNode && len(arg.Content) == 2:
		attr := l.scalar(arg.Content[1], key+"[1]")
		if attr == nil || arg.Content[0].Kind != yaml.ScalarNode {
			if attr != nil {
				l.errorf(arg.Content[0], key+"[0]", "want a resource's logical ID")
			}
			return nil
		}
		return l.getAtt(arg.Content[0].Value, attr.Value, arg, key)
	}
	l.errorf(arg, key, "want Resource.Attribute or [Resource, Attribute], got %s", describe(arg))
	return nil
}

// toValue converts a resolved node to plain Go values for JSON.
func toValue(n *yaml.Node) any {
	switch n.Kind {
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			out = append(out, toValue(c))
		}
		return out
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			out[n.Content[i].Value] = toValue(n.Content[i+1])
		}
		return out
	case yaml.AliasNode:
		return toValue(n.Alias)
	}
	switch n.Tag {
	case "!!int":
		if v, err := strconv.ParseInt(n.Value, 0, 64); err == nil {
			return v
		}
	case "!!float":
		if v, err := strconv.ParseFloat(n.Value, 64); err == nil {
			return v
		}
	case "!!bool":
		if v, err := strconv.ParseBool(strings.ToLower(n.Value)); err == nil {
			return v
		}
	case "!!null":
		return nil
	}
	return n.Value
}
