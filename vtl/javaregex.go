package vtl

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"unicode"
)

// CompileJavaRegexp compiles a java.util.regex pattern for Go's RE2 engine,
// for find-style use (replaceAll, split). It translates Java's syntax:
// named groups (?<n>...), POSIX classes \p{Alpha} and friends, \p{IsLatin},
// \p{javaLowerCase}, \h \v \R \e \cX \uXXXX \0oct, and Java's \s (which
// includes \x0B); the flags i, m and s keep their meaning and d, u, U are
// dropped. What RE2 cannot run is an error naming the construct:
// look-ahead and look-behind, backreferences (\1, \k<n>), atomic groups,
// possessive quantifiers, \G, \Z, comments mode (?x), character class
// intersections and nested classes, Unicode blocks (\p{InGreek}).
//
// Remaining differences: '.' excludes only '\n' (Java also excludes '\r',
// U+0085, U+2028 and U+2029), '$' matches only at the very end (Java also
// before a final line terminator), and (?i) folds Unicode case (Java folds
// ASCII unless (?u)).
func CompileJavaRegexp(pattern string) (*regexp.Regexp, error) {
	t, err := translateJavaRegexp(pattern)
	if err != nil {
		return nil, err
	}
	return compileTranslated(t)
}

// CompileJavaRegexpWhole compiles a java.util.regex pattern, as
// CompileJavaRegexp does, anchored at both ends: its MatchString is Java's
// String.matches, the whole-string match API Gateway applies to an
// integration response's selectionPattern ("Invalid*" does not match
// "Invalid input"; "." does not match "\n").
func CompileJavaRegexpWhole(pattern string) (*regexp.Regexp, error) {
	t, err := translateJavaRegexp(pattern)
	if err != nil {
		return nil, err
	}
	return compileTranslated(`\A(?:` + t + `)\z`)
}

// compileTranslated compiles a translated pattern with a neutral error.
func compileTranslated(t string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(t)
	if err != nil {
		var se *syntax.Error
		if errors.As(err, &se) {
			// se.Expr is a piece of the translated pattern, not of the
			// user's: the code alone says what is wrong.
			return nil, fmt.Errorf("invalid regular expression: %s", se.Code)
		}
		return nil, errors.New("invalid regular expression")
	}
	return re, nil
}

// posixClasses are Java's \p{Name} classes that Go lacks, as class contents.
var posixClasses = map[string]string{
	"Lower":          `a-z`,
	"Upper":          `A-Z`,
	"ASCII":          `\x00-\x7F`,
	"Alpha":          `a-zA-Z`,
	"Digit":          `0-9`,
	"Alnum":          `a-zA-Z0-9`,
	"Punct":          "!-/:-@\\[-`{-~",
	"Graph":          `!-~`,
	"Print":          ` -~`,
	"Blank":          ` \t`,
	"Cntrl":          `\x00-\x1F\x7F`,
	"XDigit":         `0-9a-fA-F`,
	"Space":          ` \t\n\x0B\f\r`,
	"javaLowerCase":  `\p{Ll}`,
	"javaUpperCase":  `\p{Lu}`,
	"javaWhitespace": `\t-\r\x1C-\x1F \x{1680}\x{2000}-\x{2006}\x{2008}-\x{200A}\x{2028}\x{2029}\x{205F}\x{3000}`,
	"javaDigit":      `\p{Nd}`,
	"javaLetter":     `\p{L}`,
	"IsAlphabetic":   `\p{L}\p{Nl}`,
	"IsLetter":       `\p{L}`,
	"IsDigit":        `\p{Nd}`,
	"IsUppercase":    `\p{Lu}`,
	"IsLowercase":    `\p{Ll}`,
	"IsWhite_Space":  `\t-\r \x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}`,
	"IsPunctuation":  `\p{P}`,
}

// Java's \h, \v (vertical whitespace) and \s as class contents.
const (
	horizSpace = `\t \x{A0}\x{1680}\x{180E}\x{2000}-\x{200A}\x{202F}\x{205F}\x{3000}`
	vertSpace  = `\n\x0B\f\r\x{85}\x{2028}\x{2029}`
	javaSpace  = `\t\n\x0B\f\r `
)

