package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

func TestFullExample(t *testing.T) {
	vars := map[string]string{"PORTICO_SECRET_KEY": "s3cret"}
	load := func(t *testing.T, name string) *File {
		t.Helper()
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		f, err := parse(name, data, env(vars))
		if err != nil {
			t.Fatalf("%s:\n%v", name, err)
		}
		return f
	}
	f := load(t, "full.yaml")

	t.Run("values", func(t *testing.T) {
		if f.Listen != "127.0.0.1:8080" || f.Admin != "127.0.0.1:9090" || f.AccountID != "000000000000" || f.NATS.SubjectPrefix != "portico" {
			t.Errorf("top level: %+v", f)
		}
		if c := f.Credentials; len(c) != 1 || c[0].AccessKeyID != "AKIDEXAMPLE" || c[0].SecretAccessKey != "s3cret" {
			t.Errorf("credentials = %+v", c)
		}
		if len(f.APIs) != 2 {
			t.Fatalf("%d APIs", len(f.APIs))
		}
		chat := f.APIs[0]
		if chat.RouteSelectionExpression != "$request.body.action" {
			t.Errorf("routeSelectionExpression = %q", chat.RouteSelectionExpression)
		}
		var keys []string
		for _, r := range chat.Routes {
			keys = append(keys, r.RouteKey)
		}
		if got := strings.Join(keys, " "); got != "$connect sendmessage $default" {
			t.Errorf("route keys = %s", got)
		}
		if chat.Routes[1].RouteResponseSelectionExpression != "$default" || chat.Routes[1].Target != "integrations/backend" {
			t.Errorf("sendmessage = %+v", chat.Routes[1])
		}
		l := chat.Limits
		if *l.MaxFrameBytes != 32768 || *l.MaxMessageBytes != 131072 || *l.SendQueueBytes != 1048576 ||
			l.IdleTimeout.Std() != 10*time.Minute || l.MaxConnectionDuration.Std() != 2*time.Hour || l.WriteTimeout.Std() != time.Second {
			t.Errorf("limits = %+v", l)
		}
		if l.AllowedOrigins == nil || len(l.AllowedOrigins) != 0 {
			t.Errorf("allowedOrigins = %#v, want empty", l.AllowedOrigins)
		}
		web := f.APIs[1]
		if web.ProtocolType != "HTTP" || web.Routes[0].RouteKey != "GET /items/{id}" || web.Integrations[0].IntegrationType != "HTTP_PROXY" {
			t.Errorf("web = %+v", web)
		}
		if s := web.Stages; len(s) != 1 || s[0].StageName != "$default" || !s[0].AutoDeploy {
			t.Errorf("web stages = %+v", s)
		}
	})

	t.Run("no defaults", func(t *testing.T) {
		if f.PublicURL != "" || f.NATS.URL != "" || f.Lambda.Endpoint != "" || f.APIs[1].Limits.MaxFrameBytes != nil || f.APIs[1].Integrations[0].TimeoutInMillis != 0 {
			t.Errorf("a default was applied: %+v", f)
		}
	})

	t.Run("json", func(t *testing.T) {
		fj := load(t, "full.json")
		if !reflect.DeepEqual(f, fj) {
			t.Errorf("full.json decodes differently from full.yaml:\n%+v\n%+v", fj, f)
		}
		data, err := os.ReadFile("testdata/full.json")
		if err != nil {
			t.Fatal(err)
		}
		bad := with(string(data), `"stageName": "dev"`, `"stagename": "dev"`, `"maxFrameBytes": 32768`, `"maxFrameBytes": "32768"`)
		wantErrors(t, bad, vars,
			"f.yaml:51:11: apis[0].stages[0].stagename: unknown key; did you mean stageName?",
			`f.yaml:56:26: apis[0].limits.maxFrameBytes: want an integer, got the string "32768" (remove the quotes)`)
	})
}

func TestLoad(t *testing.T) {
	t.Setenv("PORTICO_SECRET_KEY", "from-env")
	f, err := Load("testdata/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if f.Credentials[0].SecretAccessKey != "from-env" {
		t.Errorf("secretAccessKey = %q", f.Credentials[0].SecretAccessKey)
	}

	_, err = Load("testdata/missing.yaml")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v, want fs.ErrNotExist inside", err)
	}
	if err == nil || err.Error() != "testdata/missing.yaml: open: no such file or directory" {
		t.Errorf("missing file: %v", err)
	}
}

