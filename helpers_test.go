package portico_test

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/gorilla/websocket"

	"github.com/portico-gw/portico"
	"github.com/portico-gw/portico/config"
)

const (
	testAccessKey = "AKIDEXAMPLE"
	testSecret    = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
)

// backend is a Lambda-over-HTTP integration target that records every event
// and answers with what its handler says.
type backend struct {
	*httptest.Server
	mu     sync.Mutex
	events []recorded
	notify chan recorded
	// handle answers an event; nil means {"statusCode":200}.
	handle func(ev events.APIGatewayWebsocketProxyRequest) (status int, body string)
}

type recorded struct {
	Ev events.APIGatewayWebsocketProxyRequest
}

func newBackend(t testing.TB, handle func(ev events.APIGatewayWebsocketProxyRequest) (int, string)) *backend {
	t.Helper()
	b := &backend{notify: make(chan recorded, 1024), handle: handle}
	b.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var rec recorded
		if err := json.Unmarshal(raw, &rec.Ev); err != nil {
			t.Errorf("event does not decode into events.APIGatewayWebsocketProxyRequest: %v: %s", err, raw)
		}
		b.mu.Lock()
		b.events = append(b.events, rec)
		b.mu.Unlock()
		b.notify <- rec
		status, body := 200, `{"statusCode":200}`
		if b.handle != nil {
			status, body = b.handle(rec.Ev)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(b.Close)
	return b
}

// next waits for the next event of the given type.
func (b *backend) next(t testing.TB, eventType string) recorded {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case rec := <-b.notify:
			if rec.Ev.RequestContext.EventType == eventType {
				return rec
			}
		case <-deadline:
			t.Fatalf("no %s event within 10s", eventType)
			return recorded{}
		}
	}
}

// gateway is a started Portico server.
type gateway struct {
	*portico.Server
	URL  string // http://127.0.0.1:port
	WS   string // ws://127.0.0.1:port
	Host string
}

// startGateway parses yaml (with {{BACKEND}} replaced) and starts a server.
func startGateway(t testing.TB, yaml string, opts ...func(*portico.Config)) *gateway {
	t.Helper()
	f, err := config.Parse("test.yaml", []byte(yaml))
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	if f.DataDir == "" { // JetStream's store directory, the ACME cache: the test's own
		f.DataDir = t.TempDir()
	}
	cfg := portico.Config{File: f, Listen: "127.0.0.1:0", ShutdownTimeout: 5 * time.Second}
	for _, o := range opts {
		o(&cfg)
	}
	srv, err := portico.New(cfg)
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
	host := srv.Addr().String()
	return &gateway{Server: srv, URL: "http://" + host, WS: "ws://" + host, Host: host}
}

// chatYAML is package ws's test API: a WebSocket API whose routes all go to
// {{BACKEND}}.
//
//go:embed ws/testdata/chat.yaml
var chatYAML string

// chatConfig is chatYAML going to backendURL, with extra appended.
func chatConfig(backendURL string, extra string) string {
	return strings.ReplaceAll(chatYAML, "{{BACKEND}}", backendURL) + extra
}

func dial(t testing.TB, url string, hdr http.Header) *websocket.Conn {
	t.Helper()
	c, resp, err := websocket.DefaultDialer.Dial(url, hdr)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial %s: %v (status %d)", url, err, status)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// readText reads one message with a deadline.
func readText(t testing.TB, c *websocket.Conn) string {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	mt, data, err := c.ReadMessage()
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if mt != websocket.TextMessage {
		t.Fatalf("message type %d, want text", mt)
	}
	return string(data)
}

// readClose reads until the connection closes and returns the close error.
func readClose(t testing.TB, c *websocket.Conn, within time.Duration) *websocket.CloseError {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(within))
	for {
		_, _, err := c.ReadMessage()
		if err == nil {
			continue
		}
		ce, ok := err.(*websocket.CloseError)
		if !ok {
			t.Fatalf("connection ended with %v, want a close frame", err)
		}
		return ce
	}
}

// mgmtClient is the real aws-sdk-go-v2 management API client for a stage.
func mgmtClient(endpoint, accessKey, secret string) *apigatewaymanagementapi.Client {
	return apigatewaymanagementapi.New(apigatewaymanagementapi.Options{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider(accessKey, secret, ""),
		BaseEndpoint:     aws.String(endpoint),
		RetryMaxAttempts: 1,
	})
}

func sha256hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// errorFramePattern is AWS's error frame, byte for byte, with its spacing.
func errorFramePattern(message string) *regexp.Regexp {
	return regexp.MustCompile(`^\{"message": "` + regexp.QuoteMeta(message) +
		`", "connectionId":"([A-Za-z0-9_-]{15}=)", "requestId":"([A-Za-z0-9_-]{15}=)"\}$`)
}
