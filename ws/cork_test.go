package ws

import (
	"bytes"
	"errors"
	"net"
	"testing"
	"time"
)

// countingConn records each Write as one system call would see it.
type countingConn struct {
	net.Conn
	writes [][]byte
	err    error
}

func (c *countingConn) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	c.writes = append(c.writes, append([]byte(nil), p...))
	return len(p), nil
}

func TestCorkCoalescesWrites(t *testing.T) {
	cc := &countingConn{}
	g := newFrameGuard(cc, 0)
	if _, err := g.Write([]byte("a")); err != nil || len(cc.writes) != 1 {
		t.Fatalf("uncorked write: %v, %d writes", err, len(cc.writes))
	}
	g.cork(corkLimit)
	for _, s := range []string{"one", "two", "three"} {
		if n, err := g.Write([]byte(s)); err != nil || n != len(s) {
			t.Fatalf("corked write: %d %v", n, err)
		}
	}
	if len(cc.writes) != 1 {
		t.Fatalf("corked frames reached the socket early: %q", cc.writes)
	}
	if err := g.uncork(); err != nil {
		t.Fatal(err)
	}
	if len(cc.writes) != 2 || string(cc.writes[1]) != "onetwothree" {
		t.Fatalf("writes = %q, want one coalesced write after the first", cc.writes)
	}
	if g.wbuf != nil {
		t.Fatal("an uncorked connection still holds a buffer")
	}
}

func TestCorkFlushesAtLimit(t *testing.T) {
	cc := &countingConn{}
	g := newFrameGuard(cc, 0)
	g.cork(corkLimit)
	big := bytes.Repeat([]byte("x"), corkLimit/2+1)
	_, _ = g.Write(big)
	_, _ = g.Write(big) // crosses the limit: flushed now
	_, _ = g.Write([]byte("tail"))
	if len(cc.writes) != 1 || len(cc.writes[0]) != 2*len(big) {
		t.Fatalf("writes before uncork: %d", len(cc.writes))
	}
	if err := g.uncork(); err != nil || len(cc.writes) != 2 || string(cc.writes[1]) != "tail" {
		t.Fatalf("uncork: %v %q", err, cc.writes[1:])
	}
}

func (c *countingConn) SetWriteDeadline(time.Time) error { return nil }

// drain writes what the cork holds, a close frame written behind a batch
// included, and leaves the cork to its holder: later writes are still
// collected, and uncork still returns the buffer.
func TestDrainLeavesTheCork(t *testing.T) {
	cc := &countingConn{}
	g := newFrameGuard(cc, 0)
	if err := g.drain(time.Now().Add(time.Second)); err != nil || len(cc.writes) != 0 {
		t.Fatalf("drain uncorked: %v, %d writes", err, len(cc.writes))
	}
	g.cork(0)
	_, _ = g.Write([]byte("answer"))
	_, _ = g.Write([]byte("close"))
	if err := g.drain(time.Now().Add(time.Second)); err != nil || len(cc.writes) != 1 || string(cc.writes[0]) != "answerclose" {
		t.Fatalf("drain: %v %q", err, cc.writes)
	}
	_, _ = g.Write([]byte("late"))
	if len(cc.writes) != 1 {
		t.Fatal("a write after drain was not corked")
	}
	if err := g.uncork(); err != nil || len(cc.writes) != 2 || string(cc.writes[1]) != "late" || g.wbuf != nil {
		t.Fatalf("uncork after drain: %v %q", err, cc.writes)
	}
}

func TestCorkReportsFlushError(t *testing.T) {
	boom := errors.New("broken pipe")
	cc := &countingConn{err: boom}
	g := newFrameGuard(cc, 0)
	g.cork(corkLimit)
	if _, err := g.Write([]byte("queued")); err != nil {
		t.Fatalf("a corked write cannot fail yet: %v", err)
	}
	if err := g.uncork(); !errors.Is(err, boom) {
		t.Fatalf("uncork error = %v, want the socket's", err)
	}
}

// tryFlush never waits: against a peer that does not read, it writes what
// the socket takes and keeps the rest, which uncork then delivers in order.
func TestTryFlushDoesNotBlock(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := l.Accept()
		accepted <- c
	}()
	client, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	server := <-accepted
	defer server.Close()
	_ = server.(*net.TCPConn).SetWriteBuffer(16 << 10)

	g := newFrameGuard(server, 0)
	g.cork(0)
	want := bytes.Repeat([]byte("0123456789abcdef"), 1<<18) // 4 MiB: more than the socket buffers
	_, _ = g.Write(want)
	done, err := g.tryFlush()
	if err != nil || done {
		t.Fatalf("tryFlush = %v, %v; want a partial write against a peer that does not read", done, err)
	}
	got := make(chan []byte)
	go func() {
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(client)
		got <- buf.Bytes()
	}()
	if err := g.uncork(); err != nil {
		t.Fatal(err)
	}
	server.Close()
	if b := <-got; !bytes.Equal(b, want) {
		t.Fatalf("received %d bytes, want the %d written, in order", len(b), len(want))
	}
}
