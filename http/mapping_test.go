package httpapi

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/portico-gw/portico/expr"
)

// fakeSource resolves references from a map; missing keys are absent.
type fakeSource map[string]string

// Value implements expr.Scope.
func (f fakeSource) Value(ref *expr.Ref) (string, bool) {
	v, ok := f[ref.String()]
	return v, ok
}

// lookup resolves one reference, written without "$" or braces, from src.
func lookup(tb testing.TB, src expr.Scope, ref string) (string, bool) {
	tb.Helper()
	t, err := expr.ParseMapping("${" + ref + "}")
	if err != nil {
		tb.Fatal(err)
	}
	return src.Value(t.Parts()[0].Ref)
}

// parts renders a template's parts as "text" and "{ref}" pieces, for
// comparing.
func parts(t *expr.Template) []string {
	var out []string
	for _, p := range t.Parts() {
		if p.Ref != nil {
			out = append(out, "{"+p.Ref.String()+"}")
		} else {
			out = append(out, p.Text)
		}
	}
	return out
}

func TestMappingTemplateParse(t *testing.T) {
	tests := []struct {
		in   string
		want []string // nil: static with no parts
		err  string   // substring of the error, "" for none
	}{
		{in: "static value", want: []string{"static value"}},
		{in: "", want: nil},
		{in: "'quoted'", want: []string{"'quoted'"}},
		{in: "$request.header.x-id", want: []string{"{request.header.x-id}"}},
		{in: "${request.header.x-id}", want: []string{"{request.header.x-id}"}},
		{in: "/v2$request.path", want: []string{"/v2", "{request.path}"}},
		{in: "Bearer ${request.header.token}", want: []string{"Bearer ", "{request.header.token}"}},
		{in: "${request.path.name} ${request.path.id}", want: []string{"{request.path.name}", " ", "{request.path.id}"}},
		{in: "/approvals/$request.path.proxy", want: []string{"/approvals/", "{request.path.proxy}"}},
		{in: "$request.path.id/items", want: []string{"{request.path.id}", "/items"}},
		{in: "$request.path/x", want: []string{"{request.path}", "/x"}},
		{in: "id $context.requestId.", want: []string{"id ", "{context.requestId}", "."}},
		{in: "$context.authorizer.claims.sub", want: []string{"{context.authorizer.claims.sub}"}},
		{in: "a$stageVariables.env-b", want: []string{"a", "{stageVariables.env}", "-b"}},
		{in: "$request.querystring.q&x", want: []string{"{request.querystring.q}", "&x"}},
		{in: "$request.body", want: []string{"{request.body}"}},
		{in: "$request.body.items[0].id", want: []string{"{request.body.items[0].id}"}},
		{in: "$request.body[1].a", want: []string{"{request.body[1].a}"}},
		{in: "${request.body.a-b_c}", want: []string{"{request.body.a-b_c}"}},
		{in: "${request.body.a b}", err: "invalid character ' '"},
		{in: "$request.bodyguard", err: "unknown source $request.bodyguard"},
		{in: "$request.pathology", err: "unknown source $request.pathology"},
		{in: "$response.header.etag", want: []string{"{response.header.etag}"}},
		{in: "${response.body.error.code}", want: []string{"{response.body.error.code}"}},
		{in: "cost $5", want: []string{"cost $5"}},
		{in: "$default", want: []string{"$default"}},
		{in: "$", want: []string{"$"}},
		{in: "$$request.path", want: []string{"$", "{request.path}"}},
		{in: "${request.header.x", err: "unterminated ${"},
		{in: "${}", err: "empty reference"},
		{in: "${foo.bar}", err: "unknown source"},
		{in: "${request.method}", err: "unknown source"},
		{in: "$request.method", err: "unknown source $request.method"},
		{in: "$request.header.", err: "needs a name"},
		{in: "${request.header.}", err: "not a header name"},
		{in: "${request.header.a b}", err: "not a header name"},
		{in: "${request.querystring.}", err: "empty query string"},
		{in: "${request.path.}", err: "empty path parameter"},
		{in: "$request.body..name", err: "recursive descent"},
		{in: "${request.body..name}", err: "recursive descent"},
		{in: "${request.body.items[?(@.id)]}", err: "filter expressions"},
		{in: "${request.body.items[*]}", err: "want an array index"},
		{in: "${request.body.*}", err: "wildcards"},
		{in: "${request.body.a[x]}", err: "want an array index"},
		{in: "${request.body.a[0}", err: "unterminated ["},
		{in: "${request.bodyx}", err: "want .name or [N]"},
		{in: "${context.a-b}", err: "context variable names"},
		{in: "${context.}", err: "context variable names"},
		{in: "${stageVariables.a.b}", err: "stage variable names"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := expr.ParseMapping(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("ParseMapping(%q) error = %v, want %q", tc.in, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseMapping(%q): %v", tc.in, err)
			}
			if p := parts(got); !slices.Equal(p, tc.want) {
				t.Errorf("parts = %q, want %q", p, tc.want)
			}
		})
	}
}

