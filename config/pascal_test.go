package config

import (
	"flag"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// pascalKeys rewrites every block-style key of doc in PascalCase, as the
// AWS CLI prints them (--output yaml).
func pascalKeys(doc string) string {
	re := regexp.MustCompile(`(?m)^(\s*(?:- )?)([a-z])(\w*):`)
	return re.ReplaceAllStringFunc(doc, func(m string) string {
		g := re.FindStringSubmatch(m)
		return g[1] + strings.ToUpper(g[2]) + g[3] + ":"
	})
}

func TestPascalCaseKeys(t *testing.T) {
	data, err := os.ReadFile("testdata/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"PORTICO_SECRET_KEY": "s"}
	for name, doc := range map[string]string{"minimal": minimal, "full.yaml": string(data)} {
		t.Run(name, func(t *testing.T) {
			pascal := pascalKeys(doc)
			if pascal == doc || !strings.Contains(pascal, "Apis:") {
				t.Fatalf("pascalKeys changed nothing:\n%s", pascal)
			}
			if want, got := mustParse(t, doc, vars), mustParse(t, pascal, vars); !reflect.DeepEqual(want, got) {
				t.Errorf("PascalCase decodes differently:\n%+v\nwant\n%+v", got, want)
			}
		})
	}

	t.Run("AWS initialisms", func(t *testing.T) {
		doc := `Apis:
  - ApiId: web
    ProtocolType: HTTP
    CorsConfiguration: {AllowOrigins: ["https://example.com"], MaxAge: 60}
    Authorizers:
      - AuthorizerId: jwt
        AuthorizerType: JWT
        IdentitySource: [$request.header.Authorization]
        JwtConfiguration: {Issuer: "https://issuer.example.com", Audience: [a]}
      - AuthorizerId: fn
        AuthorizerType: REQUEST
        AuthorizerUri: http://127.0.0.1:9000/auth
        AuthorizerPayloadFormatVersion: "2.0"
        AuthorizerResultTtlInSeconds: 0
    Integrations: [{IntegrationId: i, IntegrationType: HTTP_PROXY, IntegrationUri: "http://127.0.0.1:9001", TimeoutInMillis: 5000}]
    Routes: [{RouteKey: GET /, Target: integrations/i, AuthorizationType: JWT, AuthorizerId: jwt}]
    Stages: [{StageName: $default}]
`
		f := mustParse(t, doc, nil)
		a := f.APIs[0]
		if a.APIID != "web" || *a.CorsConfiguration.MaxAge != 60 || a.Authorizers[0].JWTConfiguration.Issuer != "https://issuer.example.com" ||
			a.Authorizers[1].AuthorizerURI == "" || *a.Authorizers[1].AuthorizerResultTTLInSeconds != 0 ||
			a.Integrations[0].IntegrationURI == "" || a.Integrations[0].TimeoutInMillis != 5000 {
			t.Errorf("decoded %+v", a)
		}
	})
}

func TestPascalCaseErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		doc  string
		want []string
	}{
		{"both spellings", with(minimal, "        target: integrations/backend\n", "        target: integrations/backend\n        Target: integrations/backend\n"),
			[]string{"f.yaml:12:9: apis[0].routes[0].Target: target is also set, on line 11: write the key once"}},
		{"both spellings, Pascal first", with(minimal, "    protocolType: WEBSOCKET\n", "    ProtocolType: WEBSOCKET\n    protocolType: HTTP\n"),
			[]string{"f.yaml:4:5: apis[0].protocolType: ProtocolType is also set, on line 3: write the key once"}},
		{"messages name the key as written", with(minimal, "    routes:\n      - routeKey: $default\n        target: integrations/backend\n", "    Routes:\n      - RouteKey: $default\n        Target: integrations/backnd\n"),
			[]string{`f.yaml:11:17: apis[0].Routes[0].Target: integration "backnd" not found (known: backend)`}},
		{"absent key under a PascalCase parent", with(minimal, "    routes:\n      - routeKey: $default\n        target: integrations/backend\n", "    Routes:\n      - RouteKey: $default\n"),
			[]string{"f.yaml:10:9: apis[0].Routes[0].target: required: integrations/{integrationId}"}},
		{"AWS's initialisms only", with(minimal, "apiId: chat", "APIId: chat"),
			[]string{"f.yaml:2:5: apis[0].APIId: unknown key; did you mean apiId?"}},
		{"map keys are data", with(minimal, "      - stageName: dev", "      - StageName: dev\n        StageVariables: {Version: \"1\", version: \"2\"}"), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.want == nil {
				mustParse(t, tc.doc, nil)
				return
			}
			wantErrors(t, tc.doc, nil, tc.want...)
		})
	}
}

