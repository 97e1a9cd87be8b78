package vtl

import (
	"errors"
	"slices"
	"unsafe"
)

// Limits of one Render call. Work is bounded so that no template can run
// forever or exhaust memory, whatever it does.
const (
	// MaxIterations is AWS's #foreach limit; further items are skipped
	// silently, as Velocity's directive.foreach.maxloops does.
	MaxIterations = 1000
	// MaxOutput bounds the rendered text and every string built on the way.
	MaxOutput = 10 << 20
	// MaxMacroDepth bounds nested macro calls and #define expansions
	// (Velocity's velocimacro.max.depth default).
	MaxMacroDepth = 20
	// MaxSteps bounds the evaluation steps (directives, references, method
	// calls, JSONPath results) of one Render call.
	MaxSteps = 5_000_000
)

var (
	errOutputTooLarge = errors.New("the rendered template exceeds 10 MB")
	errTooDeep        = errors.New("a value is nested too deeply to print")
	errSteps          = errors.New("the template exceeds its evaluation budget")
)

// Costs in steps of work proportional to data size: bytes copied, printed
// or decoded per step, and bytes a regular expression scans per step.
const (
	bytesPerStep  = 16
	regexpPerStep = 4
)

// limits are the bounds in force; tests shrink them.
type limits struct {
	maxIterations, maxOutput, maxMacroDepth, maxSteps int
}

var defaultLimits = limits{MaxIterations, MaxOutput, MaxMacroDepth, MaxSteps}

// bailout carries an error out of the evaluator through panic; Render
// recovers it.
type bailout struct{ err error }

// ctl is how a block ended.
type ctl uint8

const (
	ctlNone ctl = iota
	ctlBreak
	ctlStop
)

// renderer is the state of one Render call; it is never shared.
type renderer struct {
	t      *Template
	data   *Data
	limits limits
	out    []byte
	vars   map[string]any
	steps  int
	depth  int // macro calls and #define expansions
	loop   *loopState
	at     int // offset of the node being evaluated, for errors

	// order holds the key order of maps built from JSON and map literals
	// (LinkedHashMap); other maps list their keys sorted.
	order map[unsafe.Pointer][]string
	// keyPos indexes order lazily, to sort JSONPath results.
	keyPos map[unsafe.Pointer]map[string]int

	body       any // the JSON body, decoded on first use
	bodyDone   bool
	bodyIsJSON bool
	stageVars  map[string]any
	params     map[string]any
}

// Render renders t with data, which may be nil. It is safe to call from
// many goroutines at once on one Template, each with its own Data. #set
// writes into data.Context (creating it when nil, and nested maps such as
// requestOverride.header on demand) so that the caller reads overrides back;
// nothing else in data is modified. Errors are *Error values: a runtime
// failure (a regular expression RE2 cannot run, an index out of range, an
// undecodable $util argument) or an exceeded limit (MaxOutput,
// MaxMacroDepth, MaxSteps). Render never panics.
func (t *Template) Render(data *Data) (string, error) {
	return t.render(data, defaultLimits)
}

func (t *Template) render(data *Data, l limits) (out string, err error) {
	if data == nil {
		data = &Data{}
	}
	r := &renderer{t: t, data: data, limits: l, vars: map[string]any{}}
	defer func() {
		if e := recover(); e != nil {
			out = ""
			if b, ok := e.(bailout); ok {
				err = b.err
				return
			}
			err = errorAt(t.src, r.at, "internal error while rendering")
		}
	}()
	r.renderNodes(t.body)
	exportValues(data.Context)
	return string(r.out), nil
}

// exportValues turns the Java-only values a template may have set into m
// (lists, entries) into plain Go values: []any and map[string]any. A value
// that contains itself is cut (nil) where it recurs. Only entries that
// change are written, so maps the caller shares are left untouched.
func exportValues(m map[string]any) {
	if m == nil {
		return
	}
	seen := map[unsafe.Pointer]bool{mapID(m): true}
	exportMap(m, seen)
}

func exportMap(m map[string]any, seen map[unsafe.Pointer]bool) {
	for k, v := range m {
		if out, changed := exportValue(v, seen); changed {
			m[k] = out
		}
	}
}

