package samchat

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/portico-gw/portico"
	"github.com/portico-gw/portico/config"
	"github.com/portico-gw/portico/template"
)

// TestSAMChat runs the template as `portico serve --config portico.yaml
// --template template.yaml` does (config.Load, template.Load, Merge, one
// Apply) with the real Node.js functions and the AWS SDK's
// ApiGatewayManagementApi client, installed with npm ci into a copy of
// the example; two WebSocket clients connect, one sends a sendmessage,
// both get the broadcast. It is skipped under -short, without node or
// npm, and when npm cannot install (offline).
func TestSAMChat(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: not installing npm packages")
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed")
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Skip("npm is not installed")
	}
	dir := t.TempDir()
	for _, name := range []string{"template.yaml", "portico.yaml", "src/package.json", "src/package-lock.json",
		"src/store.js", "src/onconnect.js", "src/ondisconnect.js", "src/sendmessage.js"} {
		copyFile(t, name, filepath.Join(dir, name))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	install := exec.CommandContext(ctx, npm, "ci", "--prefix", filepath.Join(dir, "src"), "--no-audit", "--no-fund", "--loglevel=error")
	if out, err := install.CombinedOutput(); err != nil {
		t.Skipf("npm ci failed (offline?): %v\n%s", err, out)
	}

	base, err := config.LoadBase(filepath.Join(dir, "portico.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	conns := filepath.Join(dir, "connections")
	tmpl, err := template.Load(filepath.Join(dir, "template.yaml"), template.Options{
		Parameters: map[string]string{"CallbackScheme": "http", "ConnectionsDir": conns},
		Region:     base.Region, AccountID: base.AccountID,
	})
	if err != nil {
		t.Fatal(err)
	}
	file := template.Merge(base, tmpl)
	var logger *slog.Logger
	if testing.Verbose() {
		logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	gw, err := portico.New(portico.Config{File: file, Listen: "127.0.0.1:0", Logger: logger})
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

	url := "ws://" + gw.Addr().String() + "/Prod"
	alice := dial(t, url)
	bob := dial(t, url)
	if n := countFiles(t, conns); n != 2 {
		t.Fatalf("the $connect function stored %d connections, want 2", n)
	}

	msg, _ := json.Marshal(map[string]string{"action": "sendmessage", "data": "hello from alice"})
	if err := alice.WriteMessage(websocket.TextMessage, msg); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]*websocket.Conn{"alice": alice, "bob": bob} {
		_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
		_, got, err := c.ReadMessage()
		if err != nil || string(got) != "hello from alice" {
			t.Fatalf("%s got %q, %v; want the broadcast", name, got, err)
		}
	}

	// Bob leaves: $disconnect removes him from the store, and the next
	// broadcast reaches alice alone.
	_ = bob.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	_ = bob.Close()
	deadline := time.Now().Add(20 * time.Second)
	for countFiles(t, conns) != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("after bob left, the store holds %d connections, want 1", countFiles(t, conns))
		}
		time.Sleep(50 * time.Millisecond)
	}
	msg, _ = json.Marshal(map[string]string{"action": "sendmessage", "data": "anyone?"})
	if err := alice.WriteMessage(websocket.TextMessage, msg); err != nil {
		t.Fatal(err)
	}
	_ = alice.SetReadDeadline(time.Now().Add(30 * time.Second))
	if _, got, err := alice.ReadMessage(); err != nil || string(got) != "anyone?" {
		t.Fatalf("alice got %q, %v", got, err)
	}
}

func dial(t testing.TB, url string) *websocket.Conn {
	t.Helper()
	d := websocket.Dialer{HandshakeTimeout: 30 * time.Second}
	c, resp, err := d.Dial(url, nil)
	if err != nil {
		body := ""
		if resp != nil {
			b, _ := io.ReadAll(resp.Body)
			body = resp.Status + " " + string(b)
		}
		t.Fatalf("dial %s: %v %s", url, err, body)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func countFiles(t testing.TB, dir string) int {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return len(entries)
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
