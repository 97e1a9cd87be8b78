package config

import (
	"slices"
	"strconv"
	"strings"
)

// Error is one problem in a configuration file. Line and Column are 1-based
// and zero when unknown (an unreadable file, a YAML syntax error without a
// column).
type Error struct {
	File         string
	Line, Column int
	// Key is the dotted path of the offending key, with list indexes and the
	// file's key names: apis[0].routes[1].target. Map keys that are not plain
	// names are quoted: requestParameters["integration.request.header.x"].
	// Empty for problems with the file as a whole.
	Key string
	Msg string
	// Err is the underlying error, if any (for example from os.ReadFile).
	Err error
}

// Error formats e as "file:line:col: key: msg", leaving out what is unknown.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(e.Line))
		if e.Column > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(e.Column))
		}
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns the underlying error, or nil.
func (e *Error) Unwrap() error { return e.Err }

// ErrorList is every problem Load or Parse found in a file, in file order. It
// is never empty when returned as an error.
type ErrorList []*Error

// Error returns one line per problem.
func (l ErrorList) Error() string {
	msgs := make([]string, len(l))
	for i, e := range l {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// Unwrap returns the errors of l, so that errors.As finds an *Error and
// errors.Is finds an underlying error such as fs.ErrNotExist.
func (l ErrorList) Unwrap() []error {
	errs := make([]error, len(l))
	for i, e := range l {
		errs[i] = e
	}
	return errs
}

// sortErrors puts l in file order; problems without a position come first,
// and problems at the same position keep the order they were found in.
func sortErrors(l ErrorList) {
	slices.SortStableFunc(l, func(a, b *Error) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Column - b.Column
	})
}
