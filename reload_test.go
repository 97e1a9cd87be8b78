package portico_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/portico-gw/portico"
	"github.com/portico-gw/portico/config"
)

// A reload replaces routes and integrations under open connections: the
// same connection's next message reaches the new integration; an API added
// by the reload is served; a file that cannot be built is refused and the
// old configuration stays.
func TestReloadKeepsOpenConnections(t *testing.T) {
	a := newBackend(t, nil)
	b := newBackend(t, nil)
	gw := startGateway(t, chatConfig(a.URL, ""))
	c := dial(t, gw.WS+"/dev", nil)
	a.next(t, "CONNECT")
	send := func(body string) {
		t.Helper()
		if err := c.WriteMessage(websocket.TextMessage, []byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	send(`{"action":"sendmessage","n":1}`)
	if got := a.next(t, "MESSAGE"); got.Ev.RequestContext.RouteKey != "sendmessage" {
		t.Fatalf("before reload: route %q", got.Ev.RequestContext.RouteKey)
	}

	next := chatConfig(b.URL, "") + `  - apiId: extra00001
    protocolType: HTTP
    integrations:
      - {integrationId: fn, integrationType: AWS_PROXY, integrationUri: "` + b.URL + `", payloadFormatVersion: "2.0"}
    routes:
      - {routeKey: "GET /hi", target: integrations/fn}
    stages:
      - stageName: $default
`
	next = strings.Replace(next, "      - routeKey: sendmessage\n", "      - routeKey: shout\n        target: integrations/backend\n      - routeKey: sendmessage\n", 1)
	f, err := config.Parse("reload.yaml", []byte(next))
	if err != nil {
		t.Fatal(err)
	}
	if err := gw.Reload(f); err != nil {
		t.Fatal(err)
	}
	send(`{"action":"shout"}`)
	got := b.next(t, "MESSAGE")
	if got.Ev.RequestContext.RouteKey != "shout" || got.Ev.RequestContext.ConnectionID == "" {
		t.Fatalf("after reload: the open connection's message went to %+v", got.Ev.RequestContext)
	}
	// The HTTP API the reload added answers on the path style.
	resp, err := http.Get(gw.URL + "/_aws/execute-api/extra00001/hi")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("added HTTP API: status %d", resp.StatusCode)
	}

	// A file that cannot be built (a Lambda ARN without a Lambda client is
	// fine; an unknown protocol is not) is refused; the routes stay.
	bad := &config.File{APIs: []config.API{{APIID: "x", ProtocolType: "REST"}}}
	if err := gw.Reload(bad); err == nil {
		t.Fatal("Reload accepted an API it cannot serve")
	}
	send(`{"action":"shout"}`)
	if got := b.next(t, "MESSAGE"); got.Ev.RequestContext.RouteKey != "shout" {
		t.Errorf("after a refused reload: %q", got.Ev.RequestContext.RouteKey)
	}
}

// New and Reload never change the caller's File: an API without apiId gets
// its stable ID in the node's own copy of the model.
func TestApplyLeavesTheCallersFile(t *testing.T) {
	f := &config.File{APIs: []config.API{{Name: "chat", ProtocolType: "WEBSOCKET", RouteSelectionExpression: "$request.body.action",
		Integrations: []config.Integration{{IntegrationID: "m", IntegrationType: "MOCK"}},
		Routes:       []config.Route{{RouteKey: "$default", Target: "integrations/m"}},
		Stages:       []config.Stage{{StageName: "dev"}}}}}
	srv, err := portico.New(portico.Config{File: f})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	if err := srv.Reload(f); err != nil {
		t.Fatal(err)
	}
	if f.APIs[0].APIID != "" {
		t.Errorf("the caller's File got apiId %q", f.APIs[0].APIID)
	}
	// An invalid model is refused by the same validation as a file.
	bad := &config.File{APIs: []config.API{{Name: "x", ProtocolType: "WEBSOCKET"}}}
	err = srv.Apply(bad)
	if err == nil || !strings.Contains(err.Error(), "routeSelectionExpression") {
		t.Errorf("Apply of an API without routeSelectionExpression: %v", err)
	}
}

// New refuses a model built in code that fails validation with an error
// (it once panicked while cleaning up after the failed Apply).
func TestNewRefusesAnInvalidModel(t *testing.T) {
	bad := &config.File{APIs: []config.API{{Name: "x", ProtocolType: "WEBSOCKET"}}}
	srv, err := portico.New(portico.Config{File: bad, Listen: "127.0.0.1:0"})
	if err == nil {
		_ = srv.Shutdown(context.Background())
		t.Fatal("New accepted an API without routes or stages")
	}
}
