package httpapi

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestFastTargetIsTargetURL holds fastTarget to what parsing gives: where it
// answers, its URL is targetURL's String, byte for byte; and it answers for
// the plain URLs that most integrations have.
func TestFastTargetIsTargetURL(t *testing.T) {
	uris := []string{
		"http://backend", "http://backend/", "http://backend:8080/items", "https://b.example.com/a/b/",
		"http://backend/x?", "http://backend/x?a=1", "http://backend?a=1", "http://backend/x??", "http://b/x?a=%zz",
		"HTTP://backend/x", "http://user@backend/x", "http://[::1]:80/x", "http://backend/a%2Fb", "http://backend/a b",
		"http://backend/x#frag", "http://backend/x?a#b", "http://:80/x", "http://backend:8x/", "http:///x", "ftp://backend/x",
		"http://backend/{proxy}", "http://backend/é", "http://back_end/x", "http://backend/a;b",
	}
	rests := []string{"/", "/echo", "/a/b/", "/a%20b", "/a%2", "/a%zz", "/a;b=c", "/a b", "/[x]", "/é", "//x"}
	queries := []string{"", "q=1", "a=1&b=2", "x=%zz", "a b"}
	plain := map[string]bool{"http://backend/": true, "http://backend:8080/items": true, "https://b.example.com/a/b/": true}
	for _, uri := range uris {
		for _, key := range []string{"ANY /{proxy+}", "$default"} {
			for _, rest := range rests {
				for _, query := range queries {
					r := httptest.NewRequest("GET", "http://gw/x", nil)
					r.URL.RawQuery = query
					q := &request{r: r, rest: rest}
					got, ok := fastTarget(uri, key == "$default", rest, query)
					if !ok {
						if plain[uri] && (key != "$default" || rest == "/echo") {
							t.Errorf("fastTarget(%q, %q, %q, %q) declined a plain URL", uri, key, rest, query)
						}
						continue
					}
					u, err := targetURL(uri, q, &route{key: key})
					if err != nil {
						t.Errorf("fastTarget(%q, %q, %q, %q) = %q; url.Parse fails: %v", uri, key, rest, query, got, err)
						continue
					}
					if want := u.String(); got != want {
						t.Errorf("fastTarget(%q, %q, %q, %q) = %q; want %q", uri, key, rest, query, got, want)
					}
				}
			}
		}
	}
}

// TestTargetFillIsReplace holds target.fill to the two regular expression
// passes it replaces: stage variables first, then path parameters.
func TestTargetFillIsReplace(t *testing.T) {
	stageVars := map[string]string{"host": "backend:8080", "odd": "{proxy}", "open": "{pro"}
	params := map[string]string{"proxy": "a/b c", "id": "1", "xy}": "no"}
	for _, uri := range []string{
		"http://backend/x", "http://${stageVariables.host}/{proxy}", "http://b/{id}/{missing}/{proxy+}",
		"http://b/${stageVariables.odd}", "http://b/${stageVariables.open}xy}", "http://b/${stageVariables.none}/{id}",
		"${stageVariables.host}", "{id}", "", "http://b/{bad name}/{}", "http://b/${stageVariables.a-b}",
	} {
		want := replaceByRegexp(uri, stageVars, params)
		if got := newTarget(uri, stageVars).fill(params); got != want {
			t.Errorf("fill(%q) = %q; want %q", uri, got, want)
		}
	}
}

// replaceByRegexp is how the integration URI was filled before target.
func replaceByRegexp(uri string, stageVars, params map[string]string) string {
	uri = stageVarRE.ReplaceAllStringFunc(uri, func(s string) string {
		return stageVars[stageVarRE.FindStringSubmatch(s)[1]]
	})
	return uriParamRE.ReplaceAllStringFunc(uri, func(s string) string {
		name := strings.TrimSuffix(uriParamRE.FindStringSubmatch(s)[1], "+")
		v, ok := params[name]
		if !ok {
			return s
		}
		return (&url.URL{Path: v}).EscapedPath()
	})
}
