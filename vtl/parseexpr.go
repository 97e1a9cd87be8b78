package vtl

import (
	"strconv"
	"strings"
)

// Expressions: the arguments of directives and methods, and literals.

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
