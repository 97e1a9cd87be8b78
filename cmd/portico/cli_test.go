package main

import (
	"bytes"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/portico-gw/portico/cmd/portico/bench"
	"github.com/portico-gw/portico/config"
)

// TestCLI is the CLI's contract: for each command line, the exit code and
// what stdout and stderr say. --help goes to stdout with exit 0; usage
// errors go to stderr with exit 2 and a pointer to --help.
func TestCLI(t *testing.T) {
	t.Setenv(configEnv, "")
	chat := filepath.Join("..", "..", "examples", "chat", "portico.yaml")
	missing := filepath.Join(t.TempDir(), "x.yaml")
	healthy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	}))
	defer healthy.Close()
	closed := closedAddr(t)

	tests := []struct {
		name     string
		args     []string
		code     int
		stdout   []string // each must appear in stdout
		stderr   []string // each must appear in stderr
		quietOut bool     // stdout must be empty
		quietErr bool     // stderr must be empty
		env      string   // $PORTICO_CONFIG for this case
	}{
		// Help: stdout, exit 0, double-dash flags.
		{name: "no command", args: nil, code: 2, stderr: []string{"Usage:"}, quietOut: true},
		{name: "--help", args: []string{"--help"}, code: 0, stdout: []string{"portico serve [--config] FILE", "portico healthcheck", "Exit codes"}, quietErr: true},
		{name: "-h", args: []string{"-h"}, code: 0, stdout: []string{"Usage:"}, quietErr: true},
		{name: "help", args: []string{"help"}, code: 0, stdout: []string{"Usage:"}, quietErr: true},
		{name: "help serve", args: []string{"help", "serve"}, code: 0, stdout: []string{"Usage: portico serve", "--listen ADDR"}, quietErr: true},
		{name: "help nosuch", args: []string{"help", "nosuch"}, code: 2, stderr: []string{`unknown command "nosuch"`}},
		{name: "help two", args: []string{"help", "serve", "bench"}, code: 2, stderr: []string{"want one command"}},
		{name: "serve --help", args: []string{"serve", "--help"}, code: 0, stdout: []string{"-c, --config FILE", "--log-level LEVEL", "--log-format FORMAT", "$PORTICO_CONFIG", "Exit codes"}, quietErr: true},
		{name: "serve -h", args: []string{"serve", "-h"}, code: 0, stdout: []string{"--config FILE"}, quietErr: true},
		{name: "validate --help", args: []string{"validate", "--help"}, code: 0, stdout: []string{"Usage: portico validate [--config] FILE", "-c, --config FILE"}, quietErr: true},
		{name: "bench --help", args: []string{"bench", "--help"}, code: 0, stdout: append([]string{"--conns N", "--duration D", "--sweep SPEC", "--out DIR"}, bench.Names()...), quietErr: true},
		{name: "healthcheck --help", args: []string{"healthcheck", "--help"}, code: 0, stdout: []string{"--url URL", defaultHealthURL}, quietErr: true},
		{name: "version --help", args: []string{"version", "--help"}, code: 0, stdout: []string{"Usage: portico version"}, quietErr: true},

		// Usage errors: exit 2, stderr, a pointer to --help.
		{name: "unknown command", args: []string{"frobnicate"}, code: 2, stderr: []string{`unknown command "frobnicate"`}, quietOut: true},
		{name: "serve without a file", args: []string{"serve"}, code: 2, stderr: []string{"no config file", "portico serve --help"}, quietOut: true},
		{name: "validate without a file", args: []string{"validate"}, code: 2, stderr: []string{"no config file"}, quietOut: true},
		{name: "unknown flag", args: []string{"serve", "--nosuchflag"}, code: 2, stderr: []string{"--nosuchflag", "portico serve --help"}, quietOut: true},
		{name: "flag without its value", args: []string{"serve", "--listen"}, code: 2, stderr: []string{"flag needs an argument: --listen"}},
		{name: "bad log level", args: []string{"serve", chat, "--log-level", "loud"}, code: 2, stderr: []string{`--log-level "loud"`}},
		{name: "validate extra argument", args: []string{"validate", chat, "extra"}, code: 2, stderr: []string{`unexpected argument "extra"`}, quietOut: true},
		{name: "serve extra argument", args: []string{"serve", chat, "extra"}, code: 2, stderr: []string{`unexpected argument "extra"`}},
		{name: "config twice", args: []string{"validate", "--config", chat, chat}, code: 2, stderr: []string{"given twice"}},
		{name: "version extra argument", args: []string{"version", "now"}, code: 2, stderr: []string{`unexpected argument "now"`}, quietOut: true},
		{name: "healthcheck extra argument", args: []string{"healthcheck", "now"}, code: 2, stderr: []string{`unexpected argument "now"`}},
		{name: "bench without a scenario", args: []string{"bench"}, code: 2, stderr: []string{"name a scenario", "idle"}},
		{name: "bench unknown scenario", args: []string{"bench", "nosuch"}, code: 2, stderr: []string{`unknown scenario "nosuch"`, "portico bench --help"}, quietOut: true},
		{name: "bench unknown scenario after a known one", args: []string{"bench", "idle", "nosuch", "--pairs", "1"}, code: 2, stderr: []string{`unknown scenario "nosuch"`}},
		{name: "bench --sweep unknown scenario", args: []string{"bench", "--sweep", "nosuch=1,2"}, code: 2, stderr: []string{`unknown scenario "nosuch"`, "portico bench --help"}, quietOut: true},
		{name: "bench --sweep bad size", args: []string{"bench", "--sweep", "post=100,lots"}, code: 2, stderr: []string{`"lots" is not a positive number of connections`}},
		{name: "bench --sweep without default sizes", args: []string{"bench", "--sweep", "connect"}, code: 2, stderr: []string{"connect has no default sizes"}},
		{name: "bench --sweep and a scenario", args: []string{"bench", "idle", "--sweep", "post"}, code: 2, stderr: []string{"give scenarios or --sweep, not both"}},
		{name: "help bench-function", args: []string{"help", "bench-function"}, code: 2, stderr: []string{"want one command"}},

		// The config file: --config, -c, the argument (before or after
		// flags), $PORTICO_CONFIG; a missing file is reported as such.
		{name: "validate --config", args: []string{"validate", "--config", chat}, code: 0, stdout: []string{chat + ": OK (1 API)"}, quietErr: true},
		{name: "validate -c", args: []string{"validate", "-c", chat}, code: 0, stdout: []string{": OK"}},
		{name: "validate --config=", args: []string{"validate", "--config=" + chat}, code: 0, stdout: []string{": OK"}},
		{name: "validate FILE", args: []string{"validate", chat}, code: 0, stdout: []string{chat + ": OK"}, quietErr: true},
		{name: "validate -- FILE", args: []string{"validate", "--", chat}, code: 0, stdout: []string{": OK"}},
		{name: "validate $PORTICO_CONFIG", args: []string{"validate"}, env: chat, code: 0, stdout: []string{chat + ": OK"}},
		{name: "argument over $PORTICO_CONFIG", args: []string{"validate", missing}, env: chat, code: 2, stderr: []string{"x.yaml: no such file"}},
		{name: "validate missing file", args: []string{"validate", missing}, code: 2, stderr: []string{"portico validate: " + missing + ": no such file"}, quietOut: true},
		{name: "serve missing file", args: []string{"serve", missing}, code: 2, stderr: []string{"portico serve: " + missing + ": no such file"}},
		{name: "serve missing file, flags after", args: []string{"serve", missing, "--listen", "127.0.0.1:0"}, code: 2, stderr: []string{missing + ": no such file"}},
		{name: "validate a directory", args: []string{"validate", t.TempDir()}, code: 2, stderr: []string{"is a directory"}},

		// version and healthcheck.
		{name: "version", args: []string{"version"}, code: 0, stdout: []string{"portico ", "  go        go1."}, quietErr: true},
		{name: "--version", args: []string{"--version"}, code: 0, stdout: []string{"portico "}},
		{name: "healthy", args: []string{"healthcheck", "--url", healthy.URL + "/healthz"}, code: 0, stdout: []string{"200 OK"}, quietErr: true},
		{name: "unhealthy", args: []string{"healthcheck", "--url", healthy.URL + "/readyz"}, code: 1, stderr: []string{"503 Service Unavailable"}},
		{name: "nothing listens", args: []string{"healthcheck", "--url", "http://" + closed + "/healthz"}, code: 1, stderr: []string{"connection refused"}},
		{name: "healthcheck bad timeout", args: []string{"healthcheck", "--timeout", "0s"}, code: 2, stderr: []string{"--timeout"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(configEnv, tt.env)
			var out, errb bytes.Buffer
			code := run(tt.args, &out, &errb)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out.String(), errb.String())
			}
			for _, want := range tt.stdout {
				if !strings.Contains(out.String(), want) {
					t.Errorf("stdout lacks %q:\n%s", want, out.String())
				}
			}
			for _, want := range tt.stderr {
				if !strings.Contains(errb.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, errb.String())
				}
			}
			if tt.quietOut && out.Len() > 0 {
				t.Errorf("stdout not empty: %s", out.String())
			}
			if tt.quietErr && errb.Len() > 0 {
				t.Errorf("stderr not empty: %s", errb.String())
			}
			// Go's flag package style (one dash) never shows in help.
			if strings.Contains(out.String(), " -config") || strings.Contains(errb.String(), " -config") {
				t.Errorf("single-dash -config in the output:\n%s%s", out.String(), errb.String())
			}
		})
	}
}

