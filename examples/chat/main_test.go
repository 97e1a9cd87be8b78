package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/portico-gw/portico"
	"github.com/portico-gw/portico/config"
)

// TestChatExample runs the example's config and backend against the real
// gateway: two clients, whoami over the two-way route, and a sendmessage
// broadcast through PostToConnection.
func TestChatExample(t *testing.T) {
	b := NewBackend("AKIDPORTICOCHAT", "portico-chat-example-secret", slog.New(slog.DiscardHandler))
	backend := httptest.NewServer(b)
	defer backend.Close()

	file, err := config.Load("portico.yaml")
	if err != nil {
		t.Fatal(err)
	}
	file.APIs[0].Integrations[0].IntegrationURI = backend.URL + "/events"
	gw, err := portico.New(portico.Config{File: file, Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := gw.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = gw.Shutdown(ctx)
	}()
	url := "ws://" + gw.Addr().String() + "/dev"

	read := func(c *websocket.Conn) map[string]string {
		t.Helper()
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, data, err := c.ReadMessage()
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatalf("%s: %v", data, err)
		}
		return m
	}
	var clients []*websocket.Conn
	var ids []string
	for i := 0; i < 2; i++ {
		c, _, err := websocket.DefaultDialer.Dial(url, http.Header{})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_ = c.WriteMessage(websocket.TextMessage, []byte(`{"action":"whoami"}`))
		m := read(c)
		if len(m["connectionId"]) != 16 {
			t.Fatalf("whoami answered %v", m)
		}
		clients = append(clients, c)
		ids = append(ids, m["connectionId"])
	}
	// ping: the MOCK route's templates answer with $context values, and
	// its request template picks the status from the message.
	_ = clients[0].WriteMessage(websocket.TextMessage, []byte(`{"action":"ping"}`))
	if m := read(clients[0]); m["action"] != "pong" || m["ok"] != "yes" || m["connectionId"] != ids[0] || m["stage"] != "dev" {
		t.Errorf("ping answered %v", m)
	}
	_ = clients[0].WriteMessage(websocket.TextMessage, []byte(`{"action":"ping","fail":true}`))
	if m := read(clients[0]); m["action"] != "pong" || m["ok"] != "no" {
		t.Errorf("ping with fail answered %v", m)
	}
	_ = clients[0].WriteMessage(websocket.TextMessage, []byte(`{"action":"sendmessage","data":"hello there"}`))
	for i, c := range clients {
		m := read(c)
		if m["data"] != "hello there" || m["from"] != ids[0] {
			t.Errorf("client %d got %v", i, m)
		}
	}
}
