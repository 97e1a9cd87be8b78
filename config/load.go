package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
)

// Load reads the YAML or JSON file at path, expands environment variables in
// its values, decodes it strictly into a File and validates it. It applies no
// defaults: what is absent stays zero. On any problem it returns a nil File
// and an ErrorList holding every problem found; otherwise the File's
// Warnings list what loaded but will not do what it may seem to.
func Load(path string) (*File, error) {
	return load(path, LoadOptions{})
}

// LoadBase is Load for a file whose APIs come from elsewhere (a SAM or
// CloudFormation template, see package template): it gives the node's
// settings (listeners, admin, credentials, NATS, ...) and may have no API.
// The merged File is validated again when it is applied.
func LoadBase(path string) (*File, error) {
	return load(path, LoadOptions{Base: true})
}

func load(path string, opt LoadOptions) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		msg := err.Error()
		if pe, ok := errors.AsType[*fs.PathError](err); ok {
			msg = pe.Op + ": " + pe.Err.Error() // the path is already in File
		}
		return nil, ErrorList{{File: path, Msg: msg, Err: err}}
	}
	return parseFile(path, data, os.LookupEnv, opt)
}

// Parse is Load for a file already in memory; filename names it in errors.
// Environment variables come from the process environment.
func Parse(filename string, data []byte) (*File, error) {
	return parse(filename, data, os.LookupEnv)
}

// parse is Parse with the environment lookup as a hook, for tests.
func parse(filename string, data []byte, lookupEnv func(string) (string, bool)) (*File, error) {
	return parseFile(filename, data, lookupEnv, LoadOptions{})
}

// parseFile is parse; base says that the file may have no API (LoadBase).
func parseFile(filename string, data []byte, lookupEnv func(string) (string, bool), opt LoadOptions) (*File, error) {
	whole := func(line int, format string, args ...any) (*File, error) {
		return nil, ErrorList{{File: filename, Line: line, Msg: fmt.Sprintf(format, args...)}}
	}
	if len(data) > maxFileBytes {
		return whole(0, "the file is %.1f MiB; Portico reads config files up to %d MiB", float64(len(data))/(1<<20), maxFileBytes>>20)
	}
	if strings.EqualFold(filepath.Ext(filename), ".json") {
		if err := checkJSON(filename, data); err != nil {
			return nil, err
		}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	switch err := dec.Decode(&doc); {
	case errors.Is(err, io.EOF):
		return whole(0, "the file is empty")
	case err != nil:
		return nil, syntaxError(filename, data, err)
	case len(doc.Content) == 0 || isNull(doc.Content[0]):
		return whole(0, "the file is empty")
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, syntaxError(filename, data, err)
	case len(next.Content) > 0 && !isNull(next.Content[0]):
		return whole(next.Content[0].Line, "a second YAML document (after ---): a config file holds one")
	}

	d := newDecoder(filename, lookupEnv)
	d.baseDir = filepath.Dir(filename)
	d.base, d.openapi = opt.Base, opt.OpenAPI
	root := doc.Content[0]
	d.pos[""] = root
	if root.Kind != yaml.MappingNode {
		d.errorf(root, "", "the top level must be a mapping of keys such as listen and apis, got %s", describe(root))
		return nil, d.errs
	}
	var f File
	d.decode(root, reflect.ValueOf(&f).Elem(), "")
	expanded := true
	if !d.stop && len(d.errs) == 0 {
		n := len(d.errs)
		expandOpenAPI(&f, d)
		expanded = len(d.errs) == n // else the entry has no API to check
	}
	if !d.stop && expanded {
		validate(&f, d)
	}
	if len(d.errs) > 0 {
		sortErrors(d.errs)
		return nil, d.errs
	}
	sortErrors(d.warns)
	f.Warnings = d.warns
	normaliseRest(&f, d.restResources)
	normaliseFunctions(&f, d)
	f.AssignAPIIDs()
	return &f, nil
}

// Validate checks a File that did not come from Load or Parse (built in
// code, or by the control plane or a template loader) by the rules Load
// applies. Its errors are an ErrorList whose entries name the key
// (apis[0].routes[1].target) but no line, since there is no file; source
// names the origin in each error. Validate changes nothing; IDs are
// assigned by AssignAPIIDs. It reports errors only: warnings are for files.
func Validate(f *File, source string) error {
	d := newDecoder(source, func(string) (string, bool) { return "", false })
	validate(f, d)
	if len(d.errs) > 0 {
		sortErrors(d.errs)
		return d.errs
	}
	return nil
}