func TestMappingTemplateRender(t *testing.T) {
	src := fakeSource{
		"request.header.token": "abc",
		"request.path":         "/items/a%20b",
		"request.path.name":    "a b/c",
		"request.path.id":      "7",
		"context.requestId":    "req-1",
		"request.header.empty": "",
	}
	tests := []struct {
		name, in string
		path     bool // render as an overwrite:path value
		want     string
		ok       bool
	}{
		{"static", "hello", false, "hello", true},
		{"empty", "", false, "", true},
		{"one reference", "$request.header.token", false, "abc", true},
		{"mixed", "Bearer ${request.header.token}", false, "Bearer abc", true},
		{"two", "${request.path.name} ${request.path.id}", false, "a b/c 7", true},
		{"absent", "$request.header.missing", false, "", false},
		{"absent in a mix", "Bearer ${request.header.missing}", false, "", false},
		{"present empty", "$request.header.empty", false, "", true},
		{"path prefix", "/v2$request.path", true, "/v2/items/a%20b", true},
		{"path param escaped, slashes kept", "/x/${request.path.name}", true, "/x/a%20b/c", true},
		{"path static escaped", "/a b?c#d/%41/%zz", true, "/a%20b%3Fc%23d/%41/%25zz", true},
		{"path absent", "/x/$request.path.missing", true, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tmpl, err := expr.ParseMapping(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			var esc func(*expr.Ref, string) string
			if tc.path {
				esc = escapePathValue
			}
			got, ok := tmpl.Expand(src, esc)
			if got != tc.want || ok != tc.ok {
				t.Errorf("render = %q, %v; want %q, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
	if _, ok := mustTemplate(t, "$request.path").Expand(nil, nil); ok {
		t.Error("a nil source resolved a reference")
	}
}

func mustTemplate(t testing.TB, s string) *expr.Template {
	t.Helper()
	tmpl, err := expr.ParseMapping(s)
	if err != nil {
		t.Fatal(err)
	}
	return tmpl
}

func TestMappingRequest(t *testing.T) {
	src := fakeSource{
		"request.header.header1": "h1",
		"request.header.x-id":    "id-1",
		"request.header.nl":      "a\r\nInjected: yes",
		"request.querystring.qs": "q1,q2",
		"request.path":           "/items/1",
		"request.path.id":        "1",
		"context.requestId":      "req-1",
		"stageVariables.env":     "prod",
	}
	tests := []struct {
		name      string
		params    map[string]string
		header    http.Header
		query     url.Values
		path      string
		wantHdr   http.Header
		wantQuery url.Values
		wantPath  string
	}{
		{
			name:    "append a new header",
			params:  map[string]string{"append:header.header1": "$context.requestId"},
			header:  http.Header{"Accept": {"*/*"}},
			wantHdr: http.Header{"Accept": {"*/*"}, "Header1": {"req-1"}},
		},
		{
			name:    "append to an existing header adds a field",
			params:  map[string]string{"append:header.header": "header3"},
			header:  http.Header{"Header": {"header1", "header2"}},
			wantHdr: http.Header{"Header": {"header1", "header2", "header3"}},
		},
		{
			name:    "overwrite replaces every field",
			params:  map[string]string{"overwrite:header.header": "header3"},
			header:  http.Header{"Header": {"header1", "header2"}},
			wantHdr: http.Header{"Header": {"header3"}},
		},
		{
			name:    "overwrite a new header",
			params:  map[string]string{"overwrite:header.new-header": "new header"},
			header:  http.Header{},
			wantHdr: http.Header{"New-Header": {"new header"}},
		},
		{
			name:    "overwrite matches any casing",
			params:  map[string]string{"overwrite:header.x-id": "$request.header.x-id"},
			header:  http.Header{"X-Id": {"spoofed"}, "x-id": {"spoofed too"}},
			wantHdr: http.Header{"X-Id": {"id-1"}},
		},
		{
			name:    "remove",
			params:  map[string]string{"remove:header.header": "''"},
			header:  http.Header{"Header": {"header1"}, "Other": {"o"}},
			wantHdr: http.Header{"Other": {"o"}},
		},
		{
			name:    "remove an absent header",
			params:  map[string]string{"remove:header.nothing": ""},
			header:  http.Header{"Other": {"o"}},
			wantHdr: http.Header{"Other": {"o"}},
		},
		{
			name:    "overwrite wins over append",
			params:  map[string]string{"append:header.header": "header3", "overwrite:header.Header": "header4"},
			header:  http.Header{"Header": {"header1"}},
			wantHdr: http.Header{"Header": {"header4"}},
		},
		{
			name:    "remove wins over append",
			params:  map[string]string{"append:header.header": "header3", "remove:header.Header": "''"},
			header:  http.Header{"Header": {"header1"}},
			wantHdr: http.Header{},
		},
		{
			name:    "remove wins over overwrite",
			params:  map[string]string{"overwrite:header.header": "header3", "remove:header.Header": "''"},
			header:  http.Header{"Header": {"header1"}},
			wantHdr: http.Header{},
		},
		{
			name:    "rename reads the request as it arrived",
			params:  map[string]string{"append:header.header2": "$request.header.header1", "remove:header.header1": "''"},
			header:  http.Header{"Header1": {"h1"}},
			wantHdr: http.Header{"Header2": {"h1"}},
		},
		{
			name:    "an absent append adds nothing",
			params:  map[string]string{"append:header.x": "$request.header.missing"},
			header:  http.Header{"X": {"client"}},
			wantHdr: http.Header{"X": {"client"}},
		},
		{
			name:    "an absent overwrite removes the client's value",
			params:  map[string]string{"overwrite:header.x-user": "${context.authorizer.claims.sub}"},
			header:  http.Header{"X-User": {"admin"}},
			wantHdr: http.Header{},
		},
		{
			name:    "a value with a line break is absent",
			params:  map[string]string{"overwrite:header.x": "$request.header.nl", "append:header.y": "$request.header.nl"},
			header:  http.Header{"X": {"client"}},
			wantHdr: http.Header{},
		},
		{
			name:    "a mixed value",
			params:  map[string]string{"overwrite:header.x-env": "env=${stageVariables.env};id=${request.path.id}"},
			header:  http.Header{},
			wantHdr: http.Header{"X-Env": {"env=prod;id=1"}},
		},
		{
			name: "reserved headers are untouched",
			params: map[string]string{
				"remove:header.x-custom": "", "overwrite:header.x-other": "v", "append:header.x-third": "w",
			},
			header: http.Header{
				"Authorization": {"Bearer t"}, "X-Amz-Date": {"20260101T000000Z"}, "X-Forwarded-For": {"192.0.2.1"},
				"Forwarded": {"for=192.0.2.1"}, "Content-Length": {"3"}, "Apigw-Requestid": {"r"}, "X-Custom": {"c"},
			},
			wantHdr: http.Header{
				"Authorization": {"Bearer t"}, "X-Amz-Date": {"20260101T000000Z"}, "X-Forwarded-For": {"192.0.2.1"},
				"Forwarded": {"for=192.0.2.1"}, "Content-Length": {"3"}, "Apigw-Requestid": {"r"},
				"X-Other": {"v"}, "X-Third": {"w"},
			},
		},
		{
			name:      "append a query parameter value",
			params:    map[string]string{"append:querystring.qs": "qs3", "append:querystring.new-qs": "new qs"},
			query:     url.Values{"qs": {"qs1", "qs2"}},
			wantQuery: url.Values{"qs": {"qs1", "qs2", "qs3"}, "new-qs": {"new qs"}},
		},
		{
			name:      "overwrite a query parameter",
			params:    map[string]string{"overwrite:querystring.qs": "$stageVariables.env"},
			query:     url.Values{"qs": {"qs1", "qs2"}, "other": {"o"}},
			wantQuery: url.Values{"qs": {"prod"}, "other": {"o"}},
		},
		{
			name:      "query names are case-sensitive",
			params:    map[string]string{"remove:querystring.QS": ""},
			query:     url.Values{"qs": {"qs1"}},
			wantQuery: url.Values{"qs": {"qs1"}},
		},
		{
			name:      "remove a query parameter, and wins over append",
			params:    map[string]string{"remove:querystring.qs": "''", "append:querystring.qs": "x"},
			query:     url.Values{"qs": {"qs1"}, "other": {"o"}},
			wantQuery: url.Values{"other": {"o"}},
		},
		{
			name:      "an absent query overwrite removes the parameter",
			params:    map[string]string{"overwrite:querystring.user": "$context.authorizer.claims.sub", "append:querystring.a": "$request.querystring.nope"},
			query:     url.Values{"user": {"admin"}},
			wantQuery: url.Values{},
		},
		{
			name:      "a query value from repeated query keys",
			params:    map[string]string{"overwrite:querystring.all": "$request.querystring.qs"},
			query:     url.Values{},
			wantQuery: url.Values{"all": {"q1,q2"}},
		},
		{
			name:     "overwrite the path",
			params:   map[string]string{"overwrite:path": "/new"},
			path:     "/items/1",
			wantPath: "/new",
		},
		{
			name:     "a path without a leading slash gets one",
			params:   map[string]string{"overwrite:path": "new-path"},
			path:     "/items/1",
			wantPath: "/new-path",
		},
		{
			name:     "prefix the request path",
			params:   map[string]string{"overwrite:path": "/v2$request.path"},
			path:     "/base/items/1",
			wantPath: "/v2/items/1",
		},
		{
			name:     "an absent path keeps the path",
			params:   map[string]string{"overwrite:path": "/x/${request.path.missing}"},
			path:     "/items/1",
			wantPath: "/items/1",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := newRequestMapping(tc.params)
			if err != nil {
				t.Fatal(err)
			}
			header, query, path := tc.header, tc.query, tc.path
			if header == nil {
				header = http.Header{}
			}
			if query == nil {
				query = url.Values{}
			}
			m.apply(header, query, &path, src)
			if tc.wantHdr != nil && !reflect.DeepEqual(header, tc.wantHdr) {
				t.Errorf("header = %v, want %v", header, tc.wantHdr)
			}
			if tc.wantQuery != nil && !reflect.DeepEqual(query, tc.wantQuery) {
				t.Errorf("query = %v, want %v", query, tc.wantQuery)
			}
			if tc.wantPath != "" && path != tc.wantPath {
				t.Errorf("path = %q, want %q", path, tc.wantPath)
			}
		})
	}
}

func TestMappingRequestNil(t *testing.T) {
	for _, params := range []map[string]string{nil, {}} {
		m, err := newRequestMapping(params)
		if m != nil || err != nil {
			t.Fatalf("newRequestMapping(%v) = %v, %v; want nil, nil", params, m, err)
		}
		h, q, p := http.Header{"A": {"1"}}, url.Values{"b": {"2"}}, "/p"
		m.apply(h, q, &p, fakeSource{})
		if len(h) != 1 || len(q) != 1 || p != "/p" || m.readsBody() {
			t.Errorf("a nil mapping changed something: %v %v %q", h, q, p)
		}
	}
	// Nil maps and a nil path are left alone, without panicking.
	m, err := newRequestMapping(map[string]string{"append:header.a": "1", "append:querystring.b": "2", "overwrite:path": "/x"})
	if err != nil {
		t.Fatal(err)
	}
	m.apply(nil, nil, nil, nil)
}

func TestMappingRequestErrors(t *testing.T) {
	tests := []struct {
		key, value string
		err        string
	}{
		{"overwrite:header.Authorization", "x", "reserved"},
		{"append:header.x-amz-date", "x", "reserved"},
		{"remove:header.Access-Control-Allow-Origin", "", "reserved"},
		{"overwrite:header.X-Forwarded-For", "x", "reserved"},
		{"overwrite:header.a b", "x", "not a header name"},
		{"overwrite:header.", "x", "not a header name"},
		{"replace:header.x", "x", "want append|overwrite|remove"},
		{"header.x", "x", "want append|overwrite|remove"},
		{"overwrite:body", "x", "want append|overwrite|remove"},
		{"overwrite:statuscode", "200", "want append|overwrite|remove"},
		{"append:path", "/x", "only be overwritten"},
		{"remove:path", "", "only be overwritten"},
		{"overwrite:querystring.", "x", "empty query string"},
		{"overwrite:header.x", "${request.header.x", "unterminated"},
		{"overwrite:header.x", "$response.header.x", "request values read"},
		{"overwrite:header.x", "${request.body..a}", "recursive descent"},
	}
	for _, tc := range tests {
		t.Run(tc.key+"="+tc.value, func(t *testing.T) {
			_, err := newRequestMapping(map[string]string{"append:header.ok": "fine", tc.key: tc.value})
			if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), tc.key) {
				t.Errorf("error = %v, want one naming %q and saying %q", err, tc.key, tc.err)
			}
		})
	}
}

func TestMappingReadsBody(t *testing.T) {
	for params, want := range map[string]bool{
		"$request.header.x":           false,
		"$request.body":               true,
		"${request.body.a}":           true,
		"x${request.body[0]}":         true,
		"$request.body/x":             true,
		"$context.requestId":          false,
		"$stageVariables.requestBody": false,
	} {
		m, err := newRequestMapping(map[string]string{"overwrite:header.x": params})
		if err != nil {
			t.Fatal(err)
		}
		if m.readsBody() != want {
			t.Errorf("%q: readsBody = %v, want %v", params, m.readsBody(), want)
		}
	}
	m, _ := newRequestMapping(map[string]string{"remove:header.x": "$request.body"})
	if m.readsBody() {
		t.Error("a remove's value was read")
	}
}

func TestMappingResponse(t *testing.T) {
	params := map[string]map[string]string{
		"500": {"append:header.header1": "$context.requestId", "overwrite:statuscode": "403"},
		"404": {"append:header.error": "$stageVariables.environmentId"},
		"200": {
			"overwrite:statuscode":     "$response.header.x-status",
			"remove:header.x-secret":   "",
			"overwrite:header.x-code":  "${response.body.error.code}",
			"append:header.set-cookie": "b=2",
		},
		"201": {"overwrite:statuscode": "${response.body.status}"},
		"202": {"overwrite:statuscode": "$response.header.missing", "overwrite:header.x": "$response.header.missing"},
		"204": {},
	}
	m, err := newResponseMapping(params)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		status     int
		header     http.Header
		src        expr.Scope
		wantStatus int
		wantHeader http.Header
	}{
		{
			name: "AWS's example: 500 becomes 403 with a header", status: 500,
			header:     http.Header{"Content-Type": {"application/json"}},
			src:        responseSource{request: fakeSource{"context.requestId": "req-1"}},
			wantStatus: 403, wantHeader: http.Header{"Content-Type": {"application/json"}, "Header1": {"req-1"}},
		},
		{
			name: "AWS's example: 404 gets an error header", status: 404,
			header:     http.Header{},
			src:        responseSource{request: fakeSource{"stageVariables.environmentId": "env-7"}},
			wantStatus: 404, wantHeader: http.Header{"Error": {"env-7"}},
		},
		{
			name: "a status without mappings", status: 418,
			header: http.Header{"X-Secret": {"s"}}, src: responseSource{},
			wantStatus: 418, wantHeader: http.Header{"X-Secret": {"s"}},
		},
		{
			name: "an empty status mapping", status: 204,
			header: http.Header{"X-Secret": {"s"}}, src: responseSource{},
			wantStatus: 204, wantHeader: http.Header{"X-Secret": {"s"}},
		},
		{
			name: "values from the response", status: 200,
			header: http.Header{"X-Status": {"201"}, "X-Secret": {"s"}, "Set-Cookie": {"a=1"}},
			src: responseSource{
				header: http.Header{"X-Status": {"201"}, "X-Secret": {"s"}, "Set-Cookie": {"a=1"}},
				body:   []byte(`{"error":{"code":42}}`),
			},
			wantStatus: 201, wantHeader: http.Header{"X-Status": {"201"}, "Set-Cookie": {"a=1", "b=2"}, "X-Code": {"42"}},
		},
		{
			name: "a status from the body", status: 201,
			header: http.Header{}, src: responseSource{body: []byte(`{"status":"409"}`)},
			wantStatus: 409, wantHeader: http.Header{},
		},
		{
			name: "a status that is no status code keeps the status", status: 201,
			header: http.Header{}, src: responseSource{body: []byte(`{"status":"9000"}`)},
			wantStatus: 201, wantHeader: http.Header{},
		},
		{
			name: "absent values keep the status and remove an overwritten header", status: 202,
			header: http.Header{"X": {"backend"}}, src: responseSource{header: http.Header{"X": {"backend"}}},
			wantStatus: 202, wantHeader: http.Header{},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := m.apply(tc.status, tc.header, tc.src)
			if got != tc.wantStatus {
				t.Errorf("status = %d, want %d", got, tc.wantStatus)
			}
			if !reflect.DeepEqual(tc.header, tc.wantHeader) {
				t.Errorf("header = %v, want %v", tc.header, tc.wantHeader)
			}
		})
	}
	// The response as it arrived: apply reads before it changes anything,
	// even when the source shares the header map.
	h := http.Header{"A": {"1"}}
	m2, err := newResponseMapping(map[string]map[string]string{"200": {"remove:header.a": "", "overwrite:header.b": "$response.header.a"}})
	if err != nil {
		t.Fatal(err)
	}
	m2.apply(200, h, responseSource{header: h})
	if want := (http.Header{"B": {"1"}}); !reflect.DeepEqual(h, want) {
		t.Errorf("shared header = %v, want %v", h, want)
	}
	if !m.readsBody(200) || !m.readsBody(201) || m.readsBody(500) || m.readsBody(999) {
		t.Error("readsBody is wrong")
	}
	var nilMapping *responseMapping
	if nilMapping.apply(500, http.Header{}, nil) != 500 || nilMapping.readsBody(500) {
		t.Error("a nil mapping changed something")
	}
}

