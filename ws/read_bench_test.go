package ws

import (
	"sync"
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

// BenchmarkSendPrepared measures one broadcast delivery on the gateway's
// side: a prepared frame through SendPrepared's non-blocking write to one
// of 64 connections, whose clients read on goroutines of their own.
func BenchmarkSendPrepared(b *testing.B) {
	g := newTestGateway(b, nil, echo(0))
	const n = 64
	var wg sync.WaitGroup
	defer wg.Wait()
	for range n {
		c := g.dial(b)
		if c == nil {
			b.Fatal("dial refused")
		}
		defer c.Close()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				if _, _, err := c.ReadMessage(); err != nil {
					return
				}
			}
		}()
	}
	waitUntil(b, func() bool { return len(g.reg.Snapshot()) == n })
	conns := g.reg.Snapshot()
	data := make([]byte, 100)
	pm, err := websocket.NewPreparedMessage(websocket.TextMessage, data)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := conns[i%n].SendPrepared(pm, len(data)); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