// exportValue returns v as a plain Go value and whether that differs from v.
func exportValue(v any, seen map[unsafe.Pointer]bool) (any, bool) {
	switch v := v.(type) {
	case *javaList:
		id := unsafe.Pointer(v)
		if seen[id] {
			return nil, true
		}
		seen[id] = true
		out := make([]any, len(v.items))
		for i, it := range v.items {
			out[i], _ = exportValue(it, seen)
		}
		delete(seen, id)
		return out, true
	case mapEntry:
		val, _ := exportValue(v.val, seen)
		return map[string]any{v.key: val}, true
	case map[string]any:
		id := mapID(v)
		if seen[id] {
			return nil, true
		}
		seen[id] = true
		exportMap(v, seen)
		delete(seen, id)
	case *defined, *loopState, inputObject, utilObject:
		return nil, true
	}
	return v, false
}

// fail stops rendering with err, positioned at the current node unless it
// already is an *Error.
func (r *renderer) fail(err error) {
	var e *Error
	if !errors.As(err, &e) {
		e = errorAt(r.t.src, r.at, "%s", err.Error())
	}
	panic(bailout{e})
}

// failf stops rendering with a message at offset pos.
func (r *renderer) failf(pos int, format string, a ...any) {
	panic(bailout{errorAt(r.t.src, pos, format, a...)})
}

// step spends n steps of the budget.
func (r *renderer) step(n int) {
	r.steps += n
	if r.steps > r.limits.maxSteps {
		r.fail(errSteps)
	}
}

// write appends s to the output.
func (r *renderer) write(s string) {
	r.step(len(s) / bytesPerStep)
	r.out = append(r.out, s...)
	if len(r.out) > r.limits.maxOutput {
		r.fail(errOutputTooLarge)
	}
}

// renderNodes renders a block.
func (r *renderer) renderNodes(nodes []node) ctl {
	for _, n := range nodes {
		r.step(1)
		switch n := n.(type) {
		case *nodeText:
			r.write(n.s)
		case *nodeRef:
			r.at = n.ref.pos
			r.print(r.evalRef(n.ref))
		case *nodeSet:
			r.at = n.pos
			r.set(n.target, r.eval(n.x))
		case *nodeIf:
			done := false
			for i, c := range n.conds {
				if truthy(r.eval(c)) {
					if c := r.renderNodes(n.blocks[i]); c != ctlNone {
						return c
					}
					done = true
					break
				}
			}
			if !done && n.els != nil {
				if c := r.renderNodes(n.els); c != ctlNone {
					return c
				}
			}
		case *nodeForeach:
			if c := r.foreach(n); c == ctlStop {
				return c
			}
		case *nodeBreak:
			return ctlBreak
		case *nodeStop:
			return ctlStop
		case *nodeDefine:
			r.vars[n.name] = &defined{n.body}
		case *nodeCall:
			if c := r.call(n); c == ctlStop {
				return c
			}
		}
	}
	return ctlNone
}

// print writes a value as a rendered reference: null is "".
func (r *renderer) print(v any) {
	switch v := v.(type) {
	case nil:
		return
	case string:
		r.write(v)
		return
	case *defined:
		r.expand(v)
		return
	}
	p := printer{r: r, b: r.out, max: r.limits.maxOutput}
	n := len(r.out)
	p.java(v, true, 0)
	r.out = p.b
	r.step((len(r.out) - n) / bytesPerStep)
	if p.err != nil {
		r.fail(p.err)
	}
}

// expand renders a #define block in place.
func (r *renderer) expand(d *defined) {
	r.depth++
	if r.depth > r.limits.maxMacroDepth {
		r.fail(errors.New("#define and macro calls nested too deeply"))
	}
	r.renderNodes(d.body)
	r.depth--
}

// renderDefined appends a #define block's text to a printer.
func (r *renderer) renderDefined(p *printer, d *defined, _ int) {
	s := r.capture(func() { r.expand(d) })
	p.b = append(p.b, s...)
}

// capture runs f with a fresh output buffer and returns what it wrote.
func (r *renderer) capture(f func()) string {
	saved := r.out
	r.out = nil
	f()
	s := string(r.out)
	r.out = saved
	r.step(len(s) / bytesPerStep)
	if len(saved)+len(s) > r.limits.maxOutput {
		r.fail(errOutputTooLarge)
	}
	return s
}

// foreach runs a #foreach loop.
func (r *renderer) foreach(n *nodeForeach) ctl {
	r.at = n.pos
	items := r.iterable(r.eval(n.x))
	if len(items) > r.limits.maxIterations {
		items = items[:r.limits.maxIterations]
	}
	old, had := r.vars[n.name]
	state := &loopState{parent: r.loop}
	r.loop = state
	defer func() {
		r.loop = state.parent
		if had {
			r.vars[n.name] = old
		} else {
			delete(r.vars, n.name)
		}
	}()
	for i, it := range items {
		state.index = i
		state.hasNext = i+1 < len(items)
		r.vars[n.name] = it
		switch r.renderNodes(n.body) {
		case ctlBreak:
			return ctlNone
		case ctlStop:
			return ctlStop
		}
	}
	return ctlNone
}

