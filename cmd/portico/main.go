// Command portico runs the Portico gateway.
//
//	portico serve [--config] FILE [--template TEMPLATE [--parameter-overrides K=V...]] [--listen ADDR] [--log-level LEVEL] [--log-format text|json]
//	portico validate [--config] FILE [--template TEMPLATE [--parameter-overrides K=V...]]
//	portico bench SCENARIO...|all [flags]
//	portico connections list|post|broadcast|get|delete ARGS (--config FILE | --endpoint URL)
//	portico healthcheck [--url URL] [--timeout D]
//	portico version
//
// Every command takes --help (printed to stdout, exit 0). Exit codes: 0
// success, 1 runtime failure, 2 bad usage or a missing or invalid config
// file (cli.go).
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
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/portico-gw/portico"
	"github.com/portico-gw/portico/cmd/portico/bench"
	"github.com/portico-gw/portico/internal/ids"
)

const usage = `Portico: a WebSocket-first API gateway that speaks Amazon API Gateway's language.

Usage:
  portico serve [--config] FILE [--listen ADDR] [--log-level LEVEL] [--log-format text|json]
  portico serve --template TEMPLATE [--config FILE] [--parameter-overrides K=V ...]
  portico validate [--config] FILE
  portico validate --template TEMPLATE [--config FILE] [--parameter-overrides K=V ...]
  portico bench SCENARIO...|all [--conns N] [--duration D] [--pairs P] [--rate R] [--json]
  portico connections list|post|broadcast|get|delete ... (--config FILE | --endpoint URL)
  portico healthcheck [--url URL] [--timeout D]
  portico version
  portico help [COMMAND]

The config file (YAML or JSON) is --config FILE (or -c FILE), or the one
argument, or $PORTICO_CONFIG. A SAM or CloudFormation template
(--template) gives APIs and functions; with it the config file is
optional and gives the rest (listeners, admin, credentials, NATS). Run 'portico COMMAND --help' for a command's
flags.

Exit codes: 0 success; 1 runtime failure (a listener that cannot start, an
unhealthy healthcheck, a benchmark that could not run); 2 bad usage, or a
config file that is missing or invalid.
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
		return exitUsage
	}
	switch args[0] {
	case "serve":
		return serve(args[1:], stdout, stderr)
	case "validate":
		return validate(args[1:], stdout, stderr)
	case "bench":
		return benchCmd(args[1:], stdout, stderr)
	case "connections":
		return connectionsCmd(args[1:], stdout, stderr)
	case "bench-client": // internal: a load-generator process started by bench
		return benchClient(args[1:], stdout, stderr)
	case "bench-function": // internal: lambda-local's function, run by the local Lambda runtime
		bench.ServeFunction()
		return exitFailure // ServeFunction returns only when the Runtime API fails
	case "healthcheck":
		return healthcheck(args[1:], stdout, stderr)
	case "version", "--version", "-version":
		return versionCmd(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		if len(args) > 1 && !strings.HasPrefix(args[1], "-") {
			if len(args) > 2 || args[1] == "help" || args[1] == "bench-client" || args[1] == "bench-function" {
				fmt.Fprintf(stderr, "portico help: want one command, got %q\n", args[1:])
				return exitUsage
			}
			return run([]string{args[1], "--help"}, stdout, stderr)
		}
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "portico: unknown command %q\n\n%s", args[0], usage)
		return exitUsage
	}
}

const serveHelp = `Usage: portico serve [--config] FILE [flags]
       portico serve --template TEMPLATE [--config FILE] [flags]

Runs the gateway on the config FILE (YAML or JSON) until SIGINT or SIGTERM,
then drains and exits 0. SIGHUP reloads FILE (and TEMPLATE); a file that
does not load is logged and the running configuration stays.

Flags:
  -c, --config FILE        the config file; or give it as the argument, or set $PORTICO_CONFIG
  -t, --template TEMPLATE  a SAM or CloudFormation template (YAML or JSON) whose APIs and
                           functions are served; FILE is then optional
      --parameter-overrides K=V ...
                           the template's parameters, as sam deploy takes them
      --listen ADDR        the data-plane address, overriding listen in FILE
      --log-level LEVEL    debug, info, warn or error (default info)
      --log-format FORMAT  text or json (default text)
  -h, --help               print this help

