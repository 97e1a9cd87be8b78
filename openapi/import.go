package openapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/portico-gw/portico/config"
	"gopkg.in/yaml.v3"
)

// ImportOptions are the import operations' query parameters.
type ImportOptions struct {
	BasePath       string // "ignore" (default when ""), "prepend" or "split", as ?basepath= says
	FailOnWarnings bool   // warnings become the error
}

// maxImportBytes bounds a document (AWS's import limit is 6 MB for REST APIs).
const maxImportBytes = 6 << 20

// maxAliasDepth bounds $ref chains and YAML aliases, so that a document
// that refers to itself fails instead of looping.
const maxRefDepth = 32

// importDoc is one document being imported: its root node, the file name
// errors carry, and the problems found so far.
type importDoc struct {
	file     string
	root     *yaml.Node
	version  int // 2 (swagger) or 3 (openapi)
	errs     config.ErrorList
	warnings []string
}

// errorf records an error at n.
func (d *importDoc) errorf(n *yaml.Node, key, format string, args ...any) {
	e := &config.Error{File: d.file, Key: key, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	d.errs = append(d.errs, e)
}

// warnf records a warning at n, as AWS words them ("... ignored"), with
// the document's position.
func (d *importDoc) warnf(n *yaml.Node, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if n != nil {
		msg = fmt.Sprintf("%s:%d:%d: %s", d.file, n.Line, n.Column, msg)
	}
	d.warnings = append(d.warnings, msg)
}

// finish turns what d found into the import's result: the errors, or the
// warnings as the error when opt.FailOnWarnings.
func (d *importDoc) finish(opt ImportOptions) ([]string, error) {
	if len(d.errs) > 0 {
		return nil, d.errs
	}
	if opt.FailOnWarnings && len(d.warnings) > 0 {
		return nil, &WarningsError{Warnings: d.warnings}
	}
	return d.warnings, nil
}

// WarningsError is what an import with FailOnWarnings returns when the
// document imported with warnings.
type WarningsError struct {
	Warnings []string
}

// Error lists the warnings, as AWS's "Warnings found during import" does.
func (e *WarningsError) Error() string {
	return "Warnings found during import:\n\t" + strings.Join(e.Warnings, "\n\t")
}

// parseDoc reads doc (JSON or YAML, one document) and checks that it is an
// OpenAPI 3.0.x or Swagger 2.0 document.
func parseDoc(file string, doc []byte) (*importDoc, error) {
	d := &importDoc{file: file}
	if len(doc) > maxImportBytes {
		return nil, config.ErrorList{{File: file, Msg: fmt.Sprintf("the document is %d bytes; at most %d are imported", len(doc), maxImportBytes)}}
	}
	if t := bytes.TrimLeft(doc, " \t\r\n"); len(t) > 0 && t[0] == '{' {
		if err := checkJSON(file, doc); err != nil {
			return nil, err
		}
	}
	dec := yaml.NewDecoder(bytes.NewReader(doc))
	var top yaml.Node
	err := dec.Decode(&top)
	switch {
	case errors.Is(err, io.EOF):
		return nil, config.ErrorList{{File: file, Msg: "Invalid OpenAPI input: the document is empty"}}
	case err != nil:
		return nil, config.ErrorList{syntaxError(file, err)}
	case len(top.Content) == 0 || top.Content[0].Kind != yaml.MappingNode:
		n := &top
		if len(top.Content) > 0 {
			n = top.Content[0]
		}
		return nil, config.ErrorList{{File: file, Line: n.Line, Column: n.Column, Msg: "Invalid OpenAPI input: the document must be a mapping"}}
	}
	d.root = top.Content[0]
	if hasAlias(d.root, 0) {
		return nil, config.ErrorList{{File: file, Line: d.root.Line, Column: d.root.Column, Msg: "Invalid OpenAPI input: YAML aliases are not supported"}}
	}
	if v := d.get(d.root, "swagger"); v != nil {
		if v.Value != "2.0" {
			d.errorf(v, "swagger", "Invalid OpenAPI input: unsupported swagger version %q (want \"2.0\")", v.Value)
			return nil, d.errs
		}
		d.version = 2
	} else if v := d.get(d.root, "openapi"); v != nil {
		if !strings.HasPrefix(v.Value, "3.") {
			d.errorf(v, "openapi", "Invalid OpenAPI input: unsupported openapi version %q (want 3.0.x)", v.Value)
			return nil, d.errs
		}
		d.version = 3
	} else {
		d.errorf(d.root, "", "Invalid OpenAPI input: neither \"openapi\" (3.0.x) nor \"swagger\" (2.0) is set")
		return nil, d.errs
	}
	return d, nil
}

// hasAlias reports whether n holds a YAML alias (refused: an alias may
// expand exponentially).
func hasAlias(n *yaml.Node, depth int) bool {
	if n.Kind == yaml.AliasNode || depth > 200 {
		return true
	}
	for _, c := range n.Content {
		if hasAlias(c, depth+1) {
			return true
		}
	}
	return false
}

// checkJSON reports a JSON document's syntax error at its line and
// column (yaml.v3 reads JSON too, but places its errors less well).
func checkJSON(file string, doc []byte) error {
	var v any
	err := json.Unmarshal(doc, &v)
	se, ok := err.(*json.SyntaxError)
	if !ok {
		return nil
	}
	off := int(min(se.Offset, int64(len(doc))))
	line := 1 + bytes.Count(doc[:off], []byte("\n"))
	col := off - bytes.LastIndexByte(doc[:off], '\n') - 1
	return config.ErrorList{{File: file, Line: line, Column: col, Msg: "Invalid OpenAPI input: " + se.Error()}}
}

// syntaxError turns a yaml.v3 error into a positioned one.
func syntaxError(file string, err error) *config.Error {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if i := strings.IndexByte(rest, ':'); i > 0 {
			if n, err := strconv.Atoi(rest[:i]); err == nil {
				line, msg = n, strings.TrimSpace(rest[i+1:])
			}
		}
	}
	return &config.Error{File: file, Line: line, Msg: "Invalid OpenAPI input: " + msg}
}

