package vtl

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// method calls a Java method on v. An unknown method, or arguments of the
// wrong kind, yield null: API Gateway shows no error for them.
func (r *renderer) method(v any, part *refPart, args []any) any {
	r.step(1)
	name := part.name
	switch v := v.(type) {
	case string:
		if out, ok := r.stringMethod(v, part, args); ok {
			return out
		}
	case map[string]any:
		if out, ok := r.mapMethod(v, name, args); ok {
			return out
		}
	case map[string]string:
		if name == "put" && len(args) == 2 {
			k, kok := r.argString(args[0])
			val, vok := r.argString(args[1])
			if !kok || !vok {
				return nil
			}
			old, had := v[k]
			v[k] = val
			if had {
				return old
			}
			return nil
		}
		if out, ok := r.mapMethod(stringMap(v), name, args); ok && name != "remove" {
			return out
		}
	case []any, *javaList, []string:
		if out, ok := r.listMethod(v, name, args); ok {
			return out
		}
	case mapEntry:
		switch name {
		case "getKey":
			return v.key
		case "getValue":
			return v.val
		}
	case *loopState:
		switch name {
		case "hasNext", "isFirst", "isLast", "getIndex", "getCount", "getParent", "getHasNext":
			f := strings.TrimPrefix(strings.TrimPrefix(name, "get"), "is")
			return v.field(strings.ToLower(f[:1]) + f[1:])
		}
		return nil
	case inputObject:
		return r.inputMethod(part, args)
	case utilObject:
		return r.utilMethod(part, args)
	case *defined:
		if name == "toString" {
			return r.capture(func() { r.expand(v) })
		}
	default:
		if _, f, isInt, ok := number(v); ok {
			switch name {
			case "intValue", "longValue":
				if isInt {
					return v
				}
				return int64(f)
			case "doubleValue", "floatValue":
				fl, _ := toFloat(v)
				return fl
			}
		}
	}
	switch name {
	case "toString":
		s, err := r.javaString(v, false)
		if err != nil {
			r.fail(err)
		}
		return s
	case "equals":
		if len(args) == 1 {
			eq, err := r.equal(v, args[0])
			if err != nil {
				r.fail(err)
			}
			return eq
		}
	}
	return nil
}

// argString converts a method argument to a string the way a Java call
// would accept it: strings as they are, numbers and booleans as text.
func (r *renderer) argString(v any) (string, bool) {
	switch v := v.(type) {
	case nil:
		return "", false
	case string:
		return v, true
	case bool:
		if v {
			return "true", true
		}
		return "false", true
	}
	if _, _, _, ok := number(v); ok {
		s, err := r.javaString(v, false)
		return s, err == nil
	}
	return "", false
}

// runeIndex converts a byte offset of s into a character offset.
func runeIndex(s string, i int) int {
	if i < 0 {
		return i
	}
	return utf8.RuneCountInString(s[:i])
}

// byteIndex converts a character offset of s into a byte offset; ok is
// false when it lies outside s.
func byteIndex(s string, n int) (int, bool) {
	if n < 0 {
		return 0, false
	}
	for i := range s {
		if n == 0 {
			return i, true
		}
		n--
	}
	if n == 0 {
		return len(s), true
	}
	return 0, false
}

