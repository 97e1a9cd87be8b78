package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestVersion(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"version"}, &out, &errb); code != 0 || !strings.HasPrefix(out.String(), "portico ") {
		t.Fatalf("version: %d %q %q", code, out.String(), errb.String())
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{nil, {"frobnicate"}, {"serve"}, {"validate"}, {"serve", "--nosuchflag"}} {
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code != 2 || errb.Len() == 0 {
			t.Errorf("%v: exit %d, stderr %q; want 2 and a message", args, code, errb.String())
		}
	}
}

func TestValidateExampleConfig(t *testing.T) {
	var out, errb bytes.Buffer
	path := filepath.Join("..", "..", "examples", "chat", "portico.yaml")
	if code := run([]string{"validate", "--config", path}, &out, &errb); code != 0 {
		t.Fatalf("validate chat example: exit %d: %s", code, errb.String())
	}
	if code := run([]string{"validate", "-c", path}, &out, &errb); code != 0 {
		t.Fatalf("validate -c: exit %d: %s", code, errb.String())
	}
}

func TestValidateReportsEveryErrorWithFileAndLine(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bad.yaml")
	const bad = `listen: 127.0.0.1:8080
apis:
  - apiId: chat
    protocolType: WEBSOCKET
    routeSelectionExpression: $request.body.action
    integratons: []
    integrations:
      - integrationId: backend
        integrationType: AWS_PROXY
        integrationUri: http://127.0.0.1:9000/events
    routes:
      - routeKey: sendmessage
        target: integrations/backnd
      - routeKey: sendmessage
        target: integrations/backend
    stages:
      - stageName: dev
`
	if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := run([]string{"validate", "--config", path}, &out, &errb)
	if code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	msg := errb.String()
	for _, want := range []string{
		path + ":6:", "integratons", // unknown key
		path + ":13:", "backnd", // dangling target
		path + ":14:", "sendmessage", // duplicate route key
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("validate output lacks %q:\n%s", want, msg)
		}
	}
	if code := run([]string{"serve", "--config", path}, &out, &errb); code != 2 {
		t.Errorf("serve with a bad config: exit %d, want 2", code)
	}
}

func TestServeReportsPortInUse(t *testing.T) {
	// Covered end to end by TestServeProcess in the root package; here only
	// the missing-file message.
	var out, errb bytes.Buffer
	if code := run([]string{"serve", "--config", "/nonexistent/portico.yaml"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "/nonexistent/portico.yaml") {
		t.Errorf("missing file: exit %d: %q", code, errb.String())
	}
}