// get returns the value of key in mapping n, or nil.
func (d *importDoc) get(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// pairs calls f for each key and value of mapping n, in document order;
// n of another kind is an error at key.
func (d *importDoc) pairs(n *yaml.Node, key string, f func(k, v *yaml.Node)) {
	if n == nil || isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, key, "want a mapping, got %s", describe(n))
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		f(n.Content[i], n.Content[i+1])
	}
}

// items returns the elements of sequence n; n of another kind is an error.
func (d *importDoc) items(n *yaml.Node, key string) []*yaml.Node {
	if n == nil || isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, key, "want a list, got %s", describe(n))
		return nil
	}
	return n.Content
}

// str returns the string of scalar n ("" for nil); another kind is an error.
func (d *importDoc) str(n *yaml.Node, key string) string {
	if n == nil || isNull(n) {
		return ""
	}
	if n.Kind != yaml.ScalarNode {
		d.errorf(n, key, "want a string, got %s", describe(n))
		return ""
	}
	return n.Value
}

// strOf is str of key in mapping n.
func (d *importDoc) strOf(n *yaml.Node, parent, key string) string {
	return d.str(d.get(n, key), join(parent, key))
}

// boolOf reads a boolean key of mapping n.
func (d *importDoc) boolOf(n *yaml.Node, parent, key string) bool {
	v := d.get(n, key)
	if v == nil || isNull(v) {
		return false
	}
	var b bool
	if v.Kind != yaml.ScalarNode || v.Decode(&b) != nil {
		d.errorf(v, join(parent, key), "want true or false, got %s", describe(v))
	}
	return b
}

// intOf reads an integer key of mapping n; ok is false when absent.
func (d *importDoc) intOf(n *yaml.Node, parent, key string) (int, bool) {
	v := d.get(n, key)
	if v == nil || isNull(v) {
		return 0, false
	}
	i, err := strconv.Atoi(v.Value)
	if v.Kind != yaml.ScalarNode || err != nil {
		d.errorf(v, join(parent, key), "want an integer, got %s", describe(v))
		return 0, false
	}
	return i, true
}

