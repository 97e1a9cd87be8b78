package portico

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/portico-gw/portico/config"
	"github.com/portico-gw/portico/connections"
	httpapi "github.com/portico-gw/portico/http"
	"github.com/portico-gw/portico/integration"
	"github.com/portico-gw/portico/internal/accesslog"
	"github.com/portico-gw/portico/internal/ids"
	"github.com/portico-gw/portico/internal/natsbus"
	"github.com/portico-gw/portico/internal/rawheader"
	"github.com/portico-gw/portico/internal/statusrec"
	"github.com/portico-gw/portico/metrics"
	"github.com/portico-gw/portico/routing"
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
	admin    *http.Server               // nil without an admin listener
	// adminDone is closed when the admin listener's Serve returns.
	adminDone chan struct{}

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
	defer func() {
		if err != nil {
			s.closeSinks()
		}
	}()
	s.wsSrv, err = ws.NewServer(ws.Config{Registry: s.registry, NodeID: s.nodeID, Logger: log, PublicURL: f.PublicURL, Metrics: s.metrics})
	if err != nil {
		return nil, err
	}

	s.env = integration.Env{Lambda: cfg.Lambda, NATS: s.natsConn.Load}
	set, err := s.buildAPIs(f, nil)
	if err != nil {
		return nil, err
	}
	s.set.Store(set)
	s.http = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ConnContext:       rawheader.ConnContext,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
	return s, nil
}

// apiSet is the APIs a node serves, by ID, and the resolver that finds
// them. It is immutable once built.
type apiSet struct {
	ws       map[string]*ws.API
	http     map[string]*httpapi.API
	resolver *routing.Resolver
}

// buildAPIs builds every API of f. With prev (a reload), a WebSocket API
// that prev already serves keeps its *ws.API, whose routes are replaced, so
// that its open connections use the new routes for their next message.
func (s *Server) buildAPIs(f *config.File, prev *apiSet) (*apiSet, error) {
	set := &apiSet{ws: make(map[string]*ws.API), http: make(map[string]*httpapi.API)}
	env := s.env
	var resolverAPIs []routing.API
	var replace []func()
	for i := range f.APIs {
		api := &f.APIs[i]
		if api.APIID == "" {
			api.APIID = generateAPIID()
		}
		if env.Lambda == nil && needsLambda(api) {
			lc, err := integration.NewLambdaClient(context.Background(), integration.LambdaOptions{
				Endpoint:        f.Lambda.Endpoint,
				Region:          firstNonEmpty(f.Lambda.Region, f.Region, "us-east-1"),
				AccessKeyID:     f.Lambda.AccessKeyID,
				SecretAccessKey: f.Lambda.SecretAccessKey,
			})
			if err != nil {
				return nil, fmt.Errorf("portico: building the Lambda client: %w", err)
			}
			env.Lambda = lc
		}
		switch api.ProtocolType {
		case "WEBSOCKET":
			wsAPI, err := s.buildWebSocketAPI(f, api, env)
			if err != nil {
				return nil, err
			}
			if old := prevWS(prev, api.APIID); old != nil {
				next := wsAPI
				replace = append(replace, func() { old.Replace(next) })
				wsAPI = old
			}
			set.ws[api.APIID] = wsAPI
		case "HTTP":
			logs := make(map[string]*accesslog.Logger)
			for _, st := range api.Stages {
				l, err := s.accessLogger("API "+api.APIID, st)
				if err != nil {
					return nil, err
				}
				if l != nil {
					logs[st.StageName] = l
				}
			}
			h, err := httpapi.New(httpapi.Config{API: api, AccountID: f.AccountID, Region: f.Region, Credentials: credentialMap(f), Env: env, Logger: s.log,
				Metrics: s.metrics, AccessLogs: logs})
			if err != nil {
				return nil, err
			}
			set.http[api.APIID] = h
		default:
			return nil, fmt.Errorf("portico: API %s: protocolType %s is not served; want WEBSOCKET or HTTP", api.APIID, api.ProtocolType)
		}
		var stages []string
		for _, st := range api.Stages {
			stages = append(stages, st.StageName)
		}
		resolverAPIs = append(resolverAPIs, routing.API{ID: api.APIID, Stages: stages})
	}
	set.resolver = routing.NewResolver(resolverAPIs)
	// Everything built: only now do open connections see the new routes.
	for _, r := range replace {
		r()
	}
	return set, nil
}

func prevWS(prev *apiSet, id string) *ws.API {
	if prev == nil {
		return nil
	}
	return prev.ws[id]
}

