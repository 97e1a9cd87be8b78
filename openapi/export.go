package openapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// ExportOptions say what ExportREST and ExportHTTP write.
type ExportOptions struct {
	// Spec is "oas30" (OpenAPI 3.0.1) or "swagger" (Swagger 2.0), as
	// apigateway GetExport's exportType; apigatewayv2 ExportApi's "OAS30"
	// is passed as "oas30". Empty means "oas30".
	Spec string
	// YAML writes YAML; false writes JSON.
	YAML bool
	// Extensions are GetExport's ?extensions= values: "integrations"
	// (x-amazon-apigateway-integration), "authorizers"
	// (x-amazon-apigateway-authtype and -authorizer), "validators"
	// (x-amazon-apigateway-request-validator(s)) and "apigateway" (all
	// x-amazon-apigateway-* extensions). ExportApi's includeExtensions is
	// {"apigateway"}. Other values ("postman") add nothing.
	Extensions []string
	// Stage is the stage exported: the base path of the servers
	// (OpenAPI 3) or basePath (Swagger 2).
	Stage string
	// ServerURL is the API's base URL as Portico serves it, without the
	// stage (http://127.0.0.1:8080/_aws/execute-api/abc123). Empty means
	// AWS's form, https://{id}.execute-api.us-east-1.amazonaws.com.
	ServerURL string
	// Version is info.version: AWS writes the deployment's creation date
	// for REST APIs ("2016-09-20T18:11:30Z") and the API's version or the
	// export's date for HTTP APIs. Empty means "1.0".
	Version string

	// The REST API's fields that config.RestAPI does not carry (the
	// control plane keeps them), exported with the "apigateway"
	// extensions.

	// Policy is the resource policy, a JSON document
	// (x-amazon-apigateway-policy). Empty: none.
	Policy string
	// MinimumCompressionSize is x-amazon-apigateway-minimum-compression-size.
	// Nil: none.
	MinimumCompressionSize *int
	// VPCEndpointIDs (the endpointConfiguration's vpcEndpointIds) and
	// DisableExecuteAPIEndpoint are x-amazon-apigateway-endpoint-configuration,
	// written when either is set. (The extension has no endpoint types:
	// AWS's import takes them as a parameter.)
	VPCEndpointIDs            []string
	DisableExecuteAPIEndpoint bool
}

// exportSpec is what the options ask for, checked.
type exportSpec struct {
	ExportOptions
	swagger                                    bool
	integrations, authorizers, validators, all bool
}

// expCheck checks opt and reads its extensions.
func expCheck(opt ExportOptions) (exportSpec, error) {
	s := exportSpec{ExportOptions: opt}
	switch strings.ToLower(opt.Spec) {
	case "", "oas30":
	case "swagger":
		s.swagger = true
	default:
		return s, fmt.Errorf("openapi: unknown export type %q (want oas30 or swagger)", opt.Spec)
	}
	for _, e := range opt.Extensions {
		switch strings.TrimSpace(strings.ToLower(e)) {
		case "integrations":
			s.integrations = true
		case "authorizers":
			s.authorizers = true
		case "validators":
			s.validators = true
		case "apigateway":
			s.integrations, s.authorizers, s.validators, s.all = true, true, true, true
		}
	}
	return s, nil
}

// obj is one object of the document. encoding/json and yaml.v3 both
// write a map's keys sorted, so the output is deterministic.
type obj = map[string]any

// expEncode writes doc as JSON (indented, HTML characters not escaped) or
// YAML.
func expEncode(doc obj, asYAML bool) ([]byte, error) {
	if asYAML {
		node, err := expYAMLNode(expValidUTF8(doc)) // yaml.v3 would write invalid UTF-8 as !!binary
		if err != nil {
			return nil, fmt.Errorf("openapi: writing YAML: %w", err)
		}
		var b bytes.Buffer
		enc := yaml.NewEncoder(&b)
		enc.SetIndent(2)
		if err := enc.Encode(node); err != nil {
			return nil, fmt.Errorf("openapi: writing YAML: %w", err)
		}
		if err := enc.Close(); err != nil {
			return nil, fmt.Errorf("openapi: writing YAML: %w", err)
		}
		return b.Bytes(), nil
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("openapi: writing JSON: %w", err)
	}
	return b.Bytes(), nil
}

