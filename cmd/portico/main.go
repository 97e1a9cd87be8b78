// Command portico runs the Portico gateway.
//
//	portico serve --config FILE [--listen ADDR] [--log-level LEVEL] [--log-format text|json]
//	portico validate --config FILE
//	portico connections list|post|broadcast|get|delete ARGS (--config FILE | --endpoint URL)
//	portico version
//
// Exit codes: 0 success, 1 runtime failure, 2 bad usage or invalid config.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/portico-gw/portico"
	"github.com/portico-gw/portico/cmd/portico/bench"
	"github.com/portico-gw/portico/config"
	"github.com/portico-gw/portico/internal/ids"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = ""

const usage = `Portico: a WebSocket-first API gateway that speaks Amazon API Gateway's language.

Usage:
  portico serve --config FILE [--listen ADDR] [--log-level debug|info|warn|error] [--log-format text|json]
  portico validate --config FILE
  portico bench SCENARIO|all [--conns N] [--duration D] [--pairs P] [--rate R] [--json]
  portico connections list|post|broadcast|get|delete ... (--config FILE | --endpoint URL)
  portico version

Flags -c and --config are the same.
`

func main() {
	// Process-wide, so decided here rather than by a library's init: the
	// @connections request IDs come from a random pool (a POST's cost).
	ids.EnableFastRandom()
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return serve(args[1:], stderr)
	case "validate":
		return validate(args[1:], stdout, stderr)
	case "bench":
		return benchCmd(args[1:], stdout, stderr)
	case "connections":
		return connectionsCmd(args[1:], stdout, stderr)
	case "bench-client": // internal: a load-generator process started by bench
		return benchClient(args[1:], stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "portico", versionString())
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "portico: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
}

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

func configFlag(fs *flag.FlagSet) *string {
	path := fs.String("config", "", "configuration `file` (YAML or JSON)")
	fs.StringVar(path, "c", "", "shorthand for --config")
	return path
}

func serve(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := configFlag(fs)
	listen := fs.String("listen", "", "data-plane `address`, overriding listen in the config")
	level := fs.String("log-level", "info", "log `level`: debug, info, warn, error")
	format := fs.String("log-format", "text", "log `format`: text or json")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *path == "" {
		fmt.Fprintln(stderr, "portico serve: --config FILE is required")
		return 2
	}
	logger, err := newLogger(stderr, *level, *format)
	if err != nil {
		fmt.Fprintln(stderr, "portico serve:", err)
		return 2
	}
	file, err := config.Load(*path)
	if err != nil {
		fmt.Fprintf(stderr, "portico serve: invalid config:\n%v\n", err)
		return 2
	}
	srv, err := portico.New(portico.Config{File: file, Listen: *listen, Logger: logger})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go reloadOnHUP(ctx, hup, *path, srv, logger)
	if err := srv.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(stderr, err)
		return 1
	}
	logger.Info("portico stopped")
	return 0
}

// reloadOnHUP reloads the configuration file on each SIGHUP (Server.Reload
// logs the success). A file that does not load is reported with its errors,
// and the running configuration stays.
func reloadOnHUP(ctx context.Context, hup <-chan os.Signal, path string, srv *portico.Server, log *slog.Logger) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
		}
		file, err := config.Load(path)
		if err == nil {
			err = srv.Reload(file)
		}
		if err != nil {
			log.Error("configuration reload rejected; the running configuration stays", "file", path, "errors", err.Error())
		}
	}
}

func validate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := configFlag(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *path == "" {
		fmt.Fprintln(stderr, "portico validate: --config FILE is required")
		return 2
	}
	if _, err := config.Load(*path); err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	fmt.Fprintf(stdout, "%s: OK\n", *path)
	return 0
}

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	default:
		return nil, fmt.Errorf("--log-format %q: want text or json", format)
	}
}

func benchCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	conns := fs.Int("conns", 0, "client connections (zero: the scenario's default)")
	duration := fs.Duration("duration", 5*time.Second, "length of each timed run")
	pairs := fs.Int("pairs", 3, "gateway/baseline pairs, alternating")
	rate := fs.Int("rate", 5000, "POSTs per second in the open-loop phases (post, post-remote, slow-consumer)")
	asJSON := fs.Bool("json", false, "print one JSON object per scenario")
	verbose := fs.Bool("v", false, "print every run")
	memProfile := fs.String("memprofile", "", "write a heap profile of the gateway (idle/capacity: once connections are open; post: after the closed-loop phase) to `file`")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run (gateway, baseline and in-process clients) to `file`")
	var names []string
	rest := args
	for len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		names = append(names, rest[0])
		rest = rest[1:]
	}
	if err := fs.Parse(rest); err != nil {
		return 2
	}
	names = append(names, fs.Args()...)
	if len(names) == 0 {
		fmt.Fprintf(stderr, "portico bench: name a scenario (%s) or all\n", strings.Join(bench.Names(), ", "))
		return 2
	}
	if len(names) == 1 && names[0] == "all" {
		names = bench.Names()
	}
	o := bench.Options{Conns: *conns, Duration: *duration, Pairs: *pairs, Rate: *rate, MemProfile: *memProfile}
	if *verbose {
		o.Log = stderr
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(stderr, "portico bench:", err)
			return 1
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(stderr, "portico bench:", err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	var reports []*bench.Report
	for _, n := range names {
		r, err := bench.Run(ctx, n, o)
		if err != nil {
			fmt.Fprintln(stderr, "portico bench:", err)
			return 1
		}
		reports = append(reports, r)
	}
	if *asJSON {
		if err := bench.WriteJSON(stdout, reports); err != nil {
			return 1
		}
		return 0
	}
	bench.WriteTable(stdout, reports)
	return 0
}

func benchClient(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench-client", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "", "WebSocket URL")
	conns := fs.Int("conns", 1, "connections to hold")
	source := fs.Int("source", 0, "index of the 127.0.0.x source address")
	read := fs.Bool("read", false, "read and time messages; answer \"report\" lines on stdin")
	if err := fs.Parse(args); err != nil || *url == "" {
		return 2
	}
	if err := bench.RunClient(*url, *conns, *source, *read, os.Stdin, stdout); err != nil {
		fmt.Fprintln(stderr, "portico bench-client:", err)
		return 1
	}
	return 0
}