func (s *Server) buildWebSocketAPI(f *config.File, api *config.API, env integration.Env) (*ws.API, error) {
	expr, err := routing.ParseSelectionExpression(api.RouteSelectionExpression)
	if err != nil {
		return nil, fmt.Errorf("portico: API %s: routeSelectionExpression: %w", api.APIID, err)
	}
	invokers := make(map[string]integration.Invoker, len(api.Integrations))
	for i := range api.Integrations {
		in := &api.Integrations[i]
		spec, err := integration.SpecFromConfig(api, in)
		if err != nil {
			return nil, fmt.Errorf("portico: API %s: integration %s: %w", api.APIID, in.IntegrationID, err)
		}
		inv, err := integration.New(spec, env)
		if err != nil {
			return nil, fmt.Errorf("portico: API %s: integration %s: %w", api.APIID, in.IntegrationID, err)
		}
		invokers[in.IntegrationID] = inv
	}
	var routes []ws.Route
	for _, rt := range api.Routes {
		id := strings.TrimPrefix(rt.Target, "integrations/")
		inv, ok := invokers[id]
		if !ok {
			return nil, fmt.Errorf("portico: API %s: route %s: target %q not found", api.APIID, rt.RouteKey, rt.Target)
		}
		twoWay := rt.RouteResponseSelectionExpression == "$default"
		for _, rr := range rt.RouteResponses {
			if rr.RouteResponseKey == "$default" {
				twoWay = true
			}
		}
		routes = append(routes, ws.Route{Key: rt.RouteKey, Integration: inv, TwoWay: twoWay})
	}
	var stages []ws.Stage
	for _, st := range api.Stages {
		l, err := s.accessLogger("API "+api.APIID, st)
		if err != nil {
			return nil, err
		}
		stages = append(stages, ws.Stage{Name: st.StageName, Variables: st.StageVariables, AccessLog: l})
	}
	authz, err := s.newConnectAuthorizer(f, api, env)
	if err != nil {
		return nil, err
	}
	var wsAuthz ws.Authorizer
	if authz != nil {
		wsAuthz = authz
	}
	return s.wsSrv.NewAPI(ws.APIConfig{
		Authorizer:     wsAuthz,
		APIID:          api.APIID,
		Region:         firstNonEmpty(f.Region, "us-east-1"),
		AccountID:      firstNonEmpty(f.AccountID, "000000000000"),
		Stages:         stages,
		RouteSelection: expr,
		Routes:         routes,
		Limits:         wsLimits(api.Limits),
	})
}

// wsLimits applies the AWS defaults to the file's limits.
func wsLimits(l config.Limits) ws.Limits {
	out := ws.Limits{
		IdleTimeout:           10 * time.Minute,
		MaxConnectionDuration: 2 * time.Hour,
		AllowedOrigins:        l.AllowedOrigins,
	}
	if l.MaxFrameBytes != nil {
		out.MaxFrameBytes = *l.MaxFrameBytes
	}
	if l.MaxMessageBytes != nil {
		out.MaxMessageBytes = *l.MaxMessageBytes
	}
	if l.SendQueueBytes != nil {
		out.SendQueueBytes = *l.SendQueueBytes
	}
	if l.IdleTimeout != nil {
		out.IdleTimeout = l.IdleTimeout.Std()
	}
	if l.MaxConnectionDuration != nil {
		out.MaxConnectionDuration = l.MaxConnectionDuration.Std()
	}
	if l.WriteTimeout != nil {
		out.WriteTimeout = l.WriteTimeout.Std()
	}
	return out
}

func needsLambda(api *config.API) bool {
	for _, in := range api.Integrations {
		if in.IntegrationType == "AWS_PROXY" && strings.HasPrefix(in.IntegrationURI, "arn:") {
			return true
		}
	}
	for _, au := range api.Authorizers {
		if strings.HasPrefix(au.AuthorizerURI, "arn:") {
			return true
		}
	}
	return false
}

// NodeID returns this node's ID, the first characters of its connection IDs.
func (s *Server) NodeID() string { return s.nodeID }

// Registry returns the node's connection registry.
func (s *Server) Registry() *connections.Registry { return s.registry }