// stringMethod runs a java.lang.String method; ok is false when there is
// no such method for these arguments. Offsets count characters.
func (r *renderer) stringMethod(s string, part *refPart, args []any) (any, bool) {
	str := func(i int) (string, bool) {
		if i >= len(args) {
			return "", false
		}
		return r.argString(args[i])
	}
	n := len(args)
	r.step(len(s) / bytesPerStep)
	switch part.name {
	case "length":
		return int64(utf8.RuneCountInString(s)), n == 0
	case "isEmpty":
		return s == "", n == 0
	case "toLowerCase":
		return strings.ToLower(s), n == 0
	case "toUpperCase":
		return strings.ToUpper(s), n == 0
	case "trim":
		return strings.TrimFunc(s, func(c rune) bool { return c <= ' ' }), n == 0
	case "toString":
		return s, n == 0
	case "contains", "startsWith", "endsWith", "equalsIgnoreCase", "concat", "indexOf", "lastIndexOf":
		a, ok := str(0)
		if !ok {
			return nil, false
		}
		switch part.name {
		case "contains":
			return strings.Contains(s, a), n == 1
		case "startsWith":
			if n == 2 {
				off, ok := toInt(args[1])
				b, in := byteIndex(s, off)
				if !ok || !in {
					return false, ok
				}
				return strings.HasPrefix(s[b:], a), true
			}
			return strings.HasPrefix(s, a), n == 1
		case "endsWith":
			return strings.HasSuffix(s, a), n == 1
		case "equalsIgnoreCase":
			return strings.EqualFold(s, a), n == 1
		case "concat":
			r.checkSize(len(s) + len(a))
			return s + a, n == 1
		case "indexOf":
			from := 0
			if n == 2 {
				f, ok := toInt(args[1])
				if !ok {
					return nil, false
				}
				from = max(f, 0)
			}
			b, in := byteIndex(s, from)
			if !in {
				return int64(-1), true
			}
			i := strings.Index(s[b:], a)
			if i < 0 {
				return int64(-1), true
			}
			return int64(runeIndex(s, b+i)), n <= 2
		case "lastIndexOf":
			return int64(runeIndex(s, strings.LastIndex(s, a))), n == 1
		}
	case "charAt":
		i, ok := toInt(argAt(args, 0))
		if !ok || n != 1 {
			return nil, false
		}
		b, in := byteIndex(s, i)
		if !in || b == len(s) {
			r.failf(part.pos, "charAt: index %d out of range", i)
		}
		c, _ := utf8.DecodeRuneInString(s[b:])
		return string(c), true
	case "substring":
		if n < 1 || n > 2 {
			return nil, false
		}
		bi, ok := toInt(args[0])
		if !ok {
			return nil, false
		}
		runes := utf8.RuneCountInString(s)
		ei := runes
		if n == 2 {
			if ei, ok = toInt(args[1]); !ok {
				return nil, false
			}
		}
		if bi < 0 || ei > runes || bi > ei {
			r.failf(part.pos, "substring: index out of range (begin %d, end %d, length %d)", bi, ei, runes)
		}
		b, _ := byteIndex(s, bi)
		e, _ := byteIndex(s, ei)
		return s[b:e], true
	case "replace":
		a, aok := str(0)
		b, bok := str(1)
		if !aok || !bok || n != 2 {
			return nil, false
		}
		if a != "" {
			r.checkSize(len(s) + strings.Count(s, a)*max(len(b)-len(a), 0))
		} else {
			r.checkSize(len(s) + (utf8.RuneCountInString(s)+1)*len(b))
		}
		return strings.ReplaceAll(s, a, b), true
	case "replaceAll", "replaceFirst":
		r.step(len(s) / regexpPerStep)
		re := r.regexpArg(part, args, false)
		repl, ok := str(1)
		if re == nil || !ok || n != 2 {
			return nil, false
		}
		limit := -1
		if part.name == "replaceFirst" {
			limit = 1
		}
		out, err := javaReplace(re, s, repl, limit, r.limits.maxOutput)
		if err != nil {
			r.failf(part.pos, "%s: %v", part.name, err)
		}
		r.step(len(out) / bytesPerStep)
		return out, true
	case "matches":
		r.step(len(s) / regexpPerStep)
		re := r.regexpArg(part, args, true)
		if re == nil || n != 1 {
			return nil, false
		}
		return re.MatchString(s), true
	case "split":
		r.step(len(s) / regexpPerStep)
		re := r.regexpArg(part, args, false)
		if re == nil || n > 2 {
			return nil, false
		}
		limit := 0
		if n == 2 {
			l, ok := toInt(args[1])
			if !ok {
				return nil, false
			}
			limit = l
		}
		parts := javaSplit(re, s, limit)
		r.step(len(parts))
		items := make([]any, len(parts))
		for i, p := range parts {
			items[i] = p
		}
		return &javaList{items: items}, true
	case "equals":
		if n != 1 {
			return nil, false
		}
		o, ok := args[0].(string)
		return ok && o == s, true
	}
	return nil, false
}