Exit codes: 0 stopped by a signal; 1 the gateway failed (a listener that
cannot start); 2 bad usage, or FILE missing or invalid.
`

func serve(args []string, stdout, stderr io.Writer) int {
	c := newCommand("serve", serveHelp)
	configFlag := c.configFlag()
	src := c.sourceFlags()
	listen := c.flags.String("listen", "", "")
	level := c.flags.String("log-level", "info", "")
	format := c.flags.String("log-format", "text", "")
	pos, code, done := c.parse(args, stdout, stderr)
	if done {
		return code
	}
	if code, done := c.resolve(src, *configFlag, pos, stderr); done {
		return code
	}
	logger, err := newLogger(stderr, *level, *format)
	if err != nil {
		return c.usageError(stderr, "%v", err)
	}
	file, code, done := c.loadSource(src, stderr)
	if done {
		return code
	}
	srv, err := portico.New(portico.Config{File: file, Listen: *listen, Logger: logger})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go reloadOnHUP(ctx, hup, src, srv, logger)
	if err := srv.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(stderr, err)
		return exitFailure
	}
	logger.Info("portico stopped")
	return exitOK
}

// reloadOnHUP re-reads the config file and the template on SIGHUP.
func reloadOnHUP(ctx context.Context, hup <-chan os.Signal, src *source, srv *portico.Server, log *slog.Logger) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
		}
		file, err := src.load()
		if err == nil {
			err = srv.Reload(file)
		}
		if err != nil {
			log.Error("configuration reload rejected; the running configuration stays", "file", src.configPath, "template", src.templatePath, "errors", err.Error())
		}
	}
}

const validateHelp = `Usage: portico validate [--config] FILE
       portico validate --template TEMPLATE [--config FILE] [--parameter-overrides K=V ...]

Loads the config FILE (YAML or JSON) and TEMPLATE as serve would and
reports every problem, each with file:line, without starting anything.

Flags:
  -c, --config FILE        the config file; or give it as the argument, or set $PORTICO_CONFIG
  -t, --template TEMPLATE  a SAM or CloudFormation template; FILE is then optional
      --parameter-overrides K=V ...
                           the template's parameters
  -h, --help         print this help

Warnings (fields Portico accepts but does not act on, expressions that can
never match) print on stderr, one line each; FILE is still valid.

Exit codes: 0 valid (with or without warnings); 2 bad usage, or FILE missing
or invalid.
`

func validate(args []string, stdout, stderr io.Writer) int {
	c := newCommand("validate", validateHelp)
	configFlag := c.configFlag()
	src := c.sourceFlags()
	pos, code, done := c.parse(args, stdout, stderr)
	if done {
		return code
	}
	if code, done := c.resolve(src, *configFlag, pos, stderr); done {
		return code
	}
	file, code, done := c.loadSource(src, stderr)
	if done {
		return code
	}
	path := src.configPath
	if src.templatePath != "" {
		path = src.templatePath
	}
	// What loads but deserves a word: one line each, on stderr; still valid.
	for _, w := range file.Warnings {
		fmt.Fprintf(stderr, "warning: %v\n", w)
	}
	functions := ""
	if n := len(file.Functions); n > 0 {
		functions = ", " + plural(n, "function")
	}
	restAPIs := ""
	if n := len(file.RestAPIs); n > 0 {
		restAPIs = ", " + plural(n, "REST API")
	}
	fmt.Fprintf(stdout, "%s: OK (%s%s%s%s)\n", path, plural(len(file.APIs), "API"), restAPIs, functions, warningCount(len(file.Warnings)))
	return exitOK
}

// warningCount is ", 2 warnings" after validate's OK, or "".
func warningCount(n int) string {
	if n == 0 {
		return ""
	}
	return ", " + plural(n, "warning")
}

// plural is "1 API", "2 APIs".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
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

// benchHelp is the bench command's help; %s is the list of scenarios.
const benchHelp = `Usage: portico bench SCENARIO...|all [flags]
       portico bench --sweep SCENARIO[=N,N,...] [--sweep ...] [--out DIR] [flags]

Measures the gateway against a bare baseline in the same run, scenario by
scenario, and reports medians, their ratio and the budget (BENCHMARKS.md).
A sweep runs a scenario once per size (--conns N) and writes the points to
DIR/sweep.json and each scenario's metric by size to DIR/sweep-SCENARIO.svg.

