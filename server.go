package portico

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/portico-gw/portico/config"
	"github.com/portico-gw/portico/connections"
	"github.com/portico-gw/portico/control"
	"github.com/portico-gw/portico/functions"
	"github.com/portico-gw/portico/integration"
	"github.com/portico-gw/portico/internal/accesslog"
	"github.com/portico-gw/portico/internal/ids"
	"github.com/portico-gw/portico/internal/natsbus"
	"github.com/portico-gw/portico/internal/urlpath"
	"github.com/portico-gw/portico/metrics"
	"github.com/portico-gw/portico/routing"
	"github.com/portico-gw/portico/usage"
	"github.com/portico-gw/portico/ws"
)

// Config configures a Server.
type Config struct {
	// File is the loaded configuration. Required.
	File *config.File
	// Listen overrides File.Listen (the --listen flag).
	Listen string
	// Logger receives operational logs. Nil means discard.
	Logger *slog.Logger
	// ShutdownTimeout bounds Run's graceful shutdown. Zero means 30s.
	ShutdownTimeout time.Duration
	// Lambda, when set, replaces the Lambda client built from File.Lambda
	// (tests, embedding).
	Lambda integration.LambdaInvoker
}

// DefaultListen is the data-plane address when the file names none.
const DefaultListen = "127.0.0.1:8080"

// Server is one Portico node.
type Server struct {
	cfg      Config
	log      *slog.Logger
	nodeID   string
	listen   string
	registry *connections.Registry
	mgmt     *connections.Management
	wsSrv    *ws.Server
	// set is the APIs being served; Reload replaces it.
	set      atomic.Pointer[apiSet]
	env      integration.Env
	reloadMu sync.Mutex // serializes Reload and guards sinks
	nats     *natsbus.Bus
	bus      *connections.Bus
	natsConn atomic.Pointer[nats.Conn]
	http     *http.Server
	metrics  *metrics.Metrics
	sinks    map[string]*accesslog.Sink // access-log destinations, by destination
	edge     *edge                      // TLS, trusted proxies, timeouts, connection cap
	admin    *http.Server               // nil without an admin listener
	// adminDone is closed when the admin listener's Serve returns.
	adminDone chan struct{}
	// meter counts usage plans' throttles and quotas, REST and WebSocket,
	// across reloads, and (once Start joins it to NATS) its quotas across
	// the cluster. Shutdown closes it.
	meter *usage.Meter
	// functions runs the local Lambda functions (functions.go).
	functions *functions.Runtime
	// control is the control plane on the admin listener; nil without
	// one, and until Start has connected to NATS (its store is a
	// JetStream bucket). Its changes, and Reload, go through Apply.
	// Guarded by mu (Start sets it once).
	control *control.Controller
	// controlStop ends the control plane's Run (watching the store);
	// controlDone is closed when it has returned. Nil without a control
	// plane.
	controlStop context.CancelFunc
	controlDone chan struct{}

	mu       sync.Mutex
	listener net.Listener // guarded by mu
	// adminListener is the admin listener; nil without one. Guarded by mu.
	adminListener net.Listener
	served        chan struct{} // closed when Serve returns
	serveErr      error
	shutdown      bool // guarded by mu
}