func TestMappingResponseErrors(t *testing.T) {
	tests := []struct {
		status, key, value string
		err                string
	}{
		{"2XX", "overwrite:statuscode", "200", "want a status code"},
		{"99", "overwrite:statuscode", "200", "want a status code"},
		{"600", "overwrite:statuscode", "200", "want a status code"},
		{"0200", "overwrite:statuscode", "200", "want a status code"},
		{"200", "overwrite:statuscode", "abc", "want a status code from 100 to 599"},
		{"200", "overwrite:statuscode", "700", "want a status code from 100 to 599"},
		{"200", "remove:statuscode", "", "only be overwritten"},
		{"200", "append:statuscode", "201", "only be overwritten"},
		{"200", "overwrite:path", "/x", "want append|overwrite|remove"},
		{"200", "append:querystring.a", "x", "want append|overwrite|remove"},
		{"200", "overwrite:header.Content-Length", "1", "reserved"},
		{"200", "append:header.apigw-requestid", "1", "reserved"},
		{"200", "append:header.x", "$request.header.x", "response values read"},
		{"200", "append:header.x", "${response.body.a[?(@.b)]}", "filter expressions"},
	}
	for _, tc := range tests {
		t.Run(tc.status+" "+tc.key+"="+tc.value, func(t *testing.T) {
			_, err := newResponseMapping(map[string]map[string]string{tc.status: {tc.key: tc.value}})
			if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), tc.status) {
				t.Errorf("error = %v, want one naming %q and saying %q", err, tc.status, tc.err)
			}
		})
	}
	for _, params := range []map[string]map[string]string{nil, {}, {"200": {}}} {
		if m, err := newResponseMapping(params); m != nil || err != nil {
			t.Errorf("newResponseMapping(%v) = %v, %v; want nil, nil", params, m, err)
		}
	}
}

