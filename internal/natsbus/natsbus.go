// Package natsbus starts or joins the NATS server a node uses: an embedded
// nats-server in-process by default (no network listener unless Listen is
// set), or an external server or cluster when URL is set. What travels over
// the bus (lifecycle events, node-routed @connections, broadcast) belongs to
// package connections.
//
// Concurrency: a Bus is safe for concurrent use; Close is idempotent.
package natsbus

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// Config configures the bus.
type Config struct {
	// URL joins an external NATS; empty means an embedded server.
	URL string
	// Listen exposes the embedded server on host:port. Empty means none.
	Listen string
	// NodeID names the embedded server ("portico-" + NodeID), unless
	// ServerName is set.
	NodeID     string
	ServerName string
	// Logger receives connection state changes. Nil means discard.
	Logger *slog.Logger
	// Options are extra nats.go options (credentials, TLS, name).
	Options []nats.Option
	// ClusterName, ClusterListen and Routes cluster the embedded server with
	// other nodes' embedded servers. Empty ClusterListen: no clustering.
	ClusterName   string
	ClusterListen string
	Routes        []string
	// JetStream enables JetStream on the embedded server, keeping its
	// streams (the control plane's key-value bucket) in StoreDir, which
	// must be set then. Ignored with URL (an external NATS has JetStream
	// or not by its own configuration).
	JetStream bool
	StoreDir  string
	// ReconnectBuffer bounds what is published while the connection is
	// down; it is flushed when NATS returns. Zero means 8 MiB.
	ReconnectBuffer int
}

// Bus is a node's NATS connection and, when embedded, its server.
type Bus struct {
	Conn     *nats.Conn
	embedded *server.Server
	desc     string
	once     sync.Once
}

// Start connects the node to NATS.
func Start(cfg Config) (*Bus, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.ReconnectBuffer <= 0 {
		cfg.ReconnectBuffer = 8 << 20
	}
	opts := append([]nats.Option{
		nats.ReconnectBufSize(cfg.ReconnectBuffer),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(500 * time.Millisecond),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil { // nil on a deliberate Close
				log.Warn("NATS disconnected", "error", err)
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			log.Info("NATS reconnected", "url", nc.ConnectedUrlRedacted())
		}),
	}, cfg.Options...)

	if cfg.URL != "" {
		nc, err := nats.Connect(cfg.URL, append(opts, nats.RetryOnFailedConnect(true))...)
		if err != nil {
			return nil, fmt.Errorf("natsbus: connecting to %s: %w", redactURLs(cfg.URL), err)
		}
		return &Bus{Conn: nc, desc: "external " + nc.ConnectedUrlRedacted()}, nil
	}

	sopts := &server.Options{
		ServerName: cmp.Or(cfg.ServerName, "portico-"+cfg.NodeID),
		DontListen: cfg.Listen == "",
		NoLog:      true,
		NoSigs:     true,
	}
	desc := "embedded, in-process only"
	if cfg.JetStream {
		if cfg.StoreDir == "" {
			return nil, errors.New("natsbus: JetStream needs a store directory")
		}
		sopts.JetStream, sopts.StoreDir = true, cfg.StoreDir
	}
	if cfg.Listen != "" {
		host, port, err := net.SplitHostPort(cfg.Listen)
		if err != nil {
			return nil, fmt.Errorf("natsbus: nats.listen %q: %w", cfg.Listen, err)
		}
		p, err := strconv.Atoi(port)
		if err != nil {
			return nil, fmt.Errorf("natsbus: nats.listen %q: bad port", cfg.Listen)
		}
		// Probe the address so that a port in use fails at once, by name,
		// rather than after the server's start-up wait.
		probe, err := net.Listen("tcp", cfg.Listen)
		if err != nil {
			return nil, fmt.Errorf("natsbus: cannot listen on %s (nats.listen): %w", cfg.Listen, err)
		}
		probe.Close()
		sopts.Host, sopts.Port = host, p
		desc = "embedded, listening on " + cfg.Listen
	}
	if cfg.ClusterListen != "" {
		host, port, err := net.SplitHostPort(cfg.ClusterListen)
		if err != nil {
			return nil, fmt.Errorf("natsbus: nats.cluster.listen %q: %w", cfg.ClusterListen, err)
		}
		p, err := strconv.Atoi(port)
		if err != nil {
			return nil, fmt.Errorf("natsbus: nats.cluster.listen %q: bad port", cfg.ClusterListen)
		}
		name := cfg.ClusterName
		if name == "" {
			name = "portico"
		}
		sopts.Cluster = server.ClusterOpts{Name: name, Host: host, Port: p}
		for _, r := range cfg.Routes {
			u, err := url.Parse(r)
			if err != nil {
				return nil, fmt.Errorf("natsbus: nats.cluster.routes: %q: %w", r, err)
			}
			sopts.Routes = append(sopts.Routes, u)
		}
		desc += ", cluster " + name + " on " + cfg.ClusterListen
		if cfg.Listen == "" {
			// nats-server starts routing only once its client listener is
			// open; with DontListen it would wait forever. A cluster node
			// without nats.listen therefore gets a client port on loopback
			// chosen by the kernel, which nothing outside the process uses.
			sopts.DontListen = false
			sopts.Host, sopts.Port = "127.0.0.1", server.RANDOM_PORT
		}
	}
	if cfg.JetStream {
		desc += ", JetStream in " + cfg.StoreDir
	}
	ns, err := server.NewServer(sopts)
	if err != nil {
		return nil, fmt.Errorf("natsbus: embedded server: %w", err)
	}
	ns.Start()
	if !ns.ReadyForConnections(30 * time.Second) { // generous: a loaded machine starts slowly
		ns.Shutdown()
		if cfg.Listen != "" {
			return nil, fmt.Errorf("natsbus: embedded server did not start; is %s (nats.listen) already in use?", cfg.Listen)
		}
		return nil, errors.New("natsbus: embedded server did not start")
	}
	nc, err := nats.Connect("", append(opts, nats.InProcessServer(ns))...)
	if err != nil {
		ns.Shutdown()
		return nil, fmt.Errorf("natsbus: connecting to the embedded server: %w", err)
	}
	return &Bus{Conn: nc, embedded: ns, desc: desc}, nil
}

// Describe says which NATS the node uses, for logs.
func (b *Bus) Describe() string { return b.desc }

// Close drains nothing: it closes the connection and stops the embedded
// server, if any.
func (b *Bus) Close() {
	b.once.Do(func() {
		b.Conn.Close()
		if b.embedded != nil {
			b.embedded.Shutdown()
			b.embedded.WaitForShutdown()
		}
	})
}

// redactURLs hides the user information (passwords, tokens) of a
// comma-separated URL list, so that errors and logs never carry it.
func redactURLs(list string) string {
	parts := strings.Split(list, ",")
	for i, p := range parts {
		// A user name alone may be a token (nats://TOKEN@host).
		if u, err := url.Parse(strings.TrimSpace(p)); err == nil && u.User != nil {
			u.User = url.User("redacted")
			parts[i] = u.String()
		}
	}
	return strings.Join(parts, ",")
}
