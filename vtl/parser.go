package vtl

import (
	"regexp"
	"strings"
)

// Template is a parsed mapping template. It is immutable and safe for
// concurrent use: render it as often as needed, from any goroutine.
type Template struct {
	src    string
	body   []node
	macros map[string]*macroDef
}

// Source returns the template text Parse was given.
func (t *Template) Source() string { return t.src }

// maxNesting bounds the nesting of directives and expressions at parse time.
const maxNesting = 200

// parser parses one template. Text-mode scanning is in lexer.go.
type parser struct {
	src    string
	pos    int
	interp bool            // inside a double-quoted string literal
	macros map[string]bool // macro names, found before parsing so calls may precede definitions
	defs   map[string]*macroDef
	depth  int
}

// macroName finds "#macro( name" so that calls before a definition parse.
var macroName = regexp.MustCompile(`#\{?macro\}?[ \t]*\([ \t\r\n]*([a-zA-Z_][a-zA-Z0-9_-]*)`)

// Parse parses a mapping template. Its errors are *Error values naming the
// line and column within src: a malformed directive or expression, an
// #end without a block or a block without #end, a JSONPath literal given
// to $input.json or $input.path that does not parse, and a Java regular
// expression literal (replaceAll, replaceFirst, matches, split) that Go's
// RE2 engine cannot run (look-around, backreferences, possessive
// quantifiers). Unknown "#word"s are text, as in Velocity.
func Parse(src string) (*Template, error) {
	p := &parser{src: src, macros: map[string]bool{}, defs: map[string]*macroDef{}}
	for _, m := range macroName.FindAllStringSubmatch(src, -1) {
		p.macros[m[1]] = true
	}
	toks, err := p.scanText(len(src))
	if err != nil {
		return nil, err
	}
	body, err := p.build(toks)
	if err != nil {
		return nil, err
	}
	return &Template{src: src, body: body, macros: p.defs}, nil
}

// frame is an open block while building the tree.
type frame struct {
	tok    token
	nodes  []node
	ifn    *nodeIf
	inElse bool
}

// build nests a token stream into a tree.
func (p *parser) build(toks []token) ([]node, error) {
	stack := []*frame{{}}
	top := func() *frame { return stack[len(stack)-1] }
	add := func(n node) {
		f := top()
		if t, ok := n.(*nodeText); ok {
			if t.s == "" {
				return
			}
			if k := len(f.nodes); k > 0 {
				if prev, ok := f.nodes[k-1].(*nodeText); ok {
					f.nodes[k-1] = &nodeText{prev.s + t.s}
					return
				}
			}
		}
		f.nodes = append(f.nodes, n)
	}
	for _, t := range toks {
		switch t.kind {
		case tText:
			add(&nodeText{t.text})
		case tRef:
			add(&nodeRef{t.ref})
		case tSet:
			add(&nodeSet{pos: t.pos, target: t.ref, x: t.x})
		case tIf, tForeach, tDefine, tMacro:
			if len(stack) > maxNesting {
				return nil, errorAt(p.src, t.pos, "directives nested too deeply")
			}
			f := &frame{tok: t}
			if t.kind == tIf {
				f.ifn = &nodeIf{conds: []expr{t.x}}
			}
			stack = append(stack, f)
		case tElseIf, tElse:
			f := top()
			if f.ifn == nil || f.inElse {
				return nil, errorAt(p.src, t.pos, "#%s without #if", map[tokKind]string{tElseIf: "elseif", tElse: "else"}[t.kind])
			}
			f.ifn.blocks = append(f.ifn.blocks, f.nodes)
			f.nodes = nil
			if t.kind == tElse {
				f.inElse = true
			} else {
				f.ifn.conds = append(f.ifn.conds, t.x)
			}
		case tEnd:
			if len(stack) == 1 {
				return nil, errorAt(p.src, t.pos, "#end without a directive to close")
			}
			f := top()
			stack = stack[:len(stack)-1]
			switch f.tok.kind {
			case tIf:
				if f.inElse {
					f.ifn.els = f.nodes
					if f.ifn.els == nil {
						f.ifn.els = []node{}
					}
				} else {
					f.ifn.blocks = append(f.ifn.blocks, f.nodes)
				}
				add(f.ifn)
			case tForeach:
				add(&nodeForeach{pos: f.tok.pos, name: f.tok.name, x: f.tok.x, body: f.nodes})
			case tDefine:
				add(&nodeDefine{name: f.tok.name, body: f.nodes})
			case tMacro:
				p.defs[f.tok.name] = &macroDef{params: f.tok.params, body: f.nodes}
			}
		case tBreak:
			add(&nodeBreak{})
		case tStop:
			add(&nodeStop{})
		case tCall:
			add(&nodeCall{pos: t.pos, name: t.name, args: t.args})
		case tComment:
		}
	}
	if len(stack) > 1 {
		f := top()
		name := map[tokKind]string{tIf: "#if", tForeach: "#foreach", tDefine: "#define", tMacro: "#macro"}[f.tok.kind]
		return nil, errorAt(p.src, f.tok.pos, "%s without #end", name)
	}
	return stack[0].nodes, nil
}

