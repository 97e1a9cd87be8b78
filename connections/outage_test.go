package connections

import (
	"encoding/json"
	"net"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/portico-gw/portico/internal/ids"
)

// startNATS starts an in-process nats-server on port (-1: any free port).
func startNATS(t testing.TB, port int) *server.Server {
	t.Helper()
	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: port, NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server did not start")
	}
	return ns
}

func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestBroadcastDuringNATSOutage is the regression test of defect 4 of issue
// 13: @broadcast answered 200 while NATS was down (the publish sat in
// nats.go's reconnect buffer). It answers 503 ServiceUnavailableException,
// says how many local connections took the message, and publishes nothing;
// once NATS is back, 200 again and the other nodes get it. A call for
// another node's connection is 503 meanwhile.
func TestBroadcastDuringNATSOutage(t *testing.T) {
	ns := startNATS(t, -1)
	port := ns.Addr().(*net.TCPAddr).Port
	url := ns.ClientURL()
	connect := func() *nats.Conn {
		nc, err := nats.Connect(url, nats.MaxReconnects(-1), nats.ReconnectWait(50*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(nc.Close)
		return nc
	}
	newNode := func() (string, *Registry, *sinkConn, *Bus) {
		reg := NewRegistry()
		node := ids.NewNodeID()
		c := &sinkConn{fakeConn: fakeConn{id: ids.NewConnectionID(node)}, max: 1 << 10}
		reg.Add(c)
		bus, err := NewBus(BusConfig{Conn: connect(), NodeID: node, Registry: reg, RequestTimeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(bus.Close)
		return node, reg, c, bus
	}
	node, reg, local, bus := newNode()
	_, _, remote, remoteBus := newNode()
	s, _ := newBodyServer(t, ManagementConfig{Registry: reg, NodeID: node, Bus: bus})

	broadcast := func(data string) (int, string, string) {
		t.Helper()
		status, h, body := do(t, signed(t, "POST", s.URL+"/dev/@broadcast", []byte(data), false))
		return status, h.Get("x-amzn-ErrorType"), body
	}
	if status, _, body := broadcast("before"); status != 200 {
		t.Fatalf("@broadcast with NATS up: %d %s", status, body)
	}
	waitFor(t, "the other node got the broadcast", func() bool { return remote.count() == 1 })

	ns.Shutdown()
	ns.WaitForShutdown()
	waitFor(t, "both nodes see the outage", func() bool { return !bus.Connected() && !remoteBus.Connected() })
	status, errType, body := broadcast("during")
	var msg struct {
		Message         string `json:"message"`
		LocalDeliveries int    `json:"localDeliveries"`
	}
	if err := json.Unmarshal([]byte(body), &msg); err != nil {
		t.Fatalf("503 body %q: %v", body, err)
	}
	if status != 503 || errType != "ServiceUnavailableException" || msg.LocalDeliveries != 1 ||
		msg.Message != "Service Unavailable: NATS is disconnected; delivered to 1 local connections only, not to other nodes" {
		t.Errorf("@broadcast during the outage: %d %q %s", status, errType, body)
	}
	if n := local.count(); n != 2 {
		t.Errorf("the local connection has %d messages, want 2 (local delivery goes on)", n)
	}
	statusPost, h, bodyPost := do(t, signed(t, "POST", s.URL+"/dev/@connections/"+remote.ID(), []byte("x"), false))
	if statusPost != 503 || h.Get("x-amzn-ErrorType") != "ServiceUnavailableException" {
		t.Errorf("POST to another node's connection during the outage: %d %q %s", statusPost, h.Get("x-amzn-ErrorType"), bodyPost)
	}

	ns = startNATS(t, port)
	defer ns.Shutdown()
	waitFor(t, "both nodes reconnect", func() bool { return bus.Connected() && remoteBus.Connected() })
	if err := bus.NATS().Flush(); err != nil {
		t.Fatal(err)
	}
	if status, _, body := broadcast("after"); status != 200 {
		t.Fatalf("@broadcast after NATS returned: %d %s", status, body)
	}
	waitFor(t, "the other node got the broadcast after the outage", func() bool { return remote.count() == 2 })
	time.Sleep(100 * time.Millisecond) // "during" must never arrive
	if n := remote.count(); n != 2 {
		t.Errorf("the other node got %d broadcasts, want 2: the one sent during the outage was published late", n)
	}
}
