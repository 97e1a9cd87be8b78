package portico

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/portico-gw/portico/config"
	"github.com/portico-gw/portico/internal/certs"
	"github.com/portico-gw/portico/internal/clientaddr"
	"github.com/portico-gw/portico/internal/connlimit"
	"github.com/portico-gw/portico/internal/rawheader"
)

// The listener layer, below every API: TLS (static certificates reloaded
// on SIGHUP, or ACME), trusted proxies, timeouts and the connection cap.
//
// The data plane's listener stack, outermost first, is what net/http sees:
//
//	rawheader (records the plaintext header spelling for $connect)
//	└─ tls.Conn (when tls is configured; certificates from certs.Source)
//	   └─ connlimit (counts every connection, marks those over the cap)
//	      └─ TCP
//
// Because net/http does not see the *tls.Conn itself, it neither sets
// r.TLS nor negotiates HTTP/2: admit sets r.TLS from the connection, and
// the data plane speaks HTTP/1.1 only (which WebSocket upgrades need).

// The listeners' defaults (config key timeouts; zero means these).
const (
	DefaultReadHeaderTimeout = 10 * time.Second
	// DefaultReadBodyTimeout bounds reading a request body; WebSocket
	// connections are not affected.
	DefaultReadBodyTimeout = 60 * time.Second
	// DefaultIdleTimeout closes idle keep-alive connections. It is longer
	// than the 60s idle timeout of AWS load balancers, so that a balancer
	// in front never reuses a connection the gateway is closing.
	DefaultIdleTimeout = 120 * time.Second
	// DefaultDataDir holds the ACME cache when the file names no dataDir.
	DefaultDataDir = "portico-data"
)

// edge is a Server's listener layer, built once by New.
type edge struct {
	trust      *clientaddr.Trust
	certs      *certs.Source // nil without tls
	adminCerts *certs.Source // nil without adminTls
	readHeader time.Duration
	readBody   time.Duration
	idle       time.Duration
	maxConns   int // 0: no cap
	limiter    *connlimit.Listener
	// acmeHTTP serves ACME HTTP-01 challenges on tls.acme.httpListen; nil
	// when not configured.
	acmeHTTP *http.Server
	acmeDone chan struct{}
}

// newEdge builds the listener layer of f, reading certificate files.
func newEdge(f *config.File) (*edge, error) {
	e := &edge{
		readHeader: durationOr(f.Timeouts.ReadHeader, DefaultReadHeaderTimeout),
		readBody:   durationOr(f.Timeouts.ReadBody, DefaultReadBodyTimeout),
		idle:       durationOr(f.Timeouts.Idle, DefaultIdleTimeout),
	}
	var err error
	if e.trust, err = clientaddr.ParseTrust(f.TrustedProxies); err != nil {
		return nil, fmt.Errorf("portico: trustedProxies: %w", err)
	}
	switch {
	case f.MaxConnections > 0:
		e.maxConns = f.MaxConnections
	case f.MaxConnections == 0:
		e.maxConns = connlimit.Derived()
	}
	if f.TLS != nil {
		if e.certs, err = certs.New(certsConfig(f, f.TLS)); err != nil {
			return nil, fmt.Errorf("portico: tls: %w", err)
		}
	}
	if f.AdminTLS != nil {
		if e.adminCerts, err = certs.New(certsConfig(f, f.AdminTLS)); err != nil {
			return nil, fmt.Errorf("portico: adminTls: %w", err)
		}
	}
	return e, nil
}

func certsConfig(f *config.File, t *config.TLS) certs.Config {
	c := certs.Config{CertFile: t.CertFile, KeyFile: t.KeyFile}
	if a := t.ACME; a != nil {
		c.ACME = &certs.ACME{Hosts: a.Hosts, Email: a.Email, DirectoryURL: a.DirectoryURL,
			CacheDir: filepath.Join(firstNonEmpty(f.DataDir, DefaultDataDir), "acme")}
	}
	return c
}

func durationOr(d config.Duration, def time.Duration) time.Duration {
	if d > 0 {
		return d.Std()
	}
	return def
}

// httpServer returns an http.Server with the layer's timeouts. There is no
// ReadTimeout (it would outlive the request on hijacked WebSocket
// connections) and no WriteTimeout (streaming responses): bodies get a
// read deadline in admit instead.
func (e *edge) httpServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: e.readHeader, IdleTimeout: e.idle}
}

// wrapData stacks the data plane's listener (see the top of this file).
func (s *Server) wrapData(l net.Listener) net.Listener {
	e := s.edge
	var rejected func()
	e.limiter = connlimit.NewListener(l, connlimit.Config{Max: e.maxConns, Logger: s.log,
		Rejected: func() { rejected() }})
	rejected = s.metrics.Listener(e.limiter.Open, e.limiter.Max)
	l = e.limiter
	if e.certs != nil {
		l = tls.NewListener(l, e.certs.TLSConfig())
	}
	return rawheader.Listener(l)
}

// wrapAdmin puts TLS on the admin listener when adminTls is configured.
func (s *Server) wrapAdmin(l net.Listener) net.Listener {
	if s.edge.adminCerts == nil {
		return l
	}
	return tls.NewListener(l, s.edge.adminCerts.TLSConfig())
}