// strings reads a list of strings (or one string) at key of mapping n.
func (d *importDoc) stringsOf(n *yaml.Node, parent, key string) []string {
	v := d.get(n, key)
	if v != nil && v.Kind == yaml.ScalarNode && !isNull(v) {
		return []string{v.Value}
	}
	var out []string
	for i, it := range d.items(v, join(parent, key)) {
		out = append(out, d.str(it, fmt.Sprintf("%s[%d]", join(parent, key), i)))
	}
	return out
}

// stringMap reads a mapping of strings at key of mapping n. Values that
// are not strings are skipped with a warning, as AWS does.
func (d *importDoc) stringMap(n *yaml.Node, parent, key string) map[string]string {
	v := d.get(n, key)
	var out map[string]string
	d.pairs(v, join(parent, key), func(k, val *yaml.Node) {
		if val.Kind != yaml.ScalarNode || val.Tag != "!!str" {
			d.warnf(val, "Unsupported value for %s ignored (want a string)", join(join(parent, key), k.Value))
			return
		}
		if out == nil {
			out = map[string]string{}
		}
		out[k.Value] = val.Value
	})
	return out
}

// resolve follows n's "$ref" (a local JSON pointer, "#/..."), if any.
func (d *importDoc) resolve(n *yaml.Node, key string) *yaml.Node {
	for depth := 0; n != nil && n.Kind == yaml.MappingNode; depth++ {
		ref := d.get(n, "$ref")
		if ref == nil {
			return n
		}
		if depth >= maxRefDepth {
			d.errorf(ref, key, "$ref chain too long (a reference cycle?)")
			return nil
		}
		target := d.pointer(ref, key)
		if target == nil {
			return nil
		}
		n = target
	}
	return n
}

// pointer resolves the local reference ref ("#/components/schemas/Pet").
func (d *importDoc) pointer(ref *yaml.Node, key string) *yaml.Node {
	s := ref.Value
	if !strings.HasPrefix(s, "#/") {
		d.errorf(ref, key, "unsupported $ref %q: only references inside the document (#/...) are imported", s)
		return nil
	}
	n := d.root
	for _, part := range strings.Split(s[2:], "/") {
		part, _ = url.PathUnescape(part)
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		next := d.get(n, part)
		if next == nil && n.Kind == yaml.SequenceNode {
			if i, err := strconv.Atoi(part); err == nil && i >= 0 && i < len(n.Content) {
				next = n.Content[i]
			}
		}
		if next == nil {
			d.errorf(ref, key, "$ref %q: no such definition in the document", s)
			return nil
		}
		n = next
	}
	return n
}

// refName returns the last part of a "$ref" to a model
// (#/definitions/Pet, #/components/schemas/Pet), or "".
func refName(ref string) string {
	for _, p := range []string{"#/definitions/", "#/components/schemas/"} {
		if name, ok := strings.CutPrefix(ref, p); ok && !strings.Contains(name, "/") {
			return name
		}
	}
	return ""
}

// toValue converts n to plain Go values (for JSON), rewriting model
// references (#/definitions/X, #/components/schemas/X) to the model's
// name, which resolves under AWS's model URL
// (https://apigateway.amazonaws.com/restapis/{id}/models/X).
func toValue(n *yaml.Node, depth int) any {
	if depth > 100 {
		return nil
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i].Value, n.Content[i+1]
			if k == "$ref" && v.Kind == yaml.ScalarNode {
				if name := refName(v.Value); name != "" {
					m[k] = modelURLPrefix + name
					continue
				}
			}
			m[k] = toValue(v, depth+1)
		}
		return m
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			s = append(s, toValue(c, depth+1))
		}
		return s
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!int", "!!float":
			return json.Number(n.Value)
		case "!!bool":
			var b bool
			_ = n.Decode(&b)
			return b
		case "!!null":
			return nil
		}
		return n.Value
	case yaml.DocumentNode:
		if len(n.Content) > 0 {
			return toValue(n.Content[0], depth+1)
		}
	}
	return nil
}