// mappingRequest is a request as ServeHTTP builds it, for the sources.
func mappingRequest(t testing.TB, body string) *request {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "http://api.example.com/prod/items/1?q=a&q=b&x=1", strings.NewReader(body))
	r.Header.Add("X-Multi", "a")
	r.Header.Add("X-Multi", "b")
	r.Header.Set("User-Agent", "test/1")
	r.Header["x-lower"] = []string{"l"} // set around net/http's canonical form
	return &request{
		r: r, apiID: "api1", accountID: "123456789012", stage: "prod", stageVars: map[string]string{"env": "prod"},
		routeKey: "POST /items/{id}", rest: "/items/a%20b", params: map[string]string{"id": "a b"}, body: []byte(body),
		requestID: "req-1", now: time.UnixMilli(1767225600123), format: "2.0",
	}
}

func TestMappingRequestSource(t *testing.T) {
	body := `{"a":{"b":"text","n":1.50,"t":true,"z":null,"o":{ "k" : [1, 2] }},"items":[{"id":"i0"},{"id":"i1"}],"x.y":"dotted"}`
	q := mappingRequest(t, body)
	tests := []struct {
		ref, want string
		ok        bool
	}{
		{"request.header.x-multi", "a,b", true},
		{"request.header.X-MULTI", "a,b", true},
		{"request.header.x-lower", "l", true},
		{"request.header.host", "api.example.com", true},
		{"request.header.missing", "", false},
		{"request.querystring.q", "a,b", true},
		{"request.querystring.x", "1", true},
		{"request.querystring.Q", "", false},
		{"request.body", body, true},
		{"request.body.a.b", "text", true},
		{"request.body.a.n", "1.50", true},
		{"request.body.a.t", "true", true},
		{"request.body.a.z", "", false},
		{"request.body.a.o", `{"k":[1,2]}`, true},
		{"request.body.a.o.k", `[1,2]`, true},
		{"request.body.a.o.k[1]", "2", true},
		{"request.body.items[1].id", "i1", true},
		{"request.body.items[2].id", "", false},
		{"request.body.items.0", "", false}, // a name does not index an array
		{"request.body.a[0]", "", false},    // an index does not name a member
		{"request.body.missing", "", false},
		{"request.path", "/items/a%20b", true},
		{"request.path.id", "a b", true},
		{"request.path.nope", "", false},
		{"context.requestId", "req-1", true},
		{"context.extendedRequestId", "req-1", true},
		{"context.apiId", "api1", true},
		{"context.accountId", "123456789012", true},
		{"context.stage", "prod", true},
		{"context.routeKey", "POST /items/{id}", true},
		{"context.httpMethod", "POST", true},
		{"context.path", "/prod/items/a%20b", true},
		{"context.protocol", "HTTP/1.1", true},
		{"context.domainName", "api.example.com", true},
		{"context.domainPrefix", "api", true},
		{"context.identity.sourceIp", "192.0.2.1", true},
		{"context.identity.userAgent", "test/1", true},
		{"context.requestTimeEpoch", "1767225600123", true},
		{"context.requestTime", "01/Jan/2026:00:00:00 +0000", true},
		{"context.identity.userArn", "", false},
		{"context.authorizer.claims.sub", "", false},
		{"context.nope", "", false},
		{"stageVariables.env", "prod", true},
		{"stageVariables.nope", "", false},
		{"response.header.x", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.ref, func(t *testing.T) {
			got, ok := lookup(t, requestSource{q}, tc.ref)
			if got != tc.want || ok != tc.ok {
				t.Errorf("lookup(%q) = %q, %v; want %q, %v", tc.ref, got, ok, tc.want, tc.ok)
			}
		})
	}
	// A dot always separates names: a member named x.y cannot be selected.
	tmpl := mustTemplate(t, "${request.body.x.y}")
	if got, ok := tmpl.Eval(requestSource{q}); ok {
		t.Errorf("x.y selected %q: a dot separates names", got)
	}
	if _, ok := lookup(t, requestSource{}, "request.path"); ok {
		t.Error("a source without a request resolved a reference")
	}
}