func TestDecodeErrors(t *testing.T) {
	limits := func(lines string) string { return minimal + "    limits:\n" + lines }
	for _, tc := range []struct {
		name string
		doc  string
		want []string
	}{
		{"unknown key suggests", "listn: x\n" + minimal,
			[]string{"f.yaml:1:1: listn: unknown key; did you mean listen?"}},
		{"unknown key suggests other case", "LISTEN: x\n" + minimal,
			[]string{"f.yaml:1:1: LISTEN: unknown key; did you mean listen?"}},
		{"unknown key lists valid keys", "listenAddress: x\n" + minimal,
			[]string{"f.yaml:1:1: listenAddress: unknown key; valid keys: listen, admin, adminPprof, region, accountId, publicUrl, credentials, managementApi, controlPlane, lambda, nats, functions, limits, apis, tls, adminTls, dataDir, trustedProxies, timeouts, maxConnections, restApis, apiKeys, usagePlans, usagePlanKeys"}},
		{"unknown nested key", with(minimal, "    stages:", "    stagez:"),
			[]string{"f.yaml:12:5: apis[0].stagez: unknown key; did you mean stages?"}},
		{"unknown key with odd name", with(minimal, "        target:", "        \"my key\": 1\n        target:"),
			[]string{`f.yaml:11:9: apis[0].routes[0]["my key"]: unknown key; valid keys: routeKey, target, operationName, authorizationType, apiKeyRequired, authorizerId, authorizationScopes, routeResponseSelectionExpression, routeResponses`}},
		{"string got list", "listen: [1]\n" + minimal,
			[]string{"f.yaml:1:9: listen: want a string, got a list"}},
		{"list got mapping", with(minimal, "      - stageName: dev", "      stageName: dev"),
			[]string{`f.yaml:13:7: apis[0].stages: want a list (items start with "- "), got a mapping`}},
		{"mapping got string", "nats: nats://x:4222\n" + minimal,
			[]string{`f.yaml:1:7: nats: want a mapping, got the string "nats://x:4222"`}},
		{"int got string", limits("      maxFrameBytes: big\n"),
			[]string{`f.yaml:15:22: apis[0].limits.maxFrameBytes: want an integer, got the string "big"`}},
		{"int quoted", limits("      maxFrameBytes: \"1024\"\n"),
			[]string{`f.yaml:15:22: apis[0].limits.maxFrameBytes: want an integer, got the string "1024" (remove the quotes)`}},
		{"int got float", limits("      maxFrameBytes: 1.5\n"),
			[]string{`f.yaml:15:22: apis[0].limits.maxFrameBytes: want an integer, got the number 1.5`}},
		{"int too large", limits("      maxFrameBytes: 99999999999999999999\n"),
			[]string{`f.yaml:15:22: apis[0].limits.maxFrameBytes: want an integer, got the number 99999999999999999999`}},
		{"duration without unit", limits("      idleTimeout: 600\n"),
			[]string{"f.yaml:15:20: apis[0].limits.idleTimeout: 600 has no unit: write a unit, e.g. 30s or 10m"}},
		{"duration malformed", limits("      idleTimeout: 10 minutes\n"),
			[]string{`f.yaml:15:20: apis[0].limits.idleTimeout: "10 minutes" is not a duration (e.g. 30s, 10m, 2h)`}},
		{"duration got bool", limits("      writeTimeout: true\n"),
			[]string{"f.yaml:15:21: apis[0].limits.writeTimeout: want a duration such as 30s or 10m, got the boolean true"}},
		{"bool got yes", "managementApi:\n  allowUnsigned: yes\n" + minimal,
			[]string{`f.yaml:2:18: managementApi.allowUnsigned: want true or false, got the string "yes"`}},
		{"bool quoted", "managementApi:\n  allowUnsigned: \"true\"\n" + minimal,
			[]string{`f.yaml:2:18: managementApi.allowUnsigned: want true or false, got the string "true"`}},
		{"bool got int", "managementApi:\n  allowUnsigned: 1\n" + minimal,
			[]string{`f.yaml:2:18: managementApi.allowUnsigned: want true or false, got the integer 1`}},
		{"map got list", with(minimal, "      - stageName: dev", "      - stageName: dev\n        stageVariables: [a, b]"),
			[]string{"f.yaml:14:25: apis[0].stages[0].stageVariables: want a mapping, got a list"}},
		{"list item got scalar", "credentials: [AKID]\n" + minimal,
			[]string{`f.yaml:1:15: credentials[0]: want a mapping, got the string "AKID"`}},
		{"map value got mapping", with(minimal, "      - stageName: dev", "      - stageName: dev\n        stageVariables: {a: {b: c}}"),
			[]string{"f.yaml:14:29: apis[0].stages[0].stageVariables.a: want a string, got a mapping"}},
		{"duplicate key", "listen: a:1\nlisten: b:2\n" + minimal,
			[]string{"f.yaml:2:1: listen: duplicate key (first set on line 1)"}},
		{"duplicate nested key", with(minimal, "        target: integrations/backend\n", "        target: integrations/backend\n        target: integrations/backend\n"),
			[]string{"f.yaml:12:9: apis[0].routes[0].target: duplicate key (first set on line 11)"}},
		{"duplicate map key", with(minimal, "      - stageName: dev", "      - stageName: dev\n        stageVariables:\n          a: x\n          a: y"),
			[]string{"f.yaml:16:11: apis[0].stages[0].stageVariables.a: duplicate key (first set on line 15)"}},
		{"key not a string", "? [a]\n: b\n" + minimal,
			[]string{"f.yaml:1:3: keys must be strings, got a list"}},
		{"null key", "~: b\n" + minimal,
			[]string{"f.yaml:1:1: a key cannot be empty or null"}},
		{"custom tag", "listen: !Ref x\n" + minimal,
			[]string{"f.yaml:1:9: listen: unsupported YAML tag !Ref"}},
		{"anchor under an unknown key", "base: &b {listen: x}\n" + minimal,
			[]string{"f.yaml:1:1: base: unknown key; valid keys: listen, admin, adminPprof, region, accountId, publicUrl, credentials, managementApi, controlPlane, lambda, nats, functions, limits, apis, tls, adminTls, dataDir, trustedProxies, timeouts, maxConnections, restApis, apiKeys, usagePlans, usagePlanKeys"}},
		{"merge key", "<<: {listen: x}\n" + minimal,
			[]string{"f.yaml:1:1: merge keys (<<) are not supported; write the keys out"}},
		{"top level list", "- a\n",
			[]string{"f.yaml:1:1: the top level must be a mapping of keys such as listen and apis, got a list"}},
		{"top level scalar", "hello\n",
			[]string{`f.yaml:1:1: the top level must be a mapping of keys such as listen and apis, got the string "hello"`}},
		{"empty", "", []string{"f.yaml: the file is empty"}},
		{"only comments", "# nothing yet\n", []string{"f.yaml: the file is empty"}},
		{"only a document marker", "---\n", []string{"f.yaml: the file is empty"}},
		{"null", "~\n", []string{"f.yaml: the file is empty"}},
		{"syntax error", "apis: [\n", []string{"f.yaml:1:1: did not find expected node content"}},
		{"tab indentation", "apis:\n\t- apiId: x\n", []string{"f.yaml:2:1: a tab character indents this line; YAML indents with spaces"}},
		{"two documents", minimal + "---\nlisten: x\n", []string{"f.yaml:15: a second YAML document (after ---): a config file holds one"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantErrors(t, tc.doc, nil, tc.want...)
		})
	}
}

