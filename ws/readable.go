package ws

import (
	"bufio"
	"net"
	"sync"
	"syscall"
)

// An idle connection's reader waits for its client's next frame. Parked in
// gorilla's NextReader, it would wait under some 1,100 bytes of frames
// (gorilla's frame parser, bufio, the guard, net's Read), close enough to
// the 1,120 that a 2 KB goroutine stack leaves above the runtime's guard
// that connections made while handshakes run deep get 4 KB stacks (the
// runtime sizes new stacks from the average it saw at the last GC) and keep
// them. So when gorilla holds no unread byte, the reader first waits for
// the socket itself to become readable, from the top of its loop, under a
// few hundred bytes of frames; only then does it enter gorilla, which finds
// bytes to read.
//
// Waiting on the socket is sound only when nothing readable sits above it:
// gorilla's read buffer (br, which the guard owns) is empty, the guard has
// no sticky error to return, and the guard reads a bare socket (peek is
// set for *net.TCPConn and *net.UnixConn only, never for TLS, whose own
// buffer could hold a whole frame): peek says so. Two frames in one TCP segment thus
// leave the second in br, and the reader reads it without waiting
// (TestTwoFramesInOneSegment).

// setReadBuffer gives the guard gorilla's read buffer, and rd's descriptor
// when rd is a bare socket.
func (g *frameGuard) setReadBuffer(br *bufio.Reader) {
	g.br = br
	var sc syscall.Conn
	switch rd := g.rd.(type) {
	case *net.TCPConn:
		sc = rd
	case *net.UnixConn:
		sc = rd
	default:
		return
	}
	if raw, err := sc.SyscallConn(); err == nil && peekSupported {
		g.raw, g.peek = raw, true // before any writer runs: tryFlush keeps it
	}
}

// waitReadable returns once the socket has something to read (bytes, EOF,
// an error), its read deadline passed or it was closed, at once when the
// wait would not be sound. It reports nothing: the read that follows meets
// whatever ended the wait. Only the reader calls it, between messages.
func (g *frameGuard) waitReadable() {
	if !g.peek || g.failed != 0 || g.br.Buffered() > 0 {
		return
	}
	g.releaseReadBuffer()
	_ = g.raw.Read(peekReadable)
	g.takeReadBuffer()
}

// While the reader waits on the socket, gorilla's read buffer is empty
// and untouched (only the reader reads through gorilla), so the
// connection lends it to the next reader that wakes: an idle connection
// holds no read buffer, only the bufio.Reader that gorilla points to,
// emptied. The buffer moves with bufio.Reader values (its fields are not
// exported): readBuffers holds Readers that own a buffer, readerShells the
// emptied Readers that carried them, so that neither move allocates. The
// emptied Reader loses nothing: at a message boundary with nothing
// buffered, it holds no pending error either (gorilla reads a message's
// last frame without reading past it, and the guard reports an error only
// with no bytes).
var readBuffers, readerShells sync.Pool

// releaseReadBuffer puts gorilla's emptied read buffer in readBuffers.
func (g *frameGuard) releaseReadBuffer() {
	sh, _ := readerShells.Get().(*bufio.Reader)
	if sh == nil {
		sh = new(bufio.Reader)
	}
	*sh = *g.br
	*g.br = bufio.Reader{}
	readBuffers.Put(sh)
}

// takeReadBuffer gives gorilla's Reader a buffer again, reading g.
func (g *frameGuard) takeReadBuffer() {
	rb, _ := readBuffers.Get().(*bufio.Reader)
	if rb == nil {
		rb = bufio.NewReaderSize(nil, readBufferSize)
	}
	*g.br = *rb
	*rb = bufio.Reader{}
	readerShells.Put(rb)
	g.br.Reset(g)
}