func TestMappingRequestSourceBodies(t *testing.T) {
	big := `{"a":"` + strings.Repeat("x", maxMappedBody) + `","b":1}`
	tests := []struct {
		name, body, ref, want string
		ok                    bool
	}{
		{"no body", "", "request.body", "", false},
		{"no body, a path", "", "request.body.a", "", false},
		{"not JSON", "a=1", "request.body.a", "", false},
		{"not JSON, whole", "a=1", "request.body", "a=1", true},
		{"top-level array", `[{"a":1}]`, "request.body[0].a", "1", true},
		{"top-level scalar", `"s"`, "request.body.a", "", false},
		{"escaped string", `{"a":"x\"y\u00e9"}`, "request.body.a", `x"yé`, true},
		{"a star in a name is literal, not a wildcard", `{"ab":3,"a*b":1}`, "request.body.a*b", "1", true},
		{"over 100 KB, a path", big, "request.body.b", "", false},
		{"over 100 KB, whole", big, "request.body", big, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := lookup(t, requestSource{mappingRequest(t, tc.body)}, tc.ref)
			if got != tc.want || ok != tc.ok {
				if len(got) > 40 {
					got = got[:40] + "..."
				}
				t.Errorf("lookup(%q) = %q, %v; want %v", tc.ref, got, ok, tc.ok)
			}
		})
	}
	// A member named with gjson's special characters is matched literally.
	if got, ok := bodyValue([]byte(`{"a|b":1,"a":{"b":2}}`), mustTemplate(t, "${request.body.a|b}").Parts()[0].Ref); got != "1" || !ok {
		t.Errorf("a|b = %q, %v; want the member named a|b", got, ok)
	}
}