func TestDecodeValues(t *testing.T) {
	t.Run("optional ints and durations", func(t *testing.T) {
		for _, tc := range []struct {
			limits  string
			frame   *int
			idle    *time.Duration
			message string
		}{
			{limits: "{}"},
			{limits: "{maxFrameBytes: ~, idleTimeout: ~}"},
			{limits: "{maxFrameBytes: 4096, idleTimeout: 0}", frame: ptr(4096), idle: ptr(time.Duration(0))},
			{limits: "{maxFrameBytes: 0x1000, idleTimeout: 0s}", frame: ptr(4096), idle: ptr(time.Duration(0))},
			{limits: "{maxFrameBytes: 1_024, idleTimeout: 1h30m}", frame: ptr(1024), idle: ptr(90 * time.Minute)},
			{limits: "{maxFrameBytes: 0, idleTimeout: 500ms}", frame: ptr(0), idle: ptr(500 * time.Millisecond)},
		} {
			t.Run(tc.limits, func(t *testing.T) {
				var l Limits
				if errs := decodeInto(t, tc.limits, &l); len(errs) > 0 {
					t.Fatal(errs)
				}
				if !reflect.DeepEqual(l.MaxFrameBytes, tc.frame) {
					t.Errorf("maxFrameBytes = %v, want %v", deref(l.MaxFrameBytes), deref(tc.frame))
				}
				var idle *time.Duration
				if l.IdleTimeout != nil {
					idle = ptr(l.IdleTimeout.Std())
				}
				if !reflect.DeepEqual(idle, tc.idle) {
					t.Errorf("idleTimeout = %v, want %v", deref(idle), deref(tc.idle))
				}
			})
		}
	})

	t.Run("a zero that is set reaches validation", func(t *testing.T) {
		wantErrors(t, minimal+"    limits:\n      sendQueueBytes: 0\n", nil,
			"f.yaml:15:23: apis[0].limits.sendQueueBytes: 0: must be positive")
	})

	t.Run("scalars into strings", func(t *testing.T) {
		f := mustParse(t, "accountId: 000000000000\nregion: us-east-1\n"+with(minimal, "apiId: chat", "apiId: 42", "stageName: dev", "stageName: 2024"), nil)
		if f.AccountID != "000000000000" || f.APIs[0].APIID != "42" || f.APIs[0].Stages[0].StageName != "2024" {
			t.Errorf("got %q %q %q", f.AccountID, f.APIs[0].APIID, f.APIs[0].Stages[0].StageName)
		}
	})

	t.Run("booleans", func(t *testing.T) {
		for doc, want := range map[string]bool{"true": true, "True": true, "false": false, "FALSE": false} {
			f := mustParse(t, "managementApi: {allowUnsigned: "+doc+"}\n"+minimal, nil)
			if f.ManagementAPI.AllowUnsigned != want {
				t.Errorf("%s decoded as %v", doc, !want)
			}
		}
	})

	t.Run("anchors and aliases", func(t *testing.T) {
		doc := with(minimal,
			"      - integrationId: backend", "      - &backend\n        integrationId: backend",
			"      - stageName: dev\n", "      - stageName: dev\n  - apiId: chat2\n    protocolType: WEBSOCKET\n    routeSelectionExpression: $request.body.action\n    integrations: [*backend]\n    routes: [{routeKey: $default, target: integrations/backend}]\n    stages: [{stageName: dev}]\n")
		f := mustParse(t, doc, nil)
		if !reflect.DeepEqual(f.APIs[0].Integrations, f.APIs[1].Integrations) {
			t.Errorf("alias decoded differently: %+v", f.APIs[1].Integrations)
		}
	})

	t.Run("alias bombs stop", func(t *testing.T) {
		// Each level multiplies by 50: 50 APIs × 50 routes × 50 responses.
		rr := "&rr {routeResponseKey: $default}" + strings.Repeat(", *rr", 49)
		route := "&route {routeKey: a, routeResponses: [" + rr + "]}" + strings.Repeat(", *route", 49)
		doc := "apis:\n  - &api {protocolType: WEBSOCKET, routes: [" + route + "]}\n" + strings.Repeat("  - *api\n", 49)
		list := parseErrors(t, doc, nil)
		if len(list) != 1 || !strings.Contains(list[0].Msg, "the file expands to more than 100000 values") {
			t.Errorf("errors: %v", list)
		}
	})
}

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// decodeInto runs only the decoder on src, into v.
func decodeInto(t testing.TB, src string, v any) ErrorList {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(src), &n); err != nil {
		t.Fatal(err)
	}
	d := newDecoder("f.yaml", env(nil))
	d.decode(n.Content[0], reflect.ValueOf(v).Elem(), "")
	return d.errs
}