// argAt returns args[i] or nil.
func argAt(args []any, i int) any {
	if i < len(args) {
		return args[i]
	}
	return nil
}

// checkSize fails when a string about to be built exceeds MaxOutput.
func (r *renderer) checkSize(n int) {
	if n > r.limits.maxOutput {
		r.fail(errOutputTooLarge)
	}
}

// regexpArg returns the compiled Java regular expression of args[0]:
// compiled at parse time for a literal, now otherwise (a failure is a
// render error).
func (r *renderer) regexpArg(part *refPart, args []any, whole bool) *regexp.Regexp {
	if part.re != nil {
		return part.re
	}
	if len(args) == 0 {
		return nil
	}
	pat, ok := r.argString(args[0])
	if !ok {
		return nil
	}
	compile := CompileJavaRegexp
	if whole {
		compile = CompileJavaRegexpWhole
	}
	re, err := compile(pat)
	if err != nil {
		r.failf(part.pos, "%s: %v", part.name, err)
	}
	return re
}

// listMethod runs a java.util.List method.
func (r *renderer) listMethod(v any, name string, args []any) (any, bool) {
	items := listItems(v)
	n := len(args)
	switch name {
	case "size", "count":
		// count: AWS's $input reference documents
		// $input.path('$.pets').count() as "3".
		return int64(len(items)), n == 0
	case "isEmpty":
		return len(items) == 0, n == 0
	case "get":
		i, ok := toInt(argAt(args, 0))
		if !ok || n != 1 {
			return nil, false
		}
		if i < 0 || i >= len(items) {
			return nil, true
		}
		return items[i], true
	case "contains", "indexOf":
		if n != 1 {
			return nil, false
		}
		for i, it := range items {
			r.step(1)
			eq, err := r.equal(it, args[0])
			if err != nil {
				r.fail(err)
			}
			if eq {
				if name == "indexOf" {
					return int64(i), true
				}
				return true, true
			}
		}
		if name == "indexOf" {
			return int64(-1), true
		}
		return false, true
	case "add":
		l, ok := v.(*javaList)
		if !ok || n != 1 {
			return nil, false
		}
		l.items = append(l.items, args[0])
		return true, true
	}
	return nil, false
}

// mapMethod runs a java.util.Map method.
func (r *renderer) mapMethod(m map[string]any, name string, args []any) (any, bool) {
	n := len(args)
	key := func() (string, bool) {
		if n < 1 {
			return "", false
		}
		return r.argString(args[0])
	}
	switch name {
	case "size":
		return int64(len(m)), n == 0
	case "isEmpty":
		return len(m) == 0, n == 0
	case "get", "containsKey", "remove":
		k, ok := key()
		if !ok || n != 1 {
			return nil, n == 1
		}
		switch name {
		case "get":
			return m[k], true
		case "containsKey":
			_, has := m[k]
			return has, true
		}
		return r.remove(m, k), true
	case "put":
		k, ok := key()
		if !ok || n != 2 {
			return nil, false
		}
		return r.put(m, k, args[1]), true
	case "keySet", "values", "entrySet":
		if n != 0 {
			return nil, false
		}
		keys := r.keys(m)
		r.step(len(keys))
		items := make([]any, len(keys))
		for i, k := range keys {
			switch name {
			case "keySet":
				items[i] = k
			case "values":
				items[i] = m[k]
			default:
				items[i] = mapEntry{k, m[k]}
			}
		}
		return &javaList{items: items}, true
	case "containsValue":
		if n != 1 {
			return nil, false
		}
		for _, k := range r.keys(m) {
			if eq, _ := r.equal(m[k], args[0]); eq {
				return true, true
			}
		}
		return false, true
	}
	return nil, false
}