func TestMappingRequestSourceAuthorizer(t *testing.T) {
	tests := []struct {
		name   string
		auth   map[string]any
		iam    *iamIdentity
		values map[string]string // ref → want; "" wants absent
	}{
		{
			name: "JWT, 2.0",
			auth: map[string]any{"jwt": map[string]any{"claims": map[string]string{"sub": "u-1", "scope": "a b"}, "scopes": []string{"a"}}},
			values: map[string]string{
				"context.authorizer.claims.sub": "u-1", "context.authorizer.claims.scope": "a b",
				"context.authorizer.claims.nope": "", "context.authorizer.claims": "", "context.authorizer.jwt": "",
			},
		},
		{
			name:   "JWT, 1.0",
			auth:   map[string]any{"claims": map[string]string{"sub": "u-1"}, "scopes": nil},
			values: map[string]string{"context.authorizer.claims.sub": "u-1", "context.authorizer.scopes": ""},
		},
		{
			name: "Lambda, 2.0",
			auth: map[string]any{"lambda": map[string]any{"user": "u-2", "n": json.Number("12.50"), "ok": true, "nested": map[string]any{"a": 1}}},
			values: map[string]string{
				"context.authorizer.user": "u-2", "context.authorizer.n": "12.50", "context.authorizer.ok": "true",
				"context.authorizer.nested": "", "context.authorizer.principalId": "",
			},
		},
		{
			name:   "Lambda, 1.0",
			auth:   map[string]any{"principalId": "p-1", "user": "u-3", "integrationLatency": int64(5), "f": 1.5},
			values: map[string]string{"context.authorizer.principalId": "p-1", "context.authorizer.user": "u-3", "context.authorizer.integrationLatency": "5", "context.authorizer.f": "1.5"},
		},
		{
			name: "AWS_IAM",
			iam:  &iamIdentity{accessKey: "AKIDEXAMPLE", userArn: "arn:aws:iam::123456789012:user/AKIDEXAMPLE"},
			values: map[string]string{
				"context.identity.accessKey": "AKIDEXAMPLE", "context.identity.caller": "AKIDEXAMPLE", "context.identity.user": "AKIDEXAMPLE",
				"context.identity.userArn": "arn:aws:iam::123456789012:user/AKIDEXAMPLE", "context.identity.accountId": "123456789012",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := mappingRequest(t, "")
			q.auth, q.iam = tc.auth, tc.iam
			for _, ref := range slices.Sorted(maps.Keys(tc.values)) {
				want := tc.values[ref]
				got, ok := lookup(t, requestSource{q}, ref)
				if got != want || ok != (want != "") {
					t.Errorf("lookup(%q) = %q, %v; want %q", ref, got, ok, want)
				}
			}
		})
	}
}

