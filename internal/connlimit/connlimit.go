// Package connlimit caps a listener's open connections below the process's
// file-descriptor limit, so that a node at capacity answers new clients
// (the server writes 503 on connections that OverCap reports) instead of
// leaving them to hang while Accept retries EMFILE.
//
// A connection is counted from Accept until its Close, whoever closes it:
// net/http, or package ws for hijacked WebSocket connections (the hijacked
// net.Conn is the wrapper). Connections accepted at or over Max are marked
// over the cap and may live only OverCapLifetime, long enough to read one
// request and answer it; at Max plus a margin (Hard) they are closed at
// once, since by then answering would itself run out of descriptors.
//
// Concurrency: a Listener is safe for concurrent use; Close of its
// connections may run on any goroutine.
package connlimit

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Reserve is how many descriptors a derived cap leaves for everything but
// clients (NATS, backends, files): the larger of 256 and 10% of the limit.
func Reserve(limit int) int { return max(256, limit/10) }

// Derived returns the cap derived from the process's soft RLIMIT_NOFILE
// less Reserve, or 0 (no cap) when the limit is unknown or too small to
// leave a reserve.
func Derived() int {
	limit := fdLimit()
	if limit <= 0 {
		return 0
	}
	return max(0, limit-Reserve(limit))
}

// Config configures a Listener.
type Config struct {
	// Max is the number of connections served normally. Zero or less
	// means no cap.
	Max int
	// Hard is the number of connections over which new ones are closed
	// without an answer. Zero means Max plus max(16, Max/20).
	Hard int
	// OverCapLifetime bounds a connection accepted over the cap. Zero
	// means 2s.
	OverCapLifetime time.Duration
	// Rejected is called once per connection accepted over the cap. Nil
	// means none.
	Rejected func()
	// Logger receives one WARN when the cap is first reached and one INFO
	// when the count is back under 90% of it. Nil means discard.
	Logger *slog.Logger
}

// Listener is a net.Listener that counts its open connections.
type Listener struct {
	net.Listener
	cfg  Config
	open atomic.Int64

	mu       sync.Mutex
	capped   bool  // guarded by mu: an episode over the cap is going on
	rejected int64 // guarded by mu: connections refused in this episode
}

// NewListener wraps l. With cfg.Max <= 0 it only counts.
func NewListener(l net.Listener, cfg Config) *Listener {
	if cfg.Hard <= 0 && cfg.Max > 0 {
		cfg.Hard = cfg.Max + max(16, cfg.Max/20)
	}
	if cfg.OverCapLifetime <= 0 {
		cfg.OverCapLifetime = 2 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Listener{Listener: l, cfg: cfg}
}

// Open returns the number of open connections.
func (l *Listener) Open() int { return int(l.open.Load()) }

// Max returns the cap; zero means none.
func (l *Listener) Max() int { return max(0, l.cfg.Max) }

// Accept waits for a connection. Over the cap it marks the connection
// (OverCap) or, over Hard, closes it and waits for the next.
func (l *Listener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		n := l.open.Add(1)
		cc := &conn{Conn: c, l: l}
		if l.cfg.Max <= 0 || n <= int64(l.cfg.Max) {
			return cc, nil
		}
		l.overCap()
		if n > int64(l.cfg.Hard) {
			_ = cc.Close()
			continue
		}
		deadline := time.Now().Add(l.cfg.OverCapLifetime)
		cc.deadline = &deadline
		_ = c.SetDeadline(deadline)
		return cc, nil
	}
}

func (l *Listener) overCap() {
	if l.cfg.Rejected != nil {
		l.cfg.Rejected()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.rejected++
	if !l.capped {
		l.capped = true
		l.cfg.Logger.Warn("connection cap reached: new clients get 503 until connections close",
			"max_connections", l.cfg.Max, "open", l.open.Load())
	}
}

func (l *Listener) closed() {
	n := l.open.Add(-1)
	if l.cfg.Max <= 0 || n > int64(l.cfg.Max)*9/10 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.capped {
		l.capped = false
		l.cfg.Logger.Info("connections back under the cap", "max_connections", l.cfg.Max, "open", n, "refused", l.rejected)
		l.rejected = 0
	}
}

// conn is an accepted connection; deadline is set (and fixed before the
// connection is handed out) when it was accepted over the cap.
type conn struct {
	net.Conn
	l        *Listener
	deadline *time.Time // nil unless accepted over the cap (a pointer: most connections are not)
	once     sync.Once
}

func (c *conn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.l.closed)
	return err
}

// clamp keeps an over-cap connection's deadlines within its lifetime.
func (c *conn) clamp(t time.Time) time.Time {
	if c.deadline != nil && (t.IsZero() || t.After(*c.deadline)) {
		return *c.deadline
	}
	return t
}

// SyscallConn exposes the socket under c, so that writers that try a
// non-blocking write first (package ws's frame guard) keep that fast path
// through the wrapper. It fails when the wrapped connection has no file
// descriptor.
func (c *conn) SyscallConn() (syscall.RawConn, error) {
	sc, ok := c.Conn.(syscall.Conn)
	if !ok {
		return nil, errNoSyscallConn
	}
	return sc.SyscallConn()
}

// errNoSyscallConn is SyscallConn's answer for a connection without a file
// descriptor.
var errNoSyscallConn = errors.New("connlimit: the connection has no file descriptor")

var _ syscall.Conn = (*conn)(nil)

func (c *conn) SetDeadline(t time.Time) error      { return c.Conn.SetDeadline(c.clamp(t)) }
func (c *conn) SetReadDeadline(t time.Time) error  { return c.Conn.SetReadDeadline(c.clamp(t)) }
func (c *conn) SetWriteDeadline(t time.Time) error { return c.Conn.SetWriteDeadline(c.clamp(t)) }

// Reader returns what c reads from: for a connection of this package, the
// connection it wraps, whose Read is the same; otherwise c. A reader that
// parks in Read (package ws's, one per idle WebSocket connection) is thus
// one frame shallower, which keeps its goroutine's stack at 2 KB. Close,
// deadlines and the rest must still go through c.
func Reader(c net.Conn) io.Reader {
	if cc, ok := c.(*conn); ok {
		return cc.Conn
	}
	return c
}

// OverCap reports whether c was accepted over its listener's cap: the
// server should answer its request with 503 and close it.
func OverCap(c net.Conn) bool {
	cc, ok := c.(*conn)
	return ok && cc.deadline != nil
}