func TestCLIListings(t *testing.T) {
	routes := func(v string) string {
		return with(minimal, "    routes:\n      - routeKey: $default\n        target: integrations/backend\n", "    routes: "+v+"\n")
	}
	t.Run("Items", func(t *testing.T) {
		for _, doc := range []string{
			routes(`{"Items": [{"RouteKey": "$default", "Target": "integrations/backend"}]}`),
			routes(`{"items": [{"routeKey": "$default", "target": "integrations/backend"}], "nextToken": ""}`),
		} {
			f := mustParse(t, doc, nil)
			if r := f.APIs[0].Routes; len(r) != 1 || r[0].RouteKey != "$default" {
				t.Errorf("routes = %+v", r)
			}
		}
	})
	t.Run("NextToken warns", func(t *testing.T) {
		wantWarnings(t, routes(`{"Items": [{"RouteKey": "$default", "Target": "integrations/backend"}], "NextToken": "abc"}`),
			"f.yaml:9:85: apis[0].routes.NextToken: the listing holds one page: more items exist than were pasted (run the command without --max-items)")
	})
	for _, tc := range []struct {
		name string
		doc  string
		want []string
	}{
		{"errors inside name Items", routes(`{"Items": [{"RouteKey": "$default", "Target": "integrations/x"}]}`),
			[]string{`f.yaml:9:59: apis[0].routes.Items[0].Target: integration "x" not found (known: backend)`}},
		{"other keys", routes(`{"Items": [], "Count": 0}`),
			[]string{"f.yaml:9:27: apis[0].routes.Count: unknown key; a list of resources is written as a list, or as the output of aws apigatewayv2 get-*: {Items: [...]}"}},
		{"both spellings", routes(`{"Items": [], "items": []}`),
			[]string{"f.yaml:9:27: apis[0].routes.items: Items is also set, on line 9: write the key once"}},
		{"a mapping without Items", routes(`{"RouteKey": "$default"}`),
			[]string{`f.yaml:9:13: apis[0].routes: want a list (items start with "- "), got a mapping`}},
	} {
		t.Run(tc.name, func(t *testing.T) { wantErrors(t, tc.doc, nil, tc.want...) })
	}
}

// TestPastedFromCLI loads an API pasted from aws apigatewayv2 get-api,
// get-integrations, get-routes and get-stages; its warnings are golden.
func TestPastedFromCLI(t *testing.T) {
	f, err := Load("testdata/aws-cli.yaml")
	if err != nil {
		t.Fatal(err)
	}
	a := f.APIs[0]
	if a.APIID != "a1b2c3d4e5" || a.Name != "chat" || len(a.Routes) != 2 || a.Routes[1].RouteKey != "sendmessage" ||
		a.Integrations[0].TimeoutInMillis != 29000 || a.Stages[0].StageName != "Prod" ||
		*a.Stages[0].DefaultRouteSettings.ThrottlingBurstLimit != 5000 {
		t.Errorf("decoded %+v", a)
	}
	var b strings.Builder
	for _, w := range f.Warnings {
		b.WriteString(w.Error() + "\n")
	}
	golden(t, "testdata/aws-cli.warnings", b.String())
}

// golden compares got with the file at path, or rewrites it with -update.
func golden(t testing.TB, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\n%s\nwant:\n%s", path, got, want)
	}
}