// expValidUTF8 returns v with every string key and value made valid
// UTF-8 (each bad byte becomes U+FFFD, as encoding/json writes it).
func expValidUTF8(v any) any {
	switch x := v.(type) {
	case string:
		return expValidString(x)
	case []string:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = expValidString(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = expValidUTF8(e)
		}
		return out
	case obj:
		out := make(obj, len(x))
		for k, e := range x {
			out[expValidString(k)] = expValidUTF8(e)
		}
		return out
	}
	return v
}

// expYAMLNode builds the YAML of v (the document's shapes: obj, lists,
// strings, numbers, booleans), keys sorted. A string that yaml.v3's own
// choice of style would not read back as written (one of only line
// breaks, as a mapping template may be) is double-quoted.
func expYAMLNode(v any) (*yaml.Node, error) {
	switch x := v.(type) {
	case obj:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		for _, k := range expSortedKeys(x) {
			kn, err := expYAMLNode(k)
			if err != nil {
				return nil, err
			}
			vn, err := expYAMLNode(x[k])
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, kn, vn)
		}
		return n, nil
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, e := range x {
			en, err := expYAMLNode(e)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, en)
		}
		return n, nil
	case []string:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = e
		}
		return expYAMLNode(l)
	}
	n := new(yaml.Node)
	if err := n.Encode(v); err != nil {
		return nil, err
	}
	if s, ok := v.(string); ok && n.Style != yaml.DoubleQuotedStyle && !expYAMLReadsBack(s) {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Style: yaml.DoubleQuotedStyle}, nil
	}
	return n, nil
}

// expYAMLReadsBack reports whether s, written by yaml.v3 as a mapping's
// key and as its value, reads back as s.
func expYAMLReadsBack(s string) bool {
	for _, doc := range []map[string]string{{"k": s}, {s: "v"}} {
		b, err := yaml.Marshal(doc)
		var back map[string]string
		if err != nil || yaml.Unmarshal(b, &back) != nil || !maps.Equal(back, doc) {
			return false
		}
	}
	return true
}

// expValidString replaces each byte of s that is not part of valid UTF-8
// with U+FFFD, as encoding/json does.
func expValidString(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b.WriteString("\uFFFD")
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// expServers is an OpenAPI 3 document's servers: the base URL and the
// stage as the basePath variable, as AWS writes them.
func expServers(base, stage string) []any {
	s := obj{"url": strings.TrimSuffix(base, "/") + "/{basePath}"}
	if stage != "" {
		s["variables"] = obj{"basePath": obj{"default": "/" + stage}}
	}
	return []any{s}
}

// expSwaggerHost splits base into a Swagger 2 document's host, the path
// before the stage, and its scheme.
func expSwaggerHost(base string) (host, prefix, scheme string) {
	scheme, rest, ok := strings.Cut(base, "://")
	if !ok {
		return base, "", "https"
	}
	host, prefix, _ = strings.Cut(rest, "/")
	if prefix != "" {
		prefix = "/" + strings.TrimSuffix(prefix, "/")
	}
	return host, prefix, scheme
}

// expLower writes an enum value as AWS's exports do: lower case.
func expLower(s string) string { return strings.ToLower(s) }

// expStrings returns a copy of m as a document object, or nil when empty.
func expStrings(m map[string]string) obj {
	if len(m) == 0 {
		return nil
	}
	out := make(obj, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// expSet sets key to v unless v is empty ("", nil, an empty object or list).
func expSet(o obj, key string, v any) {
	switch x := v.(type) {
	case string:
		if x == "" {
			return
		}
	case obj:
		if len(x) == 0 {
			return
		}
	case []any:
		if len(x) == 0 {
			return
		}
	case []string:
		if len(x) == 0 {
			return
		}
	case nil:
		return
	}
	o[key] = v
}

// expSortedKeys returns m's keys, sorted.
func expSortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