// modelURLPrefix is how an imported model refers to another: AWS writes
// https://apigateway.amazonaws.com/restapis/{restApiId}/models/NAME; the
// import does not know the API's ID, and a reference relative to the
// model's own URL ("NAME" under .../models/) names the same model.
const modelURLPrefix = ""

// schemaJSON is n as a JSON Schema document.
func schemaJSON(n *yaml.Node) string {
	b, err := json.Marshal(toValue(n, 0))
	if err != nil {
		return "{}"
	}
	return string(b)
}

// basePath returns the document's base path (Swagger's basePath; OpenAPI
// 3's first basePath server variable, else the path of servers[0].url),
// "" when there is none or it is "/".
func (d *importDoc) basePath() string {
	var p string
	if d.version == 2 {
		p = d.str(d.get(d.root, "basePath"), "basePath")
	} else {
		servers := d.items(d.get(d.root, "servers"), "servers")
		for _, s := range servers {
			if v := d.get(d.get(d.get(s, "variables"), "basePath"), "default"); v != nil {
				p = v.Value
				break
			}
		}
		if p == "" && len(servers) > 0 {
			raw := d.strOf(servers[0], "servers[0]", "url")
			if u, err := url.Parse(strings.NewReplacer("{", "", "}", "").Replace(raw)); err == nil {
				p = u.Path
			}
		}
	}
	p = strings.Trim(p, "/")
	if p == "" {
		return ""
	}
	return "/" + p
}

// prefix returns what opt.BasePath puts before each path of the document.
func (d *importDoc) prefix(opt ImportOptions) string {
	switch opt.BasePath {
	case "", "ignore":
		return ""
	case "prepend":
		return d.basePath()
	case "split":
		bp := d.basePath()
		if i := strings.IndexByte(bp[min(1, len(bp)):], '/'); i >= 0 {
			return bp[1+i:]
		}
		return ""
	}
	d.errorf(nil, "basepath", "Invalid basepath %q: want ignore, prepend or split", opt.BasePath)
	return ""
}

// operationKeys are the operations of a path item, in the order they are
// imported, with their HTTP method.
var operationKeys = []struct{ key, method string }{
	{"get", "GET"}, {"put", "PUT"}, {"post", "POST"}, {"delete", "DELETE"}, {"options", "OPTIONS"},
	{"head", "HEAD"}, {"patch", "PATCH"}, {"x-amazon-apigateway-any-method", "ANY"},
}

// pathItemKeys are the other keys of a path item that the import reads or
// ignores silently.
var pathItemKeys = []string{"parameters", "summary", "description", "servers", "$ref"}

// eachOperation calls f for every operation of every path, in document
// order, with its path (after the base path) and HTTP method.
func (d *importDoc) eachOperation(prefix string, f func(path, method string, op, pathItem *yaml.Node, key string)) {
	paths := d.get(d.root, "paths")
	d.pairs(paths, "paths", func(k, item *yaml.Node) {
		key := "paths[" + strconv.Quote(k.Value) + "]"
		path := k.Value
		if path != "/$default" && !strings.HasPrefix(path, "/") {
			d.errorf(k, key, "a path must start with \"/\"")
			return
		}
		item = d.resolve(item, key)
		if item == nil || isNull(item) {
			return
		}
		if item.Kind != yaml.MappingNode {
			d.errorf(item, key, "want a mapping of operations, got %s", describe(item))
			return
		}
		full := strings.TrimSuffix(prefix+path, "/")
		if full == "" {
			full = "/"
		}
		for i := 0; i+1 < len(item.Content); i += 2 {
			name, op := item.Content[i], item.Content[i+1]
			method := ""
			for _, ok := range operationKeys {
				if strings.EqualFold(name.Value, ok.key) {
					method = ok.method
				}
			}
			switch {
			case method != "":
				if op.Kind != yaml.MappingNode {
					d.errorf(op, key+"."+name.Value, "want an operation (a mapping), got %s", describe(op))
					continue
				}
				f(full, method, op, item, key+"."+name.Value)
			case slices.Contains(pathItemKeys, name.Value):
			case strings.HasPrefix(name.Value, "x-"):
				d.warnf(name, "Unsupported extension %s on path %s ignored", name.Value, path)
			default:
				d.warnf(name, "Unsupported method %s on path %s ignored", name.Value, path)
			}
		}
	})
}