// iterable returns the items #foreach walks over v: a list's items, a
// map's values; nothing for null or a scalar.
func (r *renderer) iterable(v any) []any {
	switch v := v.(type) {
	case []any:
		return v
	case *javaList:
		return slices.Clone(v.items)
	case []string:
		out := make([]any, len(v))
		for i, s := range v {
			out[i] = s
		}
		return out
	case map[string]any:
		keys := r.keys(v)
		out := make([]any, len(keys))
		for i, k := range keys {
			out[i] = v[k]
		}
		return out
	case map[string]string:
		return r.iterable(stringMap(v))
	}
	return nil
}

// call runs a macro.
func (r *renderer) call(n *nodeCall) ctl {
	r.at = n.pos
	def := r.t.macros[n.name]
	if def == nil {
		return ctlNone
	}
	args := make([]any, len(n.args))
	for i, a := range n.args {
		args[i] = r.eval(a)
	}
	r.depth++
	if r.depth > r.limits.maxMacroDepth {
		r.failf(n.pos, "macro calls nested too deeply")
	}
	type saved struct {
		v   any
		had bool
	}
	olds := make([]saved, len(def.params))
	for i, name := range def.params {
		olds[i].v, olds[i].had = r.vars[name]
		if i < len(args) && args[i] != nil {
			r.vars[name] = args[i]
		} else {
			delete(r.vars, name)
		}
	}
	c := r.renderNodes(def.body)
	for i, name := range def.params {
		if olds[i].had {
			r.vars[name] = olds[i].v
		} else {
			delete(r.vars, name)
		}
	}
	r.depth--
	if c == ctlBreak {
		c = ctlNone
	}
	return c
}

// lookup returns the value of $name.
func (r *renderer) lookup(name string) any {
	switch name {
	case "foreach":
		if r.loop != nil {
			return r.loop
		}
	case "velocityCount":
		if r.loop != nil {
			return int64(r.loop.index + 1)
		}
	}
	if v, ok := r.vars[name]; ok {
		return v
	}
	switch name {
	case "input":
		return inputObject{}
	case "util":
		return utilObject{}
	case "context":
		if r.data.Context == nil {
			return nil
		}
		return r.data.Context
	case "stageVariables":
		if r.stageVars == nil {
			r.stageVars = stringMap(r.data.StageVariables)
		}
		return r.stageVars
	}
	if v, ok := r.data.Vars[name]; ok {
		return v
	}
	return nil
}

// evalRef evaluates a reference; a null anywhere in the chain is null.
func (r *renderer) evalRef(ref *refExpr) any {
	v := r.lookup(ref.name)
	for i := range ref.parts {
		if v == nil {
			return nil
		}
		r.step(1)
		part := &ref.parts[i]
		switch part.kind {
		case partProp:
			v = r.property(v, part.name)
		case partIndex:
			v = r.index(v, r.eval(part.index))
		case partMethod:
			args := make([]any, len(part.args))
			for j, a := range part.args {
				args[j] = r.eval(a)
			}
			r.at = part.pos
			v = r.method(v, part, args)
		}
	}
	return v
}

// eval evaluates an expression.
func (r *renderer) eval(x expr) any {
	r.step(1)
	switch x := x.(type) {
	case *exprLit:
		return x.v
	case *refExpr:
		return r.evalRef(x)
	case *exprInterp:
		return r.capture(func() { r.renderNodes(x.body) })
	case *exprList:
		l := &javaList{items: make([]any, len(x.items))}
		for i, it := range x.items {
			l.items[i] = r.eval(it)
		}
		return l
	case *exprRange:
		from, fok := toInt(r.eval(x.from))
		to, tok := toInt(r.eval(x.to))
		if !fok || !tok {
			return nil
		}
		n := to - from
		if n < 0 {
			n = -n
		}
		r.step(n + 1)
		l := &javaList{items: make([]any, 0, n+1)}
		for i := 0; i <= n; i++ {
			if from <= to {
				l.items = append(l.items, int64(from+i))
			} else {
				l.items = append(l.items, int64(from-i))
			}
		}
		return l
	case *exprMap:
		m := make(map[string]any, len(x.keys))
		keys := make([]string, 0, len(x.keys))
		for i, k := range x.keys {
			ks, err := r.javaString(r.eval(k), false)
			if err != nil {
				r.fail(err)
			}
			if _, dup := m[ks]; !dup {
				keys = append(keys, ks)
			}
			m[ks] = r.eval(x.vals[i])
		}
		r.setOrder(m, keys)
		return m
	case *exprUnary:
		v := r.eval(x.x)
		if x.op == '!' {
			return !truthy(v)
		}
		i, f, isInt, ok := number(v)
		switch {
		case !ok:
			return nil
		case isInt:
			return -i
		default:
			return -f
		}
	case *exprBinary:
		return r.binary(x)
	}
	return nil
}

