package vtl

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Error is a template error: a parse error returned by Parse, or a render
// error returned by Template.Render. Line and Col are 1-based and count
// within the template source (Col counts characters, not bytes), so a caller
// that embeds templates in a larger file can offset them. Msg never carries
// Go internals; it is fit to show to whoever wrote the template.
type Error struct {
	Line, Col int
	Msg       string
}

// Error returns "vtl: LINE:COL: MSG".
func (e *Error) Error() string { return fmt.Sprintf("vtl: %d:%d: %s", e.Line, e.Col, e.Msg) }

// errorAt builds an *Error for byte offset off of src.
func errorAt(src string, off int, format string, a ...any) *Error {
	if off > len(src) {
		off = len(src)
	}
	if off < 0 {
		off = 0
	}
	before := src[:off]
	line := strings.Count(before, "\n") + 1
	col := utf8.RuneCountInString(before[strings.LastIndexByte(before, '\n')+1:]) + 1
	return &Error{Line: line, Col: col, Msg: fmt.Sprintf(format, a...)}
}
