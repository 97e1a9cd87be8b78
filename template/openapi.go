package template

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/portico-gw/portico/config"
	"github.com/portico-gw/portico/openapi"
)

// OpenAPI definitions: AWS::Serverless::Api and HttpApi's DefinitionBody
// and DefinitionUri, AWS::ApiGateway::RestApi's and
// AWS::ApiGatewayV2::Api's Body and BodyS3Location, read by package
// openapi (the importer of the control plane and the config file). The
// API built from the definition then takes the functions' events as SAM
// merges them.

// definition returns the OpenAPI document that one of the properties
// body (inline: a mapping, intrinsics resolved, written back as YAML; or
// a string holding the document) or uri (a path relative to the
// template; a {Bucket, Key} mapping whose Key is such a path) gives, and
// the name errors give it. ok is false when neither is set or the
// document could not be read (the problem is recorded).
func (l *loader) definition(p *props, body, uri string) (doc []byte, file string, found, ok bool) {
	if n := p.get(body); n != nil {
		file = fmt.Sprintf("%s (%s.%s)", l.file, p.key, body)
		if n.Kind == yaml.ScalarNode {
			return []byte(n.Value), file, true, true
		}
		b, err := yaml.Marshal(n)
		if err != nil {
			l.errorf(n, p.key+"."+body, "%v", err)
			return nil, "", true, false
		}
		l.inline = n
		return b, file, true, true
	}
	n := p.get(uri)
	if n == nil {
		return nil, "", false, false
	}
	key := p.key + "." + uri
	var path string
	switch {
	case n.Kind == yaml.ScalarNode && strings.HasPrefix(n.Value, "s3://"):
		l.errorf(n, key, "%s is in S3, which Portico does not read: give a local path (relative to the template)", n.Value)
		return nil, "", true, false
	case n.Kind == yaml.ScalarNode:
		path = n.Value
	case n.Kind == yaml.MappingNode:
		loc := p.child(uri)
		bucket, k := loc.str("Bucket"), loc.str("Key")
		loc.done(uri, "Version")
		if k == "" {
			l.errorf(n, key, "want a local path, or Bucket and Key")
			return nil, "", true, false
		}
		path = k
		if _, err := os.Stat(filepath.Join(l.dir, k)); err != nil && !filepath.IsAbs(k) {
			l.errorf(n, key, "s3://%s/%s is in S3, which Portico does not read: give a local path (relative to the template)", bucket, k)
			return nil, "", true, false
		}
	default:
		l.errorf(n, key, "want a local path, got %s", describe(n))
		return nil, "", true, false
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(l.dir, path)
	}
	doc, err := os.ReadFile(path)
	if err != nil {
		msg := err.Error()
		if pe, isPath := errors.AsType[*os.PathError](err); isPath {
			msg = pe.Op + " " + path + ": " + pe.Err.Error()
		}
		l.errorf(n, key, "%s", msg)
		return nil, "", true, false
	}
	return doc, path, true, true
}

// imported records an import's errors (positioned in the document) and
// warnings; it reports whether the import succeeded.
func (l *loader) imported(p *props, doc []byte, file, body string, err error, warnings []string) bool {
	inline := l.inline
	l.inline = nil
	var where func(e *config.Error)
	if inline != nil {
		where = inlinePositions(l.file, p.key+"."+body, file, inline, doc)
	}
	for _, w := range warnings {
		l.warns = append(l.warns, &config.Error{Msg: w})
	}
	if err == nil {
		return true
	}
	if list, isList := errors.AsType[config.ErrorList](err); isList {
		for _, e := range list {
			if where != nil {
				where(e)
			}
			l.errs = append(l.errs, e)
		}
	} else {
		l.errorf(p.at, p.key, "%v", err)
	}
	return false
}

// restDefinition reads a REST API's definition into b, before the
// functions' events add their methods. ok is false when the definition
// was given and failed.
func (l *loader) restDefinition(b *restBuild, p *props, body, uri string) (imported *config.RestAPI, ok bool) {
	doc, file, found, ok := l.definition(p, body, uri)
	if !found {
		return nil, true
	}
	if !ok {
		return nil, false
	}
	api, warnings, err := openapi.ImportREST(file, doc, openapi.ImportOptions{})
	if !l.imported(p, doc, file, body, err, warnings) {
		return nil, false
	}
	o := definitionOrigin(b.res, p, body, uri)
	for _, r := range api.Resources {
		res := b.resource(r.Path)
		for verb, m := range r.ResourceMethods {
			if res.ResourceMethods == nil {
				res.ResourceMethods = map[string]config.RestMethod{}
			}
			m.HTTPMethod = verb
			res.ResourceMethods[verb] = m
			b.methods[r.Path+" "+verb] = o
		}
	}
	for _, a := range api.Authorizers {
		b.origins[fmt.Sprintf("authorizers[%d]", len(b.api.Authorizers))] = o
		b.api.Authorizers = append(b.api.Authorizers, a)
		if b.sam != nil {
			t := "CUSTOM"
			if a.Type == "COGNITO_USER_POOLS" {
				t = a.Type
			}
			b.sam.authTypes[a.Name] = t
		}
	}
	b.api.Models = append(b.api.Models, api.Models...)
	b.api.RequestValidators = append(b.api.RequestValidators, api.RequestValidators...)
	b.api.GatewayResponses = append(b.api.GatewayResponses, api.GatewayResponses...)
	return &api, true
}