// parameters returns the operation's parameters: the path item's, then
// the operation's (which replace those of the same name and place),
// $refs resolved.
func (d *importDoc) parameters(op, pathItem *yaml.Node, key string) []*yaml.Node {
	var out []*yaml.Node
	add := func(list *yaml.Node, k string) {
		for i, p := range d.items(list, k) {
			p = d.resolve(p, fmt.Sprintf("%s[%d]", k, i))
			if p == nil || p.Kind != yaml.MappingNode {
				continue
			}
			name, in := d.strOf(p, k, "name"), d.strOf(p, k, "in")
			out = slices.DeleteFunc(out, func(q *yaml.Node) bool {
				return d.get(q, "name").Value == name && d.get(q, "in").Value == in
			})
			if d.get(p, "name") == nil || d.get(p, "in") == nil {
				d.errorf(p, fmt.Sprintf("%s[%d]", k, i), "a parameter needs name and in")
				continue
			}
			out = append(out, p)
		}
	}
	add(d.get(pathItem, "parameters"), key+".parameters")
	add(d.get(op, "parameters"), key+".parameters")
	return out
}

// pathParams returns the names in a path's {param} parts.
func pathParams(path string) []string {
	var out []string
	for _, part := range strings.Split(path, "/") {
		if strings.HasPrefix(part, "{") && strings.HasSuffix(part, "}") {
			out = append(out, strings.TrimSuffix(part[1:len(part)-1], "+"))
		}
	}
	return out
}

// upper returns s upper-cased: OpenAPI documents may write enum values in
// lower case (aws_proxy, when_no_match).
func upper(s string) string { return strings.ToUpper(s) }

func join(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// describe names n's kind for messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if isNull(n) {
			return "null"
		}
		return strconv.Quote(n.Value)
	}
	return "an alias"
}

// securityRequirements returns the names and scopes of an operation's
// security (the document's when the operation has none): the first
// requirement object, as API Gateway uses one authorizer per method.
func (d *importDoc) securityRequirements(op *yaml.Node, key string) (names []string, scopes map[string][]string) {
	sec := d.get(op, "security")
	if sec == nil {
		sec, key = d.get(d.root, "security"), "security"
	}
	scopes = map[string][]string{}
	for i, req := range d.items(sec, key) {
		d.pairs(req, fmt.Sprintf("%s[%d]", key, i), func(k, v *yaml.Node) {
			names = append(names, k.Value)
			scopes[k.Value] = append(scopes[k.Value], d.stringsOf(req, fmt.Sprintf("%s[%d]", key, i), k.Value)...)
		})
	}
	return names, scopes
}

// securitySchemes returns the document's security schemes
// (components.securitySchemes, or Swagger's securityDefinitions).
func (d *importDoc) securitySchemes() (*yaml.Node, string) {
	if d.version == 2 {
		return d.get(d.root, "securityDefinitions"), "securityDefinitions"
	}
	return d.get(d.get(d.root, "components"), "securitySchemes"), "components.securitySchemes"
}

// unknownExtensions warns about the document-level x-amazon-apigateway-*
// extensions that are not in known.
func (d *importDoc) unknownExtensions(known []string, suffix string) {
	for i := 0; i+1 < len(d.root.Content); i += 2 {
		k := d.root.Content[i]
		if strings.HasPrefix(k.Value, "x-amazon-apigateway-") && !slices.Contains(known, k.Value) {
			d.warnf(k, "Unsupported extension %s ignored%s", k.Value, suffix)
		}
	}
}

// unknownKeys warns about the keys of mapping n that are not in known
// (nor vendor extensions other than API Gateway's): what the import
// leaves out, as AWS's warnings list it.
func (d *importDoc) unknownKeys(n *yaml.Node, what string, known []string) {
	if n == nil || n.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if !slices.Contains(known, k.Value) && (!strings.HasPrefix(k.Value, "x-") || strings.HasPrefix(k.Value, "x-amazon-apigateway-")) {
			d.warnf(k, "Unsupported %s property %s ignored", what, k.Value)
		}
	}
}