// skipBlanks skips spaces and tabs.
func (p *parser) skipBlanks(end int) {
	for p.pos < end && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t') {
		p.pos++
	}
}

// skipSpace skips whitespace including newlines.
func (p *parser) skipSpace(end int) {
	for p.pos < end && isSpace(p.src[p.pos]) {
		p.pos++
	}
}

// expect consumes c after optional whitespace.
func (p *parser) expect(c byte, end int, what string) error {
	p.skipSpace(end)
	if p.pos >= end || p.src[p.pos] != c {
		return errorAt(p.src, p.pos, "expected %q %s", c, what)
	}
	p.pos++
	return nil
}

// openParen consumes the '(' that follows a directive name.
func (p *parser) openParen(directive string, end int) error {
	p.skipBlanks(end)
	if p.pos >= end || p.src[p.pos] != '(' {
		return errorAt(p.src, p.pos, "expected '(' after #%s", directive)
	}
	p.pos++
	return nil
}

// parseSet parses "( $ref = expr )" after #set.
func (p *parser) parseSet(start, end int) (token, bool, error) {
	if err := p.openParen("set", end); err != nil {
		return token{}, false, err
	}
	p.skipSpace(end)
	at := p.pos
	target, err := p.parseRefAt(end)
	if err != nil {
		return token{}, false, err
	}
	if target == nil {
		return token{}, false, errorAt(p.src, at, "#set needs a reference to assign to")
	}
	if n := len(target.parts); n > 0 && target.parts[n-1].kind == partMethod {
		return token{}, false, errorAt(p.src, at, "#set cannot assign to a method call")
	}
	if err := p.expect('=', end, "in #set"); err != nil {
		return token{}, false, err
	}
	x, err := p.parseExpr(end)
	if err != nil {
		return token{}, false, err
	}
	if err := p.expect(')', end, "to close #set"); err != nil {
		return token{}, false, err
	}
	return token{kind: tSet, ref: target, x: x}, true, nil
}

// parseParenExpr parses "( expr )" after #if or #elseif.
func (p *parser) parseParenExpr(directive string, end int) (expr, error) {
	if err := p.openParen(directive, end); err != nil {
		return nil, err
	}
	x, err := p.parseExpr(end)
	if err != nil {
		return nil, err
	}
	if err := p.expect(')', end, "to close #"+directive); err != nil {
		return nil, err
	}
	return x, nil
}

// parseVarName parses "$name" (or "${name}") as a plain variable name.
func (p *parser) parseVarName(end int, what string) (string, error) {
	p.skipSpace(end)
	at := p.pos
	ref, err := p.parseRefAt(end)
	if err != nil {
		return "", err
	}
	if ref == nil || len(ref.parts) > 0 {
		return "", errorAt(p.src, at, "expected a variable %s", what)
	}
	return ref.name, nil
}

