package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"strings"

	"github.com/portico-gw/portico/config"
	"github.com/portico-gw/portico/openapi"
	"github.com/portico-gw/portico/template"
)

// overrides is --parameter-overrides: Key=Value pairs, as sam deploy
// takes them: repeated, several in one value separated by spaces, or
// CloudFormation's ParameterKey=Key,ParameterValue=Value.
type overrides map[string]string

func (o overrides) String() string { return "" }

func (o overrides) Set(s string) error {
	for _, f := range strings.Fields(s) {
		if err := o.add(f); err != nil {
			return err
		}
	}
	return nil
}

var longOverride = regexp.MustCompile(`^ParameterKey=([^,]+),ParameterValue=(.*)$`)

func (o overrides) add(kv string) error {
	if m := longOverride.FindStringSubmatch(kv); m != nil {
		o[m[1]] = m[2]
		return nil
	}
	k, v, ok := strings.Cut(kv, "=")
	if !ok || k == "" {
		return fmt.Errorf("%q: want Key=Value", kv)
	}
	o[k] = v
	return nil
}

// overrideArg matches an argument that continues --parameter-overrides
// (sam's `--parameter-overrides A=1 B=2`).
var overrideArg = regexp.MustCompile(`^(ParameterKey=|[A-Za-z0-9]+=)`)

// source is where serve and validate get their File: a config file, a
// template, or both (the file gives the node's settings, the template
// the APIs and functions).
type source struct {
	configPath, templatePath string
	params                   overrides
}

// sourceFlags defines --template and --parameter-overrides.
func (c *command) sourceFlags() *source {
	s := &source{params: overrides{}}
	c.flags.StringVar(&s.templatePath, "template", "", "")
	c.flags.StringVar(&s.templatePath, "t", "", "")
	c.flags.Var(s.params, "parameter-overrides", "")
	return s
}

// resolve picks the config file (optional with a template: --config or
// the argument) and takes the arguments that continue
// --parameter-overrides.
func (c *command) resolve(s *source, configFlag string, pos []string, stderr io.Writer) (code int, done bool) {
	if s.templatePath == "" {
		if len(s.params) > 0 {
			return c.usageError(stderr, "--parameter-overrides needs --template"), true
		}
		s.configPath, code, done = c.configPath(configFlag, pos, stderr)
		return code, done
	}
	var rest []string
	for _, a := range pos {
		if overrideArg.MatchString(a) {
			if err := s.params.add(a); err != nil {
				return c.usageError(stderr, "--parameter-overrides %v", err), true
			}
			continue
		}
		rest = append(rest, a)
	}
	// $PORTICO_CONFIG is not read here: the container image sets it to a
	// config with a demo API, which a template's user would not want merged.
	if len(rest) > 0 || configFlag != "" {
		s.configPath, code, done = c.configPath(configFlag, rest, stderr)
	}
	return code, done
}

// openAPI reads the OpenAPI documents that config entries name
// (openapi: FILE): startup, validate and SIGHUP all load through it.
var openAPI = config.OpenAPIImporter{
	REST: func(file string, doc []byte) (config.RestAPI, []string, error) {
		return openapi.ImportREST(file, doc, openapi.ImportOptions{})
	},
	HTTP: func(file string, doc []byte) (config.API, []string, error) {
		return openapi.ImportHTTP(file, doc, openapi.ImportOptions{})
	},
}

// loadConfigFile is config.Load with the OpenAPI importer.
func loadConfigFile(path string) (*config.File, error) {
	return config.LoadWith(path, config.LoadOptions{OpenAPI: openAPI})
}

// load reads the config file and the template and merges them.
func (s *source) load() (*config.File, error) {
	if s.templatePath == "" {
		return loadConfigFile(s.configPath)
	}
	var base *config.File
	opts := template.Options{Parameters: s.params}
	if s.configPath != "" {
		var err error
		if base, err = config.LoadWith(s.configPath, config.LoadOptions{Base: true, OpenAPI: openAPI}); err != nil {
			return nil, &loadError{what: "config", path: s.configPath, err: err}
		}
		opts.Region, opts.AccountID = base.Region, base.AccountID
		if len(base.Credentials) > 0 {
			// Generated API key values stay the same across restarts.
			opts.KeySecret = []byte(base.Credentials[0].SecretAccessKey)
		}
	}
	t, err := template.Load(s.templatePath, opts)
	if err != nil {
		return nil, &loadError{what: "template", path: s.templatePath, err: err}
	}
	merged := template.Merge(base, t)
	if err := config.Validate(merged, s.templatePath+" with "+nonEmpty(s.configPath, "no config file")); err != nil {
		return nil, &loadError{what: "template and config", err: err}
	}
	return merged, nil
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// loadError says which of the two files failed.
type loadError struct {
	what, path string
	err        error
}

func (e *loadError) Error() string { return e.err.Error() }
func (e *loadError) Unwrap() error { return e.err }

// loadSource is loadConfig for a source: a file that cannot be read is
// reported as such, an invalid one with every error and its
// file:line:col. Both exit 2.
func (c *command) loadSource(s *source, stderr io.Writer) (file *config.File, code int, done bool) {
	if s.templatePath == "" {
		return c.loadConfig(s.configPath, stderr)
	}
	file, err := s.load()
	if err == nil {
		return file, 0, false
	}
	what, path := "template", s.templatePath
	if le, ok := errors.AsType[*loadError](err); ok {
		what, path = le.what, le.path
	}
	if pe, ok := errors.AsType[*fs.PathError](err); ok && path != "" && pe.Path == path {
		why := pe.Err.Error()
		if errors.Is(pe.Err, fs.ErrNotExist) {
			why = "no such file"
		}
		fmt.Fprintf(stderr, "portico %s: %s: %s\n", c.name, path, why)
		return nil, exitUsage, true
	}
	fmt.Fprintf(stderr, "portico %s: invalid %s:\n%v\n", c.name, what, err)
	return nil, exitUsage, true
}
