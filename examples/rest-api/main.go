// Command rest-api is Portico's REST API example: one API Gateway REST API
// (apigateway v1, restApis), the pets API, with AWS_PROXY methods to a
// Lambda function, a method requiring an API key in a usage plan with a
// quota, a method behind a TOKEN Lambda authorizer, a MOCK CORS preflight,
// a DEFAULT_4XX gateway response and a stage variable.
//
// Its backend (backend.go) plays what AWS would host: the Lambda function
// and the Lambda authorizer, reached over HTTP with aws-lambda-go's events
// types.
//
// By default it also runs the gateway in-process with portico.yaml, so one
// command brings everything up:
//
//	go run ./examples/rest-api
//
// With -backend-only it runs just the backend, for use with
// `go run ./cmd/portico serve --config examples/rest-api/portico.yaml`.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/portico-gw/portico"
	"github.com/portico-gw/portico/config"
)

// DefaultBackend is the backend's address, the one portico.yaml names.
const DefaultBackend = "127.0.0.1:9200"

// errConfig is wrapped by run's errors when the configuration cannot be used.
var errConfig = errors.New("rest-api: invalid configuration")

func main() {
	_, self, _, _ := runtime.Caller(0)
	cfgPath := flag.String("config", filepath.Join(filepath.Dir(self), "portico.yaml"), "gateway configuration `file`")
	backend := flag.String("backend", DefaultBackend, "backend `address`; the in-process gateway is pointed at it")
	listen := flag.String("listen", "", "gateway `address`, overriding listen in the configuration")
	backendOnly := flag.Bool("backend-only", false, "run only the backend; start the gateway yourself")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, options{
		ConfigPath:  *cfgPath,
		Backend:     *backend,
		Listen:      *listen,
		BackendOnly: *backendOnly,
		Logger:      log,
	})
	switch {
	case errors.Is(err, errConfig):
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// options configure run.
type options struct {
	// ConfigPath is the gateway's configuration file. Unused with BackendOnly.
	ConfigPath string
	// Backend is the backend's listen address. Zero means DefaultBackend.
	// When it differs from DefaultBackend, the configuration's URLs that
	// name DefaultBackend are pointed at it.
	Backend string
	// Listen overrides the configuration's listen address.
	Listen string
	// BackendOnly runs the backend without the gateway.
	BackendOnly bool
	// Logger receives the gateway's and the backend's logs. Nil means discard.
	Logger *slog.Logger
	// Ready, when set, is called once everything serves, with the gateway's
	// address (nil with BackendOnly) and the backend's.
	Ready func(gateway, backend net.Addr)
}

// run serves the backend and, unless o.BackendOnly, the gateway, until ctx
// ends; then it shuts both down. It returns nil after a shutdown caused by
// ctx.
func run(ctx context.Context, o options) error {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ln, err := net.Listen("tcp", cmp.Or(o.Backend, DefaultBackend))
	if err != nil {
		return fmt.Errorf("rest-api: backend: %w", err)
	}
	base := "http://" + ln.Addr().String()
	bsrv := &http.Server{Handler: NewBackend(log), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- bsrv.Serve(ln) }()
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = bsrv.Shutdown(sctx)
		<-served
	}()
	log.Info("rest-api backend", "url", base)

	var gw *portico.Server
	if !o.BackendOnly {
		file, err := config.Load(o.ConfigPath)
		if err != nil {
			return fmt.Errorf("%w: %w", errConfig, err)
		}
		retarget(file, "http://"+DefaultBackend, base)
		gw, err = portico.New(portico.Config{File: file, Listen: o.Listen, Logger: log, ShutdownTimeout: 5 * time.Second})
		if err != nil {
			return fmt.Errorf("%w: %w", errConfig, err)
		}
		if err := gw.Start(); err != nil {
			return fmt.Errorf("rest-api: %w", err)
		}
	}
	if o.Ready != nil {
		var addr net.Addr
		if gw != nil {
			addr = gw.Addr()
		}
		o.Ready(addr, ln.Addr())
	}

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-served:
		served <- serveErr // for the deferred shutdown
		serveErr = fmt.Errorf("rest-api: backend: %w", serveErr)
	}
	if gw != nil {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := gw.Shutdown(sctx); err != nil && serveErr == nil {
			serveErr = fmt.Errorf("rest-api: gateway shutdown: %w", err)
		}
	}
	return serveErr
}

// retarget replaces the base URL from with to in the file's REST
// integration and authorizer URIs: portico.yaml names the backend at its
// default address, and the backend may listen elsewhere (-backend, or a
// free port in the tests).
func retarget(f *config.File, from, to string) {
	if from == to {
		return
	}
	fix := func(s *string) {
		if rest, ok := strings.CutPrefix(*s, from); ok && (rest == "" || rest[0] == '/') {
			*s = to + rest
		}
	}
	for i := range f.RestAPIs {
		api := &f.RestAPIs[i]
		for _, res := range api.Resources {
			for _, m := range res.ResourceMethods {
				if m.MethodIntegration != nil {
					fix(&m.MethodIntegration.URI)
				}
			}
		}
		for j := range api.Authorizers {
			fix(&api.Authorizers[j].AuthorizerURI)
		}
	}
}
