package rest

import (
	"strings"
	"testing"
)

// fillByRegexp is how httpProxy filled the URI before uriTemplate: one
// regular expression replacement per request. uriTemplate must agree with
// it on every input.
func fillByRegexp(uri string, stageVars, pathParams map[string]string, query string) string {
	u := placeholder.ReplaceAllStringFunc(uri, func(s string) string {
		m := placeholder.FindStringSubmatch(s)
		if m[1] != "" {
			return stageVars[m[1]]
		}
		return pathParams[m[2]]
	})
	if query != "" {
		sep := "?"
		if strings.Contains(u, "?") {
			sep = "&"
		}
		u += sep + query
	}
	return u
}

var uriTemplateCases = []struct {
	name, uri, query string
	want             string
}{
	{"literal", "http://backend/items", "", "http://backend/items"},
	{"greedy", "http://backend/{proxy}", "", "http://backend/a/b%2Fc"},
	{"greedy plus", "http://backend/{proxy+}", "a=1", "http://backend/a/b%2Fc?a=1"},
	{"stage variable host", "${stageVariables.host}/x/{id}", "", "http://staged:8080/x/42"},
	{"query in the URI", "http://backend/q?fixed=1&id={id}", "b=2", "http://backend/q?fixed=1&id=42&b=2"},
	{"question mark from a variable", "http://backend/{proxy}${stageVariables.q}", "b=2", "http://backend/a/b%2Fc?v=1&b=2"},
	{"missing names", "http://backend/{nope}/${stageVariables.nope}/end", "", "http://backend///end"},
	{"not placeholders", "http://backend/{a b}/${other.x}/{}/$", "", "http://backend/{a b}/$/{}/$"},
	{"adjacent", "http://b/{id}{id}${stageVariables.host}", "", "http://b/4242http://staged:8080"},
}

var (
	testStageVars  = map[string]string{"host": "http://staged:8080", "q": "?v=1"}
	testPathParams = map[string]string{"proxy": "a/b%2Fc", "id": "42", "x": "${stageVariables.host}"}
)

func TestURITemplateFill(t *testing.T) {
	for _, tc := range uriTemplateCases {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := parseURITemplate(tc.uri)
			got := tmpl.fill(testStageVars, func(name string) string { return testPathParams[name] }, tc.query)
			if got != tc.want {
				t.Errorf("fill = %q; want %q", got, tc.want)
			}
			if old := fillByRegexp(tc.uri, testStageVars, testPathParams, tc.query); got != old {
				t.Errorf("fill = %q; the regular expression gives %q", got, old)
			}
		})
	}
}

func FuzzURITemplate(f *testing.F) {
	for _, tc := range uriTemplateCases {
		f.Add(tc.uri, tc.query)
	}
	f.Add("{x}", "")
	f.Add("${stageVariables.}{.}{-+}{_++}", "?")
	f.Fuzz(func(t *testing.T, uri, query string) {
		tmpl := parseURITemplate(uri)
		got := tmpl.fill(testStageVars, func(name string) string { return testPathParams[name] }, query)
		if want := fillByRegexp(uri, testStageVars, testPathParams, query); got != want {
			t.Errorf("parseURITemplate(%q).fill(…, %q) = %q; the regular expression gives %q", uri, query, got, want)
		}
	})
}
