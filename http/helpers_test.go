package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portico-gw/portico"
	"github.com/portico-gw/portico/config"
)

// startGateway runs a Portico node with yaml on 127.0.0.1 and returns its
// base URL.
func startGateway(t testing.TB, yaml string) string {
	t.Helper()
	f, err := config.Parse("test.yaml", []byte(yaml))
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	srv, err := portico.New(portico.Config{File: f, Listen: "127.0.0.1:0", ShutdownTimeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("portico.New: %v", err)
	}
	if err := srv.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	return "http://" + srv.Addr().String()
}

// function is a Lambda function served over HTTP (AWS_PROXY to a URL): it
// records each event and answers with reply.
type function struct {
	*httptest.Server
	mu     sync.Mutex
	events [][]byte
	reply  func(event []byte) (status int, header http.Header, body string)
}

func newFunction(t testing.TB, reply func(event []byte) (int, http.Header, string)) *function {
	f := &function{reply: reply}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ev, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.events = append(f.events, ev)
		f.mu.Unlock()
		status, h, body := f.reply(ev)
		for k, v := range h {
			w.Header()[k] = v
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *function) last(t testing.TB) []byte {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.events) == 0 {
		t.Fatal("the function was not invoked")
	}
	return f.events[len(f.events)-1]
}

func (f *function) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.events)
}

// answer returns a reply func that always answers body with 200.
func answer(body string) func([]byte) (int, http.Header, string) {
	return func([]byte) (int, http.Header, string) { return 200, nil, body }
}

// httpAPI is an HTTP API whose routes all target the integration "fn".
func httpAPI(integration, routes, stages, extra string) string {
	return `
accountId: "123456789012"
apis:
  - apiId: httpapi001
    protocolType: HTTP
    integrations:
` + indent(integration, 6) + `
    routes:
` + indent(routes, 6) + `
    stages:
` + indent(stages, 6) + "\n" + indent(extra, 4)
}

func indent(s string, n int) string {
	pad := strings.Repeat(" ", n)
	lines := strings.Split(strings.Trim(s, "\n"), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = pad + l
		}
	}
	return strings.Join(lines, "\n")
}

// do sends a request and returns the response with its body read.
func do(t testing.TB, method, url string, body io.Reader, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Add(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// keys returns the top-level keys of a JSON object.
func keys(t testing.TB, raw []byte) map[string]bool {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("not a JSON object: %v: %s", err, raw)
	}
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}
