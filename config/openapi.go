package config

import (
	"cmp"
	"errors"
	"os"
	"path/filepath"
	"slices"
)

// OpenAPIImporter reads the OpenAPI documents that restApis and apis
// entries name with openapi: (Portico extension). Package openapi's
// ImportREST and ImportHTTP do it; config cannot import that package (it
// imports config), so the loader's caller hands them in through
// LoadOptions. A nil function makes an entry that names a document an
// error.
type OpenAPIImporter struct {
	// REST reads a REST API's document; file names it in errors, which
	// are an ErrorList with the document's lines and columns.
	REST func(file string, doc []byte) (RestAPI, []string, error)
	// HTTP reads an HTTP API's document, as REST does.
	HTTP func(file string, doc []byte) (API, []string, error)
}

// LoadOptions are Load's variations.
type LoadOptions struct {
	// Base is LoadBase: the file may have no API.
	Base bool
	// OpenAPI reads the documents entries name (see OpenAPIImporter).
	OpenAPI OpenAPIImporter
}

// LoadWith is Load (or LoadBase, opt.Base) reading the OpenAPI documents
// that entries name with opt.OpenAPI: each such entry becomes the API its
// document describes, completed by the entry's own keys, before the file
// is validated.
func LoadWith(path string, opt LoadOptions) (*File, error) {
	return load(path, opt)
}

// restFromDocument are the keys of a restApis entry that its OpenAPI
// document gives; writing them beside openapi: is an error.
var restFromDocument = []string{"resources", "authorizers", "models", "requestValidators"}

// httpFromDocument are those of an apis entry.
var httpFromDocument = []string{"routes", "integrations", "authorizers", "routeSelectionExpression"}

// expandOpenAPI replaces each entry that names an OpenAPI document with
// the API the document describes, completed by the entry's own keys:
// restApiId/apiId, name, description, stages, binaryMediaTypes,
// apiKeySource, gatewayResponses (by type), corsConfiguration and limits
// override or add to what the document gives.
func expandOpenAPI(f *File, d *decoder) {
	for i := range f.RestAPIs {
		a := &f.RestAPIs[i]
		if a.OpenAPI == "" {
			continue
		}
		key := d.elem("restApis", i)
		doc, path, ok := d.readDocument(key, a.OpenAPI, d.openapi.REST != nil, restFromDocument, func(k string) bool {
			switch k {
			case "resources":
				return len(a.Resources) > 0
			case "authorizers":
				return len(a.Authorizers) > 0
			case "models":
				return len(a.Models) > 0
			}
			return len(a.RequestValidators) > 0
		})
		if !ok {
			continue
		}
		imp, warnings, err := d.openapi.REST(path, doc)
		if !d.documentProblems(key, err, warnings) {
			continue
		}
		imp.OpenAPI = a.OpenAPI
		imp.RestAPIID = a.RestAPIID
		imp.Name = cmp.Or(a.Name, imp.Name)
		imp.Description = cmp.Or(a.Description, imp.Description)
		imp.APIKeySource = cmp.Or(a.APIKeySource, imp.APIKeySource)
		if len(a.BinaryMediaTypes) > 0 {
			imp.BinaryMediaTypes = a.BinaryMediaTypes
		}
		for _, g := range a.GatewayResponses {
			imp.GatewayResponses = slices.DeleteFunc(imp.GatewayResponses, func(x GatewayResponse) bool { return x.ResponseType == g.ResponseType })
			imp.GatewayResponses = append(imp.GatewayResponses, g)
		}
		imp.Stages = a.Stages
		*a = imp
	}
	for i := range f.APIs {
		a := &f.APIs[i]
		if a.OpenAPI == "" {
			continue
		}
		key := d.elem("apis", i)
		if a.ProtocolType != "" && a.ProtocolType != "HTTP" {
			d.at(childKey(key, "openapi"), "an OpenAPI document describes an HTTP API; protocolType is %s", a.ProtocolType)
			continue
		}
		doc, path, ok := d.readDocument(key, a.OpenAPI, d.openapi.HTTP != nil, httpFromDocument, func(k string) bool {
			switch k {
			case "routes":
				return len(a.Routes) > 0
			case "integrations":
				return len(a.Integrations) > 0
			case "authorizers":
				return len(a.Authorizers) > 0
			}
			return a.RouteSelectionExpression != ""
		})
		if !ok {
			continue
		}
		imp, warnings, err := d.openapi.HTTP(path, doc)
		if !d.documentProblems(key, err, warnings) {
			continue
		}
		imp.OpenAPI = a.OpenAPI
		imp.APIID = a.APIID
		imp.Name = cmp.Or(a.Name, imp.Name)
		imp.Description = cmp.Or(a.Description, imp.Description)
		if a.CorsConfiguration != nil {
			imp.CorsConfiguration = a.CorsConfiguration
		}
		imp.Stages, imp.Limits, imp.APIKeySelectionExpression = a.Stages, a.Limits, a.APIKeySelectionExpression
		*a = imp
	}
}

// readDocument reads the document an entry names (relative to the config
// file), after checking that the entry writes none of the keys the
// document gives (has reports whether it does).
func (d *decoder) readDocument(key, name string, importer bool, fromDocument []string, has func(string) bool) ([]byte, string, bool) {
	okey := childKey(key, "openapi")
	if !importer {
		d.at(okey, "naming an OpenAPI document needs the OpenAPI importer (portico serve and validate have it)")
		return nil, "", false
	}
	clean := true
	for _, k := range fromDocument {
		if has(k) {
			d.at(childKey(key, k), "%s come from the OpenAPI document %s; write them there", k, name)
			clean = false
		}
	}
	if !clean {
		return nil, "", false
	}
	path := name
	if !filepath.IsAbs(path) {
		path = filepath.Join(d.baseDir, path)
	}
	doc, err := os.ReadFile(path)
	if err != nil {
		msg := err.Error()
		if pe, ok := errors.AsType[*os.PathError](err); ok {
			msg = pe.Op + " " + path + ": " + pe.Err.Error()
		}
		d.at(okey, "%s", msg)
		return nil, "", false
	}
	return doc, path, true
}

// documentProblems adds an import's errors (positioned in the document)
// and warnings; it reports whether the import succeeded.
func (d *decoder) documentProblems(key string, err error, warnings []string) bool {
	for _, w := range warnings {
		d.warns = append(d.warns, &Error{Msg: w})
	}
	if err == nil {
		return true
	}
	if l, ok := errors.AsType[ErrorList](err); ok {
		d.errs = append(d.errs, l...)
	} else {
		d.at(childKey(key, "openapi"), "%v", err)
	}
	return false
}
