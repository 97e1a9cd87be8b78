package template

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// shortTags maps the YAML short forms to the functions they stand for.
var shortTags = map[string]string{
	"!Ref": "Ref", "!Condition": "Condition",
	"!Sub": "Fn::Sub", "!GetAtt": "Fn::GetAtt", "!Join": "Fn::Join", "!Select": "Fn::Select",
	"!Split": "Fn::Split", "!If": "Fn::If", "!Equals": "Fn::Equals", "!Not": "Fn::Not",
	"!And": "Fn::And", "!Or": "Fn::Or", "!FindInMap": "Fn::FindInMap", "!ImportValue": "Fn::ImportValue",
	"!Base64": "Fn::Base64", "!GetAZs": "Fn::GetAZs", "!Cidr": "Fn::Cidr", "!Length": "Fn::Length",
	"!ToJsonString": "Fn::ToJsonString", "!Transform": "Fn::Transform",
}

// normaliseTags rewrites every short form (!Ref x, !GetAtt a.b, !Sub ...)
// into its long form ({Ref: x}, {Fn::GetAtt: a.b}, ...), in place,
// keeping positions, so that the resolver sees one shape. An unknown
// local tag is left for the resolver to report.
func normaliseTags(n *yaml.Node) {
	for _, c := range n.Content {
		normaliseTags(c)
	}
	fn, ok := shortTags[n.Tag]
	if !ok {
		return
	}
	arg := *n
	arg.Tag = ""
	switch arg.Kind {
	case yaml.ScalarNode:
		arg.Tag = "!!str"
	case yaml.SequenceNode:
		arg.Tag = "!!seq"
	case yaml.MappingNode:
		arg.Tag = "!!map"
	}
	key := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: fn, Line: n.Line, Column: n.Column}
	*n = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: n.Line, Column: n.Column,
		Content: []*yaml.Node{key, &arg}}
}

// isIntrinsic reports whether n is a call of an intrinsic function: a
// mapping of one key, Ref or Fn::*.
func isIntrinsic(n *yaml.Node) bool {
	if n == nil || n.Kind != yaml.MappingNode || len(n.Content) != 2 {
		return false
	}
	k := n.Content[0].Value
	return k == "Ref" || strings.HasPrefix(k, "Fn::")
}
