package main

import (
	"bytes"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
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

func TestServeMissingFile(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"serve", "--config", "/nonexistent/portico.yaml"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "/nonexistent/portico.yaml") {
		t.Errorf("missing file: exit %d: %q", code, errb.String())
	}
}

func TestServePortInUse(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	path := filepath.Join("..", "..", "examples", "chat", "portico.yaml")
	var out, errb syncBuffer
	code := run([]string{"serve", "-c", path, "--listen", l.Addr().String()}, &out, &errb)
	if code != 1 || !strings.Contains(errb.String(), "cannot listen on "+l.Addr().String()) || !strings.Contains(errb.String(), "address already in use") {
		t.Errorf("port in use: exit %d: %q", code, errb.String())
	}
}

// TestServeStopsOnSignal runs serve in-process and sends the process SIGINT:
// serve's signal handler takes it, shuts down gracefully and returns 0.
func TestServeStopsOnSignal(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	path := filepath.Join("..", "..", "examples", "chat", "portico.yaml")
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run([]string{"serve", "--config", path, "--listen", addr, "--log-format", "json"}, &out, &errb)
	}()
	// Wait until it serves: a plain GET on the stage answers 426.
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/dev")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != http.StatusUpgradeRequired {
				t.Fatalf("GET /dev: %d, want 426", resp.StatusCode)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve never listened: %s", errb.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exited %d after SIGINT: %s", code, errb.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop after SIGINT")
	}
	if !strings.Contains(errb.String(), "portico stopped") {
		t.Errorf("log lacks the stop line: %s", errb.String())
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServeReloadsOnSIGHUP: a valid file replaces the routes on SIGHUP
// (an open connection survives and uses them); an invalid one is refused
// with its errors and the running configuration stays.
func TestServeReloadsOnSIGHUP(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	dir := t.TempDir()
	path := filepath.Join(dir, "portico.yaml")
	write := func(body string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	const cfg = `apis:
  - apiId: reload
    protocolType: WEBSOCKET
    routeSelectionExpression: $request.body.action
    integrations:
      - {integrationId: mock, integrationType: MOCK, requestTemplates: {$default: '{"statusCode":200}'}, integrationResponses: [{integrationResponseKey: $default, responseTemplates: {$default: 'ROUTE'}}]}
    routes:
      - {routeKey: $default, target: integrations/mock, routeResponseSelectionExpression: $default}
    stages:
      - stageName: dev
`
	write(strings.Replace(cfg, "ROUTE", "first", 1))
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() { done <- run([]string{"serve", "--config", path, "--listen", addr}, &out, &errb) }()
	var c *websocket.Conn
	deadline := time.Now().Add(20 * time.Second)
	for c == nil {
		c, _, err = websocket.DefaultDialer.Dial("ws://"+addr+"/dev", nil)
		if err != nil && time.Now().After(deadline) {
			t.Fatalf("serve never listened: %v %s", err, errb.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	defer c.Close()
	ask := func() string {
		t.Helper()
		if err := c.WriteMessage(websocket.TextMessage, []byte(`{"action":"x"}`)); err != nil {
			t.Fatal(err)
		}
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, data, err := c.ReadMessage()
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	if got := ask(); got != "first" {
		t.Fatalf("before reload: %q", got)
	}
	hup := func(wantLog string) {
		t.Helper()
		if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(errb.String(), wantLog) {
			if time.Now().After(deadline) {
				t.Fatalf("no %q in the log: %s", wantLog, errb.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	write(strings.Replace(cfg, "ROUTE", "second", 1))
	hup("configuration reloaded")
	if got := ask(); got != "second" {
		t.Fatalf("after reload, the open connection got %q", got)
	}
	write(strings.Replace(cfg, "routeSelectionExpression", "routeSelectionExpresion", 1))
	hup("configuration reload rejected")
	if !strings.Contains(errb.String(), "routeSelectionExpresion") {
		t.Errorf("the rejection does not name the bad key: %s", errb.String())
	}
	if got := ask(); got != "second" {
		t.Fatalf("after a rejected reload: %q", got)
	}
	_ = syscall.Kill(os.Getpid(), syscall.SIGINT)
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
}
