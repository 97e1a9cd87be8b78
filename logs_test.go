package portico_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/portico-gw/portico"
)

// logBuffer collects a gateway's logs for the tests that read them.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// waitLog waits until the log holds want.
func (l *logBuffer) waitLog(t *testing.T, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(l.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("the log has no %q:\n%s", want, l.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func debugLogger(buf *logBuffer) func(*portico.Config) {
	return func(c *portico.Config) {
		c.Logger = slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
}

// Mistakes explain themselves: the start-up log says where each API stage
// is reached; at debug level a wrong stage names the stages that exist
// (with a hint when only the case differs), and a message that matches no
// route says so and why.
func TestLogsExplainRouting(t *testing.T) {
	backend := newBackend(t, nil)
	var logs logBuffer
	yaml := strings.Replace(chatConfig(backend.URL, ""), "stageName: dev", "stageName: Prod", 1)
	yaml = strings.Replace(yaml, "      - routeKey: $default\n        target: integrations/backend\n", "", 1)
	gw := startGateway(t, yaml, debugLogger(&logs))

	logs.waitLog(t, "url=ws://"+gw.Host+"/Prod")
	logs.waitLog(t, "connections_url=http://"+gw.Host+"/Prod/@connections")

	resp, err := http.Get(gw.URL + "/prod")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("/prod: %d, want 403", resp.StatusCode)
	}
	logs.waitLog(t, "no API stage for the request")
	logs.waitLog(t, "did you mean Prod?")
	logs.waitLog(t, "stages=[Prod]")

	c := dial(t, gw.WS+"/Prod", nil)
	backend.next(t, "CONNECT")
	if err := c.WriteMessage(websocket.TextMessage, []byte(`{"action":"nosuchroute"}`)); err != nil {
		t.Fatal(err)
	}
	logs.waitLog(t, "message matches no route and the API has no $default route")
	logs.waitLog(t, "expression_value=nosuchroute")
	logs.waitLog(t, "WebSocket handshake")
}

// Fields of the AWS models that Portico accepts but does not act on are
// logged once each when the node starts.
func TestStartLogsConfigWarnings(t *testing.T) {
	backend := newBackend(t, nil)
	var logs logBuffer
	yaml := strings.Replace(chatConfig(backend.URL, ""), "    protocolType: WEBSOCKET\n", "    protocolType: WEBSOCKET\n    tags: {team: chat}\n", 1)
	startGateway(t, yaml, debugLogger(&logs))
	logs.waitLog(t, "configuration warning")
	logs.waitLog(t, "tags")
	if n := strings.Count(logs.String(), "configuration warning"); n != 1 {
		t.Errorf("%d warnings logged, want 1:\n%s", n, logs.String())
	}
}
