package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/portico-gw/portico"
	"github.com/portico-gw/portico/config"
	"github.com/portico-gw/portico/template"
)

// TestSAMAPI runs the template as `portico serve --template template.yaml`
// does, with the Go function built into build/items of a copy of the
// example and the Python functions run by python3: the HTTP API answers
// from Python, the REST API from Go behind the Python TOKEN authorizer,
// with SAM's CORS preflight and gateway response.
func TestSAMAPI(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: not building and running functions")
	}
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed")
	}
	dir := t.TempDir()
	for _, name := range []string{"template.yaml", "hello/app.py", "auth/app.py"} {
		copyFile(t, name, filepath.Join(dir, name))
	}
	build := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", filepath.Join(dir, "build", "items", "bootstrap"), "./items")
	build.Env = append(os.Environ(), "GOOS="+runtime.GOOS, "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./items: %v\n%s", err, out)
	}
	file, err := template.Load(filepath.Join(dir, "template.yaml"), template.Options{Parameters: map[string]string{"Greeting": "Howdy"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range file.Warnings {
		t.Errorf("warning: %v", w)
	}
	gw, err := portico.New(portico.Config{File: template.Merge(nil, file), Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := gw.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = gw.Shutdown(ctx)
	}()
	base := "http://" + gw.Addr().String() + "/_aws/execute-api/"
	httpAPI, restAPI := apiID(t, file, "ServerlessHttpApi"), apiID(t, file, "portico-items")

	t.Run("HTTP API, Python", func(t *testing.T) {
		status, _, body := do(t, "GET", base+httpAPI+"/hello/world", nil)
		var got struct{ Message, RouteKey, Function string }
		if err := json.Unmarshal([]byte(body), &got); status != 200 || err != nil {
			t.Fatalf("status %d, body %s", status, body)
		}
		if got.Message != "Howdy, world" || got.RouteKey != "GET /hello/{name}" || got.Function != "HelloFunction" {
			t.Errorf("got %+v", got)
		}
	})
	t.Run("REST API, Go behind the authorizer", func(t *testing.T) {
		status, _, body := do(t, "GET", base+restAPI+"/dev/items/42", map[string]string{"Authorization": "allow"})
		var got map[string]string
		if err := json.Unmarshal([]byte(body), &got); status != 200 || err != nil {
			t.Fatalf("status %d, body %s", status, body)
		}
		want := map[string]string{"id": "42", "resource": "/items/{id}", "stage": "dev", "backend": "go",
			"principal": "user-allow", "greeting": "Howdy", "env": "dev"}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s = %q, want %q (all: %v)", k, got[k], v, got)
			}
		}
	})
	t.Run("REST API, denied", func(t *testing.T) {
		status, h, body := do(t, "GET", base+restAPI+"/dev/items/42", map[string]string{"Authorization": "deny"})
		if status != 403 || !strings.Contains(body, "not authorized") {
			t.Errorf("status %d, body %s; want 403 from the Deny policy", status, body)
		}
		_ = h
		status, h, _ = do(t, "GET", base+restAPI+"/dev/items/42", nil)
		if status != 401 || h.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("no token: status %d, Access-Control-Allow-Origin %q; want 401 with the UNAUTHORIZED gateway response's header", status, h.Get("Access-Control-Allow-Origin"))
		}
	})
	t.Run("REST API, no authorizer", func(t *testing.T) {
		if status, _, body := do(t, "GET", base+restAPI+"/dev/health", nil); status != 200 {
			t.Errorf("status %d, body %s", status, body)
		}
	})
	t.Run("REST API, SAM's CORS preflight", func(t *testing.T) {
		status, h, _ := do(t, "OPTIONS", base+restAPI+"/dev/items/42", map[string]string{"Origin": "https://example.com"})
		if status != 200 || h.Get("Access-Control-Allow-Origin") != "*" || h.Get("Access-Control-Allow-Methods") != "GET,OPTIONS" ||
			h.Get("Access-Control-Allow-Headers") != "Content-Type,Authorization" {
			t.Errorf("status %d, headers %v", status, h)
		}
	})
}

func apiID(t testing.TB, f *config.File, name string) string {
	t.Helper()
	for _, a := range f.APIs {
		if a.Name == name {
			return a.APIID
		}
	}
	for _, a := range f.RestAPIs {
		if a.Name == name {
			return a.RestAPIID
		}
	}
	t.Fatalf("no API named %s", name)
	return ""
}

func do(t testing.TB, method, url string, header map[string]string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(body)
}

func copyFile(t testing.TB, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