func TestDurationMethods(t *testing.T) {
	var v struct {
		D Duration `yaml:"d"`
	}
	if err := yaml.Unmarshal([]byte("d: 1m30s"), &v); err != nil || v.D.Std() != 90*time.Second {
		t.Fatalf("UnmarshalYAML: %v, %v", v.D, err)
	}
	if err := yaml.Unmarshal([]byte("d: 90"), &v); err == nil || !strings.Contains(err.Error(), "write a unit") {
		t.Errorf("bare integer: %v", err)
	}
	out, err := yaml.Marshal(v)
	if err != nil || string(out) != "d: 1m30s\n" {
		t.Errorf("MarshalYAML: %q, %v", out, err)
	}
	if err := yaml.Unmarshal([]byte("d: ~"), &v); err != nil || v.D.Std() != 90*time.Second {
		t.Errorf("null: %v, %v", v.D, err)
	}
	if s := Duration(2 * time.Hour).String(); s != "2h0m0s" {
		t.Errorf("String = %s", s)
	}
}

func TestMarshalledFileLoads(t *testing.T) {
	data, err := os.ReadFile("testdata/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f := mustParse(t, string(data), map[string]string{"PORTICO_SECRET_KEY": "s"})
	out, err := yaml.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	g := mustParse(t, string(out), nil)
	if !reflect.DeepEqual(f.APIs[0].Limits, g.APIs[0].Limits) || g.APIs[1].Stages[0].StageName != "$default" {
		t.Errorf("round trip changed the file:\n%s", out)
	}
}

func TestParseConcurrently(t *testing.T) {
	data, err := os.ReadFile("testdata/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := parse("full.yaml", data, env(map[string]string{"PORTICO_SECRET_KEY": "x"})); err != nil {
				t.Error(err)
			}
			if _, err := parse("bad.yaml", []byte("listn: x\n"), env(nil)); err == nil {
				t.Error("accepted a bad file")
			}
		})
	}
	wg.Wait()
}

