package connlimit

import (
	"bytes"
	"log/slog"
	"net"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// syncBuffer is a log destination safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestCapMarksHardClosesAndLogsOncePerEpisode(t *testing.T) {
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	var mu sync.Mutex
	rejected := 0
	l := NewListener(raw, Config{Max: 2, Hard: 3, OverCapLifetime: 300 * time.Millisecond,
		Rejected: func() { mu.Lock(); rejected++; mu.Unlock() },
		Logger:   slog.New(slog.NewTextHandler(&logs, nil))})
	defer l.Close()

	var clients []net.Conn
	dial := func() {
		c, err := net.Dial("tcp", l.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, c)
	}
	defer func() {
		for _, c := range clients {
			c.Close()
		}
	}()
	accept := func() net.Conn {
		c, err := l.Accept()
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	dial()
	dial()
	a, b := accept(), accept()
	if OverCap(a) || OverCap(b) || l.Open() != 2 {
		t.Fatalf("under the cap: overCap %v %v, open %d", OverCap(a), OverCap(b), l.Open())
	}
	dial()
	over := accept()
	if !OverCap(over) {
		t.Fatal("the third connection is not over the cap")
	}
	// Its deadline holds against a later, longer one (net/http sets one per request).
	_ = over.SetReadDeadline(time.Time{})
	start := time.Now()
	if _, err := over.Read(make([]byte, 1)); err == nil || time.Since(start) > 2*time.Second {
		t.Fatalf("over-cap read: %v after %v", err, time.Since(start))
	}
	// Over Hard: closed without being handed out; Accept goes on to the next.
	got := make(chan net.Conn, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			t.Error(err)
		}
		got <- c
	}()
	dial()
	_ = clients[3].SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := clients[3].Read(make([]byte, 1)); err == nil || strings.Contains(err.Error(), "timeout") {
		t.Fatalf("the client over Hard: read %v, want EOF or reset", err)
	}
	over.Close()
	dial()
	next := <-got
	if next == nil || !OverCap(next) {
		t.Fatal("want the fifth connection over the cap")
	}
	over.Close()
	next.Close()
	a.Close()
	a.Close() // counted once
	if l.Open() != 1 {
		t.Fatalf("open = %d, want 1", l.Open())
	}
	mu.Lock()
	if rejected != 3 {
		t.Errorf("rejected = %d, want 3", rejected)
	}
	mu.Unlock()
	out := logs.String()
	if strings.Count(out, "connection cap reached") != 1 || strings.Count(out, "back under the cap") != 1 || !strings.Contains(out, "refused=3") {
		t.Errorf("logs:\n%s", out)
	}
	b.Close()
}

func TestDerived(t *testing.T) {
	if n, limit := Derived(), fdLimit(); limit > 0 && n != max(0, limit-Reserve(limit)) {
		t.Errorf("Derived() = %d with limit %d", n, limit)
	}
	for limit, want := range map[int]int{1024: 256, 100000: 10000} {
		if got := Reserve(limit); got != want {
			t.Errorf("Reserve(%d) = %d, want %d", limit, got, want)
		}
	}
}

// The wrapper keeps the socket's file descriptor reachable (syscall.Conn),
// so that package ws's non-blocking write fast path still works through it;
// losing it once made every WebSocket write take the writer goroutine.
func TestAcceptedConnExposesTheSocket(t *testing.T) {
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := NewListener(raw, Config{Max: 10})
	defer l.Close()
	client, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	c, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sc, ok := c.(syscall.Conn)
	if !ok {
		t.Fatalf("%T is not a syscall.Conn", c)
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	fd := -1
	if err := rc.Control(func(f uintptr) { fd = int(f) }); err != nil || fd < 0 {
		t.Errorf("Control: fd %d, %v", fd, err)
	}
	// A connection without a descriptor says so rather than panicking.
	p1, p2 := net.Pipe()
	defer p1.Close()
	defer p2.Close()
	if _, err := (&conn{Conn: p1, l: l}).SyscallConn(); err == nil {
		t.Error("a pipe offered a file descriptor")
	}
}