// closedAddr returns a loopback address where nothing listens.
func closedAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestVersionText(t *testing.T) {
	vcs := func(modified string) []debug.BuildSetting {
		return []debug.BuildSetting{
			{Key: "GOOS", Value: "linux"}, {Key: "GOARCH", Value: "arm64"},
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: "d774116d02b931b079d0598e5651ee88e1b08e6f"},
			{Key: "vcs.time", Value: "2026-12-02T17:17:21Z"},
			{Key: "vcs.modified", Value: modified},
		}
	}
	tests := []struct {
		name               string
		ldVersion, ldBuilt string
		bi                 *debug.BuildInfo
		want               string
	}{
		{
			name: "no build info",
			want: "portico devel\n  go        ",
		},
		{
			name: "go install @version",
			bi:   &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.3"}, Settings: []debug.BuildSetting{{Key: "GOOS", Value: "darwin"}, {Key: "GOARCH", Value: "arm64"}}},
			want: "portico v1.2.3\n  go        go1.26.8 darwin/arm64\n",
		},
		{
			name: "go build in a clean checkout",
			bi:   &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20261202171721-d774116d02b9"}, Settings: vcs("false")},
			want: "portico v0.0.0-20261202171721-d774116d02b9\n" +
				"  revision  d774116d02b931b079d0598e5651ee88e1b08e6f\n" +
				"  committed 2026-12-02T17:17:21Z\n" +
				"  go        go1.26.8 linux/arm64\n",
		},
		{
			name: "go build with changes",
			bi:   &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: vcs("true")},
			want: "portico devel\n  revision  d774116d02b931b079d0598e5651ee88e1b08e6f (modified)\n",
		},
		{
			name:      "release build: -X wins",
			ldVersion: "v1.3.0", ldBuilt: "2026-12-03T10:00:00Z",
			bi: &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: vcs("false")},
			want: "portico v1.3.0\n" +
				"  revision  d774116d02b931b079d0598e5651ee88e1b08e6f\n" +
				"  committed 2026-12-02T17:17:21Z\n" +
				"  built     2026-12-03T10:00:00Z\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := versionText(tt.ldVersion, tt.ldBuilt, tt.bi)
			if !strings.HasPrefix(got, tt.want) && !strings.Contains(got, tt.want) {
				t.Errorf("got\n%s\nwant it to contain\n%s", got, tt.want)
			}
			if !strings.HasPrefix(got, "portico ") {
				t.Errorf("first line %q: scripts read `portico VERSION`", strings.SplitN(got, "\n", 2)[0])
			}
		})
	}
}