func TestMappingResponseSource(t *testing.T) {
	s := responseSource{
		request: requestSource{mappingRequest(t, `{"r":1}`)},
		header:  http.Header{"Etag": {`"v1"`}, "X-Multi": {"a", "b"}, "x-raw": {"r"}},
		body:    []byte(`{"error":{"code":"E1"}}`),
	}
	for ref, want := range map[string]string{
		"response.header.etag":     `"v1"`,
		"response.header.x-multi":  "a,b",
		"response.header.X-Raw":    "r",
		"response.body.error.code": "E1",
		"response.body":            `{"error":{"code":"E1"}}`,
		"context.requestId":        "req-1",
		"stageVariables.env":       "prod",
	} {
		if got, ok := lookup(t, s, ref); got != want || !ok {
			t.Errorf("lookup(%q) = %q, %v; want %q", ref, got, ok, want)
		}
	}
	for _, ref := range []string{"response.header.nope", "response.body.nope", "context.nope"} {
		if got, ok := lookup(t, s, ref); ok {
			t.Errorf("lookup(%q) = %q; want absent", ref, got)
		}
	}
	if _, ok := lookup(t, responseSource{}, "context.requestId"); ok {
		t.Error("a response source without a request resolved $context")
	}
}

// TestMappingEndToEnd maps a request and its response through the real
// sources, as the mode does.
func TestMappingEndToEnd(t *testing.T) {
	q := mappingRequest(t, `{"tenant":"t-9"}`)
	q.auth = map[string]any{"jwt": map[string]any{"claims": map[string]string{"sub": "u-1"}}}
	req, err := newRequestMapping(map[string]string{
		"overwrite:header.x-user":     "${context.authorizer.claims.sub}",
		"append:header.x-tenant":      "$request.body.tenant",
		"remove:header.x-multi":       "''",
		"overwrite:querystring.stage": "$context.stage",
		"remove:querystring.q":        "",
		"overwrite:path":              "/v2/${stageVariables.env}$request.path",
	})
	if err != nil {
		t.Fatal(err)
	}
	if !req.readsBody() {
		t.Error("readsBody = false")
	}
	header, query, path := q.r.Header.Clone(), parseQuery(q.r.URL.RawQuery), "/backend/items/a%20b"
	header.Set("X-User", "spoofed")
	req.apply(header, query, &path, requestSource{q})
	if header.Get("X-User") != "u-1" || header.Get("X-Tenant") != "t-9" || header.Get("X-Multi") != "" {
		t.Errorf("header = %v", header)
	}
	if want := (url.Values{"x": {"1"}, "stage": {"prod"}}); !reflect.DeepEqual(query, want) {
		t.Errorf("query = %v, want %v", query, want)
	}
	if path != "/v2/prod/items/a%20b" {
		t.Errorf("path = %q", path)
	}
	if q.r.Header.Get("X-Multi") == "" || q.r.URL.Query().Get("q") == "" {
		t.Error("the client's request changed")
	}

	resp, err := newResponseMapping(map[string]map[string]string{
		"200": {"overwrite:statuscode": "201", "append:header.location": "/items/${response.body.id}", "overwrite:header.x-request-id": "$context.requestId"},
	})
	if err != nil {
		t.Fatal(err)
	}
	rh := http.Header{"Content-Type": {"application/json"}}
	status := resp.apply(200, rh, responseSource{request: requestSource{q}, header: rh, body: []byte(`{"id":7}`)})
	if status != 201 || rh.Get("Location") != "/items/7" || rh.Get("X-Request-Id") != "req-1" || rh.Get("Content-Type") != "application/json" {
		t.Errorf("status %d, header %v", status, rh)
	}
}

