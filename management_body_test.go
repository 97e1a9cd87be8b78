package portico_test

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// TestManagementUnsignedBodyNotRead is issue 13's defect 1 through the
// whole gateway: clients that send 1 MiB to @connections unsigned and hold
// back the last byte are answered 403 at once, their bodies unread (before,
// each pinned 1 MiB for as long as it liked).
func TestManagementUnsignedBodyNotRead(t *testing.T) {
	b := newBackend(t, nil)
	g := startGateway(t, chatConfig(b.URL, ""))
	const clients = 20
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			c, err := net.Dial("tcp", g.Host)
			if err != nil {
				t.Error(err)
				return
			}
			defer c.Close()
			const size = 1 << 20
			fmt.Fprintf(c, "POST /dev/@connections/abcdefgh HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n\r\n", g.Host, size)
			go func() { _, _ = c.Write(make([]byte, size-1)) }()
			_ = c.SetReadDeadline(time.Now().Add(20 * time.Second)) // generous: the answer is immediate
			line, _ := bufio.NewReader(c).ReadString('\n')
			if !strings.HasPrefix(line, "HTTP/1.1 403 ") {
				t.Errorf("answered %q while the body's last byte was held back, want 403", line)
			}
		})
	}
	wg.Wait()
}

// TestBroadcastNATSOutageThroughGateway is issue 13's defect 4 through the
// whole gateway, on an external nats-server (nats.url): @broadcast answers
// 503 while NATS is down, after delivering to the node's own connections,
// and 200 once NATS is back.
func TestBroadcastNATSOutageThroughGateway(t *testing.T) {
	start := func(port int) *server.Server {
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
	ns := start(-1)
	port := ns.Addr().(*net.TCPAddr).Port
	b := newBackend(t, nil)
	g := startGateway(t, chatConfig(b.URL, fmt.Sprintf("nats:\n  url: nats://127.0.0.1:%d\n", port)))
	c := dial(t, g.WS+"/dev", nil)
	defer c.Close()
	b.next(t, "CONNECT")
	broadcast := func(data string) (int, string) {
		t.Helper()
		status, body := signedDo(t, "POST", g.URL+"/dev/@broadcast", []byte(data))
		return status, string(body)
	}
	if status, body := broadcast("before"); status != 200 {
		t.Fatalf("@broadcast: %d %s", status, body)
	}
	if got := readText(t, c); got != "before" {
		t.Fatalf("got %q", got)
	}

	ns.Shutdown()
	ns.WaitForShutdown()
	waitNATSState(t, "the gateway sees the outage", func() bool { return !g.Bus().Connected() })
	status, body := broadcast("during")
	if status != 503 || body != `{"message":"Service Unavailable: NATS is disconnected; delivered to 1 local connections only, not to other nodes","localDeliveries":1}` {
		t.Errorf("@broadcast during the outage: %d %s", status, body)
	}
	if got := readText(t, c); got != "during" {
		t.Errorf("the local connection got %q during the outage, want the broadcast", got)
	}

	ns = start(port)
	defer ns.Shutdown()
	waitNATSState(t, "the gateway reconnects", func() bool { return g.Bus().Connected() })
	if status, body := broadcast("after"); status != 200 {
		t.Fatalf("@broadcast after the outage: %d %s", status, body)
	}
	if got := readText(t, c); got != "after" {
		t.Errorf("got %q after the outage", got)
	}
}

func waitNATSState(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