// parseForeach parses "( $x in expr )" after #foreach.
func (p *parser) parseForeach(end int) (token, bool, error) {
	if err := p.openParen("foreach", end); err != nil {
		return token{}, false, err
	}
	name, err := p.parseVarName(end, "in #foreach")
	if err != nil {
		return token{}, false, err
	}
	p.skipSpace(end)
	if !strings.HasPrefix(p.src[p.pos:end], "in") || p.pos+2 >= end || !isSpace(p.src[p.pos+2]) && p.src[p.pos+2] != '$' && p.src[p.pos+2] != '[' {
		return token{}, false, errorAt(p.src, p.pos, "expected 'in' in #foreach")
	}
	p.pos += 2
	x, err := p.parseExpr(end)
	if err != nil {
		return token{}, false, err
	}
	if err := p.expect(')', end, "to close #foreach"); err != nil {
		return token{}, false, err
	}
	return token{kind: tForeach, name: name, x: x}, true, nil
}

// skipOptionalArgs skips "(...)" right after #break or #stop.
func (p *parser) skipOptionalArgs(end int) {
	if p.pos < end && p.src[p.pos] == '(' {
		if i := strings.IndexByte(p.src[p.pos:end], ')'); i >= 0 {
			p.pos += i + 1
		}
	}
}

// parseDefine parses "( $name )" after #define.
func (p *parser) parseDefine(end int) (token, bool, error) {
	if err := p.openParen("define", end); err != nil {
		return token{}, false, err
	}
	name, err := p.parseVarName(end, "in #define")
	if err != nil {
		return token{}, false, err
	}
	if err := p.expect(')', end, "to close #define"); err != nil {
		return token{}, false, err
	}
	return token{kind: tDefine, name: name}, true, nil
}

// parseMacro parses "( name $a $b )" after #macro; commas are optional.
func (p *parser) parseMacro(end int) (token, bool, error) {
	if err := p.openParen("macro", end); err != nil {
		return token{}, false, err
	}
	p.skipSpace(end)
	i := p.pos
	for i < end && isIdentByte(p.src[i]) {
		i++
	}
	if i == p.pos || !isIdentStart(p.src[p.pos]) {
		return token{}, false, errorAt(p.src, p.pos, "expected a macro name")
	}
	name := p.src[p.pos:i]
	p.pos = i
	var params []string
	for {
		p.skipSpace(end)
		if p.pos < end && p.src[p.pos] == ',' {
			p.pos++
			continue
		}
		if p.pos < end && p.src[p.pos] == ')' {
			p.pos++
			break
		}
		v, err := p.parseVarName(end, "as a macro parameter")
		if err != nil {
			return token{}, false, err
		}
		params = append(params, v)
	}
	return token{kind: tMacro, name: name, params: params}, true, nil
}

// parseCallArgs parses "( a b )" or "( a, b )" for a macro call.
func (p *parser) parseCallArgs(end int) ([]expr, error) {
	p.pos++ // '('
	var args []expr
	for {
		p.skipSpace(end)
		if p.pos >= end {
			return nil, errorAt(p.src, p.pos, "expected ')' to close the macro call")
		}
		switch p.src[p.pos] {
		case ')':
			p.pos++
			return args, nil
		case ',':
			p.pos++
			continue
		}
		x, err := p.parseExpr(end)
		if err != nil {
			return nil, err
		}
		args = append(args, x)
	}
}

