package natsbus

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

func TestEmbeddedInProcess(t *testing.T) {
	b, err := Start(Config{NodeID: "abcd"})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	sub, err := b.Conn.SubscribeSync("portico.test")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Conn.Publish("portico.test", []byte("hi")); err != nil {
		t.Fatal(err)
	}
	m, err := sub.NextMsg(5 * time.Second)
	if err != nil || string(m.Data) != "hi" {
		t.Fatalf("round trip: %v %v", m, err)
	}
	if !strings.Contains(b.Describe(), "in-process") {
		t.Errorf("Describe = %q", b.Describe())
	}
	b.Close()
	b.Close() // idempotent
}

func TestEmbeddedListenAndExternalJoin(t *testing.T) {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	server, err := Start(Config{NodeID: "srv1", Listen: addr})
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	// A second node joins it as an external server, as backends would.
	client, err := Start(Config{URL: "nats://" + addr})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	sub, _ := server.Conn.SubscribeSync("x")
	_ = server.Conn.Flush()
	if err := client.Conn.Publish("x", []byte("across")); err != nil {
		t.Fatal(err)
	}
	if m, err := sub.NextMsg(5 * time.Second); err != nil || string(m.Data) != "across" {
		t.Fatalf("across: %v %v", m, err)
	}
	if _, err := nats.Connect("nats://" + addr); err != nil {
		t.Fatalf("plain nats.go client: %v", err)
	}
}

func TestEmbeddedListenPortInUse(t *testing.T) {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	defer l.Close()
	_, err := Start(Config{NodeID: "x", Listen: l.Addr().String()})
	if err == nil || !strings.Contains(err.Error(), l.Addr().String()) {
		t.Fatalf("port in use: %v", err)
	}
}

// A cluster node without nats.listen still routes: nats-server starts its
// route listener only after a client listener, so one is opened on loopback.
func TestClusterWithoutClientListen(t *testing.T) {
	free := func() string {
		l, _ := net.Listen("tcp", "127.0.0.1:0")
		defer l.Close()
		return l.Addr().String()
	}
	ra, rb := free(), free()
	start := func(id, own, other string) *Bus {
		done := make(chan struct{})
		var b *Bus
		var err error
		go func() {
			defer close(done)
			b, err = Start(Config{NodeID: id, ClusterName: "t", ClusterListen: own, Routes: []string{"nats-route://" + other}})
		}()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			t.Fatal("Start hung for a cluster node without nats.listen")
		}
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(b.Close)
		return b
	}
	a, b := start("aaaa", ra, rb), start("bbbb", rb, ra)
	sub, _ := a.Conn.SubscribeSync("x")
	_ = a.Conn.Flush()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		_ = b.Conn.Publish("x", []byte("routed"))
		if m, err := sub.NextMsg(200 * time.Millisecond); err == nil && string(m.Data) == "routed" {
			return
		}
	}
	t.Fatal("no message crossed the cluster route")
}

func TestRedactURLs(t *testing.T) {
	for in, want := range map[string]string{
		"nats://127.0.0.1:4222":                           "nats://127.0.0.1:4222",
		"nats://user:s3cret@h:4222, nats://tok3n@h2:4222": "nats://redacted@h:4222,nats://redacted@h2:4222",
	} {
		if got := redactURLs(in); got != want {
			t.Errorf("redactURLs(%q) = %q, want %q", in, got, want)
		}
	}
}

// JetStream on the embedded server keeps its streams in StoreDir, under the
// ServerName given.
func TestEmbeddedJetStream(t *testing.T) {
	if _, err := Start(Config{NodeID: "js", JetStream: true}); err == nil {
		t.Fatal("JetStream without StoreDir started")
	}
	dir := t.TempDir()
	b, err := Start(Config{NodeID: "js", ServerName: "portico-kept", JetStream: true, StoreDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	js, err := b.Conn.JetStream()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.AccountInfo(); err != nil {
		t.Fatalf("JetStream: %v", err)
	}
	if !strings.Contains(b.Describe(), "JetStream in "+dir) {
		t.Errorf("Describe = %q", b.Describe())
	}
	if got := b.embedded.Name(); got != "portico-kept" {
		t.Errorf("server name %q", got)
	}
}