// binary evaluates x op y.
func (r *renderer) binary(x *exprBinary) any {
	switch x.op {
	case opOr:
		return truthy(r.eval(x.x)) || truthy(r.eval(x.y))
	case opAnd:
		return truthy(r.eval(x.x)) && truthy(r.eval(x.y))
	}
	a, b := r.eval(x.x), r.eval(x.y)
	switch x.op {
	case opEq, opNe:
		eq, err := r.equal(a, b)
		if err != nil {
			r.fail(err)
		}
		return eq == (x.op == opEq)
	case opLt, opGt, opLe, opGe:
		c, ok := compare(a, b)
		if !ok {
			return false
		}
		switch x.op {
		case opLt:
			return c < 0
		case opGt:
			return c > 0
		case opLe:
			return c <= 0
		}
		return c >= 0
	}
	r.at = x.pos
	if x.op == opAdd {
		// Velocity 1.7's ASTAddNode: a string plus null concatenates the
		// null operand's source text ("a" + $nothing is "a$nothing").
		_, as := a.(string)
		_, bs := b.(string)
		switch {
		case as && b == nil:
			b = literalText(x.y)
		case bs && a == nil:
			a = literalText(x.x)
		}
	}
	v, err := r.arith(x.op, a, b)
	if err != nil {
		r.fail(err)
	}
	return v
}

// literalText is the source text Velocity uses for a null operand.
func literalText(x expr) string {
	if ref, ok := x.(*refExpr); ok {
		return ref.raw
	}
	return "null"
}

// set runs #set: a null value leaves the target as it was (Velocity 1.7).
// Missing maps on the way to a nested target are created, so that
// #set($context.requestOverride.header.X = "v") works on an empty context.
func (r *renderer) set(target *refExpr, v any) {
	if v == nil {
		return
	}
	if len(target.parts) == 0 {
		r.vars[target.name] = v
		return
	}
	cur := r.lookup(target.name)
	if cur == nil {
		m := map[string]any{}
		r.setOrder(m, []string{})
		if target.name == "context" {
			r.data.Context = m
		} else {
			r.vars[target.name] = m
		}
		cur = m
	}
	last := len(target.parts) - 1
	for i := range target.parts[:last] {
		part := &target.parts[i]
		var next any
		switch part.kind {
		case partProp:
			next = r.property(cur, part.name)
		case partIndex:
			next = r.index(cur, r.eval(part.index))
		case partMethod:
			args := make([]any, len(part.args))
			for j, a := range part.args {
				args[j] = r.eval(a)
			}
			next = r.method(cur, part, args)
		}
		if next == nil {
			key := part.name
			if part.kind == partIndex {
				key, _ = r.eval(part.index).(string)
			}
			m, ok := cur.(map[string]any)
			if !ok || key == "" || part.kind == partMethod {
				return
			}
			child := map[string]any{}
			r.setOrder(child, []string{})
			r.put(m, key, child)
			next = child
		}
		cur = next
	}
	part := &target.parts[last]
	var key any = part.name
	if part.kind == partIndex {
		key = r.eval(part.index)
	}
	switch c := cur.(type) {
	case map[string]any:
		ks, err := r.javaString(key, false)
		if err != nil {
			r.fail(err)
		}
		r.put(c, ks, v)
	case map[string]string:
		ks, err := r.javaString(key, false)
		if err != nil {
			r.fail(err)
		}
		vs, err := r.javaString(v, false)
		if err != nil {
			r.fail(err)
		}
		c[ks] = vs
	case *javaList:
		if i, ok := toInt(key); ok && i >= 0 && i < len(c.items) {
			c.items[i] = v
		}
	case []any:
		if i, ok := toInt(key); ok && i >= 0 && i < len(c) {
			c[i] = v
		}
	}
}
