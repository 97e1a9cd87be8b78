package vtl

import "strings"

// tokKind is the kind of a text-mode token.
type tokKind uint8

const (
	tText tokKind = iota
	tRef
	tSet
	tIf
	tElseIf
	tElse
	tEnd
	tForeach
	tBreak
	tStop
	tDefine
	tMacro
	tCall
	tComment
)

// token is one item of a template's text-mode stream: literal text, a
// reference, a directive or a comment. Directives come with their
// arguments already parsed; the tree builder (parser.go) nests them.
type token struct {
	kind tokKind
	pos  int
	text string // tText
	// eatsNewline marks a ## comment that swallowed its line's end.
	eatsNewline bool

	ref    *refExpr // tRef, tSet (target)
	x      expr     // tSet value, tIf/tElseIf condition, tForeach list
	name   string   // tForeach variable, tDefine/tMacro/tCall name
	params []string // tMacro
	args   []expr   // tCall
}

// directiveLike reports whether t takes part in whitespace gobbling: a line
// holding only such tokens and whitespace emits nothing.
func (t *token) directiveLike() bool { return t.kind != tText && t.kind != tRef }

// isIdentStart reports whether c starts a VTL identifier (letter or '_').
func isIdentStart(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }

// isIdentByte reports whether c continues a VTL identifier. Velocity 1.7
// allows '-' inside identifiers ($input.params().header.x-api-key).
func isIdentByte(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' || c == '-' }

// isSpace reports horizontal or vertical whitespace inside expressions.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

// scanText turns p.src[p.pos:end] into text-mode tokens. In a string
// literal (p.interp) there is no whitespace gobbling and "#" comments do not
// apply beyond the literal.
func (p *parser) scanText(end int) ([]token, error) {
	var toks []token
	var text strings.Builder
	textPos := p.pos
	flush := func() {
		if text.Len() > 0 {
			toks = append(toks, token{kind: tText, pos: textPos, text: text.String()})
			text.Reset()
		}
		textPos = p.pos
	}
	for p.pos < end {
		i := strings.IndexAny(p.src[p.pos:end], `$#\`)
		if i < 0 {
			text.WriteString(p.src[p.pos:end])
			p.pos = end
			break
		}
		text.WriteString(p.src[p.pos : p.pos+i])
		p.pos += i
		switch p.src[p.pos] {
		case '\\':
			k := 0
			for p.pos+k < end && p.src[p.pos+k] == '\\' {
				k++
			}
			at := p.pos + k
			if at >= end || !p.startsSpecial(at, end) {
				text.WriteString(p.src[p.pos:at])
				p.pos = at
				continue
			}
			text.WriteString(strings.Repeat(`\`, k/2))
			p.pos = at
			if k%2 == 1 {
				// Escaped: the '$' or '#' is literal text.
				text.WriteByte(p.src[p.pos])
				p.pos++
			}
		case '$':
			start := p.pos
			ref, err := p.parseRefAt(end)
			if err != nil {
				return nil, err
			}
			if ref == nil {
				text.WriteByte('$')
				p.pos = start + 1
				continue
			}
			flush()
			toks = append(toks, token{kind: tRef, pos: start, ref: ref})
			textPos = p.pos
		case '#':
			start := p.pos
			tok, ok, err := p.scanHash(end)
			if err != nil {
				return nil, err
			}
			if !ok {
				text.WriteByte('#')
				p.pos = start + 1
				continue
			}
			if tok.kind == tText {
				text.WriteString(tok.text)
				continue
			}
			flush()
			tok.pos = start
			toks = append(toks, tok)
			textPos = p.pos
		}
	}
	flush()
	if !p.interp {
		gobble(toks)
	}
	return toks, nil
}

// startsSpecial reports whether src[at] starts a reference or a directive,
// which a preceding backslash escapes.
func (p *parser) startsSpecial(at, end int) bool {
	c := p.src[at]
	next := func(i int) byte {
		if i < end {
			return p.src[i]
		}
		return 0
	}
	switch c {
	case '$':
		n := next(at + 1)
		if n == '!' {
			n = next(at + 2)
		}
		return isIdentStart(n) || n == '{'
	case '#':
		n := next(at + 1)
		return isIdentStart(n) || n == '{'
	}
	return false
}

// scanHash scans what follows '#': a comment, an unparsed block, a
// directive or a macro call. ok is false when the '#' is literal text. A
// tText token is returned for "#[[ ... ]]#".
func (p *parser) scanHash(end int) (token, bool, error) {
	start := p.pos
	rest := p.src[p.pos:end]
	switch {
	case p.interp && (strings.HasPrefix(rest, "##") || strings.HasPrefix(rest, "#*")):
		return token{}, false, nil // no comments inside string literals
	case strings.HasPrefix(rest, "##"):
		nl := strings.IndexByte(rest, '\n')
		if nl < 0 {
			p.pos = end
			return token{kind: tComment}, true, nil
		}
		p.pos += nl + 1
		return token{kind: tComment, eatsNewline: true}, true, nil
	case strings.HasPrefix(rest, "#*"):
		e := strings.Index(rest[2:], "*#")
		if e < 0 {
			return token{}, false, errorAt(p.src, start, "unterminated #* comment")
		}
		p.pos += 2 + e + 2
		return token{kind: tComment}, true, nil
	case strings.HasPrefix(rest, "#[["):
		e := strings.Index(rest[3:], "]]#")
		if e < 0 {
			return token{}, false, errorAt(p.src, start, "unterminated #[[ block")
		}
		p.pos += 3 + e + 3
		return token{kind: tText, text: rest[3 : 3+e]}, true, nil
	}
	// #name or #{name}
	i := 1
	formal := false
	if i < len(rest) && rest[i] == '{' {
		formal = true
		i++
	}
	if i >= len(rest) || !isIdentStart(rest[i]) {
		return token{}, false, nil
	}
	j := i
	for j < len(rest) && isLetterOrDigit(rest[j]) {
		j++
	}
	name := rest[i:j]
	if formal {
		if j >= len(rest) || rest[j] != '}' {
			return token{}, false, nil
		}
		j++
	}
	p.pos = start + j
	switch name {
	case "set":
		return p.parseSet(start, end)
	case "if", "elseif":
		x, err := p.parseParenExpr(name, end)
		if err != nil {
			return token{}, false, err
		}
		k := tIf
		if name == "elseif" {
			k = tElseIf
		}
		return token{kind: k, x: x}, true, nil
	case "else":
		return token{kind: tElse}, true, nil
	case "end":
		return token{kind: tEnd}, true, nil
	case "foreach":
		return p.parseForeach(end)
	case "break", "stop":
		p.skipOptionalArgs(end)
		if name == "break" {
			return token{kind: tBreak}, true, nil
		}
		return token{kind: tStop}, true, nil
	case "define":
		return p.parseDefine(end)
	case "macro":
		return p.parseMacro(end)
	}
	if p.macros[name] {
		save := p.pos
		p.skipBlanks(end)
		if p.pos < end && p.src[p.pos] == '(' {
			args, err := p.parseCallArgs(end)
			if err != nil {
				return token{}, false, err
			}
			return token{kind: tCall, name: name, args: args}, true, nil
		}
		p.pos = save
	}
	p.pos = start
	return token{}, false, nil
}

// isLetterOrDigit reports a directive name byte (no '-': "#end-" is #end).
func isLetterOrDigit(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }

// gobble applies Velocity's line rule to toks: a line that holds only
// directives, comments and whitespace emits nothing, neither its
// indentation nor its newline (Velocity 2's "lines" space gobbling, the
// documented reading of 1.7's behaviour that templates are written for).
func gobble(toks []token) {
	for i := range toks {
		if !toks[i].directiveLike() {
			continue
		}
		// Walk back to the line start.
		lo, ok := i, true
		for j := i - 1; j >= 0; j-- {
			t := &toks[j]
			if t.directiveLike() {
				if t.eatsNewline {
					break // the line starts after this comment
				}
				lo = j
				continue
			}
			if t.kind == tRef {
				ok = false
				break
			}
			nl := strings.LastIndexByte(t.text, '\n')
			if !blank(t.text[nl+1:]) {
				ok = false
				break
			}
			lo = j
			if nl >= 0 {
				break
			}
		}
		if !ok {
			continue
		}
		// Walk forward to the line end.
		hi, endNL := i, -1
		if !toks[i].eatsNewline {
			for j := i + 1; j < len(toks); j++ {
				t := &toks[j]
				if t.directiveLike() {
					hi = j
					if t.eatsNewline {
						break
					}
					continue
				}
				if t.kind == tRef {
					ok = false
					break
				}
				nl := strings.IndexByte(t.text, '\n')
				line := t.text
				if nl >= 0 {
					line = t.text[:nl]
				}
				if !blank(line) {
					ok = false
					break
				}
				hi = j
				if nl >= 0 {
					endNL = nl
					break
				}
			}
		}
		if !ok {
			continue
		}
		// Trim: the indentation before, whitespace between, the line end after.
		for j := lo; j <= hi; j++ {
			t := &toks[j]
			if t.kind != tText {
				continue
			}
			switch {
			case j == lo && j < i:
				t.text = t.text[:strings.LastIndexByte(t.text, '\n')+1]
			case j == hi && j > i && endNL >= 0:
				t.text = t.text[endNL+1:]
			default:
				t.text = ""
			}
		}
	}
}

// blank reports whether s is only spaces and tabs (and a '\r' before '\n').
func blank(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != ' ' && c != '\t' && c != '\r' {
			return false
		}
	}
	return true
}