// New builds a Server from cfg. It starts nothing: call Start or Run.
func New(cfg Config) (s *Server, err error) {
	if cfg.File == nil {
		return nil, errors.New("portico: Config.File is nil")
	}
	f := cfg.File
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = 30 * time.Second
	}
	s = &Server{
		cfg:      cfg,
		log:      log,
		nodeID:   ids.NewNodeID(),
		listen:   firstNonEmpty(cfg.Listen, f.Listen, DefaultListen),
		registry: connections.NewRegistry(),
		metrics:  metrics.New(),
		sinks:    make(map[string]*accesslog.Sink),
	}
	s.meter = usage.NewMeter(usage.MeterConfig{Logger: log})
	built := s // a failing return sets s to nil
	defer func() {
		if err != nil {
			built.closeSinks()
			if built.functions != nil {
				_ = built.functions.Shutdown(context.Background())
			}
		}
	}()
	wsCfg := ws.Config{Registry: s.registry, NodeID: s.nodeID, Logger: log, PublicURL: f.PublicURL, Metrics: s.metrics}
	if n := f.Limits.MaxInFlightMessages; n != nil {
		wsCfg.MaxInFlightMessages = *n
	}
	if n := f.Limits.MaxInFlightBytes; n != nil {
		wsCfg.MaxInFlightBytes = int64(*n)
	}
	s.wsSrv, err = ws.NewServer(wsCfg)
	if err != nil {
		return nil, err
	}

	s.env = integration.Env{Lambda: cfg.Lambda, NATS: s.natsConn.Load}
	if s.functions, err = s.newFunctions(f); err != nil {
		return nil, err
	}
	if err := s.Apply(f); err != nil {
		return nil, err
	}
	s.logWarnings(f)
	if s.edge, err = newEdge(f); err != nil {
		return nil, err
	}
	s.http = s.edge.httpServer(s)
	s.http.ConnContext = s.connContext
	s.http.ErrorLog = slog.NewLogLogger(log.Handler(), slog.LevelDebug)
	return s, nil
}

// NodeID returns this node's ID, the first characters of its connection IDs.
func (s *Server) NodeID() string { return s.nodeID }

// Registry returns the node's connection registry.
func (s *Server) Registry() *connections.Registry { return s.registry }

// Start connects to NATS (starting the embedded server when no URL is
// configured), binds the data-plane listener and serves in the background.
func (s *Server) Start() error {
	f := s.cfg.File
	if err := ensureDataDir(f); err != nil {
		return err
	}
	l, err := net.Listen("tcp", s.listen)
	if err != nil {
		return fmt.Errorf("portico: cannot listen on %s (data plane): %w", s.listen, unwrapSyscall(err))
	}
	al, err := s.listenAdmin()
	if err != nil {
		l.Close()
		return err
	}
	closeListeners := func() {
		l.Close()
		if al != nil {
			al.Close()
		}
		_ = s.shutdownACMEHTTP(context.Background())
	}
	if err := s.startACMEHTTP(); err != nil {
		closeListeners()
		return err
	}
	natsOpts, err := natsOptions(f.NATS)
	if err != nil {
		closeListeners()
		return err
	}
	busCfg := natsbus.Config{
		URL:           f.NATS.URL,
		Listen:        f.NATS.Listen,
		NodeID:        s.nodeID,
		Logger:        s.log,
		Options:       append(natsOpts, nats.Name("portico-"+s.nodeID)),
		ClusterName:   f.NATS.Cluster.Name,
		ClusterListen: f.NATS.Cluster.Listen,
		Routes:        f.NATS.Cluster.Routes,
	}
	if err := jetStreamConfig(f, &busCfg); err != nil {
		closeListeners()
		return err
	}
	nb, err := natsbus.Start(busCfg)
	if err != nil {
		closeListeners()
		return err
	}
	s.nats = nb
	s.natsConn.Store(nb.Conn)
	// Node IDs are random; make sure no live node has this one.
	for tries := 0; nb.Conn.IsConnected() && connections.NodeInUse(nb.Conn, f.NATS.SubjectPrefix, s.nodeID) && tries < 5; tries++ {
		s.nodeID = ids.NewNodeID()
		s.wsSrv.SetNodeID(s.nodeID)
	}
	s.bus, err = connections.NewBus(connections.BusConfig{
		Conn: nb.Conn, NodeID: s.nodeID, Prefix: f.NATS.SubjectPrefix, Registry: s.registry, Logger: s.log,
	})
	if err != nil {
		nb.Close()
		closeListeners()
		return fmt.Errorf("portico: subscribing on NATS: %w", err)
	}
	creds := credentialMap(f)
	s.mgmt, err = connections.NewManagement(connections.ManagementConfig{
		Registry:      s.registry,
		NodeID:        s.nodeID,
		Bus:           s.bus,
		Credentials:   creds,
		AllowUnsigned: f.ManagementAPI.AllowUnsigned,
		Region:        f.Region,
		MaxMessageBytes: func(apiID string) int {
			if api := s.set.Load().webSocket(apiID); api != nil {
				return api.Limits().MaxMessageBytes
			}
			return 128 << 10
		},
		Logger: s.log,
	})
	if err != nil {
		s.bus.Close()
		nb.Close()
		closeListeners()
		return err
	}
	if err := s.meter.Join(nb.Conn, f.NATS.SubjectPrefix); err != nil {
		s.bus.Close()
		nb.Close()
		closeListeners()
		return fmt.Errorf("portico: sharing usage quotas on NATS: %w", err)
	}
	if err := s.startControl(nb); err != nil {
		s.meter.Close()
		s.bus.Close()
		nb.Close()
		closeListeners()
		return err
	}
	s.wsSrv.SetLifecycle(s.bus)
	nc := nb.Conn
	s.metrics.NATS(nc.IsConnected, func() uint64 { return nc.Stats().Reconnects })

	l = s.wrapData(l)
	s.mu.Lock()
	s.listener = l
	s.adminListener = al
	s.served = make(chan struct{})
	s.mu.Unlock()
	s.serveAdmin(al)
	go func() {
		err := s.http.Serve(l)
		s.mu.Lock()
		if !errors.Is(err, http.ErrServerClosed) {
			s.serveErr = err
		}
		close(s.served)
		s.mu.Unlock()
	}()
	admin := "off"
	if al != nil {
		admin = al.Addr().String()
	}
	s.log.Info("portico serving", "listen", l.Addr().String(), "admin", admin, "node_id", s.nodeID,
		"nats", nb.Describe(), "apis", len(s.set.Load().apis))
	s.logEndpoints(l.Addr(), s.set.Load())
	return nil
}