Scenarios:
%s
Flags:
      --conns N          client connections (default: the scenario's own)
      --duration D       the length of each timed run (default 5s)
      --pairs P          gateway/baseline pairs, alternating (default 3)
      --rate R           POSTs per second in the open-loop phases of post,
                         post-remote and slow-consumer (default 5000)
      --json             print one JSON object per scenario
      --sweep SPEC       SCENARIO=N,N,... runs SCENARIO at each N connections;
                         SCENARIO alone takes its default sizes (idle
                         1000,5000,10000,15000; broadcast-latency
                         1000,5000,10000; post 100,1000,5000); repeatable
      --out DIR          where a sweep writes its JSON and SVG (default .)
  -v, --verbose          print every run to stderr
      --cpuprofile FILE  write a CPU profile of the whole run to FILE
      --memprofile FILE  write a heap profile of the gateway to FILE (idle,
                         capacity: once connections are open; post: after
                         the closed-loop phase)
  -h, --help             print this help

Exit codes: 0 measured (a budget missed is reported, not an exit code); 1 a
scenario could not run; 2 bad usage or an unknown scenario.
`

func benchCmd(args []string, stdout, stderr io.Writer) int {
	var list strings.Builder
	for _, n := range bench.Names() {
		fmt.Fprintf(&list, "  %s\n", n)
	}
	c := newCommand("bench", fmt.Sprintf(benchHelp, list.String()))
	conns := c.flags.Int("conns", 0, "")
	duration := c.flags.Duration("duration", 5*time.Second, "")
	pairs := c.flags.Int("pairs", 3, "")
	rate := c.flags.Int("rate", 5000, "")
	asJSON := c.flags.Bool("json", false, "")
	verbose := c.flags.Bool("verbose", false, "")
	c.flags.BoolVar(verbose, "v", false, "")
	memProfile := c.flags.String("memprofile", "", "")
	cpuProfile := c.flags.String("cpuprofile", "", "")
	var sweeps sweepFlag
	c.flags.Var(&sweeps, "sweep", "")
	outDir := c.flags.String("out", ".", "")
	names, code, done := c.parse(args, stdout, stderr)
	if done {
		return code
	}
	if len(sweeps) > 0 && len(names) > 0 {
		return c.usageError(stderr, "give scenarios or --sweep, not both (unexpected argument %q)", names[0])
	}
	if len(names) == 0 && len(sweeps) == 0 {
		return c.usageError(stderr, "name a scenario (%s) or all", strings.Join(bench.Names(), ", "))
	}
	if len(names) == 1 && names[0] == "all" {
		names = bench.Names()
	}
	for _, n := range names {
		if !slices.Contains(bench.Names(), n) {
			return c.usageError(stderr, "unknown scenario %q; known: %s, or all", n, strings.Join(bench.Names(), ", "))
		}
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
			return exitFailure
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(stderr, "portico bench:", err)
			return exitFailure
		}
		defer pprof.StopCPUProfile()
	}
	if len(sweeps) > 0 {
		return runSweeps(ctx, sweeps, o, *outDir, stdout, stderr)
	}
	var reports []*bench.Report
	for _, n := range names {
		r, err := bench.Run(ctx, n, o)
		if err != nil {
			fmt.Fprintln(stderr, "portico bench:", err)
			return exitFailure
		}
		reports = append(reports, r)
	}
	if *asJSON {
		if err := bench.WriteJSON(stdout, reports); err != nil {
			return exitFailure
		}
		return exitOK
	}
	bench.WriteTable(stdout, reports)
	return exitOK
}

// sweepFlag collects --sweep values.
type sweepFlag []bench.SweepSpec

func (f *sweepFlag) String() string { return fmt.Sprint(*f) }

func (f *sweepFlag) Set(v string) error {
	spec, err := bench.ParseSweep(v)
	if err != nil {
		return err
	}
	*f = append(*f, spec)
	return nil
}

// runSweeps runs each sweep and, after each, prints its points' tables
// and writes dir/sweep-SCENARIO.svg and dir/sweep.json (every sweep so
// far). A size that fails ends the run once the sizes before it are
// written.
func runSweeps(ctx context.Context, specs []bench.SweepSpec, o bench.Options, dir string, stdout, stderr io.Writer) int {
	fail := func(err error) int {
		fmt.Fprintln(stderr, "portico bench:", err)
		return exitFailure
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fail(err)
	}
	var sweeps []*bench.Sweep
	js := filepath.Join(dir, "sweep.json")
	for _, spec := range specs {
		sw, runErr := bench.RunSweep(ctx, spec, o)
		if sw == nil || len(sw.Points) == 0 {
			return fail(runErr)
		}
		// What was measured is written even when a later size failed.
		sweeps = append(sweeps, sw)
		var reports []*bench.Report
		for _, pt := range sw.Points {
			fmt.Fprintf(stdout, "== %s at %d connections\n", sw.Scenario, pt.Conns)
			reports = append(reports, pt.Report)
		}
		bench.WriteTable(stdout, reports)
		svg := filepath.Join(dir, "sweep-"+sw.Scenario+".svg")
		if err := writeFile(svg, sw.WriteSVG); err != nil {
			return fail(err)
		}
		if err := writeFile(js, func(w io.Writer) error { return bench.WriteSweepsJSON(w, sweeps) }); err != nil {
			return fail(err)
		}
		fmt.Fprintln(stdout, "wrote", svg, "and", js)
		if runErr != nil {
			return fail(runErr)
		}
	}
	return exitOK
}

// writeFile creates path and fills it with write.
func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func benchClient(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench-client", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "", "WebSocket URL")
	conns := fs.Int("conns", 1, "connections to hold")
	source := fs.Int("source", 0, "index of the 127.0.0.x source address")
	read := fs.Bool("read", false, "read and time messages; answer \"report\" lines on stdin")
	if err := fs.Parse(args); err != nil || *url == "" {
		return exitUsage
	}
	if err := bench.RunClient(*url, *conns, *source, *read, os.Stdin, stdout); err != nil {
		fmt.Fprintln(stderr, "portico bench-client:", err)
		return exitFailure
	}
	return exitOK
}
