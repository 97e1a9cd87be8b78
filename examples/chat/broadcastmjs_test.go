package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/portico-gw/portico"
	"github.com/portico-gw/portico/config"
)

// TestBroadcastJS runs broadcast.mjs with Node against the example's
// gateway: the SDK's signer (@smithy/signature-v4) signs @broadcast as the
// gateway verifies it, and a client gets the message. It installs the two
// npm packages into a temporary directory, and is skipped when node or npm
// is missing or the install fails (offline); -short skips it too.
func TestBroadcastJS(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: not installing npm packages")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: broadcast.mjs not tested")
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Skip("npm is not installed: broadcast.mjs not tested")
	}
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	install := exec.CommandContext(ctx, npm, "install", "--prefix", dir, "--no-audit", "--no-fund", "--loglevel=error",
		"@smithy/signature-v4@5", "@aws-crypto/sha256-js@5")
	if out, err := install.CombinedOutput(); err != nil {
		t.Skipf("npm install failed (offline?): broadcast.mjs not tested: %v\n%s", err, out)
	}
	script, err := os.ReadFile("broadcast.mjs")
	if err != nil {
		t.Fatal(err)
	}
	// Node resolves imports from the script's folder: run a copy next to
	// the packages.
	if err := os.WriteFile(filepath.Join(dir, "broadcast.mjs"), script, 0o600); err != nil {
		t.Fatal(err)
	}

	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"statusCode":200}`))
	}))
	defer backend.Close()
	file, err := config.Load("portico.yaml")
	if err != nil {
		t.Fatal(err)
	}
	file.APIs[0].Integrations[0].IntegrationURI = backend.URL + "/events"
	gw, err := portico.New(portico.Config{File: file, Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := gw.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = gw.Shutdown(ctx)
	}()
	c, _, err := websocket.DefaultDialer.Dial("ws://"+gw.Addr().String()+"/dev", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	runJS := func(secret string) (string, error) {
		cmd := exec.CommandContext(ctx, node, "broadcast.mjs", `{"from":"node"}`)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "PORTICO_URL=http://"+gw.Addr().String()+"/dev",
			"AWS_ACCESS_KEY_ID=AKIDPORTICOCHAT", "AWS_SECRET_ACCESS_KEY="+secret, "AWS_REGION=us-east-1", "AWS_SESSION_TOKEN=")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := runJS("portico-chat-example-secret"); err != nil || !strings.Contains(out, "200 broadcast to /dev/@broadcast") {
		t.Fatalf("node broadcast.mjs: %v\n%s", err, out)
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, got, err := c.ReadMessage(); err != nil || string(got) != `{"from":"node"}` {
		t.Fatalf("the client got %q, %v", got, err)
	}
	// A wrong secret is refused, and the script says so.
	if out, err := runJS("wrong"); err == nil || !strings.Contains(out, "403 ForbiddenException") {
		t.Errorf("node broadcast.mjs with a wrong secret: %v\n%s", err, out)
	}
}
