package ws_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/gorilla/websocket"
)

func TestRouteSelectionOverTheWire(t *testing.T) {
	routed := make(chan string, 16)
	b := newBackend(t, func(ev events.APIGatewayWebsocketProxyRequest) (int, string) {
		if ev.RequestContext.EventType == "MESSAGE" {
			routed <- ev.RequestContext.RouteKey
		}
		return 200, `{"statusCode":200}`
	})
	cfg := strings.Replace(chatConfig(b.URL, ""), "routeSelectionExpression: $request.body.action",
		"routeSelectionExpression: ${request.body.service}/${request.body.action}", 1)
	cfg = strings.Replace(cfg, "routeKey: sendmessage", "routeKey: chat/join", 1)
	gw := startGateway(t, cfg)
	c := dial(t, gw.WS+"/dev", nil)
	b.next(t, "CONNECT")
	for _, tc := range []struct{ frame, want string }{
		{`{"service":"chat","action":"join"}`, "chat/join"},
		{`{"service":"chat","action":"leave"}`, "$default"},
		{`{"service":"chat"}`, "$default"}, // "chat/" does not match
		{`hello`, "$default"},
		{`{"service":"chat","action":"join","extra":[1,2]}`, "chat/join"},
	} {
		if err := c.WriteMessage(websocket.TextMessage, []byte(tc.frame)); err != nil {
			t.Fatal(err)
		}
		select {
		case got := <-routed:
			if got != tc.want {
				t.Errorf("%s routed to %q, want %q", tc.frame, got, tc.want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s was not routed", tc.frame)
		}
	}
}

func TestForbiddenFrameWithoutDefaultRoute(t *testing.T) {
	b := newBackend(t, nil)
	cfg := strings.Replace(chatConfig(b.URL, ""), `      - routeKey: $default
        target: integrations/backend
`, "", 1)
	gw := startGateway(t, cfg)
	c := dial(t, gw.WS+"/dev", nil)
	connID := b.next(t, "CONNECT").Ev.RequestContext.ConnectionID
	for _, frame := range []string{`{"action":"nosuchroute"}`, `not json`, `{"other":1}`, `{"action":"$connect"}`} {
		if err := c.WriteMessage(websocket.TextMessage, []byte(frame)); err != nil {
			t.Fatal(err)
		}
		got := readText(t, c)
		m := errorFramePattern("Forbidden").FindStringSubmatch(got)
		if m == nil {
			t.Fatalf("%s: frame %q is not AWS's Forbidden frame", frame, got)
		}
		if m[1] != connID {
			t.Errorf("connectionId in frame %q, want %q", m[1], connID)
		}
	}
	// The connection stays open: a routable message still works.
	if err := c.WriteMessage(websocket.TextMessage, []byte(`{"action":"sendmessage"}`)); err != nil {
		t.Fatal(err)
	}
	b.next(t, "MESSAGE")
}

func TestIntegrationErrorFrames(t *testing.T) {
	b := newBackend(t, func(ev events.APIGatewayWebsocketProxyRequest) (int, string) {
		switch ev.Body {
		case `{"action":"sendmessage","fail":"status"}`:
			return 500, `oops`
		case `{"action":"sendmessage","fail":"garbage"}`:
			return 200, `<html>not a proxy response</html>`
		case `{"action":"sendmessage","fail":"slow"}`:
			time.Sleep(1500 * time.Millisecond)
		}
		return 200, `{"statusCode":200,"body":"not delivered: one-way route"}`
	})
	cfg := strings.Replace(chatConfig(b.URL, ""), "integrationUri: "+b.URL, "integrationUri: "+b.URL+"\n        timeoutInMillis: 500", 1)
	gw := startGateway(t, cfg)
	c := dial(t, gw.WS+"/dev", nil)
	connID := b.next(t, "CONNECT").Ev.RequestContext.ConnectionID

	for _, tc := range []struct{ fail, message string }{
		{"status", "Internal server error"},
		{"garbage", "Internal server error"},
		{"slow", "Endpoint request timed out"},
	} {
		frame := fmt.Sprintf(`{"action":"sendmessage","fail":"%s"}`, tc.fail)
		if err := c.WriteMessage(websocket.TextMessage, []byte(frame)); err != nil {
			t.Fatal(err)
		}
		ev := b.next(t, "MESSAGE")
		got := readText(t, c)
		m := errorFramePattern(tc.message).FindStringSubmatch(got)
		if m == nil {
			t.Fatalf("%s: got %q, want the %q frame", tc.fail, got, tc.message)
		}
		if m[1] != connID || m[2] != ev.Ev.RequestContext.RequestID {
			t.Errorf("%s: frame IDs %q/%q, want connection %q and the event's requestId %q", tc.fail, m[1], m[2], connID, ev.Ev.RequestContext.RequestID)
		}
	}
	// One-way route: a successful answer sends nothing back.
	if err := c.WriteMessage(websocket.TextMessage, []byte(`{"action":"sendmessage"}`)); err != nil {
		t.Fatal(err)
	}
	b.next(t, "MESSAGE")
	_ = c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if _, data, err := c.ReadMessage(); err == nil {
		t.Fatalf("one-way route sent %q back", data)
	}
}

func TestTwoWayRoute(t *testing.T) {
	b := newBackend(t, func(ev events.APIGatewayWebsocketProxyRequest) (int, string) {
		if ev.RequestContext.RouteKey == "echo" {
			// statusCode does not change what the client gets.
			return 200, `{"statusCode":500,"body":"echo: ` + ev.RequestContext.ConnectionID + `"}`
		}
		return 200, `{"statusCode":200}`
	})
	gw := startGateway(t, chatConfig(b.URL, ""))
	c := dial(t, gw.WS+"/dev", nil)
	connID := b.next(t, "CONNECT").Ev.RequestContext.ConnectionID
	if err := c.WriteMessage(websocket.TextMessage, []byte(`{"action":"echo"}`)); err != nil {
		t.Fatal(err)
	}
	if got := readText(t, c); got != "echo: "+connID {
		t.Fatalf("two-way route answered %q", got)
	}
}