// translateJavaRegexp rewrites Java regex syntax into RE2 syntax.
func translateJavaRegexp(p string) (string, error) {
	var b strings.Builder
	inClass := false
	unsupported := func(what string) (string, error) {
		return "", fmt.Errorf("%s not supported (Go's RE2 engine)", what)
	}
	// class emits a class's contents: inside a class as is, outside wrapped.
	class := func(contents string, negated bool) error {
		switch {
		case !inClass && negated:
			b.WriteString("[^" + contents + "]")
		case !inClass:
			b.WriteString("[" + contents + "]")
		case !negated:
			b.WriteString(contents)
		case strings.HasPrefix(contents, `\p{`) && strings.Count(contents, `\`) == 1:
			b.WriteString(`\P` + contents[2:])
		default:
			return errors.New("a negated class inside a character class is not supported")
		}
		return nil
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\':
			if i+1 >= len(p) {
				return "", errors.New("invalid regular expression: trailing backslash")
			}
			i++
			d := p[i]
			switch {
			case d == 'Q':
				end := strings.Index(p[i+1:], `\E`)
				lit := p[i+1:]
				if end >= 0 {
					lit = p[i+1 : i+1+end]
					i += 1 + end + 1
				} else {
					i = len(p)
				}
				if inClass {
					for _, r := range lit {
						if strings.ContainsRune(`\]^-[`, r) {
							b.WriteByte('\\')
						}
						b.WriteRune(r)
					}
				} else {
					b.WriteString(regexp.QuoteMeta(lit))
				}
			case d >= '1' && d <= '9':
				return unsupported("backreferences (\\" + string(d) + ") are")
			case d == 'k':
				return unsupported("backreferences (\\k<name>) are")
			case d == 'G':
				return unsupported("\\G is")
			case d == 'Z':
				return unsupported("\\Z is (use $ or \\z)")
			case d == '0':
				j := i + 1
				for j < len(p) && j < i+4 && p[j] >= '0' && p[j] <= '7' {
					j++
				}
				if j == i+1 {
					return "", errors.New("invalid regular expression: illegal octal escape")
				}
				if j == i+4 && p[i+1] > '3' {
					j--
				}
				n, _ := strconv.ParseUint(p[i+1:j], 8, 16)
				fmt.Fprintf(&b, `\x{%X}`, n)
				i = j - 1
			case d == 'u':
				if i+4 >= len(p) {
					return "", errors.New("invalid regular expression: illegal unicode escape")
				}
				n, err := strconv.ParseUint(p[i+1:i+5], 16, 16)
				if err != nil {
					return "", errors.New("invalid regular expression: illegal unicode escape")
				}
				fmt.Fprintf(&b, `\x{%X}`, n)
				i += 4
			case d == 'e':
				b.WriteString(`\x1B`)
			case d == 'c':
				if i+1 >= len(p) {
					return "", errors.New("invalid regular expression: illegal control escape")
				}
				i++
				fmt.Fprintf(&b, `\x{%X}`, p[i]^64)
			case d == 'h' || d == 'H':
				if err := class(horizSpace, d == 'H'); err != nil {
					return "", err
				}
			case d == 'v' || d == 'V':
				if err := class(vertSpace, d == 'V'); err != nil {
					return "", err
				}
			case d == 's' && true:
				if err := class(javaSpace, false); err != nil {
					return "", err
				}
			case d == 'R':
				if inClass {
					return "", errors.New("invalid regular expression: \\R inside a character class")
				}
				b.WriteString(`(?:\r\n|[` + vertSpace + `])`)
			case d == 'p' || d == 'P':
				name := ""
				if i+1 < len(p) && p[i+1] == '{' {
					end := strings.IndexByte(p[i+1:], '}')
					if end < 0 {
						return "", errors.New("invalid regular expression: unclosed \\p{")
					}
					name = p[i+2 : i+1+end]
					i += 1 + end
				} else if i+1 < len(p) {
					name = p[i+1 : i+2]
					i++
				}
				contents, err := unicodeClass(name)
				if err != nil {
					return "", err
				}
				if err := class(contents, d == 'P'); err != nil {
					return "", err
				}
			case strings.IndexByte("afnrtdDSwWbBAzx", d) >= 0:
				b.WriteByte('\\')
				b.WriteByte(d)
			case d < 0x80 && (unicode.IsLetter(rune(d)) || unicode.IsDigit(rune(d))):
				return "", fmt.Errorf("invalid regular expression: unknown escape \\%c", d)
			default:
				b.WriteByte('\\')
				b.WriteByte(d)
			}
		case inClass && c == '[':
			return unsupported("nested character classes are")
		case inClass && c == '&' && i+1 < len(p) && p[i+1] == '&':
			return unsupported("character class intersections (&&) are")
		case inClass && c == ']':
			inClass = false
			b.WriteByte(c)
		case inClass:
			b.WriteByte(c)
		case c == '[':
			inClass = true
			b.WriteByte(c)
			if i+1 < len(p) && p[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
		case c == '(' && i+1 < len(p) && p[i+1] == '?':
			n, err := translateGroup(p[i:], &b)
			if err != nil {
				return "", err
			}
			i += n - 1
		case c == '*' || c == '+' || c == '?':
			b.WriteByte(c)
			if i+1 < len(p) && p[i+1] == '+' {
				return unsupported("possessive quantifiers are")
			}
		case c == '{':
			end := strings.IndexByte(p[i:], '}')
			if end > 0 && isRepetition(p[i+1:i+end]) {
				b.WriteString(p[i : i+end+1])
				i += end
				if i+1 < len(p) && p[i+1] == '+' {
					return unsupported("possessive quantifiers are")
				}
				continue
			}
			b.WriteString(`\{`)
		default:
			b.WriteByte(c)
		}
	}
	if inClass {
		return "", errors.New("invalid regular expression: unclosed character class")
	}
	return b.String(), nil
}

// isRepetition reports whether s (between braces) is n, n, or n,m.
func isRepetition(s string) bool {
	lo, hi, comma := strings.Cut(s, ",")
	digits := func(x string) bool {
		for i := 0; i < len(x); i++ {
			if x[i] < '0' || x[i] > '9' {
				return false
			}
		}
		return true
	}
	return lo != "" && digits(lo) && (!comma || digits(hi))
}

// translateGroup translates a "(?" construct at the start of p and returns
// the bytes it consumed.
func translateGroup(p string, b *strings.Builder) (int, error) {
	rest := p[2:]
	switch {
	case strings.HasPrefix(rest, "=") || strings.HasPrefix(rest, "!"):
		return 0, errors.New("look-ahead (?= (?! not supported (Go's RE2 engine)")
	case strings.HasPrefix(rest, "<=") || strings.HasPrefix(rest, "<!"):
		return 0, errors.New("look-behind (?<= (?<! not supported (Go's RE2 engine)")
	case strings.HasPrefix(rest, ">"):
		return 0, errors.New("atomic groups (?> not supported (Go's RE2 engine)")
	case strings.HasPrefix(rest, "<"):
		b.WriteString("(?P<")
		return 3, nil
	case strings.HasPrefix(rest, ":"):
		b.WriteString("(?:")
		return 3, nil
	}
	// Flags: (?imsdux-imsdux) or (?flags:
	j := 0
	for j < len(rest) && strings.IndexByte("idmsuxU-", rest[j]) >= 0 {
		j++
	}
	if j == len(rest) || rest[j] != ')' && rest[j] != ':' {
		return 0, errors.New("invalid regular expression: unknown group construct")
	}
	var kept []byte
	for _, f := range []byte(rest[:j]) {
		switch f {
		case 'x':
			return 0, errors.New("comments mode (?x) not supported (Go's RE2 engine)")
		case 'i', 'm', 's', '-':
			kept = append(kept, f)
		}
	}
	if len(kept) > 0 && kept[len(kept)-1] == '-' {
		kept = kept[:len(kept)-1]
	}
	switch {
	case rest[j] == ':':
		b.WriteString("(?" + string(kept) + ":")
	case len(kept) > 0 && kept[0] != '-':
		b.WriteString("(?" + string(kept) + ")")
	case len(kept) > 1:
		b.WriteString("(?" + string(kept) + ")")
	}
	return 2 + j + 1, nil
}

// unicodeClass returns the class contents of Java's \p{name}.
func unicodeClass(name string) (string, error) {
	if c, ok := posixClasses[name]; ok {
		return c, nil
	}
	if strings.HasPrefix(name, "In") {
		return "", fmt.Errorf("Unicode blocks (\\p{%s}) not supported (Go's RE2 engine)", name)
	}
	n := strings.TrimPrefix(name, "Is")
	n = strings.TrimPrefix(strings.TrimPrefix(n, "general_category="), "script=")
	if _, ok := unicode.Categories[n]; ok {
		return `\p{` + n + `}`, nil
	}
	if _, ok := unicode.Scripts[n]; ok {
		return `\p{` + n + `}`, nil
	}
	for s := range unicode.Scripts {
		if strings.EqualFold(s, n) {
			return `\p{` + s + `}`, nil
		}
	}
	return "", fmt.Errorf("invalid regular expression: unknown character property \\p{%s}", name)
}

// replacement is one piece of a Java replacement string.
type replacement struct {
	lit   string
	group int // -1 for a literal
}

// parseReplacement parses Java's Matcher replacement syntax: $n (as many
// digits as form an existing group), ${name}, \x for a literal x.
func parseReplacement(re *regexp.Regexp, repl string) ([]replacement, error) {
	var out []replacement
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			out = append(out, replacement{lit: lit.String(), group: -1})
			lit.Reset()
		}
	}
	groups := re.NumSubexp()
	for i := 0; i < len(repl); i++ {
		c := repl[i]
		switch c {
		case '\\':
			i++
			if i >= len(repl) {
				return nil, errors.New("character to be escaped is missing")
			}
			lit.WriteByte(repl[i])
		case '$':
			i++
			if i >= len(repl) {
				return nil, errors.New("illegal group reference: group index is missing")
			}
			if repl[i] == '{' {
				end := strings.IndexByte(repl[i:], '}')
				if end < 0 {
					return nil, errors.New("named capturing group is missing trailing '}'")
				}
				name := repl[i+1 : i+end]
				g := re.SubexpIndex(name)
				if g < 0 {
					return nil, fmt.Errorf("no group with name {%s}", name)
				}
				flush()
				out = append(out, replacement{group: g})
				i += end
				continue
			}
			if repl[i] < '0' || repl[i] > '9' {
				return nil, errors.New("illegal group reference")
			}
			g := int(repl[i] - '0')
			for i+1 < len(repl) && repl[i+1] >= '0' && repl[i+1] <= '9' {
				next := g*10 + int(repl[i+1]-'0')
				if next > groups {
					break
				}
				g = next
				i++
			}
			if g > groups {
				return nil, fmt.Errorf("no group %d", g)
			}
			flush()
			out = append(out, replacement{group: g})
		default:
			lit.WriteByte(c)
		}
	}
	flush()
	return out, nil
}

// javaReplace is Java's replaceAll (limit -1) and replaceFirst (limit 1).
func javaReplace(re *regexp.Regexp, s, repl string, limit, maxLen int) (string, error) {
	pieces, err := parseReplacement(re, repl)
	if err != nil {
		return "", err
	}
	// Go's template syntax: $$ for '$', ${n} for a group.
	var tmpl strings.Builder
	literal := true
	litLen, groupRefs := 0, 0
	for _, p := range pieces {
		if p.group < 0 {
			tmpl.WriteString(strings.ReplaceAll(p.lit, "$", "$$"))
			litLen += len(p.lit)
		} else {
			literal = false
			groupRefs++
			tmpl.WriteString("${" + strconv.Itoa(p.group) + "}")
		}
	}
	// Bound the result before building it: matches do not overlap, so each
	// group reference adds at most len(s) over all matches.
	bound := func(matches int) int { return len(s) + matches*litLen + groupRefs*len(s) }
	if limit < 0 && bound(len(s)+1) > maxLen && bound(len(re.FindAllStringIndex(s, -1))) > maxLen {
		return "", errOutputTooLarge
	}
	var out string
	switch {
	case limit < 0 && literal:
		out = re.ReplaceAllLiteralString(s, strings.ReplaceAll(tmpl.String(), "$$", "$"))
	case limit < 0:
		out = re.ReplaceAllString(s, tmpl.String())
	default:
		m := re.FindStringSubmatchIndex(s)
		if m == nil {
			return s, nil
		}
		b := []byte(s[:m[0]])
		b = re.ExpandString(b, tmpl.String(), s, m)
		out = string(append(b, s[m[1]:]...))
	}
	if len(out) > maxLen {
		return "", errOutputTooLarge
	}
	return out, nil
}

// javaSplit is Java's String.split(regex, limit).
func javaSplit(re *regexp.Regexp, s string, limit int) []string {
	var list []string
	index := 0
	for _, m := range re.FindAllStringIndex(s, -1) {
		if limit <= 0 || len(list) < limit-1 {
			if index == 0 && m[0] == 0 && m[1] == 0 {
				continue
			}
			list = append(list, s[index:m[0]])
			index = m[1]
		} else if len(list) == limit-1 {
			break
		}
	}
	if index == 0 && len(list) == 0 {
		return []string{s}
	}
	if limit <= 0 || len(list) < limit {
		list = append(list, s[index:])
	}
	if limit == 0 {
		for len(list) > 0 && list[len(list)-1] == "" {
			list = list[:len(list)-1]
		}
	}
	return list
}
