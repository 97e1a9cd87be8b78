package portico_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/gorilla/websocket"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/portico-gw/portico"
	"github.com/portico-gw/portico/config"
)

// opsConfig is chatConfig with an admin listener, an access log on the
// WebSocket stage and an HTTP API "web" whose $default stage logs to the same
// file; GET /limited refuses every request (burst 0).
func opsConfig(backendURL, proxyURL, logPath string) string {
	return "admin: 127.0.0.1:0\n" + chatConfig(backendURL, `        accessLogSettings:
          destination: `+logPath+`
  - apiId: web
    protocolType: HTTP
    integrations:
      - integrationId: proxy
        integrationType: HTTP_PROXY
        integrationUri: `+proxyURL+`/items/{id}
    routes:
      - routeKey: GET /items/{id}
        target: integrations/proxy
      - routeKey: GET /limited
        target: integrations/proxy
    stages:
      - stageName: $default
        routeSettings:
          GET /limited:
            throttlingBurstLimit: 0
            throttlingRateLimit: 0
        accessLogSettings:
          destination: `+logPath+`
`)
}

// scrape fetches /metrics from the admin listener and parses it.
func scrape(t testing.TB, admin string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get("http://" + admin + "/metrics")
	if err != nil {
		t.Fatalf("GET /metrics: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %s", resp.Status)
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parsing /metrics: %v", err)
	}
	return fams
}

// gather reads the node's metrics in process.
func gather(t testing.TB, gw *gateway) map[string]*dto.MetricFamily {
	t.Helper()
	fams, err := gw.Metrics().Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]*dto.MetricFamily, len(fams))
	for _, f := range fams {
		out[f.GetName()] = f
	}
	return out
}

// sample returns the value of the sample of family name whose labels
// include labels, and whether there is one.
func sample(fams map[string]*dto.MetricFamily, name string, labels map[string]string) (float64, bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
next:
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, lp := range m.GetLabel() {
			have[lp.GetName()] = lp.GetValue()
		}
		for k, v := range labels {
			if have[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue(), true
		case m.Gauge != nil:
			return m.GetGauge().GetValue(), true
		case m.Histogram != nil:
			return float64(m.GetHistogram().GetSampleCount()), true
		case m.Untyped != nil:
			return m.GetUntyped().GetValue(), true
		}
	}
	return 0, false
}

