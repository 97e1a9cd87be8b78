package template

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/portico-gw/portico/config"
)

// loader is the state of one Parse.
type loader struct {
	file, dir                string
	opts                     Options
	region, account, stack   string
	errs, warns              config.ErrorList
	params                   map[string]*yaml.Node // resolved parameter values
	mappings                 *yaml.Node
	conds                    map[string]*yaml.Node // condition definitions
	condState                map[string]int8       // 1 true, 2 false, 3 being evaluated
	globals                  map[string]*yaml.Node // Function, Api, HttpApi
	resources                map[string]*resource
	order                    []*resource // in file order
	usedIDs                  map[string]bool
	out                      config.File
	origins                  map[string]origin // config key prefix → where it came from
	restAPIs                 map[string]*restBuild
	v2APIs                   map[string]*v2Build
	implicitRest, implicitV2 *resource
	// sharedPlan is SAM's ServerlessUsagePlan, which every
	// AWS::Serverless::Api with Auth.UsagePlan.CreateUsagePlan SHARED
	// joins; nil until one does.
	sharedPlan *config.UsagePlan
	// sharedPlanFrom and sharedPlanKey are where the first such API asked.
	sharedPlanFrom origin
	sharedPlanKey  string
	budget         int // values resolved so far (maxResolvedNodes)
	// inline is the inline OpenAPI definition being imported, for its
	// errors' positions (see inlinePositions).
	inline *yaml.Node
}

// origin is the template resource that produced a part of the File.
type origin struct {
	res *resource
	at  *yaml.Node
}

// resource is one entry of Resources.
type resource struct {
	id   string     // the logical ID
	typ  string     // Type
	key  *yaml.Node // the logical ID as written
	node *yaml.Node // the resource's mapping
	// raw is Properties as written (with SAM Globals merged in); nil when
	// absent.
	raw *yaml.Node
	// skip says why the resource is not built ("" when it is): its
	// Condition is false, or Portico does not serve its type.
	skip string
	// physical is what Ref returns, once known; busy guards its
	// computation against cycles.
	physical string
	busy     bool
	// implicit marks ServerlessRestApi and ServerlessHttpApi, which SAM
	// generates.
	implicit bool
}

func (r *resource) where() string { return "Resources." + r.id }

// errorf records an error positioned at n (nil: the file as a whole).
func (l *loader) errorf(n *yaml.Node, key, format string, args ...any) {
	l.errs = append(l.errs, l.problem(n, key, format, args...))
}

// warnf records a warning positioned at n.
func (l *loader) warnf(n *yaml.Node, key, format string, args ...any) {
	l.warns = append(l.warns, l.problem(n, key, format, args...))
}

