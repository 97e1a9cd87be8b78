package ws_test

import (
	"cmp"
	"context"
	_ "embed"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/gorilla/websocket"

	"github.com/portico-gw/portico/config"
	"github.com/portico-gw/portico/connections"
	"github.com/portico-gw/portico/integration"
	"github.com/portico-gw/portico/internal/rawheader"
	"github.com/portico-gw/portico/metrics"
	"github.com/portico-gw/portico/ws"
)

// The harness serves one WebSocket API, built by ws.New from the same YAML
// the root package's tests use, at /{stage} of an httptest server: no
// routing, NATS, management API or admin listener. Tests that need those
// live in the root package.

// gateway is a WebSocket API served by a ws.Server behind an httptest
// server.
type gateway struct {
	URL      string // http://127.0.0.1:port
	WS       string // ws://127.0.0.1:port
	Host     string
	Registry *connections.Registry
	Metrics  *metrics.Metrics
	// Connects receives what the server publishes of each connection
	// established (buffered; events past the buffer are dropped).
	Connects chan connections.ConnectEvent
}

// startGateway parses yaml, which must hold one WebSocket API, builds it
// with ws.New as the root package does, and serves it.
func startGateway(t testing.TB, yaml string) *gateway {
	t.Helper()
	f, err := config.Parse("test.yaml", []byte(yaml))
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	if len(f.APIs) != 1 {
		t.Fatalf("the harness serves one API, the config has %d", len(f.APIs))
	}
	g := &gateway{Registry: connections.NewRegistry(), Metrics: metrics.New(), Connects: make(chan connections.ConnectEvent, 64)}
	srv, err := ws.NewServer(ws.Config{Registry: g.Registry, NodeID: "AAAA", Metrics: g.Metrics})
	if err != nil {
		t.Fatal(err)
	}
	srv.SetLifecycle(lifecycle(g.Connects))
	var env integration.Env
	if f.Lambda.Endpoint != "" {
		env.Lambda, err = integration.NewLambdaClient(context.Background(), integration.LambdaOptions{
			Endpoint: f.Lambda.Endpoint, Region: cmp.Or(f.Lambda.Region, f.Region, "us-east-1"),
			AccessKeyID: f.Lambda.AccessKeyID, SecretAccessKey: f.Lambda.SecretAccessKey,
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	creds := map[string]string{}
	for _, c := range f.Credentials {
		creds[c.AccessKeyID] = c.SecretAccessKey
	}
	api, err := ws.New(ws.BuildConfig{Server: srv, API: &f.APIs[0], AccountID: f.AccountID, Region: f.Region, Credentials: creds, Env: env})
	if err != nil {
		t.Fatalf("ws.New: %v", err)
	}
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		stage, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		if rest != "" {
			http.NotFound(w, r)
			return
		}
		api.ServeHTTP(w, r, stage, "/"+stage)
	}))
	// As the root server does: $connect sees the client's header spelling.
	ts.Listener = rawheader.Listener(ts.Listener)
	ts.Config.ConnContext = rawheader.ConnContext
	ts.Start()
	t.Cleanup(ts.Close)
	t.Cleanup(func() { // runs first
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	g.Host = ts.Listener.Addr().String()
	g.URL, g.WS = "http://"+g.Host, "ws://"+g.Host
	return g
}

// lifecycle is a ws.Lifecycle that keeps connect events.
type lifecycle chan connections.ConnectEvent

func (l lifecycle) PublishConnect(ev connections.ConnectEvent) {
	select {
	case l <- ev:
	default:
	}
}

func (lifecycle) PublishDisconnect(connections.DisconnectEvent) {}

// counter returns the value of the counter name whose labels include
// labels, or 0.
func (g *gateway) counter(t testing.TB, name string, labels map[string]string) float64 {
	t.Helper()
	fams, err := g.Metrics.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			n := 0
			for _, lp := range m.GetLabel() {
				if v, ok := labels[lp.GetName()]; ok && v == lp.GetValue() {
					n++
				}
			}
			if n == len(labels) {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

// chatYAML is a WebSocket API whose routes all go to {{BACKEND}}; the root
// package's tests use it too.
//
//go:embed testdata/chat.yaml
var chatYAML string

// chatConfig is chatYAML going to backendURL, with extra appended.
func chatConfig(backendURL string, extra string) string {
	return strings.ReplaceAll(chatYAML, "{{BACKEND}}", backendURL) + extra
}

// backend is a Lambda-over-HTTP integration target that records every event
// and answers with what its handler says.
type backend struct {
	*httptest.Server
	notify chan recorded
	// handle answers an event; nil means {"statusCode":200}.
	handle func(ev events.APIGatewayWebsocketProxyRequest) (status int, body string)
}

type recorded struct {
	Raw []byte
	Map map[string]any
	Ev  events.APIGatewayWebsocketProxyRequest
}

func newBackend(t testing.TB, handle func(ev events.APIGatewayWebsocketProxyRequest) (int, string)) *backend {
	t.Helper()
	b := &backend{notify: make(chan recorded, 1024), handle: handle}
	b.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := recorded{}
		rec.Raw, _ = io.ReadAll(r.Body)
		if err := json.Unmarshal(rec.Raw, &rec.Map); err != nil {
			t.Errorf("backend got a non-JSON event: %v: %s", err, rec.Raw)
		}
		if err := json.Unmarshal(rec.Raw, &rec.Ev); err != nil {
			t.Errorf("event does not decode into events.APIGatewayWebsocketProxyRequest: %v", err)
		}
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

// dial connects or fails the test; the connection closes at cleanup.
func dial(t testing.TB, url string, hdr http.Header) *websocket.Conn {
	t.Helper()
	c, status := dialStatus(t, url, hdr)
	if c == nil {
		t.Fatalf("dial %s: status %d", url, status)
	}
	return c
}

// dialStatus connects and returns 101, or returns the handshake's status.
func dialStatus(t testing.TB, url string, hdr http.Header) (*websocket.Conn, int) {
	t.Helper()
	c, resp, err := websocket.DefaultDialer.Dial(url, hdr)
	if err == nil {
		t.Cleanup(func() { c.Close() })
		return c, 101
	}
	if resp == nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	return nil, resp.StatusCode
}

// readText reads one text message within 10 s.
func readText(t testing.TB, c *websocket.Conn) string {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	mt, data, err := c.ReadMessage()
	if err != nil || mt != websocket.TextMessage {
		t.Fatalf("read: type %d, %v; want a text message", mt, err)
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

// errorFramePattern is AWS's error frame, byte for byte, with its spacing.
func errorFramePattern(message string) *regexp.Regexp {
	return regexp.MustCompile(`^\{"message": "` + regexp.QuoteMeta(message) +
		`", "connectionId":"([A-Za-z0-9_-]{15}=)", "requestId":"([A-Za-z0-9_-]{15}=)"\}$`)
}
