package config

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := vars[k]
		return v, ok
	}
}

func TestFullExampleLoads(t *testing.T) {
	data, err := os.ReadFile("testdata/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f, err := parse("full.yaml", data, env(map[string]string{"PORTICO_SECRET_KEY": "s3cret"}))
	if err != nil {
		t.Fatal(err)
	}
	if f.Credentials[0].SecretAccessKey != "s3cret" {
		t.Errorf("secret = %q", f.Credentials[0].SecretAccessKey)
	}
	a := f.APIs[0]
	if a.RouteSelectionExpression != "$request.body.action" || a.Routes[0].RouteKey != "$connect" || a.Routes[1].RouteResponseSelectionExpression != "$default" {
		t.Errorf("expressions were expanded: %+v", a)
	}
	good := strings.Replace(strings.Replace(base, "AWS_PROXY", "NATS", 1), "http://127.0.0.1:9000/events", "nats:chat.backend?mode=publish", 1) +
		"nats:\n  cluster:\n    listen: 127.0.0.1:6222\n    routes: [nats-route://127.0.0.1:6223]\n"
	if _, err := parse("ok.yaml", []byte(good), env(nil)); err != nil {
		t.Errorf("NATS integration and cluster: %v", err)
	}
	if *a.Limits.MaxFrameBytes != 32768 || a.Limits.IdleTimeout.Std() != 10*time.Minute || a.Limits.MaxConnectionDuration.Std() != 2*time.Hour || a.Limits.WriteTimeout.Std() != time.Second {
		t.Errorf("limits = %+v", a.Limits)
	}
	if f.APIs[1].Stages[0].StageName != "$default" || !f.APIs[1].Stages[0].AutoDeploy {
		t.Errorf("stages = %+v", f.APIs[1].Stages)
	}

	// JSON is accepted too, with the same names and line-numbered errors.
	fj, err := parse("full.json", []byte(jsonConfig), env(map[string]string{"PORTICO_SECRET_KEY": "s3cret"}))
	if err != nil {
		t.Fatalf("JSON form: %v", err)
	}
	if fj.APIs[0].Routes[1].RouteKey != "sendmessage" || *fj.APIs[0].Limits.SendQueueBytes != 1048576 || fj.Credentials[0].SecretAccessKey != "s3cret" {
		t.Errorf("JSON form decoded to %+v", fj.APIs[0])
	}
	_, err = parse("bad.json", []byte(strings.Replace(jsonConfig, `"stageName"`, `"stagename"`, 1)), env(map[string]string{"PORTICO_SECRET_KEY": "s"}))
	if err == nil || !strings.Contains(err.Error(), "bad.json:9:17: apis[0].stages[0].stagename: unknown key; did you mean stageName?") {
		t.Errorf("JSON error: %v", err)
	}
}

const jsonConfig = `{
  "listen": "127.0.0.1:8080",
  "credentials": [{"accessKeyId": "AKIDEXAMPLE", "secretAccessKey": "${PORTICO_SECRET_KEY}"}],
  "apis": [{
    "apiId": "chat", "protocolType": "WEBSOCKET", "routeSelectionExpression": "$request.body.action",
    "integrations": [{"integrationId": "backend", "integrationType": "AWS_PROXY", "integrationUri": "http://127.0.0.1:9000/events"}],
    "routes": [{"routeKey": "$connect", "target": "integrations/backend"},
               {"routeKey": "sendmessage", "target": "integrations/backend", "routeResponseSelectionExpression": "$default"}],
    "stages": [{"stageName": "dev"}],
    "limits": {"sendQueueBytes": 1048576, "idleTimeout": "10m"}
  }]
}`

const base = `apis:
  - apiId: chat
    protocolType: WEBSOCKET
    routeSelectionExpression: $request.body.action
    integrations:
      - integrationId: backend
        integrationType: AWS_PROXY
        integrationUri: http://127.0.0.1:9000/events
    routes:
      - routeKey: $default
        target: integrations/backend
    stages:
      - stageName: dev
`

func TestErrorsNameFileLineAndKey(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		want       []string // substrings, each must appear
	}{
		{"unknown key with suggestion", "listn: x\n" + base, []string{"f.yaml:1:1: listn: unknown key; did you mean listen?"}},
		{"unknown nested key", strings.Replace(base, "    stages:", "    stagez: []\n    stages:", 1), []string{"f.yaml:12:5: apis[0].stagez: unknown key"}},
		{"wrong type", "listen: [1]\n" + base, []string{"f.yaml:1:9: listen: want a string, got a list"}},
		{"int as string", base + "    limits:\n      maxFrameBytes: big\n", []string{`f.yaml:15:22: apis[0].limits.maxFrameBytes: want an integer, got "big"`}},
		{"duration without unit", base + "    limits:\n      idleTimeout: 600\n", []string{"apis[0].limits.idleTimeout: 600 has no unit"}},
		{"bool", "managementApi:\n  allowUnsigned: yes\n" + base, []string{`f.yaml:2:18: managementApi.allowUnsigned: want true or false, got "yes"`}},
		{"dangling target", strings.Replace(base, "integrations/backend", "integrations/backnd", 1), []string{`f.yaml:11:17: apis[0].routes[0].target: integration "backnd" not found (known: backend)`}},
		{"duplicate route", strings.Replace(base, "    stages:", "      - routeKey: $default\n        target: integrations/backend\n    stages:", 1), []string{`f.yaml:12:19: apis[0].routes[1].routeKey: duplicate route key "$default" (also apis[0].routes[0], line 10)`}},
		{"bad selection", strings.Replace(base, "$request.body.action", "$request.header.x", 1), []string{"apis[0].routeSelectionExpression", "only $request.body is supported"}},
		{"unterminated template", strings.Replace(base, "$request.body.action", "${request.body.action", 1), []string{"unterminated ${"}},
		{"reserved key", strings.Replace(base, "routeKey: $default", "routeKey: $weird", 1), []string{"apis[0].routes[0].routeKey", "reserved"}},
		{"bad uri", strings.Replace(base, "http://127.0.0.1:9000/events", "lambda:foo", 1), []string{"apis[0].integrations[0].integrationUri"}},
		{"timeout range", strings.Replace(base, "        integrationUri:", "        timeoutInMillis: 30000\n        integrationUri:", 1), []string{"timeoutInMillis: 30000: must be between 50 and 29000"}},
		{"missing protocol", strings.Replace(base, "    protocolType: WEBSOCKET\n", "", 1), []string{"apis[0]: protocolType is required"}},
		{"duplicate yaml key", "listen: a:1\nlisten: b:2\n" + base, []string{"f.yaml:2:1: listen: duplicate key (first set on line 1)"}},
		{"no stages", strings.Replace(base, "    stages:\n      - stageName: dev\n", "", 1), []string{"at least one stage"}},
		{"origin", base + "    limits:\n      allowedOrigins: [\"example.com\"]\n", []string{"apis[0].limits.allowedOrigins[0]"}},
		{"nats uri", strings.Replace(strings.Replace(base, "AWS_PROXY", "NATS", 1), "http://127.0.0.1:9000/events", "nats:a.*", 1), []string{`apis[0].integrations[0].integrationUri: "nats:a.*": want nats:SUBJECT`}},
		{"cluster with url", "nats:\n  url: nats://x:4222\n  cluster:\n    listen: 127.0.0.1:6222\n    routes: [http://x]\n" + base, []string{"nats.cluster: clusters embedded servers", "nats.cluster.routes[0]"}},
		{"top level list", "- a\n", []string{"the top level must be a mapping"}},
		{"empty", "", []string{"the file is empty"}},
		{"syntax", "apis: [\n", []string{"f.yaml:"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parse("f.yaml", []byte(tc.yaml), env(nil))
			if err == nil {
				t.Fatal("accepted")
			}
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("error %T, want ErrorList", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestAllErrorsReported(t *testing.T) {
	y := "listn: x\n" + strings.Replace(strings.Replace(base, "integrations/backend", "integrations/nope", 1), "AWS_PROXY", "LAMBDA", 1)
	_, err := parse("f.yaml", []byte(y), env(nil))
	var list ErrorList
	if !errors.As(err, &list) || len(list) != 3 {
		t.Fatalf("want 3 errors, got %v", err)
	}
	for i := 1; i < len(list); i++ {
		if list[i].Line < list[i-1].Line {
			t.Errorf("errors not in file order: %v", err)
		}
	}
}

func TestEnvExpansion(t *testing.T) {
	y := "credentials:\n  - accessKeyId: ${AK}\n    secretAccessKey: pre-${SK}-$${NOT}-${lower}\n" +
		strings.Replace(base, "$request.body.action", "${request.body.action}", 1)
	f, err := parse("f.yaml", []byte(y), env(map[string]string{"AK": "key", "SK": "s"}))
	if err != nil {
		t.Fatal(err)
	}
	if c := f.Credentials[0]; c.AccessKeyID != "key" || c.SecretAccessKey != "pre-s-${NOT}-${lower}" {
		t.Errorf("credentials %+v", c)
	}
	if f.APIs[0].RouteSelectionExpression != "${request.body.action}" {
		t.Errorf("expression expanded: %q", f.APIs[0].RouteSelectionExpression)
	}
	_, err = parse("f.yaml", []byte(y), env(map[string]string{"AK": "key"}))
	if err == nil || !strings.Contains(err.Error(), "f.yaml:3:22: credentials[0].secretAccessKey: environment variable SK is not set") {
		t.Errorf("unset variable: %v", err)
	}
	// A value containing YAML syntax cannot inject structure.
	f, err = parse("f.yaml", []byte("listen: ${L}\n"+base), env(map[string]string{"L": "a:1\napis: []"}))
	if err == nil && f.Listen != "a:1\napis: []" {
		t.Errorf("listen = %q", f.Listen)
	}
}

func FuzzParse(f *testing.F) {
	data, _ := os.ReadFile("testdata/full.yaml")
	f.Add(data)
	f.Add([]byte(base))
	f.Add([]byte("apis: [{protocolType: WEBSOCKET, limits: {idleTimeout: 5}}]"))
	f.Add([]byte("{\"apis\": [{\"routes\": [{\"routeKey\": 1}]}]}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = parse("fuzz.yaml", data, env(map[string]string{"PORTICO_SECRET_KEY": "x"}))
	})
}
