package portico_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/gorilla/websocket"
)

// Closes the node causes; package ws's limits tests cover the others.

func TestDeleteConnectionCloses1000(t *testing.T) {
	b := newBackend(t, nil)
	gw := startGateway(t, chatConfig(b.URL, ""))
	c := dial(t, gw.WS+"/dev", nil)
	id := b.next(t, "CONNECT").Ev.RequestContext.ConnectionID
	client := mgmtClient(gw.URL+"/dev", testAccessKey, testSecret)
	if _, err := client.DeleteConnection(context.Background(), &apigatewaymanagementapi.DeleteConnectionInput{ConnectionId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	if ce := readClose(t, c, 5*time.Second); ce.Code != websocket.CloseNormalClosure {
		t.Errorf("close %d, want 1000", ce.Code)
	}
	rc := b.next(t, "DISCONNECT").Ev.RequestContext
	if rc.ConnectionID != id || rc.DisconnectStatusCode != 1000 || rc.DisconnectReason == nil || *rc.DisconnectReason != "Connection Closed Normally" {
		got := "<nil>"
		if rc.DisconnectReason != nil {
			got = *rc.DisconnectReason
		}
		t.Errorf("$disconnect of %s: %d %q, want %s 1000 %q", rc.ConnectionID, rc.DisconnectStatusCode, got, id, "Connection Closed Normally")
	}
}

func TestShutdownClosesWith1001AndRunsDisconnect(t *testing.T) {
	b := newBackend(t, nil)
	gw := startGateway(t, chatConfig(b.URL, ""))
	var conns []*websocket.Conn
	for i := 0; i < 5; i++ {
		conns = append(conns, dial(t, gw.WS+"/dev", nil))
		b.next(t, "CONNECT")
	}
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		done <- gw.Shutdown(ctx)
	}()
	for _, c := range conns {
		if ce := readClose(t, c, 5*time.Second); ce.Code != websocket.CloseGoingAway {
			t.Errorf("shutdown close %d, want 1001", ce.Code)
		}
	}
	if err := <-done; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	// Every $disconnect ran before Shutdown returned.
	b.mu.Lock()
	n := 0
	for _, e := range b.events {
		if e.Ev.RequestContext.EventType == "DISCONNECT" {
			n++
			if e.Ev.RequestContext.DisconnectStatusCode != 1001 {
				t.Errorf("shutdown $disconnect code %d", e.Ev.RequestContext.DisconnectStatusCode)
			}
		}
	}
	b.mu.Unlock()
	if n != 5 {
		t.Errorf("%d $disconnect events before Shutdown returned, want 5", n)
	}
}
