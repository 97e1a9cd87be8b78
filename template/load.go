package template

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/portico-gw/portico/config"
)

// Options are what a template does not say itself. The zero value is
// usable.
type Options struct {
	// Parameters override the template's parameter defaults, as
	// `sam deploy --parameter-overrides Key=Value` does. A key the
	// template does not declare is an error.
	Parameters map[string]string
	// Region is AWS::Region. Zero means us-east-1.
	Region string
	// AccountID is AWS::AccountId. Zero means 000000000000.
	AccountID string
	// StackName is AWS::StackName. Zero means "portico".
	StackName string
	// KeySecret keys the values of the API keys the template leaves to
	// AWS to generate (SAM's Auth.UsagePlan, an AWS::ApiGateway::ApiKey
	// without Value), so that they are the same on every load: portico
	// serve passes the config file's first credentials secret key. Empty
	// means a secret drawn once per process.
	KeySecret []byte
}

// maxTemplateBytes bounds a template file (CloudFormation's own limit for
// a template read from S3 is 1 MB; local SAM templates can be larger).
const maxTemplateBytes = 16 << 20

// Load reads the SAM or CloudFormation template at path and converts it
// to a config.File holding its APIs, REST APIs, functions, API keys and
// usage plans, validated by config.Validate. Relative CodeUris are taken
// from the template's directory. On any problem it returns a nil File and
// a config.ErrorList with every problem found, each naming file:line:col;
// otherwise the File's Warnings list what was skipped or not acted on.
func Load(path string, opts Options) (*config.File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		msg := err.Error()
		if pe, ok := errors.AsType[*fs.PathError](err); ok {
			msg = pe.Op + ": " + pe.Err.Error()
		}
		return nil, config.ErrorList{{File: path, Msg: msg, Err: err}}
	}
	return Parse(path, data, opts)
}

// Parse is Load for a template already in memory; filename names it in
// errors, and its directory is where relative CodeUris start.
func Parse(filename string, data []byte, opts Options) (*config.File, error) {
	l := newLoader(filename, opts)
	if len(data) > maxTemplateBytes {
		l.errorf(nil, "", "the template is %.1f MiB; Portico reads templates up to %d MiB", float64(len(data))/(1<<20), maxTemplateBytes>>20)
		return nil, l.errs
	}
	root, err := parseYAML(data)
	if err != nil {
		return nil, config.ErrorList{l.yamlError(err)}
	}
	if root == nil {
		l.errorf(nil, "", "the template is empty")
		return nil, l.errs
	}
	if root.Kind != yaml.MappingNode {
		l.errorf(root, "", "the top level must be a mapping with Resources, got %s", describe(root))
		return nil, l.errs
	}
	normaliseTags(root)
	if l.prepare(root) {
		l.build()
	}
	if len(l.errs) == 0 {
		l.validate()
	}
	if len(l.errs) > 0 {
		sortErrors(l.errs)
		return nil, l.errs
	}
	sortErrors(l.warns)
	l.out.Warnings = l.warns
	return &l.out, nil
}

func newLoader(filename string, opts Options) *loader {
	return &loader{
		file:      filename,
		dir:       filepath.Dir(filename),
		opts:      opts,
		region:    cmp.Or(opts.Region, "us-east-1"),
		account:   cmp.Or(opts.AccountID, "000000000000"),
		stack:     cmp.Or(opts.StackName, "portico"),
		params:    map[string]*yaml.Node{},
		conds:     map[string]*yaml.Node{},
		condState: map[string]int8{},
		resources: map[string]*resource{},
		origins:   map[string]origin{},
		usedIDs:   map[string]bool{},
	}
}

// Merge adds the APIs, REST APIs, functions, API keys, usage plans and
// warnings of tmpl (a File from Load) to a copy of base (a File from
// config.Load, which gives the listeners, the admin listener,
// credentials and NATS) and returns the copy. base may be nil: the result
// then has the defaults of an empty config file. Merge validates nothing;
// Apply does, and so does config.Validate.
func Merge(base, tmpl *config.File) *config.File {
	var out config.File
	if base != nil {
		out = *base
	}
	out.APIs = slices.Concat(out.APIs, tmpl.APIs)
	out.RestAPIs = slices.Concat(out.RestAPIs, tmpl.RestAPIs)
	out.Functions = slices.Concat(out.Functions, tmpl.Functions)
	out.APIKeys = slices.Concat(out.APIKeys, tmpl.APIKeys)
	out.UsagePlans = slices.Concat(out.UsagePlans, tmpl.UsagePlans)
	out.UsagePlanKeys = slices.Concat(out.UsagePlanKeys, tmpl.UsagePlanKeys)
	out.Warnings = slices.Concat(out.Warnings, tmpl.Warnings)
	return &out
}

// parseYAML decodes the one document of data; nil means empty.
func parseYAML(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	switch err := dec.Decode(&doc); {
	case errors.Is(err, io.EOF):
		return nil, nil
	case err != nil:
		return nil, err
	}
	if len(doc.Content) == 0 || doc.Content[0].Tag == "!!null" {
		return nil, nil
	}
	return doc.Content[0], nil
}

// yamlError turns a yaml.v3 syntax error into an Error with its line.
func (l *loader) yamlError(err error) *config.Error {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if i := strings.IndexByte(rest, ':'); i > 0 {
			if _, e := fmt.Sscanf(rest[:i], "%d", &line); e == nil {
				msg = strings.TrimSpace(rest[i+1:])
			}
		}
	}
	return &config.Error{File: l.file, Line: line, Msg: msg, Err: err}
}

// describe names a node's kind for messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "an alias"
}

// sortErrors puts l in file order, problems without a position first.
func sortErrors(l config.ErrorList) {
	slices.SortStableFunc(l, func(a, b *config.Error) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Column - b.Column
	})
}