func TestKeyPaths(t *testing.T) {
	for _, tc := range []struct{ parent, name, key, up string }{
		{"", "apis", "apis", ""},
		{"apis[0]", "routes", "apis[0].routes", "apis[0]"},
		{"s.stageVariables", "v_1", "s.stageVariables.v_1", "s.stageVariables"},
		{"r.requestParameters", "integration.request.header.x", `r.requestParameters["integration.request.header.x"]`, "r.requestParameters"},
		{"m", `a["b"].c[0]`, `m["a[\"b\"].c[0]"]`, "m"},
		{"m", "", `m[""]`, "m"},
		{"", "my key", `["my key"]`, ""},
	} {
		t.Run(tc.key, func(t *testing.T) {
			if got := childKey(tc.parent, tc.name); got != tc.key {
				t.Errorf("childKey(%q, %q) = %q, want %q", tc.parent, tc.name, got, tc.key)
			}
			if got := parentKey(tc.key); got != tc.up {
				t.Errorf("parentKey(%q) = %q, want %q", tc.key, got, tc.up)
			}
		})
	}
	if got := parentKey("apis[0]"); got != "apis" {
		t.Errorf("parentKey(apis[0]) = %q", got)
	}
}

// TestLoadBase: a file whose APIs come from a template may have none; the
// other rules still hold.
func TestLoadBase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "base.yaml")
	if err := os.WriteFile(path, []byte("listen: 127.0.0.1:9000\ncredentials: [{accessKeyId: AKID, secretAccessKey: s}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "at least one API is required") {
		t.Errorf("Load: %v; want the missing API reported", err)
	}
	f, err := LoadBase(path)
	if err != nil || f.Listen != "127.0.0.1:9000" {
		t.Fatalf("LoadBase: %v %+v", err, f)
	}
	if err := os.WriteFile(path, []byte("listen: 9000\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadBase(path); err == nil || !strings.Contains(err.Error(), "want host:port") {
		t.Errorf("LoadBase of a bad listen: %v", err)
	}
}