// Start connects to NATS (starting the embedded server when no URL is
// configured), binds the data-plane listener and serves in the background.
func (s *Server) Start() error {
	f := s.cfg.File
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
	}
	natsOpts, err := natsOptions(f.NATS)
	if err != nil {
		closeListeners()
		return err
	}
	nb, err := natsbus.Start(natsbus.Config{
		URL:           f.NATS.URL,
		Listen:        f.NATS.Listen,
		NodeID:        s.nodeID,
		Logger:        s.log,
		Options:       append(natsOpts, nats.Name("portico-"+s.nodeID)),
		ClusterName:   f.NATS.Cluster.Name,
		ClusterListen: f.NATS.Cluster.Listen,
		Routes:        f.NATS.Cluster.Routes,
	})
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
		MaxMessageBytes: func(apiID string) int {
			if api, ok := s.set.Load().ws[apiID]; ok {
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
	s.wsSrv.SetLifecycle(s.bus)
	nc := nb.Conn
	s.metrics.NATS(nc.IsConnected, func() uint64 { return nc.Stats().Reconnects })

	l = rawheader.Listener(l)
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
		"nats", nb.Describe(), "apis", len(s.set.Load().ws)+len(s.set.Load().http))
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
	s.mu.Unlock()
	if first {
		s.log.Info("portico shutting down", "open_connections", s.wsSrv.Len())
	}

	errHTTP := s.http.Shutdown(ctx)
	errWS := s.wsSrv.Shutdown(ctx)
	if first && s.nats != nil {
		s.bus.Close()
		if s.nats.Conn.IsConnected() {
			_ = s.nats.Conn.FlushTimeout(time.Second) // disconnect events
		}
		s.nats.Close()
	}
	errAdmin := s.shutdownAdmin(ctx)
	if first {
		s.closeSinks()
	}
	return errors.Join(errHTTP, errWS, errAdmin)
}

// Reload replaces the APIs the node serves with those of f (loaded and
// validated by config.Load), without dropping open connections: a WebSocket
// API that stays keeps its connections, and their next message is routed by
// the new routes, integrations and authorizers; new connections see the new
// stages and $connect authorizer; APIs that are gone stop taking new
// requests while their open connections run on. HTTP APIs are rebuilt
// (their throttling buckets start full). Settings read at start only keep
// their old values until a restart: listen, admin, nats, managementApi,
// credentials for @connections, and the limits of APIs that stay. When f
// cannot be built, Reload returns the error and the old APIs stay.
func (s *Server) Reload(f *config.File) error {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	set, err := s.buildAPIs(f, s.set.Load())
	if err != nil {
		return err
	}
	s.set.Store(set)
	old := s.cfg.File
	for _, k := range []struct{ key, was, is string }{
		{"listen", old.Listen, f.Listen}, {"admin", old.Admin, f.Admin},
		{"nats.url", old.NATS.URL, f.NATS.URL}, {"nats.listen", old.NATS.Listen, f.NATS.Listen},
	} {
		if k.was != k.is {
			s.log.Warn("configuration key changed; it takes effect at restart", "key", k.key)
		}
	}
	s.log.Info("configuration reloaded", "apis", len(set.ws)+len(set.http))
	return nil
}

// ServeHTTP routes one data-plane request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	set := s.set.Load()
	t, err := set.resolver.Resolve(r.Host, r.URL.EscapedPath())
	if err != nil {
		var re *routing.ResolveError
		switch {
		case errors.As(err, &re) && set.http[re.APIID] != nil:
			// HTTP APIs answer 404 where WebSocket and REST APIs answer 403.
			httpapi.WriteNotFound(w, ids.NewRequestID())
		case errors.As(err, &re) && errors.Is(err, routing.ErrUnknownAPI):
			errUnknownAPI(re.APIID).write(w)
		default:
			errForbidden.write(w)
		}
		return
	}
	if h := set.http[t.APIID]; h != nil {
		h.ServeHTTP(w, r, t.Stage, t.Rest)
		return
	}
	if connections.IsManagementPath(t.Rest) {
		sw := &statusrec.Writer{ResponseWriter: w}
		s.mgmt.Serve(sw, r, t.APIID, t.Stage, t.Rest)
		s.metrics.Management(r.Method, managementOperation(r.Method, t.Rest), sw.Status)
		return
	}
	api, ok := set.ws[t.APIID]
	if !ok {
		errNotFound.write(w)
		return
	}
	if t.Rest != "" && t.Rest != "/" {
		errForbidden.write(w)
		return
	}
	api.ServeHTTP(w, r, t.Stage, t.BasePath)
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

// generateAPIID returns 10 lowercase alphanumerics, as API Gateway's IDs.
func generateAPIID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	id := ids.NewRequestID()
	b := make([]byte, 10)
	for i := range b {
		b[i] = alphabet[int(id[i])%len(alphabet)]
	}
	return string(b)
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
