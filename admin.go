package portico

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"path/filepath"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/portico-gw/portico/config"
	"github.com/portico-gw/portico/control"
	"github.com/portico-gw/portico/functions"
	"github.com/portico-gw/portico/internal/accesslog"
	"github.com/portico-gw/portico/internal/ids"
	"github.com/portico-gw/portico/internal/natsbus"
	"github.com/portico-gw/portico/metrics"
)

// The admin listener (config key admin) serves operators, never clients:
//
//	/healthz       200 while the process is up
//	/readyz        200 when the data plane listens and NATS is connected;
//	               503 before Start finished, while Shutdown drains, and
//	               while NATS is disconnected; the body says why
//	/metrics       Prometheus text format (OpenMetrics when asked for)
//	/debug/pprof/  net/http/pprof, only with adminPprof: true
//	POST /2015-03-31/functions/{name}/invocations
//	               the Lambda Invoke API of the local functions (SigV4,
//	               service lambda, with the file's credentials; unsigned
//	               from loopback with managementApi.allowUnsigned)
//	/v2/           the apigatewayv2 control plane (package control); the
//	               apigateway (v1) paths (/restapis, ...) name their
//	               operation as not supported yet
//
// It starts with Start and stops last in Shutdown, so that /readyz answers
// 503 for the whole drain.

// adminHandler returns the admin listener's routes.
func (s *Server) adminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if reason := s.notReady(); reason != "" {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, "not ready: "+reason+"\n")
			return
		}
		_, _ = io.WriteString(w, "ready\n")
	})
	mux.Handle("GET /metrics", s.metrics.Handler())
	f := s.cfg.File
	mux.Handle(functions.InvokePath, s.functions.InvokeHandler(functions.InvokeAPIConfig{
		Credentials:   credentialMap(f),
		AllowUnsigned: f.ManagementAPI.AllowUnsigned,
		Region:        f.Region,
		Logger:        s.log,
	}))
	if s.control != nil {
		mux.Handle("/v2/", s.control)
		for _, p := range control.V1Prefixes() { // named as unsupported, not 404
			mux.Handle(p, s.control)
			mux.Handle(p+"/", s.control)
		}
	}
	if s.cfg.File.AdminPprof {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	return mux
}

// newControl returns the control plane, when the file has an admin
// listener: its changes go through Apply, with the file's APIs, and its
// state is in store.
func (s *Server) newControl(f *config.File, store control.Store) (*control.Controller, error) {
	if f.Admin == "" {
		return nil, nil
	}
	return control.New(control.Config{
		Apply: s.Apply, File: f, Store: store, Credentials: credentialMap(f), AllowUnsigned: f.ControlPlane.AllowUnsigned,
		Endpoint: s.dataPlaneURL, Usage: s.meter, Logger: s.log.With("component", "control"),
	})
}

// jetStreamDir is where the embedded NATS server keeps JetStream's
// streams (the control plane's bucket): dataDir/jetstream.
func jetStreamDir(f *config.File) string {
	return filepath.Join(firstNonEmpty(f.DataDir, DefaultDataDir), "jetstream")
}

// jetStreamConfig turns JetStream on for the embedded NATS server when the
// node has a control plane (an admin listener), with its store directory
// under dataDir, and gives the server a name kept in that directory, so
// that a clustered node that restarts is the same JetStream peer. An
// external NATS has JetStream or not by its own configuration. In a
// cluster, the bucket's replicas count every routed node, so every node
// (at least three) should have an admin listener.
func jetStreamConfig(f *config.File, cfg *natsbus.Config) error {
	if f.NATS.URL != "" || f.Admin == "" {
		return nil
	}
	dir := jetStreamDir(f)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("portico: dataDir: %w", err)
	}
	nameFile := filepath.Join(dir, "server-name")
	name, err := os.ReadFile(nameFile)
	switch {
	case err == nil && len(bytes.TrimSpace(name)) > 0:
		cfg.ServerName = string(bytes.TrimSpace(name))
	case err == nil || errors.Is(err, fs.ErrNotExist):
		cfg.ServerName = "portico-" + ids.NewNodeID()
		if err := os.WriteFile(nameFile, []byte(cfg.ServerName+"\n"), 0o600); err != nil {
			return fmt.Errorf("portico: dataDir: %w", err)
		}
	default:
		return fmt.Errorf("portico: dataDir: %w", err)
	}
	cfg.JetStream, cfg.StoreDir = true, dir
	return nil
}

// controlReplicas is how many copies the control plane's bucket keeps:
// min(3, the cluster's size) for clustered embedded servers (this node
// and its routes), 1 otherwise.
func controlReplicas(f *config.File) int {
	if f.NATS.URL != "" || f.NATS.Cluster.Listen == "" {
		return 1
	}
	return min(3, 1+len(f.NATS.Cluster.Routes))
}