// httpDefinition reads an HTTP API's definition into b, before the
// functions' events add their routes.
func (l *loader) httpDefinition(b *v2Build, p *props, body, uri string) (imported *config.API, ok bool) {
	doc, file, found, ok := l.definition(p, body, uri)
	if !found {
		return nil, true
	}
	if !ok {
		return nil, false
	}
	api, warnings, err := openapi.ImportHTTP(file, doc, openapi.ImportOptions{})
	if !l.imported(p, doc, file, body, err, warnings) {
		return nil, false
	}
	o := definitionOrigin(b.res, p, body, uri)
	ids := map[string]string{} // the importer's authorizer IDs → names, as SAM's events name them
	for i := range api.Authorizers {
		a := &api.Authorizers[i]
		ids[a.AuthorizerID], a.AuthorizerID = a.Name, a.Name
	}
	for i := range api.Routes {
		if id := api.Routes[i].AuthorizerID; id != "" {
			api.Routes[i].AuthorizerID = ids[id]
		}
	}
	for _, in := range api.Integrations {
		l.addIntegration(b, in, o)
	}
	for _, r := range api.Routes {
		l.addRoute(b, r, "", o)
	}
	for _, a := range api.Authorizers {
		b.origins[fmt.Sprintf("authorizers[%d]", len(b.api.Authorizers))] = o
		b.api.Authorizers = append(b.api.Authorizers, a)
		if b.sam != nil {
			t := "CUSTOM"
			if a.AuthorizerType == "JWT" {
				t = "JWT"
			}
			b.sam.authTypes[a.Name] = t
		}
	}
	return &api, true
}

// inlinePositions returns a function that moves an error of an inline
// definition (positioned in the YAML it was written back as, doc) to the
// template: the same node's line and column there, and its key under
// the property (Resources.Api.Properties.DefinitionBody.paths[...]).
// Errors at a position it cannot map keep the definition's.
func inlinePositions(template, key, file string, inline *yaml.Node, doc []byte) func(e *config.Error) {
	var again yaml.Node
	if yaml.Unmarshal(doc, &again) != nil || len(again.Content) == 0 {
		return nil
	}
	at := map[[2]int][2]int{}
	var walk func(a, b *yaml.Node, depth int)
	walk = func(a, b *yaml.Node, depth int) {
		if depth > 200 || a.Line == 0 {
			return
		}
		at[[2]int{b.Line, b.Column}] = [2]int{a.Line, a.Column}
		if len(a.Content) != len(b.Content) {
			return
		}
		for i := range a.Content {
			walk(a.Content[i], b.Content[i], depth+1)
		}
	}
	walk(inline, again.Content[0], 0)
	return func(e *config.Error) {
		if e.File != file {
			return
		}
		if pos, ok := at[[2]int{e.Line, e.Column}]; ok {
			e.File, e.Line, e.Column = template, pos[0], pos[1]
			if e.Key != "" {
				e.Key = key + "." + e.Key
			} else {
				e.Key = key
			}
		}
	}
}

// restAPIProps sets a REST API's name, description, binary media types
// and API key source from its properties, or else from its definition
// (def, nil when there is none), the name defaulting to the logical ID.
func (l *loader) restAPIProps(b *restBuild, p *props, def *config.RestAPI) {
	if def == nil {
		def = &config.RestAPI{}
	}
	b.api.Name = cmp.Or(p.str("Name"), def.Name, b.res.id)
	b.api.Description = cmp.Or(p.str("Description"), def.Description)
	b.api.BinaryMediaTypes = binaryMediaTypes(p.list("BinaryMediaTypes"))
	if len(b.api.BinaryMediaTypes) == 0 {
		b.api.BinaryMediaTypes = def.BinaryMediaTypes
	}
	b.api.APIKeySource = cmp.Or(p.str("ApiKeySourceType"), def.APIKeySource)
}

// definitionOrigin is where what a definition gives comes from: the
// property that gives it.
func definitionOrigin(r *resource, p *props, body, uri string) origin {
	if mapGet(p.node, body) != nil {
		return origin{res: r, at: p.nodeAt(body)}
	}
	return origin{res: r, at: p.nodeAt(uri)}
}
