package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"strconv"
	"strings"
)

// This file turns parser errors into Errors with a line and a column: YAML
// errors from yaml.v3, which give a line at most, and JSON errors from
// encoding/json, which give a byte offset. A .json file is checked by
// encoding/json before the YAML parser reads it, since the YAML parser's
// line for a broken JSON document is often far from the mistake.

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): `)

// syntaxError converts a yaml.v3 parse error. yaml.v3 gives no column, and
// no line for errors on the first line; the column is found here from the
// text of the line: the character that cannot start a token, a tab in the
// indentation (which gets its own message), or else the line's first
// non-blank character.
func syntaxError(filename string, data []byte, err error) ErrorList {
	e := &Error{File: filename, Msg: strings.TrimPrefix(err.Error(), "yaml: "), Err: err}
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		e.Line, _ = strconv.Atoi(m[1])
		e.Msg = err.Error()[len(m[0]):]
	} else if strings.HasPrefix(err.Error(), "yaml: ") {
		e.Line = 1
	}
	text := lineText(data, e.Line)
	indent := len(text) - len(strings.TrimLeft(text, " \t"))
	switch {
	case e.Line == 0:
	case strings.Contains(text[:indent], "\t") &&
		(strings.Contains(e.Msg, "cannot start any token") || strings.Contains(e.Msg, "tab character")):
		e.Column = strings.IndexByte(text, '\t') + 1
		e.Msg = "a tab character indents this line; YAML indents with spaces"
	case strings.Contains(e.Msg, "cannot start any token"):
		if i := strings.IndexAny(text[indent:], "\t@`%"); i >= 0 {
			e.Column = indent + i + 1
			if text[indent+i] == '\t' {
				e.Msg += " (a tab: YAML separates with spaces)"
			} else {
				e.Msg += " (" + strconv.Quote(text[indent+i:indent+i+1]) + " cannot start a plain value: quote it)"
			}
		}
	}
	if e.Column == 0 && e.Line > 0 && indent < len(text) {
		e.Column = indent + 1
	}
	return ErrorList{e}
}

// lineText returns line n (1-based) of data without its line break, or "".
func lineText(data []byte, n int) string {
	for i := 1; i < n; i++ {
		j := bytes.IndexAny(data, "\n\r")
		if j < 0 {
			return ""
		}
		if data[j] == '\r' && j+1 < len(data) && data[j+1] == '\n' {
			j++
		}
		data = data[j+1:]
	}
	if j := bytes.IndexAny(data, "\n\r"); j >= 0 {
		data = data[:j]
	}
	return string(data)
}

// checkJSON reports the first syntax error of a JSON document at its line
// and column.
func checkJSON(filename string, data []byte) error {
	if json.Valid(data) {
		return nil
	}
	err := json.Unmarshal(data, new(json.RawMessage))
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return ErrorList{{File: filename, Msg: "not JSON: " + err.Error(), Err: err}}
	}
	off := int(se.Offset) - 1 // the byte that could not be read
	msg := err.Error()
	if off >= len(data)-1 && strings.Contains(msg, "unexpected end") {
		// Truncated: point just past the last thing written.
		off = len(bytes.TrimRight(data, " \t\r\n"))
		msg = "unexpected end of JSON: a closing } or ] (or the rest of the file) is missing"
	}
	line, col := position(data, max(off, 0))
	return ErrorList{{File: filename, Line: line, Column: col, Msg: msg, Err: err}}
}

// position returns the 1-based line and column (in characters) of byte
// offset off in data.
func position(data []byte, off int) (line, col int) {
	off = min(off, len(data))
	before := data[:off]
	line = 1 + bytes.Count(before, []byte("\n"))
	start := bytes.LastIndexByte(before, '\n') + 1
	return line, len([]rune(string(before[start:]))) + 1
}