// FuzzMappingTemplate parses and renders arbitrary values (as plain and as
// overwrite:path values) against a source that reads a fuzzed body: never a
// panic, a static template renders to its text, and a path renders to a
// valid escaped path.
func FuzzMappingTemplate(f *testing.F) {
	for _, s := range []string{
		"", "static", "$request.header.x", "${request.header.x}", "/v2$request.path", "Bearer ${request.header.x}",
		"${request.path.name} ${request.path.id}", "$request.body.a.b", "${request.body.items[0].id}", "$request.body[1]",
		"$context.requestId.", "cost $5", "$default", "${", "${}", "$request.", "$request.body..a", "${request.body.a[?(@)]}",
		"$stageVariables.env-x", "a b?c#d%zz%41", "$$", "${request.body.a[", "$request.body[0", "$response.body.x",
		"${request.header.x}${request.path}", "\x00$request.path.\xff",
	} {
		f.Add(s, []byte(`{"a":{"b":[1,"x y"]},"items":[{"id":"i 0"}]}`))
	}
	f.Fuzz(checkTemplate)
}

// TestMappingTemplateTokens runs FuzzMappingTemplate's checks on every
// sequence of up to three pieces of the grammar, so that a plain go test
// covers what fuzzing would find first.
func TestMappingTemplateTokens(t *testing.T) {
	tokens := []string{
		"$", "{", "}", ".", "[", "]", "0", "a", "-", " ", "?(", "*", "%", "\xff",
		"$request.", "${request.", "request.header.", "request.querystring.", "request.body", "request.path",
		"response.header.", "response.body", "context.", "stageVariables.", "${context.a}", "$request.path.x",
	}
	body := []byte(`{"a":[{"0":"x"}],"x":"y"}`)
	var walk func(prefix string, depth int)
	walk = func(prefix string, depth int) {
		checkTemplate(t, prefix, body)
		if depth == 3 {
			return
		}
		for _, tok := range tokens {
			walk(prefix+tok, depth+1)
		}
	}
	walk("", 0)
}

func checkTemplate(t *testing.T, s string, body []byte) {
	tmpl, err := expr.ParseMapping(s)
	if err != nil {
		return
	}
	src := fuzzSource{body: body}
	got, ok := tmpl.Eval(src)
	if _, static := tmpl.Static(); static && (got != s || !ok) {
		t.Fatalf("static %q rendered %q, %v", s, got, ok)
	}
	if p, ok := tmpl.Expand(src, escapePathValue); ok {
		if _, err := url.PathUnescape(p); err != nil {
			t.Fatalf("path %q from %q: %v", p, s, err)
		}
	}
	_ = tmpl.Reads(expr.RequestBody)
	_, _ = refOutside(tmpl, requestRoots)
	// The template as a request value and as a response value.
	_, _ = newRequestMapping(map[string]string{"overwrite:header.x": s, "overwrite:path": s})
	_, _ = newResponseMapping(map[string]map[string]string{"200": {"overwrite:statuscode": s}})
}

// fuzzSource reads bodies from body and answers anything else with a value
// that needs escaping in a path.
type fuzzSource struct{ body []byte }

func (s fuzzSource) Value(ref *expr.Ref) (string, bool) {
	if ref.Root == expr.RequestBody || ref.Root == expr.ResponseBody {
		return bodyValue(s.body, ref)
	}
	if ref.Root == expr.RequestPath && ref.Name == "" {
		return "/a%20b", true
	}
	return "a b/%?#", true
}