// TestDockerConfig keeps the container image's default config valid, and
// its admin listener where `portico healthcheck` looks by default.
func TestDockerConfig(t *testing.T) {
	path := filepath.Join("..", "..", "docker", "portico.yaml")
	f, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	_, port, err := net.SplitHostPort(f.Admin)
	if err != nil || !strings.Contains(defaultHealthURL, ":"+port+"/healthz") {
		t.Errorf("admin %q: healthcheck's default URL is %s", f.Admin, defaultHealthURL)
	}
	for _, addr := range []string{f.Listen, f.Admin} {
		if host, _, _ := net.SplitHostPort(addr); host != "0.0.0.0" && host != "" {
			t.Errorf("%q: a container listens on every interface, or nothing outside reaches it", addr)
		}
	}
	if _, err := os.Stat(filepath.Join("..", "..", "Dockerfile")); err != nil {
		t.Error(err)
	}
}

// validate prints each warning on stderr and still exits 0.
func TestValidateWarnings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.yaml")
	const cfg = `apis:
  - name: chat
    protocolType: WEBSOCKET
    routeSelectionExpression: request.body.action
    tags: {team: chat}
    integrations:
      - {integrationId: m, integrationType: MOCK}
    routes:
      - {routeKey: $default, target: integrations/m}
    stages: [{stageName: dev}]
`
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"validate", path}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "OK (1 API, 2 warnings)") {
		t.Errorf("stdout %q", out.String())
	}
	for _, want := range []string{"warning: " + path + ":5:5: apis[0].tags: accepted but not acted on", "did you mean $request.body.action?"} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("stderr has no %q:\n%s", want, errb.String())
		}
	}
}
