package ws

import (
	"errors"
	"sync"
	"syscall"
	"time"
)

// Write coalescing. When the writer drains several queued messages at once
// (a burst of POSTs, broadcasts arriving faster than one connection's
// writes), gorilla would make one write(2) per frame. Corking the guard
// collects the frames in a pooled buffer and writes them with one system
// call at the end of the batch, or whenever corkLimit bytes are waiting.
// A connection that is not mid-batch holds no buffer.
//
// Close frames go through the cork too: gorilla's WriteControl writes into
// the guard like any frame, so a close sent while a writer is corked waits
// for that writer's uncork. The reader drains the guard (drain) before its
// teardown closes the socket, or the close would be lost with the batch;
// the other closers (a slow consumer, a close frame that could not be
// written, Shutdown's abort) close at once, as nothing more can get out.

const corkLimit = 32 << 10

var corkPool = sync.Pool{New: func() any {
	cb := &corkBuf{b: make([]byte, 0, corkLimit+4096)}
	cb.write = cb.writeOnce // one method value per buffer, not one closure per write
	return cb
}}

// corkBuf is a cork's buffer, pooled, with the state of the batch that
// holds it, so that a connection that is not mid-batch holds none of it:
// the flush threshold, the write deadline the batch's next blocking write
// takes, and tryFlush's write(2) (write makes it; n and err are its result).
type corkBuf struct {
	b        []byte
	flushAt  int
	deadline time.Time
	write    func(fd uintptr)
	n        int
	err      error
}

// SetWriteDeadline passes t through, or, while corked, keeps it for the
// batch's next write to the socket. gorilla sets the deadline before every
// frame, and on a socket that costs a runtime timer update per frame
// (a tenth of a broadcast delivery's CPU) though the corked frame only
// reaches a buffer; tryFlush's non-blocking write needs no deadline.
func (g *frameGuard) SetWriteDeadline(t time.Time) error {
	g.wmu.Lock()
	defer g.wmu.Unlock()
	if g.wbuf == nil {
		return g.Conn.SetWriteDeadline(t)
	}
	g.wbuf.deadline = t
	return nil
}

// Write passes p through, or appends it to the cork buffer.
func (g *frameGuard) Write(p []byte) (int, error) {
	g.wmu.Lock()
	defer g.wmu.Unlock()
	if g.wbuf == nil {
		return g.Conn.Write(p)
	}
	g.wbuf.b = append(g.wbuf.b, p...)
	if g.wbuf.flushAt > 0 && len(g.wbuf.b) >= g.wbuf.flushAt {
		if err := g.flushLocked(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// cork starts collecting writes. A writer that may block (writeLoop) passes
// corkLimit as flushAt, so that a long batch goes out in 32 KB writes; the
// non-blocking fast path passes 0 and never writes before tryFlush.
func (g *frameGuard) cork(flushAt int) {
	g.wmu.Lock()
	if g.wbuf == nil {
		g.wbuf = corkPool.Get().(*corkBuf)
	}
	g.wbuf.flushAt = flushAt
	g.wmu.Unlock()
}

// uncork writes what was collected and stops collecting.
func (g *frameGuard) uncork() error {
	g.wmu.Lock()
	defer g.wmu.Unlock()
	if g.wbuf == nil {
		return nil
	}
	err := g.flushLocked()
	g.wbuf.b = g.wbuf.b[:0]
	g.wbuf.deadline = time.Time{}
	corkPool.Put(g.wbuf)
	g.wbuf = nil
	return err
}

// drain writes what the cork holds, leaving the cork to its holder, before
// the socket closes: the frames of the batch in progress and any close frame
// written after them. deadline bounds the whole drain, a write in progress
// included (it is set on the socket before waiting for wmu).
func (g *frameGuard) drain(deadline time.Time) error {
	_ = g.Conn.SetWriteDeadline(deadline)
	g.wmu.Lock()
	defer g.wmu.Unlock()
	if g.wbuf == nil {
		return nil
	}
	g.wbuf.deadline = time.Time{} // this deadline, not the batch's
	return g.flushLocked()
}

// flushLocked writes the cork buffer through the socket, which may block:
// under the batch's deadline, if one was set since the last flush.
func (g *frameGuard) flushLocked() error {
	if len(g.wbuf.b) == 0 {
		return nil
	}
	if !g.wbuf.deadline.IsZero() {
		if err := g.Conn.SetWriteDeadline(g.wbuf.deadline); err != nil {
			return err
		}
		g.wbuf.deadline = time.Time{}
	}
	_, err := g.Conn.Write(g.wbuf.b)
	g.wbuf.b = g.wbuf.b[:0]
	return err
}

// tryFlush writes what the cork holds without waiting: one write(2) on the
// non-blocking socket. It reports whether everything went out; what did not
// stays corked for uncork. Sockets that expose no file descriptor (tests'
// pipes) are never tried. The write goes through Control, not Write: Write
// fails once the socket's last deadline has passed, and the corked frames
// set none on the socket (SetWriteDeadline); wmu, held, orders it with
// every other write.
func (g *frameGuard) tryFlush() (done bool, err error) {
	g.wmu.Lock()
	defer g.wmu.Unlock()
	if g.wbuf == nil || len(g.wbuf.b) == 0 {
		return true, nil
	}
	if g.raw == nil {
		sc, ok := g.Conn.(syscall.Conn)
		if !ok {
			return false, nil
		}
		if g.raw, err = sc.SyscallConn(); err != nil {
			g.raw = nil
			return false, nil
		}
	}
	if err := g.raw.Control(g.wbuf.write); err != nil {
		return false, err
	}
	n, werr := g.wbuf.n, g.wbuf.err
	switch {
	case errors.Is(werr, syscall.EAGAIN), errors.Is(werr, syscall.EINTR):
		return false, nil
	case werr != nil:
		return false, werr
	}
	buf := g.wbuf.b
	rest := copy(buf, buf[n:])
	g.wbuf.b = buf[:rest]
	return rest == 0, nil
}