// natsOptions turns the file's NATS credentials and TLS into nats.go options.
func natsOptions(c config.NATS) ([]nats.Option, error) {
	var opts []nats.Option
	if c.CredentialsFile != "" {
		opts = append(opts, nats.UserCredentials(c.CredentialsFile))
	}
	if c.NKeySeedFile != "" {
		o, err := nats.NkeyOptionFromSeed(c.NKeySeedFile)
		if err != nil {
			return nil, fmt.Errorf("portico: nats.nkeySeedFile: %w", err)
		}
		opts = append(opts, o)
	}
	if c.User != "" {
		opts = append(opts, nats.UserInfo(c.User, c.Password))
	}
	if c.Token != "" {
		opts = append(opts, nats.Token(c.Token))
	}
	if c.TLS.CAFile != "" {
		opts = append(opts, nats.RootCAs(c.TLS.CAFile))
	}
	if c.TLS.CertFile != "" {
		opts = append(opts, nats.ClientCert(c.TLS.CertFile, c.TLS.KeyFile))
	}
	return opts, nil
}

// Bus returns the node's cluster bus, once started.
func (s *Server) Bus() *connections.Bus { return s.bus }

// Addr returns the data-plane address, once started.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.listener == nil {
		return nil
	}
	return s.listener.Addr()
}

// Run starts the server and serves until ctx ends, then shuts down
// gracefully within Config.ShutdownTimeout.
func (s *Server) Run(ctx context.Context) error {
	if err := s.Start(); err != nil {
		return err
	}
	s.mu.Lock()
	served := s.served
	s.mu.Unlock()
	select {
	case <-ctx.Done():
	case <-served:
	}
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	err := s.Shutdown(sctx)
	s.mu.Lock()
	serveErr := s.serveErr
	s.mu.Unlock()
	if serveErr != nil {
		return serveErr
	}
	return err
}

