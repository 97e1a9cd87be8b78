// Command dashboard is Portico's live-dashboard example: a metrics publisher
// that sends a JSON sample every second to the NATS subject
// portico.broadcast.dashboard.live, and a page that shows the samples as
// they arrive over a WebSocket connection to the gateway. The publisher
// makes no HTTP request at all: the gateway delivers every message published
// on a stage's broadcast subject to every connection of that stage, on every
// node of a cluster.
//
// By default it also runs the gateway in-process with portico.yaml (whose
// nats.listen exposes the embedded NATS server on 127.0.0.1:4222), so one
// command brings everything up:
//
//	go run ./examples/dashboard
//
// With -publisher-only it runs just the publisher and the page, for use with
// `go run ./cmd/portico serve --config examples/dashboard/portico.yaml`.
package main

import (
	"context"
	"embed"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/portico-gw/portico"
	"github.com/portico-gw/portico/config"
)

//go:embed static
var static embed.FS

func main() {
	_, self, _, _ := runtime.Caller(0)
	cfgPath := flag.String("config", filepath.Join(filepath.Dir(self), "portico.yaml"), "gateway configuration `file`")
	listen := flag.String("listen", "127.0.0.1:9200", "page `address`")
	natsURL := flag.String("nats", "nats://127.0.0.1:4222", "NATS `URL` to publish to (the gateway's nats.listen)")
	subject := flag.String("subject", "portico.broadcast.dashboard.live", "NATS `subject`: {prefix}.broadcast.{apiId}.{stage}")
	interval := flag.Duration("interval", time.Second, "time between samples")
	publisherOnly := flag.Bool("publisher-only", false, "run only the publisher and the page; start the gateway yourself")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(*cfgPath, *listen, *natsURL, *subject, *interval, *publisherOnly, log); err != nil {
		fmt.Fprintln(os.Stderr, "dashboard:", err)
		os.Exit(1)
	}
}

func run(cfgPath, listen, natsURL, subject string, interval time.Duration, publisherOnly bool, log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if !publisherOnly {
		file, err := config.Load(cfgPath)
		if err != nil {
			return err
		}
		gw, err := portico.New(portico.Config{File: file, Logger: log})
		if err != nil {
			return err
		}
		if err := gw.Start(); err != nil {
			return err
		}
		defer func() {
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = gw.Shutdown(sctx)
		}()
	}

	// A NATS client like any other backend's, in any language: it connects
	// over TCP even when the gateway runs in this process.
	nc, err := nats.Connect(natsURL, nats.Name("portico-dashboard-publisher"),
		nats.RetryOnFailedConnect(true), nats.MaxReconnects(-1))
	if err != nil {
		return fmt.Errorf("connecting to NATS at %s: %w", natsURL, err)
	}
	defer nc.Close()

	page := &http.Server{Addr: listen, Handler: Handler(), ReadHeaderTimeout: 10 * time.Second}
	pageErr := make(chan error, 1)
	go func() { pageErr <- page.ListenAndServe() }()
	log.Info("dashboard page", "url", "http://"+listen+"/", "publishing_to", subject, "nats", natsURL)

	pub := &Publisher{Conn: nc, Subject: subject, Interval: interval,
		OnError: func(err error) { log.Warn("publisher", "error", err) }}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = pub.Run(ctx)
	}()

	select {
	case <-ctx.Done():
		err = nil
	case err = <-pageErr:
		err = fmt.Errorf("page server: %w", err)
		stop()
	}
	wg.Wait()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = page.Shutdown(sctx)
	return err
}

// Handler serves the dashboard page.
func Handler() http.Handler {
	page, _ := fs.Sub(static, "static")
	return http.FileServerFS(page)
}
