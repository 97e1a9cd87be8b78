package routing

import (
	"errors"
	"fmt"
	"strings"
	"unsafe"

	"github.com/portico-gw/portico/expr"
)

// Expression is a parsed WebSocket route (or template) selection
// expression (expr.ParseRouteSelection). It is immutable and safe for
// concurrent use.
type Expression struct {
	t      *expr.Template
	static bool   // no variables: key is the result for every body
	key    string // the static key, when static
}

// SyntaxError is returned by ParseSelectionExpression for an expression it
// cannot parse.
type SyntaxError struct {
	Expr   string // the expression as given
	Offset int    // byte offset in Expr where the problem was found
	Msg    string
}

// Error returns the message, naming the expression.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("routing: selection expression %q: %s", e.Expr, e.Msg)
}

// ParseSelectionExpression parses a route selection expression with
// expr.ParseRouteSelection: $request.body.PATH, a template of static text
// and ${request.body.PATH} variables, or a static key ("\$" writes a
// literal "$"; the bare "$default" is the key "$default"). Errors are
// *SyntaxError.
func ParseSelectionExpression(s string) (*Expression, error) {
	t, err := expr.ParseRouteSelection(s)
	if err != nil {
		se := &SyntaxError{Expr: s, Msg: err.Error()}
		var xe *expr.SyntaxError
		if errors.As(err, &xe) {
			se.Offset, se.Msg = xe.Offset, xe.Msg
		}
		return nil, se
	}
	e := &Expression{t: t}
	e.key, e.static = t.Static()
	return e, nil
}

// String returns the expression as written.
func (e *Expression) String() string { return e.t.String() }

// Evaluate returns the route key the expression selects for a message body.
// isJSON is false when body is not valid JSON; key is then "" (callers use
// $default), except for a static expression, which returns its key whatever
// the body. A path that is not found contributes "". The key never shares
// memory with body.
func (e *Expression) Evaluate(body []byte) (key string, isJSON bool) {
	key, isJSON = e.evaluate(body, true)
	if e.static {
		isJSON = expr.Valid(body)
	}
	return key, isJSON
}

// evaluate is Evaluate without the JSON check for static expressions; when
// owned is false the key may point into body (a single lookup's scalar),
// saving a copy for keys that are only compared.
func (e *Expression) evaluate(body []byte, owned bool) (string, bool) {
	if e.static {
		return e.key, true
	}
	if !expr.Valid(body) {
		return "", false
	}
	json := unsafe.String(unsafe.SliceData(body), len(body)) // read only; results are copied out
	parts := e.t.Parts()
	if len(parts) == 1 {
		v := parts[0].Ref.Path.Select(json)
		if !v.Present() {
			return "", true
		}
		k := v.Text(expr.ListArrays)
		if owned && aliases(k, json) {
			return strings.Clone(k), true
		}
		return k, true
	}
	var vals [8]expr.Value
	var b []byte
	if len(parts) <= len(vals) {
		n := 0
		for i, p := range parts {
			if p.Ref != nil {
				vals[i] = p.Ref.Path.Select(json)
				n += vals[i].RawLen()
			} else {
				n += len(p.Text)
			}
		}
		b = make([]byte, 0, n)
		for i, p := range parts {
			if p.Ref != nil {
				b = vals[i].AppendText(b, expr.ListArrays)
			} else {
				b = append(b, p.Text...)
			}
		}
	} else {
		for _, p := range parts {
			if p.Ref != nil {
				b = p.Ref.Path.Select(json).AppendText(b, expr.ListArrays)
			} else {
				b = append(b, p.Text...)
			}
		}
	}
	return unsafe.String(unsafe.SliceData(b), len(b)), true // b is ours and never written again
}

// aliases reports whether s points into json.
func aliases(s, json string) bool {
	if s == "" {
		return false
	}
	p, lo := uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(unsafe.Pointer(unsafe.StringData(json)))
	return p >= lo && p < lo+uintptr(len(json))
}

// SelectRoute picks the route for a message. It evaluates e on body; when
// the key names a route (has reports it; exact, case-sensitive) that route
// is selected, else "$default" when has reports it, else ok is false (the
// caller sends the Forbidden error frame). Non-JSON bodies go to $default,
// except under a static expression, whose key applies to every body. A key
// of "$connect" or "$disconnect" is never selected by a message; it counts
// as no match. has must not retain its argument, which may point into body.
func SelectRoute(e *Expression, body []byte, has func(routeKey string) bool) (routeKey string, ok bool) {
	key, _ := e.evaluate(body, false)
	if key != "" && key != "$connect" && key != "$disconnect" && key != "$default" && has(key) {
		if e.static || !aliases(key, unsafe.String(unsafe.SliceData(body), len(body))) {
			return key, true
		}
		return strings.Clone(key), true
	}
	if has("$default") {
		return "$default", true
	}
	return "", false
}
