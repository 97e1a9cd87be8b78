package connections

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/portico-gw/portico/internal/ids"
)

// BenchmarkRemotePost is the node-to-node leg of post-remote: a
// PostToConnection forwarded over NATS to the node that holds the connection
// and its answer back, both buses in this process (allocs/op counts both
// sides and nats.go's).
func BenchmarkRemotePost(b *testing.B) {
	ns := startNATS(b, -1)
	defer ns.Shutdown()
	newBus := func(reg *Registry, node string) *Bus {
		nc, err := nats.Connect(ns.ClientURL())
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(nc.Close)
		bus, err := NewBus(BusConfig{Conn: nc, NodeID: node, Registry: reg, RequestTimeout: time.Second})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(bus.Close)
		return bus
	}
	owner := ids.NewNodeID()
	reg := NewRegistry()
	c := &fakeConn{id: ids.NewConnectionID(owner)}
	reg.Add(c)
	newBus(reg, owner)
	from := newBus(NewRegistry(), ids.NewNodeID())
	op := Op{Method: "POST", ConnectionID: c.ID(), APIID: "api", Stage: "dev", Body: []byte("x")}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		res, err := from.Remote(ctx, owner, op)
		if err != nil || res.Status != 200 {
			b.Fatalf("Remote: %+v %v", res, err)
		}
	}
}