// waitMetric polls /metrics until the sample has the wanted value.
func waitMetric(t testing.TB, admin, name string, labels map[string]string, want float64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, ok := sample(scrape(t, admin), name, labels)
		if ok && got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s%v = %v (present %v), want %v", name, labels, got, ok, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// accessLines reads the access log until pred holds for one of its lines.
func waitAccessLine(t testing.TB, path string, pred func(map[string]string) bool) map[string]string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		f, err := os.Open(path)
		if err == nil {
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				var m map[string]string
				if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
					f.Close()
					t.Fatalf("access-log line is not a JSON object of strings: %v: %s", err, sc.Text())
				}
				if pred(m) {
					f.Close()
					return m
				}
			}
			f.Close()
		}
		if time.Now().After(deadline) {
			data, _ := os.ReadFile(path)
			t.Fatalf("no matching access-log line within 10s; log:\n%s", data)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestMetricsAndAccessLogs(t *testing.T) {
	be := newBackend(t, func(ev events.APIGatewayWebsocketProxyRequest) (int, string) {
		if ev.RequestContext.RouteKey == "echo" {
			return 200, `{"statusCode":200,"body":"pong"}`
		}
		return 200, `{"statusCode":200}`
	})
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "item "+r.URL.Path)
	}))
	t.Cleanup(proxy.Close)
	logPath := filepath.Join(t.TempDir(), "access.log")
	gw := startGateway(t, opsConfig(be.URL, proxy.URL, logPath))
	admin := gw.AdminAddr().String()
	base := "/_aws/execute-api/chatapi001/dev"

	// A connection, two messages, a POST and a GET through the SDK, a close.
	c := dial(t, gw.WS+base+"?token=secret-token", http.Header{"Authorization": {"Bearer secret-header"}})
	connect := be.next(t, "CONNECT")
	id := connect.Ev.RequestContext.ConnectionID
	if err := c.WriteMessage(websocket.TextMessage, []byte(`{"action":"echo","secret":"body-secret"}`)); err != nil {
		t.Fatal(err)
	}
	if got := readText(t, c); got != "pong" {
		t.Fatalf("echo answered %q", got)
	}
	if err := c.WriteMessage(websocket.TextMessage, []byte(`{"action":"sendmessage"}`)); err != nil {
		t.Fatal(err)
	}
	be.next(t, "MESSAGE")
	mc := mgmtClient(gw.URL+base, testAccessKey, testSecret)
	ctx := context.Background()
	if _, err := mc.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: aws.String(id), Data: []byte("hi")}); err != nil {
		t.Fatalf("PostToConnection: %v", err)
	}
	if got := readText(t, c); got != "hi" {
		t.Fatalf("got %q", got)
	}
	if _, err := mc.GetConnection(ctx, &apigatewaymanagementapi.GetConnectionInput{ConnectionId: aws.String("R1kmxc2VNjMCFIA=")}); err == nil {
		t.Fatal("GetConnection of an unknown ID succeeded")
	}
	_ = c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(4001, "bye"), time.Now().Add(time.Second))
	readClose(t, c, 5*time.Second)
	be.next(t, "DISCONNECT")

	// An HTTP API request, and a throttled one.
	for path, want := range map[string]int{"/_aws/execute-api/web/items/7": 200, "/_aws/execute-api/web/limited": 429} {
		resp, err := http.Get(gw.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Fatalf("GET %s: %d, want %d", path, resp.StatusCode, want)
		}
	}

	ws := map[string]string{"api_id": "chatapi001", "stage": "dev"}
	with := func(m map[string]string, kv ...string) map[string]string {
		out := map[string]string{}
		for k, v := range m {
			out[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			out[kv[i]] = kv[i+1]
		}
		return out
	}
	waitMetric(t, admin, "portico_route_invocations_total", map[string]string{"api_id": "chatapi001", "route_key": "$disconnect", "outcome": "ok"}, 1)
	fams := scrape(t, admin)
	for _, tc := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"portico_websocket_connects_total", with(ws, "status", "101"), 1},
		{"portico_websocket_connections_open", ws, 0},
		{"portico_websocket_disconnects_total", with(ws, "code", "4xxx"), 1},
		{"portico_websocket_messages_in_total", ws, 2},
		{"portico_websocket_messages_out_total", ws, 2}, // pong and hi
		{"portico_websocket_send_queue_bytes", ws, 0},
		{"portico_websocket_slow_consumer_closes_total", ws, 0},
		{"portico_route_invocations_total", map[string]string{"api_id": "chatapi001", "route_key": "$connect", "outcome": "ok"}, 1},
		{"portico_route_invocations_total", map[string]string{"api_id": "chatapi001", "route_key": "echo", "outcome": "ok"}, 1},
		{"portico_route_invocations_total", map[string]string{"api_id": "chatapi001", "route_key": "sendmessage", "outcome": "ok"}, 1},
		{"portico_integration_latency_seconds", map[string]string{"api_id": "chatapi001", "route_key": "echo"}, 1},
		{"portico_management_calls_total", map[string]string{"method": "POST", "operation": "PostToConnection", "status": "200"}, 1},
		{"portico_management_calls_total", map[string]string{"method": "GET", "operation": "GetConnection", "status": "410"}, 1},
		{"portico_http_requests_total", map[string]string{"api_id": "web", "stage": "$default", "route_key": "GET /items/{id}", "status": "200"}, 1},
		{"portico_http_requests_total", map[string]string{"api_id": "web", "stage": "$default", "route_key": "GET /limited", "status": "429"}, 1},
		{"portico_throttled_requests_total", map[string]string{"api_id": "web", "stage": "$default", "route_key": "GET /limited"}, 1},
		{"portico_route_invocations_total", map[string]string{"api_id": "web", "route_key": "GET /items/{id}", "outcome": "ok"}, 1},
		{"portico_nats_connected", nil, 1},
		{"portico_nats_reconnects_total", nil, 0},
	} {
		got, ok := sample(fams, tc.name, tc.labels)
		if !ok || got != tc.want {
			t.Errorf("%s%v = %v (present %v), want %v", tc.name, tc.labels, got, ok, tc.want)
		}
	}
	// No label carries a connection ID or a raw path.
	for name, f := range fams {
		for _, m := range f.GetMetric() {
			for _, lp := range m.GetLabel() {
				if v := lp.GetValue(); v == id || strings.Contains(v, "/items/7") {
					t.Errorf("%s has label %s=%q", name, lp.GetName(), v)
				}
			}
		}
	}

	// Access-log lines: a connect, a message, a disconnect, an HTTP request.
	line := waitAccessLine(t, logPath, func(m map[string]string) bool { return m["eventType"] == "CONNECT" })
	wantFields(t, "CONNECT", line, map[string]string{"connectionId": id, "routeKey": "$connect", "status": "101",
		"apiId": "chatapi001", "stage": "dev", "ip": "127.0.0.1", "httpMethod": "GET", "path": base})
	line = waitAccessLine(t, logPath, func(m map[string]string) bool { return m["eventType"] == "MESSAGE" && m["routeKey"] == "echo" })
	wantFields(t, "MESSAGE", line, map[string]string{"connectionId": id, "status": "200", "responseLength": "4", "error": "-"})
	if line["integrationLatency"] == "-" || line["requestId"] == "-" {
		t.Errorf("MESSAGE line lacks latency or request ID: %v", line)
	}
	line = waitAccessLine(t, logPath, func(m map[string]string) bool { return m["eventType"] == "DISCONNECT" })
	wantFields(t, "DISCONNECT", line, map[string]string{"connectionId": id, "routeKey": "$disconnect", "disconnectStatusCode": "4001"})
	line = waitAccessLine(t, logPath, func(m map[string]string) bool { return m["routeKey"] == "GET /items/{id}" })
	wantFields(t, "HTTP", line, map[string]string{"apiId": "web", "stage": "$default", "status": "200", "httpMethod": "GET",
		"path": "/_aws/execute-api/web/items/7", "protocol": "HTTP/1.1", "eventType": "-", "responseLength": "13"})
	line = waitAccessLine(t, logPath, func(m map[string]string) bool { return m["routeKey"] == "GET /limited" })
	wantFields(t, "HTTP 429", line, map[string]string{"status": "429", "error": "Too Many Requests"})

	// Nothing secret reached the log.
	data, _ := os.ReadFile(logPath)
	for _, secret := range []string{"secret-token", "secret-header", "body-secret", testSecret} {
		if strings.Contains(string(data), secret) {
			t.Errorf("the access log holds %q", secret)
		}
	}
}