type connKey struct{}

// connInfo is what admit needs to know about a request's connection.
type connInfo struct {
	tls     *tls.Conn // nil for plain HTTP
	overCap bool
}

// connContext is the data plane's http.Server.ConnContext.
func (s *Server) connContext(ctx context.Context, c net.Conn) context.Context {
	ctx = rawheader.ConnContext(ctx, c)
	var info connInfo
	nc := rawheader.Unwrap(c)
	if tc, ok := nc.(*tls.Conn); ok {
		info.tls = tc
		nc = tc.NetConn()
	}
	info.overCap = connlimit.OverCap(nc)
	if info == (connInfo{}) {
		return ctx
	}
	return context.WithValue(ctx, connKey{}, info)
}

// admit runs before dispatch on every data-plane request: it answers 503
// on a connection over the cap, sets r.TLS for TLS connections, resolves
// the client (trusted proxies) and puts a deadline on reading the body.
// It returns the request to serve, or false when it answered.
func (s *Server) admit(w http.ResponseWriter, r *http.Request) (*http.Request, bool) {
	e := s.edge
	info, _ := r.Context().Value(connKey{}).(connInfo)
	if info.overCap {
		w.Header().Set("Connection", "close")
		errOverCapacity.write(w)
		return r, false
	}
	if info.tls != nil {
		st := info.tls.ConnectionState()
		r = r.WithContext(r.Context()) // a copy: the server's request stays as it was
		r.TLS = &st
	}
	if !e.trust.Empty() {
		r = r.WithContext(clientaddr.NewContext(r.Context(), e.trust.Resolve(r)))
	}
	if e.readBody > 0 && r.ContentLength != 0 && r.Body != nil && r.Body != http.NoBody && r.Header.Get("Upgrade") == "" {
		b := &deadlineBody{ReadCloser: r.Body, rc: *http.NewResponseController(w)} // one allocation for both
		if b.rc.SetReadDeadline(time.Now().Add(e.readBody)) == nil {
			r.Body = b
		}
	}
	return r, true
}

// deadlineBody lifts the body's read deadline once the body is read, so
// that net/http's background read of the idle connection (which cancels
// the request's context on error) cannot trip over it while the handler
// still works.
type deadlineBody struct {
	io.ReadCloser
	rc http.ResponseController
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if errors.Is(err, io.EOF) {
		_ = b.rc.SetReadDeadline(time.Time{})
	}
	return n, err
}

// startACMEHTTP serves ACME HTTP-01 challenges on tls.acme.httpListen.
func (s *Server) startACMEHTTP() error {
	f := s.cfg.File
	if f.TLS == nil || f.TLS.ACME == nil || f.TLS.ACME.HTTPListen == "" {
		return nil
	}
	addr := f.TLS.ACME.HTTPListen
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("portico: cannot listen on %s (tls.acme.httpListen): %w", addr, unwrapSyscall(err))
	}
	e := s.edge
	e.acmeHTTP = e.httpServer(e.certs.HTTPHandler())
	e.acmeDone = make(chan struct{})
	go func() {
		defer close(e.acmeDone)
		if err := e.acmeHTTP.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("ACME HTTP-01 listener failed", "listen", addr, "error", err)
		}
	}()
	return nil
}

func (s *Server) shutdownACMEHTTP(ctx context.Context) error {
	e := s.edge
	if e.acmeHTTP == nil {
		return nil
	}
	err := e.acmeHTTP.Shutdown(ctx)
	<-e.acmeDone
	return err
}

// reloadCerts reads the certificate files that f names, for Reload: it
// returns the function that makes them current, or an error (and the old
// certificates stay). A change between files and ACME, or adding or
// removing tls, takes effect at restart.
func (s *Server) reloadCerts(f *config.File) (commit func(), err error) {
	var steps []func()
	for _, l := range []struct {
		key string
		src *certs.Source
		t   *config.TLS
	}{{"tls", s.edge.certs, f.TLS}, {"adminTls", s.edge.adminCerts, f.AdminTLS}} {
		if l.src == nil || l.src.ACME() || l.t == nil || l.t.ACME != nil {
			continue
		}
		cert, err := certs.Load(l.t.CertFile, l.t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("portico: %s: %w (the old certificate stays)", l.key, err)
		}
		src := l.src
		steps = append(steps, func() { src.Set(cert) })
	}
	return func() {
		for _, fn := range steps {
			fn()
		}
	}, nil
}

// tlsShape describes a tls block for the restart-only check of Reload.
func tlsShape(t *config.TLS) string {
	switch {
	case t == nil:
		return "off"
	case t.ACME != nil:
		return fmt.Sprintf("acme %v %s %s %s", t.ACME.Hosts, t.ACME.Email, t.ACME.DirectoryURL, t.ACME.HTTPListen)
	default:
		return "files"
	}
}

// ensureDataDir creates the ACME cache's parent, so that a mistake shows
// at start rather than at the first handshake.
func ensureDataDir(f *config.File) error {
	if f.TLS == nil || f.TLS.ACME == nil {
		return nil
	}
	dir := filepath.Join(firstNonEmpty(f.DataDir, DefaultDataDir), "acme")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("portico: dataDir: %w", err)
	}
	return nil
}
