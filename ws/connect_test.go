package ws_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/gorilla/websocket"
)

func TestConnectStatusPassThrough(t *testing.T) {
	for _, tc := range []struct {
		name       string
		answer     string
		httpStatus int
		wantStatus int // 101 means connected
		wantBody   string
	}{
		{"200 connects", `{"statusCode":200}`, 200, 101, ""},
		{"201 connects", `{"statusCode":201}`, 200, 101, ""},
		{"401 passes through", `{"statusCode":401,"body":"no token"}`, 200, 401, "no token"},
		{"501 passes through", `{"statusCode":501}`, 200, 501, ""},
		{"301 passes through", `{"statusCode":301,"headers":{"Location":"/elsewhere"}}`, 200, 301, ""},
		{"function error is 502", `{"errorMessage":"boom"}`, 500, 502, `{"message":"Internal server error"}`},
		{"garbage is 502", `not json`, 200, 502, `{"message":"Internal server error"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBackend(t, func(ev events.APIGatewayWebsocketProxyRequest) (int, string) {
				if ev.RequestContext.EventType == "CONNECT" {
					return tc.httpStatus, tc.answer
				}
				return 200, `{"statusCode":200}`
			})
			gw := startGateway(t, chatConfig(b.URL, ""))
			c, resp, err := websocket.DefaultDialer.Dial(gw.WS+"/dev", nil)
			if tc.wantStatus == 101 {
				if err != nil {
					t.Fatalf("dial: %v", err)
				}
				c.Close()
				return
			}
			if err == nil {
				c.Close()
				t.Fatalf("connected, want status %d", tc.wantStatus)
			}
			if resp == nil || resp.StatusCode != tc.wantStatus {
				t.Fatalf("response %v, want status %d", resp, tc.wantStatus)
			}
			body, _ := io.ReadAll(resp.Body)
			if tc.wantBody != "" && string(body) != tc.wantBody {
				t.Errorf("body %q, want %q", body, tc.wantBody)
			}
			if tc.wantStatus == 301 && resp.Header.Get("Location") != "/elsewhere" {
				t.Errorf("Location %q not passed through", resp.Header.Get("Location"))
			}
			// A rejected connect never runs $disconnect.
			select {
			case rec := <-b.notify:
				if rec.Ev.RequestContext.EventType == "DISCONNECT" {
					t.Error("$disconnect ran for a rejected $connect")
				}
			case <-time.After(200 * time.Millisecond):
			}
		})
	}
}

func TestConnectIsOptional(t *testing.T) {
	b := newBackend(t, nil)
	cfg := strings.Replace(chatConfig(b.URL, ""), `      - routeKey: $connect
        target: integrations/backend
`, "", 1)
	gw := startGateway(t, cfg)
	c := dial(t, gw.WS+"/dev", nil)
	if err := c.WriteMessage(websocket.TextMessage, []byte(`{"action":"sendmessage"}`)); err != nil {
		t.Fatal(err)
	}
	b.next(t, "MESSAGE")
}

func TestSubprotocolOnlyWhenConnectReturnsIt(t *testing.T) {
	b := newBackend(t, func(ev events.APIGatewayWebsocketProxyRequest) (int, string) {
		if ev.RequestContext.EventType == "CONNECT" && ev.QueryStringParameters["pick"] == "yes" {
			return 200, `{"statusCode":200,"headers":{"Sec-WebSocket-Protocol":"chat.v2"}}`
		}
		return 200, `{"statusCode":200}`
	})
	gw := startGateway(t, chatConfig(b.URL, ""))
	d := websocket.Dialer{Subprotocols: []string{"chat.v1", "chat.v2"}}

	c, resp, err := d.Dial(gw.WS+"/dev?pick=yes", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Subprotocol() != "chat.v2" || resp.Header.Get("Sec-WebSocket-Protocol") != "chat.v2" {
		t.Errorf("subprotocol %q, want chat.v2 as $connect returned", c.Subprotocol())
	}
	c.Close()
	ev := b.next(t, "CONNECT")
	if ev.Ev.Headers["Sec-WebSocket-Protocol"] != "chat.v1, chat.v2" {
		t.Errorf("$connect saw Sec-WebSocket-Protocol %q", ev.Ev.Headers["Sec-WebSocket-Protocol"])
	}

	c, resp, err = d.Dial(gw.WS+"/dev?pick=no", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Subprotocol() != "" || resp.Header.Get("Sec-WebSocket-Protocol") != "" {
		t.Errorf("gateway chose subprotocol %q on its own", c.Subprotocol())
	}
	c.Close()
}

// TestHandshakeErrors covers what the API itself refuses; the root
// package's TestHandshakeAddressing covers unknown APIs and stages as
// routing resolves them.
func TestHandshakeErrors(t *testing.T) {
	b := newBackend(t, nil)
	gw := startGateway(t, chatConfig(b.URL, `    limits:
      allowedOrigins: ["https://app.example.com", "https://*.example.org"]
`))
	get := func(path string) (*http.Response, string) {
		t.Helper()
		resp, err := http.Get(gw.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, string(body)
	}
	if resp, _ := get("/dev"); resp.StatusCode != http.StatusUpgradeRequired {
		t.Errorf("plain GET: %d, want 426", resp.StatusCode)
	}
	if resp, body := get("/prod"); resp.StatusCode != http.StatusForbidden || body != `{"message":"Forbidden"}` {
		t.Errorf("unknown stage: %d %s, want 403 Forbidden", resp.StatusCode, body)
	}
	for _, tc := range []struct {
		origin string
		ok     bool
	}{
		{"https://app.example.com", true},
		{"https://chat.example.org", true},
		{"https://evil.example.net", false},
		{"", false},
	} {
		t.Run("origin "+tc.origin, func(t *testing.T) {
			hdr := http.Header{}
			if tc.origin != "" {
				hdr.Set("Origin", tc.origin)
			}
			c, resp, err := websocket.DefaultDialer.Dial(gw.WS+"/dev", hdr)
			if tc.ok {
				if err != nil {
					t.Fatalf("origin %q refused: %v", tc.origin, err)
				}
				c.Close()
			} else if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
				t.Errorf("origin %q: %v, want 403", tc.origin, err)
				if c != nil {
					c.Close()
				}
			}
		})
	}
}

func TestConnectTimeoutIs504(t *testing.T) {
	b := newBackend(t, func(ev events.APIGatewayWebsocketProxyRequest) (int, string) {
		if ev.RequestContext.EventType == "CONNECT" {
			time.Sleep(time.Second)
		}
		return 200, `{"statusCode":200}`
	})
	cfg := strings.Replace(chatConfig(b.URL, ""), "integrationUri: "+b.URL, "integrationUri: "+b.URL+"\n        timeoutInMillis: 200", 1)
	gw := startGateway(t, cfg)
	_, resp, err := websocket.DefaultDialer.Dial(gw.WS+"/dev", nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusGatewayTimeout {
		t.Fatalf("slow $connect: %v %v, want 504", err, resp)
	}
	body, _ := io.ReadAll(resp.Body)
	if string(body) != `{"message":"Endpoint request timed out"}` {
		t.Errorf("body %q", body)
	}
}
