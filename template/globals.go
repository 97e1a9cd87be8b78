package template

import (
	"gopkg.in/yaml.v3"
)

// globalsFor are the SAM resource types each Globals section applies to.
var globalsFor = map[string]string{
	"Function": typeFunction, "Api": typeSAMApi, "HttpApi": typeSAMHttpApi,
	"SimpleTable": "AWS::Serverless::SimpleTable", "LayerVersion": "AWS::Serverless::LayerVersion",
	"StateMachine": "AWS::Serverless::StateMachine", "CapacityProvider": "AWS::Serverless::CapacityProvider",
}

// readGlobals records the Globals sections.
func (l *loader) readGlobals(g *yaml.Node) {
	l.globals = map[string]*yaml.Node{}
	if g == nil {
		return
	}
	if g.Kind != yaml.MappingNode {
		l.errorf(g, "Globals", "want a mapping of Function, Api, HttpApi, got %s", describe(g))
		return
	}
	pairs(g, func(k, v *yaml.Node) {
		if _, ok := globalsFor[k.Value]; !ok {
			l.errorf(k, "Globals."+k.Value, "SAM has no Globals section %s (Function, Api, HttpApi, SimpleTable, LayerVersion, StateMachine)", k.Value)
			return
		}
		if v.Kind != yaml.MappingNode {
			l.errorf(v, "Globals."+k.Value, "want a mapping of properties, got %s", describe(v))
			return
		}
		l.globals[k.Value] = v
	})
}

// applyGlobals merges the Globals sections into the SAM resources'
// Properties as SAM does: a resource's own value wins, mappings merge
// key by key, lists are the global values followed by the resource's.
func (l *loader) applyGlobals() {
	for _, r := range l.order {
		for section, typ := range globalsFor {
			if g := l.globals[section]; g != nil && r.typ == typ {
				r.raw = mergeGlobals(g, r.raw)
			}
		}
	}
}

// mergeGlobals returns global merged with local, leaving both as they are.
func mergeGlobals(global, local *yaml.Node) *yaml.Node {
	switch {
	case local == nil:
		return global
	case global == nil || isIntrinsic(global) || isIntrinsic(local) || global.Kind != local.Kind:
		return local
	case local.Kind == yaml.SequenceNode:
		out := *local
		out.Content = append(append([]*yaml.Node{}, global.Content...), local.Content...)
		return &out
	case local.Kind != yaml.MappingNode:
		return local
	}
	out := *local
	out.Content = nil
	seen := map[string]bool{}
	for i := 0; i+1 < len(local.Content); i += 2 {
		k := local.Content[i]
		seen[k.Value] = true
		out.Content = append(out.Content, k, mergeGlobals(mapGet(global, k.Value), local.Content[i+1]))
	}
	for i := 0; i+1 < len(global.Content); i += 2 {
		if k := global.Content[i]; !seen[k.Value] {
			out.Content = append(out.Content, k, global.Content[i+1])
		}
	}
	return &out
}

// addImplicitAPIs adds the ServerlessRestApi and ServerlessHttpApi SAM
// generates when a function's Api or HttpApi event names no API.
func (l *loader) addImplicitAPIs() {
	for _, r := range l.order {
		if r.typ != typeFunction || r.skip != "" {
			continue
		}
		pairs(mapGet(r.raw, "Events"), func(name, ev *yaml.Node) {
			t := mapGet(ev, "Type")
			if t == nil {
				return
			}
			p := mapGet(ev, "Properties")
			switch {
			case t.Value == "Api" && mapGet(p, "RestApiId") == nil && l.implicitRest == nil:
				l.implicitRest = l.implicit("ServerlessRestApi", typeSAMApi, name, l.globals["Api"])
			case t.Value == "HttpApi" && mapGet(p, "ApiId") == nil && l.implicitV2 == nil:
				l.implicitV2 = l.implicit("ServerlessHttpApi", typeSAMHttpApi, name, l.globals["HttpApi"])
			}
		})
	}
}

// implicit adds a generated API resource, positioned at the first event
// that needs it.
func (l *loader) implicit(id, typ string, at, globals *yaml.Node) *resource {
	if r := l.resources[id]; r != nil {
		l.errorf(r.key, r.where(), "SAM generates a resource %s for the functions' events that name no API; rename this one", id)
		return r
	}
	raw := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: at.Line, Column: at.Column}
	if typ == typeSAMApi {
		raw.Content = append(raw.Content, str("StageName", at), str("Prod", at))
	}
	raw = mergeGlobals(globals, raw)
	r := &resource{id: id, typ: typ, key: at, node: raw, raw: raw, implicit: true}
	l.resources[id] = r
	l.order = append(l.order, r)
	return r
}