// parseRefAt parses a reference at p.src[p.pos] == '$'. It returns nil,
// with p.pos unchanged, when the '$' does not start one.
func (p *parser) parseRefAt(end int) (*refExpr, error) {
	start := p.pos
	i := p.pos + 1
	quiet, formal := false, false
	if i < end && p.src[i] == '!' {
		quiet = true
		i++
	}
	if i < end && p.src[i] == '{' {
		formal = true
		i++
	}
	if i >= end || !isIdentStart(p.src[i]) {
		return nil, nil
	}
	j := i
	for j < end && isIdentByte(p.src[j]) {
		j++
	}
	ref := &refExpr{pos: start, name: p.src[i:j], quiet: quiet}
	p.pos = j
	if err := p.parseParts(ref, end); err != nil {
		return nil, err
	}
	if formal {
		if p.pos >= end || p.src[p.pos] != '}' {
			p.pos = start
			return nil, nil
		}
		p.pos++
	}
	ref.raw = p.src[start:p.pos]
	return ref, p.compileParts(ref)
}

// parseParts parses the .prop, .method(args) and [index] steps of ref.
func (p *parser) parseParts(ref *refExpr, end int) error {
	for p.pos < end {
		switch p.src[p.pos] {
		case '.':
			i := p.pos + 1
			if i >= end || !isIdentStart(p.src[i]) {
				return nil
			}
			j := i
			for j < end && isIdentByte(p.src[j]) {
				j++
			}
			part := refPart{pos: p.pos + 1, kind: partProp, name: p.src[i:j]}
			p.pos = j
			if p.pos < end && p.src[p.pos] == '(' {
				part.kind = partMethod
				p.pos++
				args, err := p.parseArgs(end)
				if err != nil {
					return err
				}
				part.args = args
			}
			ref.parts = append(ref.parts, part)
		case '[':
			save := p.pos
			p.pos++
			x, err := p.parseExpr(end)
			if err == nil {
				p.skipSpace(end)
				if p.pos < end && p.src[p.pos] == ']' {
					p.pos++
					ref.parts = append(ref.parts, refPart{pos: save, kind: partIndex, index: x})
					continue
				}
			}
			p.pos = save
			return nil
		default:
			return nil
		}
	}
	return nil
}

// parseArgs parses method arguments after '(' up to ')'.
func (p *parser) parseArgs(end int) ([]expr, error) {
	var args []expr
	p.skipSpace(end)
	if p.pos < end && p.src[p.pos] == ')' {
		p.pos++
		return args, nil
	}
	for {
		x, err := p.parseExpr(end)
		if err != nil {
			return nil, err
		}
		args = append(args, x)
		p.skipSpace(end)
		if p.pos >= end {
			return nil, errorAt(p.src, p.pos, "expected ')' to close the argument list")
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
		case ')':
			p.pos++
			return args, nil
		default:
			return nil, errorAt(p.src, p.pos, "expected ',' or ')' in the argument list")
		}
	}
}

// regexpMethods take a Java regular expression as their first argument.
var regexpMethods = map[string]bool{"replaceAll": true, "replaceFirst": true, "matches": true, "split": true}

// compileParts compiles literal regular expressions and JSONPaths of ref
// at parse time, so that their errors are configuration errors.
func (p *parser) compileParts(ref *refExpr) error {
	for i := range ref.parts {
		part := &ref.parts[i]
		if part.kind != partMethod || len(part.args) == 0 {
			continue
		}
		lit, ok := part.args[0].(*exprLit)
		if !ok {
			continue
		}
		s, ok := lit.v.(string)
		if !ok {
			continue
		}
		if regexpMethods[part.name] {
			compile := CompileJavaRegexp
			if part.name == "matches" {
				compile = CompileJavaRegexpWhole
			}
			re, err := compile(s)
			if err != nil {
				return errorAt(p.src, part.pos, "%s: %v", part.name, err)
			}
			part.re = re
		}
		if i == 0 && ref.name == "input" && (part.name == "json" || part.name == "path") {
			jp, err := compileJSONPath(s)
			if err != nil {
				return errorAt(p.src, part.pos, "$input.%s: %v", part.name, err)
			}
			part.path = jp
		}
	}
	return nil
}
