package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/gorilla/websocket"

	"github.com/portico-gw/portico"
	"github.com/portico-gw/portico/config"
)

// cliGateway is a gateway started in process from a config file, as
// `portico serve --config path` would start it, with a backend that
// reports the IDs of connections as they open.
type cliGateway struct {
	path, addr string
	connected  chan string
}

func startCLIGateway(t *testing.T, apis string) *cliGateway {
	t.Helper()
	g := &cliGateway{connected: make(chan string, 8), addr: freeAddr(t)}
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var ev events.APIGatewayWebsocketProxyRequest
		if json.Unmarshal(body, &ev) == nil && ev.RequestContext.EventType == "CONNECT" {
			g.connected <- ev.RequestContext.ConnectionID
		}
		_, _ = io.WriteString(w, `{"statusCode":200}`)
	}))
	t.Cleanup(backend.Close)
	g.path = filepath.Join(t.TempDir(), "portico.yaml")
	cfg := "listen: " + g.addr + `
region: eu-west-1
credentials:
  - {accessKeyId: AKIDCLI, secretAccessKey: cli-secret}
apis:
` + strings.ReplaceAll(apis, "BACKEND", backend.URL)
	if err := os.WriteFile(g.path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := config.Load(g.path)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := portico.New(portico.Config{File: f, ShutdownTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	return g
}

// connect opens a WebSocket connection to path and returns it with its ID.
func (g *cliGateway) connect(t *testing.T, path string) (*websocket.Conn, string) {
	t.Helper()
	c, _, err := websocket.DefaultDialer.Dial("ws://"+g.addr+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	select {
	case id := <-g.connected:
		return c, id
	case <-time.After(10 * time.Second):
		t.Fatal("no CONNECT event")
	}
	return nil, ""
}

func chatAPI(id, stages string) string {
	return `  - apiId: ` + id + `
    name: ` + id + `
    protocolType: WEBSOCKET
    routeSelectionExpression: $request.body.action
    integrations:
      - {integrationId: backend, integrationType: AWS_PROXY, integrationUri: "BACKEND"}
    routes:
      - {routeKey: $connect, target: integrations/backend}
      - {routeKey: $default, target: integrations/backend}
    stages: ` + stages + "\n"
}

// connectionsRun runs `portico connections args...`.
func connectionsRun(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(append([]string{"connections"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

func readMessage(t *testing.T, c *websocket.Conn) string {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, b, err := c.ReadMessage()
	if err != nil {
		t.Fatalf("reading: %v", err)
	}
	return string(b)
}

// TestConnectionsCommands runs every `portico connections` subcommand
// against a gateway with one API, from its config file.
func TestConnectionsCommands(t *testing.T) {
	g := startCLIGateway(t, chatAPI("chat", "[{stageName: dev}]"))
	c, id := g.connect(t, "/dev")
	cfg := []string{"--config", g.path}
	want := func(t *testing.T, args []string, code int, stdout, stderr string) string {
		t.Helper()
		gotCode, out, errb := connectionsRun(args...)
		if gotCode != code || !strings.Contains(out, stdout) || !strings.Contains(errb, stderr) {
			t.Fatalf("%v: exit %d, stdout %q, stderr %q; want %d, %q, %q", args, gotCode, out, errb, code, stdout, stderr)
		}
		return out
	}

	t.Run("post", func(t *testing.T) {
		want(t, append([]string{"post", id, `{"hello":1}`}, cfg...), 0, "", "")
		if got := readMessage(t, c); got != `{"hello":1}` {
			t.Errorf("the client got %q", got)
		}
	})
	t.Run("get", func(t *testing.T) {
		out := want(t, append(cfg, "get", id), 0, `"connectedAt"`, "")
		var info struct {
			Identity struct{ SourceIP string } `json:"identity"`
		}
		if err := json.Unmarshal([]byte(out), &info); err != nil || info.Identity.SourceIP != "127.0.0.1" {
			t.Errorf("get printed %q (%v)", out, err)
		}
	})
	t.Run("list", func(t *testing.T) {
		out := want(t, []string{"list", "dev", "-c", g.path}, 0, id, "")
		var page struct {
			Items []struct{ ConnectionID string } `json:"items"`
		}
		if err := json.Unmarshal([]byte(out), &page); err != nil || len(page.Items) != 1 || page.Items[0].ConnectionID != id {
			t.Errorf("list printed %q (%v)", out, err)
		}
		want(t, []string{"list", "dev", "-c", g.path, "--max-results", "1"}, 0, id, "")
	})
	t.Run("broadcast", func(t *testing.T) {
		want(t, append(cfg, "broadcast", "dev", "to everyone"), 0, "", "")
		if got := readMessage(t, c); got != "to everyone" {
			t.Errorf("the client got %q", got)
		}
	})
	t.Run("endpoint and environment credentials", func(t *testing.T) {
		t.Setenv("AWS_ACCESS_KEY_ID", "AKIDCLI")
		t.Setenv("AWS_SECRET_ACCESS_KEY", "cli-secret")
		t.Setenv("AWS_REGION", "eu-west-1")
		want(t, []string{"--endpoint", "http://" + g.addr, "--stage", "dev", "post", id, "from env"}, 0, "", "")
		if got := readMessage(t, c); got != "from env" {
			t.Errorf("the client got %q", got)
		}
		t.Setenv("AWS_SECRET_ACCESS_KEY", "wrong")
		want(t, []string{"--endpoint", "http://" + g.addr, "--stage", "dev", "post", id, "x"}, 1, "",
			"ForbiddenException: The request signature we calculated does not match")
		t.Setenv("AWS_SECRET_ACCESS_KEY", "cli-secret")
		t.Setenv("AWS_REGION", "us-west-2") // the gateway is in eu-west-1
		want(t, []string{"--endpoint", "http://" + g.addr, "--stage", "dev", "get", id}, 1, "",
			"Credential should be scoped to a valid region, not 'us-west-2'.")
	})
	t.Run("too large", func(t *testing.T) {
		want(t, append(cfg, "post", id, strings.Repeat("x", 200<<10)), 1, "", "PayloadTooLargeException: Message too long (HTTP 413)")
	})
	t.Run("delete", func(t *testing.T) {
		want(t, append(cfg, "delete", id), 0, "", "")
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		for {
			if _, _, err := c.ReadMessage(); err != nil {
				if !websocket.IsCloseError(err, websocket.CloseNormalClosure) {
					t.Errorf("after delete: %v, want close 1000", err)
				}
				break
			}
		}
		want(t, append(cfg, "get", id), 1, "", "GoneException (HTTP 410)")
	})
	t.Run("gateway down", func(t *testing.T) {
		want(t, append(cfg, "--endpoint", "http://"+freeAddr(t), "get", id), 1, "", "connection refused")
	})
}

// TestConnectionsCommandsSeveralAPIs: with several APIs in the config,
// --api-id picks one (addressed in the path style) and --stage one of its
// stages.
func TestConnectionsCommandsSeveralAPIs(t *testing.T) {
	g := startCLIGateway(t, chatAPI("chat", "[{stageName: dev}]")+chatAPI("other", "[{stageName: a}, {stageName: b}]"))
	c, id := g.connect(t, "/_aws/execute-api/other/b")
	for _, tc := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"post", id, "x", "-c", g.path}, 2, "the config holds 2 WebSocket APIs (chat, other): name one with --api-id"},
		{[]string{"post", id, "x", "-c", g.path, "--api-id", "nosuch"}, 2, `--api-id "nosuch": the config has no such API`},
		{[]string{"post", id, "x", "-c", g.path, "--api-id", "other"}, 2, "API other has 2 stages: name one with --stage"},
		{[]string{"post", id, "x", "-c", g.path, "--api-id", "other", "--stage", "a"}, 1, "GoneException"},
		{[]string{"post", id, "x", "-c", g.path, "--api-id", "other", "--stage", "b"}, 0, ""},
		{[]string{"broadcast", "b", "y", "-c", g.path, "--api-id", "other"}, 0, ""},
	} {
		code, _, errb := connectionsRun(tc.args...)
		if code != tc.code || !strings.Contains(errb, tc.stderr) {
			t.Errorf("%v: exit %d, stderr %q; want %d, %q", tc.args, code, errb, tc.code, tc.stderr)
		}
	}
	for _, want := range []string{"x", "y"} {
		if got := readMessage(t, c); got != want {
			t.Errorf("the client got %q, want %q", got, want)
		}
	}
}

func TestConnectionsUsage(t *testing.T) {
	code, out, errb := connectionsRun("--help")
	if code != 0 || !strings.Contains(out, "portico connections broadcast STAGE DATA") || errb != "" {
		t.Errorf("--help: exit %d, stdout %q, stderr %q", code, out, errb)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	for _, args := range [][]string{
		nil,
		{"frobnicate"},
		{"post", "ID"},
		{"get", "ID", "extra", "--endpoint", "http://127.0.0.1:1"},
		{"list", "dev"}, // neither --config nor --endpoint
		{"list", "dev", "--endpoint", "ftp://x"},
		{"list", "dev", "--endpoint", "http://127.0.0.1:1"}, // no credentials
		{"list", "dev", "--nosuchflag"},
		{"get", "ID", "--config", "/nonexistent/portico.yaml"},
	} {
		code, out, errb := connectionsRun(args...)
		if code != 2 || !strings.Contains(errb, "Usage:") || out != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2 and the usage on stderr", args, code, out, errb)
		}
	}
}