// startControl builds the control plane on the node's NATS: its state is
// in the JetStream bucket control.DefaultBucket, and its Run (owned:
// stopped by Shutdown before NATS closes) applies what the bucket holds
// and every change other nodes make. A standalone embedded server applies
// the bucket before Start returns; a clustered or external NATS may need
// time (a JetStream leader), so there Run applies it when it can. Without
// JetStream the control plane answers 503 and the file's APIs are served.
func (s *Server) startControl(nb *natsbus.Bus) error {
	f := s.set.Load().file // the file as last loaded (Reload may have run)
	if f.Admin == "" {
		return nil
	}
	js, err := jetstream.New(nb.Conn)
	if err != nil {
		return fmt.Errorf("portico: control plane: %w", err)
	}
	store := control.NewJetStreamStore(js, control.DefaultBucket, controlReplicas(f))
	ctl, err := s.newControl(f, store)
	if err != nil {
		return err
	}
	log := s.log.With("component", "control")
	if f.NATS.URL == "" && f.NATS.Cluster.Listen == "" {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := ctl.Sync(ctx); err != nil {
			log.Error("control plane: applying the store's APIs failed", "error", err)
		}
		cancel()
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	s.mu.Lock()
	s.control, s.controlStop, s.controlDone = ctl, stop, done
	s.mu.Unlock()
	go func() {
		defer close(done)
		if f.NATS.URL != "" {
			octx, cancel := context.WithTimeout(ctx, 5*time.Second)
			if err := store.Open(octx); errors.Is(err, control.ErrUnavailable) {
				log.Warn("control plane unavailable: it answers 503 until NATS JetStream can be used", "error", err)
			}
			cancel()
		}
		_ = ctl.Run(ctx)
	}()
	return nil
}

// dataPlaneURL is the base URL of the data plane, for the control plane's
// apiEndpoint: publicUrl, or the listener's address.
func (s *Server) dataPlaneURL() string {
	if u := s.cfg.File.PublicURL; u != "" {
		return u
	}
	a := s.Addr()
	if a == nil {
		return ""
	}
	scheme := "http"
	if s.cfg.File.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + a.String()
}

// notReady says why the node should not receive traffic, or "".
func (s *Server) notReady() string {
	s.mu.Lock()
	started, shutdown := s.listener != nil, s.shutdown
	s.mu.Unlock()
	switch {
	case shutdown:
		return "draining (shutting down)"
	case !started:
		return "starting"
	}
	if nc := s.natsConn.Load(); nc == nil || !nc.IsConnected() {
		return "NATS disconnected"
	}
	return ""
}

// listenAdmin binds the admin listener, when the file asks for one.
func (s *Server) listenAdmin() (net.Listener, error) {
	addr := s.cfg.File.Admin
	if addr == "" {
		return nil, nil
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("portico: cannot listen on %s (admin): %w", addr, unwrapSyscall(err))
	}
	return l, nil
}

// serveAdmin serves the admin listener until shutdownAdmin.
func (s *Server) serveAdmin(l net.Listener) {
	if l == nil {
		return
	}
	s.admin = s.edge.httpServer(s.adminHandler())
	l = s.wrapAdmin(l)
	s.adminDone = make(chan struct{})
	go func() {
		defer close(s.adminDone)
		if err := s.admin.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("admin listener failed", "admin", l.Addr().String(), "error", err)
		}
	}()
}

// shutdownAdmin stops the admin listener, waiting for its requests within ctx.
func (s *Server) shutdownAdmin(ctx context.Context) error {
	if s.admin == nil {
		return nil
	}
	err := s.admin.Shutdown(ctx)
	<-s.adminDone
	return err
}

// Metrics returns the node's metrics, for embedders that add collectors to
// its registry.
func (s *Server) Metrics() *metrics.Metrics { return s.metrics }

// AdminAddr returns the admin listener's address, once started; nil when
// the file has no admin key.
func (s *Server) AdminAddr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.adminListener == nil {
		return nil
	}
	return s.adminListener.Addr()
}

// accessLogger returns the access logger of a stage, or nil when the stage
// has no accessLogSettings. Stages that name the same destination share one
// sink, so that their lines never interleave.
func (s *Server) accessLogger(apiKey, stageName string, set *config.AccessLogSettings) (*accesslog.Logger, error) {
	if set == nil {
		return nil, nil
	}
	f, err := accesslog.Parse(firstNonEmpty(set.Format, accesslog.DefaultFormat))
	if err != nil { // config.Load has checked it; a File built in code may not be
		return nil, fmt.Errorf("portico: %s stage %s: accessLogSettings.format: %w", apiKey, stageName, err)
	}
	dest := firstNonEmpty(set.Destination, "stdout")
	sink, ok := s.sinks[dest]
	if !ok {
		if sink, err = accesslog.Open(dest); err != nil {
			return nil, fmt.Errorf("portico: %s stage %s: accessLogSettings.destination: %w", apiKey, stageName, err)
		}
		s.sinks[dest] = sink
	}
	return accesslog.NewLogger(f, sink)
}

// closeSinks closes the access-log files.
func (s *Server) closeSinks() {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	for _, sink := range s.sinks {
		_ = sink.Close()
	}
}
