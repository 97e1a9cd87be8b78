// Package rawheader keeps the header names of a connection's first HTTP
// request as the client spelled them. net/http canonicalizes names
// ("sec-websocket-key" → "Sec-Websocket-Key"), but API Gateway passes the
// client's spelling to $connect, and users' code indexes event.headers by it.
//
// Wrap the listener with Listen, install ConnContext on the http.Server, and
// ask For(r) in the handler. Only a connection's first request is recorded
// (a WebSocket upgrade is nearly always one); For reports false for any
// other request, and callers fall back to canonical names.
//
// Concurrency: a recorder is guarded by its own mutex; net/http may read the
// connection from a background goroutine while a handler asks for names.
package rawheader

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/textproto"
	"sync"
)

// maxRecorded bounds the bytes kept per connection.
const maxRecorded = 16 << 10

// Listener wraps l so that each accepted connection records its first
// request's header block.
func Listener(l net.Listener) net.Listener { return &listener{Listener: l} }

type listener struct{ net.Listener }

func (l *listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &conn{Conn: c}, nil
}

type conn struct {
	net.Conn
	mu   sync.Mutex
	buf  []byte // guarded by mu; the header block once done
	done bool   // guarded by mu
}

func (c *conn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.mu.Lock()
		if !c.done {
			c.buf = append(c.buf, p[:n]...)
			if i := bytes.Index(c.buf, []byte("\r\n\r\n")); i >= 0 {
				c.buf = c.buf[:i:i]
				c.done = true
			} else if len(c.buf) > maxRecorded {
				c.buf, c.done = nil, true
			}
		}
		c.mu.Unlock()
	}
	return n, err
}

type ctxKey struct{}

// ConnContext is an http.Server.ConnContext that makes the recorder
// reachable from requests.
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	if rc, ok := c.(*conn); ok {
		return context.WithValue(ctx, ctxKey{}, rc)
	}
	return ctx
}

// Unwrap returns the socket under a recording connection, for callers that
// take a connection over (a WebSocket upgrade) and need no more recording.
func Unwrap(c net.Conn) net.Conn {
	if rc, ok := c.(*conn); ok {
		return rc.Conn
	}
	return c
}

// Release drops what was recorded for r's connection, when For was not
// called: an upgraded connection must not keep its request's bytes.
func Release(r *http.Request) {
	if rc, _ := r.Context().Value(ctxKey{}).(*conn); rc != nil {
		rc.mu.Lock()
		rc.buf, rc.done = nil, true
		rc.mu.Unlock()
	}
}

// For returns the client's spelling of r's header names, keyed by canonical
// name, and releases the recording. ok is false when r is not the
// connection's recorded first request.
func For(r *http.Request) (names map[string]string, ok bool) {
	rc, _ := r.Context().Value(ctxKey{}).(*conn)
	if rc == nil {
		return nil, false
	}
	rc.mu.Lock()
	block := rc.buf
	rc.buf = nil
	rc.mu.Unlock()
	if len(block) == 0 {
		return nil, false
	}
	line, rest, _ := bytes.Cut(block, []byte("\r\n"))
	want := r.Method + " " + r.RequestURI + " "
	if !bytes.HasPrefix(line, []byte(want)) {
		return nil, false
	}
	names = make(map[string]string, 16)
	for len(rest) > 0 {
		var l []byte
		l, rest, _ = bytes.Cut(rest, []byte("\r\n"))
		name, _, found := bytes.Cut(l, []byte(":"))
		if !found || len(name) == 0 {
			continue
		}
		canonical := textproto.CanonicalMIMEHeaderKey(string(name))
		if _, seen := names[canonical]; !seen {
			names[canonical] = string(name)
		}
	}
	return names, true
}