// Shutdown stops accepting requests, closes every WebSocket connection with
// 1001 "Going away", waits for their $disconnect integrations, and closes
// NATS. It returns ctx.Err() if ctx ends first. It is idempotent.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	first := !s.shutdown
	s.shutdown = true // /readyz answers 503 from here on
	controlStop, controlDone := s.controlStop, s.controlDone
	s.mu.Unlock()
	if first {
		s.log.Info("portico shutting down", "open_connections", s.wsSrv.Len())
	}

	errHTTP := s.http.Shutdown(ctx)
	errWS := s.wsSrv.Shutdown(ctx)
	if first {
		s.meter.Close() // its last counts go out before NATS closes
	}
	// After the data plane drained: kills every function's process group.
	errFunctions := s.functions.Shutdown(ctx)
	if first && controlStop != nil { // before NATS closes under its watch
		controlStop()
		<-controlDone
	}
	if first && s.nats != nil {
		s.bus.Close()
		if s.nats.Conn.IsConnected() {
			_ = s.nats.Conn.FlushTimeout(time.Second) // disconnect events
		}
		s.nats.Close()
	}
	errAdmin := s.shutdownAdmin(ctx)
	errACME := s.shutdownACMEHTTP(ctx)
	if first {
		s.closeSinks()
	}
	return errors.Join(errHTTP, errWS, errFunctions, errAdmin, errACME)
}

// Reload applies f (loaded and validated by config.Load) through Apply,
// without dropping open connections, and logs the keys that changed but
// take effect only at restart. With an admin listener, the control
// plane's APIs are applied with f's (and the control plane's changes
// from then on keep f's). When f cannot be applied, Reload returns the
// error and the old APIs stay.
func (s *Server) Reload(f *config.File) error {
	s.mu.Lock()
	ctl := s.control
	s.mu.Unlock()
	if ctl != nil { // the file's APIs plus the control plane's
		return ctl.ReloadFile(f, s.reload)
	}
	return s.reload(f)
}

func (s *Server) reload(f *config.File) error {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	old := s.set.Load().file
	commitCerts, err := s.reloadCerts(f)
	if err != nil {
		return err
	}
	if err := s.applyLocked(f); err != nil {
		return err
	}
	commitCerts()
	s.logWarnings(f)
	for _, k := range []struct{ key, was, is string }{
		{"listen", old.Listen, f.Listen}, {"admin", old.Admin, f.Admin},
		{"nats.url", old.NATS.URL, f.NATS.URL}, {"nats.listen", old.NATS.Listen, f.NATS.Listen},
		{"publicUrl", old.PublicURL, f.PublicURL},
		{"tls", tlsShape(old.TLS), tlsShape(f.TLS)}, {"adminTls", tlsShape(old.AdminTLS), tlsShape(f.AdminTLS)},
		{"trustedProxies", fmt.Sprint(old.TrustedProxies), fmt.Sprint(f.TrustedProxies)},
		{"timeouts", fmt.Sprint(old.Timeouts), fmt.Sprint(f.Timeouts)},
		{"maxConnections", fmt.Sprint(old.MaxConnections), fmt.Sprint(f.MaxConnections)},
		{"dataDir", old.DataDir, f.DataDir},
	} {
		if k.was != k.is {
			s.log.Warn("configuration key changed; it takes effect at restart", "key", k.key)
		}
	}
	s.log.Info("configuration reloaded", "apis", len(f.APIs)+len(f.RestAPIs))
	return nil
}

// ServeHTTP routes one data-plane request to its API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r, ok := s.admit(w, r)
	if !ok {
		return
	}
	set := s.set.Load()
	t, err := set.resolver.Resolve(r.Host, urlpath.Escaped(r.URL))
	if err != nil {
		s.logResolveFailure(r, set, err)
		var re *routing.ResolveError
		switch {
		case errors.As(err, &re) && set.apis[re.APIID] != nil:
			set.apis[re.APIID].rejectStage(w)
		case errors.As(err, &re) && errors.Is(err, routing.ErrUnknownAPI):
			errUnknownAPI(re.APIID).write(w)
		default:
			errForbidden.write(w)
		}
		return
	}
	api, ok := set.apis[t.APIID]
	if !ok {
		errNotFound.write(w)
		return
	}
	api.serve(w, r, t)
}

// credentialMap returns the file's SigV4 keys: access key ID → secret.
func credentialMap(f *config.File) map[string]string {
	m := make(map[string]string, len(f.Credentials))
	for _, c := range f.Credentials {
		m[c.AccessKeyID] = c.SecretAccessKey
	}
	return m
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

// unwrapSyscall shortens "listen tcp 127.0.0.1:8080: bind: address already
// in use" to its cause, since the caller names the address.
func unwrapSyscall(err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err
	}
	return err
}