func (l *loader) problem(n *yaml.Node, key, format string, args ...any) *config.Error {
	e := &config.Error{File: l.file, Key: key, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	return e
}

// mapGet returns the value of key in mapping n, or nil.
func mapGet(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// pairs calls fn for each key and value of mapping n.
func pairs(n *yaml.Node, fn func(k, v *yaml.Node)) {
	if n == nil || n.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		fn(n.Content[i], n.Content[i+1])
	}
}

var logicalIDRE = regexp.MustCompile(`^[A-Za-z0-9]+$`)

// sections are the top-level keys of a template.
var sections = []string{"AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Rules",
	"Mappings", "Conditions", "Transform", "Globals", "Resources", "Outputs"}

// prepare reads the sections, settles the parameters, the resources'
// conditions and SAM's Globals and implicit APIs, and reports whether the
// resources can be built.
func (l *loader) prepare(root *yaml.Node) bool {
	pairs(root, func(k, v *yaml.Node) {
		if !slices.Contains(sections, k.Value) {
			l.errorf(k, k.Value, "unknown top-level section; a template has %s", strings.Join(sections, ", "))
		}
	})
	resources := mapGet(root, "Resources")
	if resources == nil || resources.Kind != yaml.MappingNode || len(resources.Content) == 0 {
		l.errorf(root, "Resources", "required: a template declares at least one resource")
		return false
	}
	if t := mapGet(root, "Transform"); t != nil {
		l.checkTransform(t)
	}
	l.readParameters(mapGet(root, "Parameters"))
	l.mappings = mapGet(root, "Mappings")
	pairs(mapGet(root, "Conditions"), func(k, v *yaml.Node) { l.conds[k.Value] = v })
	l.readGlobals(mapGet(root, "Globals"))
	pairs(resources, func(k, v *yaml.Node) {
		key := "Resources." + k.Value
		switch {
		case !logicalIDRE.MatchString(k.Value):
			l.errorf(k, key, "a logical ID is letters and digits only")
			return
		case l.resources[k.Value] != nil:
			l.errorf(k, key, "duplicate logical ID")
			return
		case v.Kind != yaml.MappingNode:
			l.errorf(v, key, "a resource is a mapping with Type and Properties, got %s", describe(v))
			return
		}
		r := &resource{id: k.Value, key: k, node: v, raw: mapGet(v, "Properties")}
		t := mapGet(v, "Type")
		if t == nil || t.Kind != yaml.ScalarNode || t.Value == "" {
			l.errorf(v, key+".Type", "required, e.g. AWS::Serverless::Function")
			return
		}
		r.typ = t.Value
		if r.raw != nil && r.raw.Kind != yaml.MappingNode && !isIntrinsic(r.raw) {
			l.errorf(r.raw, key+".Properties", "want a mapping, got %s", describe(r.raw))
			return
		}
		l.resources[r.id] = r
		l.order = append(l.order, r)
	})
	if len(l.errs) > 0 {
		return false
	}
	for _, r := range l.order {
		if c := mapGet(r.node, "Condition"); c != nil {
			if ok, known := l.condition(c.Value, c, r.where()+".Condition"); known && !ok {
				r.skip = fmt.Sprintf("its Condition %s is false", c.Value)
			}
		}
	}
	l.applyGlobals()
	l.addImplicitAPIs()
	l.classify()
	return len(l.errs) == 0
}

// checkTransform accepts the SAM transform and the language extensions.
func (l *loader) checkTransform(t *yaml.Node) {
	var names []*yaml.Node
	switch t.Kind {
	case yaml.ScalarNode:
		names = []*yaml.Node{t}
	case yaml.SequenceNode:
		names = t.Content
	default:
		l.errorf(t, "Transform", "Portico runs AWS::Serverless-2016-10-31 and AWS::LanguageExtensions; macros are not supported")
		return
	}
	for _, n := range names {
		if n.Value != "AWS::Serverless-2016-10-31" && n.Value != "AWS::LanguageExtensions" {
			l.errorf(n, "Transform", "%q: Portico runs AWS::Serverless-2016-10-31 and AWS::LanguageExtensions; other transforms and macros are not supported", n.Value)
		}
	}
}

// readParameters settles every parameter's value: its override, else its
// default.
func (l *loader) readParameters(decl *yaml.Node) {
	declared := map[string]bool{}
	pairs(decl, func(k, v *yaml.Node) {
		name := k.Value
		key := "Parameters." + name
		declared[name] = true
		typ := "String"
		if t := mapGet(v, "Type"); t != nil {
			typ = t.Value
		}
		var value *yaml.Node
		if s, ok := l.opts.Parameters[name]; ok {
			value = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Line: k.Line, Column: k.Column}
		} else if d := mapGet(v, "Default"); d != nil {
			value = d
		} else {
			l.errorf(k, key, "has no Default: give it with --parameter-overrides %s=VALUE", name)
			return
		}
		if strings.HasPrefix(typ, "AWS::SSM::Parameter::") {
			if _, ok := l.opts.Parameters[name]; !ok {
				l.errorf(k, key, "%s reads Systems Manager, which Portico has not: give the value with --parameter-overrides %s=VALUE", typ, name)
				return
			}
		}
		if value.Kind != yaml.ScalarNode {
			if value.Kind == yaml.SequenceNode && (typ == "CommaDelimitedList" || strings.HasPrefix(typ, "List<")) {
				l.params[name] = value
				return
			}
			l.errorf(value, key, "a parameter's value is a string, got %s", describe(value))
			return
		}
		if allowed := mapGet(v, "AllowedValues"); allowed != nil && allowed.Kind == yaml.SequenceNode {
			ok := false
			var list []string
			for _, a := range allowed.Content {
				list = append(list, a.Value)
				ok = ok || a.Value == value.Value
			}
			if !ok {
				l.errorf(value, key, "%q is not one of the AllowedValues %s", value.Value, strings.Join(list, ", "))
				return
			}
		}
		if p := mapGet(v, "AllowedPattern"); p != nil {
			if re, err := regexp.Compile("^(?:" + p.Value + ")$"); err == nil && !re.MatchString(value.Value) {
				l.errorf(value, key, "%q does not match the AllowedPattern %s", value.Value, p.Value)
				return
			}
		}
		if typ == "CommaDelimitedList" || strings.HasPrefix(typ, "List<") {
			seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: value.Line, Column: value.Column}
			for s := range strings.SplitSeq(value.Value, ",") {
				seq.Content = append(seq.Content, str(strings.TrimSpace(s), value))
			}
			value = seq
		}
		l.params[name] = value
	})
	for _, name := range sortedKeys(l.opts.Parameters) {
		if !declared[name] {
			l.errorf(nil, "Parameters", "--parameter-overrides %s: the template declares no parameter %s", name, name)
		}
	}
}

// str makes a string scalar positioned at at.
func str(s string, at *yaml.Node) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	if at != nil {
		n.Line, n.Column = at.Line, at.Column
	}
	return n
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
