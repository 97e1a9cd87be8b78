package vtl

import (
	"regexp"

	"github.com/theory/jsonpath"
)

// node is one element of a parsed template body.
type node interface{}

type (
	// nodeText is literal output.
	nodeText struct{ s string }
	// nodeRef renders a reference; null renders as "".
	nodeRef struct{ ref *refExpr }
	// nodeSet is #set($target = x).
	nodeSet struct {
		pos    int
		target *refExpr
		x      expr
	}
	// nodeIf is #if/#elseif/#else: blocks[i] runs when conds[i] is true,
	// els (maybe nil) when none is.
	nodeIf struct {
		conds  []expr
		blocks [][]node
		els    []node
	}
	// nodeForeach is #foreach($name in x).
	nodeForeach struct {
		pos  int
		name string
		x    expr
		body []node
	}
	// nodeBreak is #break: leaves the innermost #foreach (or the template).
	nodeBreak struct{}
	// nodeStop is #stop: ends rendering, keeping the output so far.
	nodeStop struct{}
	// nodeDefine is #define($name): $name renders body when referenced.
	nodeDefine struct {
		name string
		body []node
	}
	// nodeCall calls a macro.
	nodeCall struct {
		pos  int
		name string
		args []expr
	}
)

// macroDef is a #macro: its parameter names (without '$') and body.
type macroDef struct {
	params []string
	body   []node
}

// expr is an expression inside a directive, a method argument or a literal.
type expr interface{}

type (
	// exprLit is a literal: string, int64, float64, bool or nil.
	exprLit struct{ v any }
	// exprInterp is a double-quoted string holding references or directives.
	exprInterp struct{ body []node }
	// exprList is a list literal [a, b].
	exprList struct{ items []expr }
	// exprRange is a range literal [from..to].
	exprRange struct {
		pos      int
		from, to expr
	}
	// exprMap is a map literal {k: v}.
	exprMap struct{ keys, vals []expr }
	// exprUnary is !x or -x.
	exprUnary struct {
		op byte
		x  expr
	}
	// exprBinary is x op y; op is one of the binOp constants.
	exprBinary struct {
		pos  int
		op   binOp
		x, y expr
	}
)

// binOp is a binary operator.
type binOp uint8

const (
	opOr binOp = iota
	opAnd
	opEq
	opNe
	opLt
	opGt
	opLe
	opGe
	opAdd
	opSub
	opMul
	opDiv
	opMod
)

// refExpr is a reference: $name followed by properties, method calls and
// indexes.
type refExpr struct {
	pos   int
	name  string
	parts []refPart
	quiet bool   // $!name
	raw   string // the source text
}

// partKind is what one step of a reference does.
type partKind uint8

const (
	partProp partKind = iota
	partMethod
	partIndex
)

// refPart is one step of a reference.
type refPart struct {
	pos   int
	kind  partKind
	name  string // partProp, partMethod
	args  []expr // partMethod
	index expr   // partIndex
	// re is the Java regular expression of a literal first argument of
	// replaceAll, replaceFirst, matches or split, compiled at parse time.
	re *regexp.Regexp
	// path is the JSONPath of a literal argument of $input.json/path,
	// compiled at parse time.
	path *jsonpath.Path
}
