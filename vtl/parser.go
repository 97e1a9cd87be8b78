package vtl

import (
	"regexp"
	"strconv"
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

// parseExpr parses an expression: || and or bind loosest.
func (p *parser) parseExpr(end int) (expr, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxNesting {
		return nil, errorAt(p.src, p.pos, "expression nested too deeply")
	}
	return p.parseBinary(0, end)
}

// levels lists the binary operators by precedence, loosest first.
var levels = [][]struct {
	text string
	op   binOp
	word bool
}{
	{{"||", opOr, false}, {"or", opOr, true}},
	{{"&&", opAnd, false}, {"and", opAnd, true}},
	{{"==", opEq, false}, {"!=", opNe, false}, {"eq", opEq, true}, {"ne", opNe, true}},
	{{"<=", opLe, false}, {">=", opGe, false}, {"<", opLt, false}, {">", opGt, false},
		{"le", opLe, true}, {"ge", opGe, true}, {"lt", opLt, true}, {"gt", opGt, true}},
	{{"+", opAdd, false}, {"-", opSub, false}},
	{{"*", opMul, false}, {"/", opDiv, false}, {"%", opMod, false}},
}

// parseBinary parses the operators of levels[level] and tighter.
func (p *parser) parseBinary(level, end int) (expr, error) {
	if level == len(levels) {
		return p.parseUnary(end)
	}
	x, err := p.parseBinary(level+1, end)
	if err != nil {
		return nil, err
	}
	for {
		p.skipSpace(end)
		at := p.pos
		found := false
		for _, o := range levels[level] {
			if !strings.HasPrefix(p.src[p.pos:end], o.text) {
				continue
			}
			n := p.pos + len(o.text)
			if o.word && n < end && isIdentByte(p.src[n]) {
				continue
			}
			if o.text == "=" || (o.text == "<" || o.text == ">") && n < end && p.src[n] == '=' {
				continue
			}
			p.pos = n
			y, err := p.parseBinary(level+1, end)
			if err != nil {
				return nil, err
			}
			x = &exprBinary{pos: at, op: o.op, x: x, y: y}
			found = true
			break
		}
		if !found {
			return x, nil
		}
	}
}

// parseUnary parses !x, not x and -x.
func (p *parser) parseUnary(end int) (expr, error) {
	p.skipSpace(end)
	if p.pos >= end {
		return nil, errorAt(p.src, p.pos, "expected an expression")
	}
	c := p.src[p.pos]
	word := strings.HasPrefix(p.src[p.pos:end], "not") && (p.pos+3 >= end || !isIdentByte(p.src[p.pos+3]))
	if c == '!' && !(p.pos+1 < end && p.src[p.pos+1] == '=') || word {
		if word {
			p.pos += 3
		} else {
			p.pos++
		}
		p.depth++
		defer func() { p.depth-- }()
		if p.depth > maxNesting {
			return nil, errorAt(p.src, p.pos, "expression nested too deeply")
		}
		x, err := p.parseUnary(end)
		if err != nil {
			return nil, err
		}
		return &exprUnary{op: '!', x: x}, nil
	}
	if c == '-' && p.pos+1 < end && !(p.src[p.pos+1] >= '0' && p.src[p.pos+1] <= '9') {
		p.pos++
		p.depth++
		defer func() { p.depth-- }()
		if p.depth > maxNesting {
			return nil, errorAt(p.src, p.pos, "expression nested too deeply")
		}
		x, err := p.parseUnary(end)
		if err != nil {
			return nil, err
		}
		return &exprUnary{op: '-', x: x}, nil
	}
	return p.parsePrimary(end)
}

// parsePrimary parses a reference, literal or parenthesised expression.
func (p *parser) parsePrimary(end int) (expr, error) {
	p.skipSpace(end)
	if p.pos >= end {
		return nil, errorAt(p.src, p.pos, "expected an expression")
	}
	at := p.pos
	switch c := p.src[p.pos]; {
	case c == '$':
		ref, err := p.parseRefAt(end)
		if err != nil {
			return nil, err
		}
		if ref == nil {
			return nil, errorAt(p.src, at, "expected a reference after '$'")
		}
		return ref, nil
	case c == '\'':
		return p.parseString('\'', end)
	case c == '"':
		return p.parseString('"', end)
	case c == '-' || c >= '0' && c <= '9':
		return p.parseNumber(end)
	case c == '(':
		p.pos++
		x, err := p.parseExpr(end)
		if err != nil {
			return nil, err
		}
		if err := p.expect(')', end, "to close '('"); err != nil {
			return nil, err
		}
		return x, nil
	case c == '[':
		return p.parseList(end)
	case c == '{':
		return p.parseMap(end)
	case isIdentStart(c):
		j := p.pos
		for j < end && isIdentByte(p.src[j]) {
			j++
		}
		switch p.src[p.pos:j] {
		case "true":
			p.pos = j
			return &exprLit{true}, nil
		case "false":
			p.pos = j
			return &exprLit{false}, nil
		case "null":
			p.pos = j
			return &exprLit{nil}, nil
		}
	}
	return nil, errorAt(p.src, at, "unexpected %q in expression", p.src[at:at+1])
}

// parseNumber parses an integer or a decimal literal.
func (p *parser) parseNumber(end int) (expr, error) {
	start := p.pos
	if p.src[p.pos] == '-' {
		p.pos++
	}
	for p.pos < end && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
		p.pos++
	}
	float := false
	if p.pos+1 < end && p.src[p.pos] == '.' && p.src[p.pos+1] >= '0' && p.src[p.pos+1] <= '9' {
		float = true
		p.pos++
		for p.pos < end && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
			p.pos++
		}
	}
	text := p.src[start:p.pos]
	if text == "-" {
		return nil, errorAt(p.src, start, "expected a number")
	}
	if float {
		f, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return nil, errorAt(p.src, start, "invalid number %s", text)
		}
		return &exprLit{f}, nil
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return nil, errorAt(p.src, start, "number %s out of range", text)
	}
	return &exprLit{n}, nil
}