func wantFields(t testing.TB, what string, line, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if line[k] != v {
			t.Errorf("%s line: %s = %q, want %q (line %v)", what, k, line[k], v, line)
		}
	}
}

func TestAdminHealthAndReadyDuringDrain(t *testing.T) {
	release := make(chan struct{})
	be := newBackend(t, func(ev events.APIGatewayWebsocketProxyRequest) (int, string) {
		if ev.RequestContext.EventType == "DISCONNECT" {
			<-release // hold the drain open
		}
		return 200, `{"statusCode":200}`
	})
	var once bool
	defer func() {
		if !once {
			close(release)
		}
	}()
	gw := startGateway(t, "admin: 127.0.0.1:0\n"+chatConfig(be.URL, ""))
	admin := "http://" + gw.AdminAddr().String()
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(admin + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if st, _ := get("/healthz"); st != 200 {
		t.Fatalf("/healthz %d", st)
	}
	if st, body := get("/readyz"); st != 200 || body != "ready\n" {
		t.Fatalf("/readyz %d %q", st, body)
	}
	if st, _ := get("/debug/pprof/"); st != http.StatusNotFound {
		t.Errorf("/debug/pprof/ without adminPprof: %d, want 404", st)
	}
	// The admin listener is not the data plane, and the reverse.
	if resp, err := http.Get(gw.URL + "/metrics"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Error("the data plane serves /metrics")
		}
	}

	dial(t, gw.WS+"/dev", nil)
	be.next(t, "CONNECT")
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		done <- gw.Shutdown(ctx)
	}()
	be.next(t, "DISCONNECT") // $disconnect is now held: the node is draining
	st, body := get("/readyz")
	if st != http.StatusServiceUnavailable || !strings.Contains(body, "draining") {
		t.Errorf("/readyz while draining: %d %q, want 503 draining", st, body)
	}
	if st, _ := get("/healthz"); st != 200 {
		t.Errorf("/healthz while draining: %d", st)
	}
	once = true
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if _, err := http.Get(admin + "/healthz"); err == nil {
		t.Error("the admin listener still answers after Shutdown")
	}
}

func TestAdminPprof(t *testing.T) {
	be := newBackend(t, nil)
	gw := startGateway(t, "admin: 127.0.0.1:0\nadminPprof: true\n"+chatConfig(be.URL, ""))
	resp, err := http.Get("http://" + gw.AdminAddr().String() + "/debug/pprof/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("/debug/pprof/cmdline: %d", resp.StatusCode)
	}
}

func TestAdminPortInUse(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	addr := busy.Addr().String()
	f, err := config.Parse("test.yaml", []byte("admin: "+addr+"\n"+chatConfig("http://127.0.0.1:1", "")))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := portico.New(portico.Config{File: f, Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	err = srv.Start()
	if err == nil {
		_ = srv.Shutdown(context.Background())
		t.Fatal("Start succeeded with the admin port in use")
	}
	want := "portico: cannot listen on " + addr + " (admin): bind: address already in use"
	if err.Error() != want {
		t.Errorf("Start: %q, want %q", err, want)
	}
	if srv.Addr() != nil || errors.Is(err, context.Canceled) {
		t.Error("the data plane stayed up")
	}
}
