// Command control-plane is Portico's control-plane example: a gateway that
// starts with no APIs (portico.yaml has an admin listener and credentials,
// nothing else), and a backend the APIs that the AWS CLI creates call:
//
//	go run ./examples/control-plane
//
// then the aws apigatewayv2 commands of README.md. The backend, on
// 127.0.0.1:9102, answers every GET with a greeting (for an HTTP API's
// HTTP_PROXY integration) and POST /events with {"statusCode":200} (the
// Lambda function of a WebSocket API's AWS_PROXY integration, reached over
// HTTP).
package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"github.com/portico-gw/portico"
	"github.com/portico-gw/portico/config"
)

// DefaultBackend is the backend's address, the one README.md names.
const DefaultBackend = "127.0.0.1:9102"

func main() {
	_, self, _, _ := runtime.Caller(0)
	cfgPath := flag.String("config", filepath.Join(filepath.Dir(self), "portico.yaml"), "gateway configuration `file`")
	backend := flag.String("backend", DefaultBackend, "backend `address`")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, options{ConfigPath: *cfgPath, Backend: *backend, Logger: log}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// options configure run.
type options struct {
	// ConfigPath is the gateway's configuration file.
	ConfigPath string
	// Backend is the backend's listen address. Zero means DefaultBackend.
	Backend string
	// Listen and Admin override the configuration's addresses.
	Listen, Admin string
	// DataDir overrides the configuration's dataDir (where the control
	// plane's APIs are kept across restarts).
	DataDir string
	// Logger receives the logs. Nil means discard.
	Logger *slog.Logger
	// Ready, when set, is called once everything serves, with the
	// gateway's, the admin listener's and the backend's addresses.
	Ready func(gateway, admin, backend net.Addr)
}

// run serves the backend and the gateway until ctx ends, then shuts both
// down. It returns nil after a shutdown caused by ctx.
func run(ctx context.Context, o options) error {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	file, err := config.Load(o.ConfigPath)
	if err != nil {
		return err
	}
	if o.Admin != "" {
		file.Admin = o.Admin
	}
	if o.DataDir != "" {
		file.DataDir = o.DataDir
	}
	ln, err := net.Listen("tcp", cmp.Or(o.Backend, DefaultBackend))
	if err != nil {
		return fmt.Errorf("control-plane: backend: %w", err)
	}
	bsrv := &http.Server{Handler: backend(log), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- bsrv.Serve(ln) }()
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = bsrv.Shutdown(sctx)
		<-served
	}()

	gw, err := portico.New(portico.Config{File: file, Listen: o.Listen, Logger: log, ShutdownTimeout: 5 * time.Second})
	if err != nil {
		return err
	}
	if err := gw.Start(); err != nil {
		return fmt.Errorf("control-plane: %w", err)
	}
	if o.Ready != nil {
		o.Ready(gw.Addr(), gw.AdminAddr(), ln.Addr())
	}
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-served:
		served <- serveErr // for the deferred shutdown
		serveErr = fmt.Errorf("control-plane: backend: %w", serveErr)
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := gw.Shutdown(sctx); err != nil && serveErr == nil {
		serveErr = fmt.Errorf("control-plane: gateway shutdown: %w", err)
	}
	return serveErr
}

// backend answers the APIs the README creates.
func backend(log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /events", func(w http.ResponseWriter, r *http.Request) {
		event, _ := io.ReadAll(r.Body)
		log.Info("event", "body", string(event))
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"statusCode":200}`)
	})
	mux.HandleFunc("GET /", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "hello from the backend\n")
	})
	return mux
}