// parseString parses a string literal. Single quotes are literal;
// double quotes interpolate references and directives. A doubled quote
// stands for itself; backslashes are kept (Velocity does not unescape them:
// "\\'" is the regular expression \\'), except \uXXXX.
func (p *parser) parseString(q byte, end int) (expr, error) {
	start := p.pos
	i := p.pos + 1
	for {
		k := strings.IndexByte(p.src[i:end], q)
		if k < 0 {
			return nil, errorAt(p.src, start, "unterminated string literal")
		}
		i += k
		if i+1 < end && p.src[i+1] == q {
			i += 2
			continue
		}
		break
	}
	content := p.src[start+1 : i]
	p.pos = i + 1
	double := string([]byte{q, q})
	if q == '\'' || !strings.ContainsAny(content, "$#") {
		return &exprLit{unescapeString(strings.ReplaceAll(content, double, string(q)))}, nil
	}
	sub := &parser{src: p.src, pos: start + 1, interp: true, macros: p.macros, defs: p.defs, depth: p.depth + 1}
	if sub.depth > maxNesting {
		return nil, errorAt(p.src, start, "string literals nested too deeply")
	}
	toks, err := sub.scanText(i)
	if err != nil {
		return nil, err
	}
	for k := range toks {
		if toks[k].kind == tText {
			toks[k].text = unescapeString(strings.ReplaceAll(toks[k].text, double, `"`))
		}
	}
	body, err := sub.build(toks)
	if err != nil {
		return nil, err
	}
	switch len(body) {
	case 0:
		return &exprLit{""}, nil
	case 1:
		if t, ok := body[0].(*nodeText); ok {
			return &exprLit{t.s}, nil // "$.a", "(\d+)$": nothing to interpolate
		}
	}
	return &exprInterp{body}, nil
}

// unescapeString replaces \uXXXX escapes, as Velocity's string literals do.
func unescapeString(s string) string {
	if !strings.Contains(s, `\u`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+5 < len(s)+0 && i+6 <= len(s) && s[i+1] == 'u' {
			if n, err := strconv.ParseUint(s[i+2:i+6], 16, 16); err == nil {
				b.WriteRune(rune(n))
				i += 5
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// parseList parses [a, b], [] and the range [a..b].
func (p *parser) parseList(end int) (expr, error) {
	start := p.pos
	p.pos++
	p.skipSpace(end)
	if p.pos < end && p.src[p.pos] == ']' {
		p.pos++
		return &exprList{}, nil
	}
	first, err := p.parseExpr(end)
	if err != nil {
		return nil, err
	}
	p.skipSpace(end)
	if strings.HasPrefix(p.src[p.pos:end], "..") {
		p.pos += 2
		to, err := p.parseExpr(end)
		if err != nil {
			return nil, err
		}
		if err := p.expect(']', end, "to close the range"); err != nil {
			return nil, err
		}
		return &exprRange{pos: start, from: first, to: to}, nil
	}
	items := []expr{first}
	for {
		p.skipSpace(end)
		if p.pos >= end {
			return nil, errorAt(p.src, start, "unterminated list literal")
		}
		switch p.src[p.pos] {
		case ']':
			p.pos++
			return &exprList{items}, nil
		case ',':
			p.pos++
			x, err := p.parseExpr(end)
			if err != nil {
				return nil, err
			}
			items = append(items, x)
		default:
			return nil, errorAt(p.src, p.pos, "expected ',' or ']' in list literal")
		}
	}
}

// parseMap parses {k: v, ...}.
func (p *parser) parseMap(end int) (expr, error) {
	start := p.pos
	p.pos++
	m := &exprMap{}
	p.skipSpace(end)
	if p.pos < end && p.src[p.pos] == '}' {
		p.pos++
		return m, nil
	}
	for {
		k, err := p.parseExpr(end)
		if err != nil {
			return nil, err
		}
		if err := p.expect(':', end, "in map literal"); err != nil {
			return nil, err
		}
		v, err := p.parseExpr(end)
		if err != nil {
			return nil, err
		}
		m.keys = append(m.keys, k)
		m.vals = append(m.vals, v)
		p.skipSpace(end)
		if p.pos >= end {
			return nil, errorAt(p.src, start, "unterminated map literal")
		}
		switch p.src[p.pos] {
		case '}':
			p.pos++
			return m, nil
		case ',':
			p.pos++
		default:
			return nil, errorAt(p.src, p.pos, "expected ',' or '}' in map literal")
		}
	}
}
