package ws

import (
	"testing"

	"github.com/gorilla/websocket"
)

// BenchmarkMessageRoundTrip measures one client message through the whole
// read path (reader, in-flight accounting, route selection, a two-way echo
// integration, the send queue) and back, client included.
func BenchmarkMessageRoundTrip(b *testing.B) {
	g := newTestGateway(b, nil, echo(0))
	c := g.dial(b)
	if c == nil {
		b.Fatal("dial refused")
	}
	defer c.Close()
	msg := []byte(`{"action":"sendmessage","data":"hello world"}`)
	b.ReportAllocs()
	for b.Loop() {
		if err := c.WriteMessage(websocket.TextMessage, msg); err != nil {
			b.Fatal(err)
		}
		if _, _, err := c.ReadMessage(); err != nil {
			b.Fatal(err)
		}
	}
}
