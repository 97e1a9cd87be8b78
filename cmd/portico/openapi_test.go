package main

import (
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// petsDoc is an OpenAPI document a config entry names; ANSWER is what its
// MOCK method answers.
const petsDoc = `openapi: 3.0.1
info: {title: pets}
paths:
  /pets:
    get:
      responses: {"200": {description: ok}}
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {application/json: '{"statusCode": 200}'}
        responses:
          default: {statusCode: "200", responseTemplates: {application/json: '{"pets": "ANSWER"}'}}
`

// A restApis entry names an OpenAPI document: validate reports the
// document's errors with its file:line:col, serve serves it, and SIGHUP
// after an edit of the document serves the change (a broken edit is
// refused with its position and the running API stays).
func TestServeOpenAPIEntry(t *testing.T) {
	dir := t.TempDir()
	cfgPath, docPath := filepath.Join(dir, "portico.yaml"), filepath.Join(dir, "pets.yaml")
	writeFile := func(path, body string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(cfgPath, `restApis:
  - openapi: pets.yaml
    name: pet-store
    stages: [{stageName: dev}]
`)
	broken := strings.Replace(petsDoc, "type: mock", "type: lambda", 1)
	writeFile(docPath, broken)
	var out, errb syncBuffer
	if code := run([]string{"validate", cfgPath}, &out, &errb); code != 2 ||
		!strings.Contains(errb.String(), docPath+`:8:15: paths["/pets"].get.x-amazon-apigateway-integration.type: Invalid integration type "LAMBDA"`) {
		t.Fatalf("validate of a broken document: %d %s", code, errb.String())
	}
	writeFile(docPath, strings.Replace(petsDoc, "ANSWER", "first", 1))

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	errb = syncBuffer{}
	done := make(chan int, 1)
	go func() { done <- run([]string{"serve", "--config", cfgPath, "--listen", addr}, &out, &errb) }()
	get := func() (int, string) {
		t.Helper()
		resp, err := http.Get("http://" + addr + "/dev/pets")
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		status, body := get()
		if status == 200 {
			if body != `{"pets": "first"}` {
				t.Fatalf("GET /dev/pets: %q", body)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve never served the document's API: %d %s %s", status, body, errb.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	hup := func(wantLog string) {
		t.Helper()
		start := strings.Count(errb.String(), wantLog)
		if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for strings.Count(errb.String(), wantLog) == start {
			if time.Now().After(deadline) {
				t.Fatalf("no %q in the log: %s", wantLog, errb.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	writeFile(docPath, strings.Replace(petsDoc, "ANSWER", "second", 1))
	hup("configuration reloaded")
	if status, body := get(); status != 200 || body != `{"pets": "second"}` {
		t.Fatalf("after SIGHUP: %d %q", status, body)
	}
	writeFile(docPath, broken)
	hup("configuration reload rejected")
	if !strings.Contains(errb.String(), "pets.yaml:8:15:") {
		t.Errorf("the rejection does not name the document's line: %s", errb.String())
	}
	if status, body := get(); status != 200 || body != `{"pets": "second"}` {
		t.Fatalf("after a rejected reload: %d %q", status, body)
	}
	_ = syscall.Kill(os.Getpid(), syscall.SIGINT)
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
}
