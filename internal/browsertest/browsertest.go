// Package browsertest drives a real headless Chromium from Go tests, for the
// end-to-end tests of the example pages (examples/chat, examples/dashboard).
//
// It uses chromedp over the Chrome DevTools Protocol against the Debian
// chromium binary: no Node.js, no WebDriver, no browser download. When no
// Chromium is installed, New skips the test with a message saying how to get
// one, unless the environment sets PORTICO_REQUIRE_BROWSER=1 (as .ci/run
// does), in which case the test fails instead: CI must never pass by skipping.
//
// Concurrency: each call to New starts its own browser process, owned by the
// test and stopped by its Cleanup; tabs from NewTab belong to that browser and
// close with it. A tab context is used by one goroutine at a time.
package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// RequireEnv names the environment variable that turns a missing Chromium
// from a skip into a failure when set to "1".
const RequireEnv = "PORTICO_REQUIRE_BROWSER"

// ExecEnv names the environment variable that points at a Chromium binary,
// overriding the search of ExecPath.
const ExecEnv = "PORTICO_CHROMIUM"

// ArtifactsEnv names the environment variable holding the folder where
// Screenshot writes. Empty means os.TempDir()/portico-artifacts.
const ArtifactsEnv = "ARTIFACTS"

// Timeout bounds everything one test does with its browser.
const Timeout = 2 * time.Minute

// ExecPath returns the Chromium binary to drive: $PORTICO_CHROMIUM, else
// /usr/bin/chromium (Debian's package), else the first of chromium,
// chromium-browser, google-chrome and google-chrome-stable on PATH. It
// returns "" when there is none.
func ExecPath() string {
	if p := os.Getenv(ExecEnv); p != "" {
		return p
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// New starts a headless Chromium for t and returns the context of its first
// tab. The browser runs with a fresh profile and the flags that keep it off
// the network (no background networking, component updates, sync or QUIC),
// and stops when t ends. Console messages and uncaught exceptions of every
// tab are logged if t fails.
//
// With no Chromium installed, New skips t, or fails it when
// PORTICO_REQUIRE_BROWSER=1.
func New(t testing.TB) context.Context {
	t.Helper()
	path := ExecPath()
	if path == "" {
		msg := "browser test: no Chromium found (install Debian's chromium: apt-get install -y chromium, or set " + ExecEnv + ")"
		if os.Getenv(RequireEnv) == "1" {
			t.Fatal(msg + "; " + RequireEnv + "=1 forbids skipping")
		}
		t.Skip(msg)
	}
	profile, err := os.MkdirTemp("", "portico-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(profile),
		chromedp.NoSandbox, // CI runs as root, where Chromium's sandbox refuses to start
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1024, 768),
	)
	ctx, cancelTimeout := context.WithTimeout(context.Background(), Timeout)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	c := &console{}
	browser, cancelBrowser := chromedp.NewContext(allocCtx, chromedp.WithListener(c.listener("tab 1")))
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
		cancelTimeout()
		// Chromium may still be flushing its profile as it exits.
		for range 20 {
			if os.RemoveAll(profile) == nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if t.Failed() {
			c.log(t)
		}
	})
	// The first Run starts the browser.
	if _, err := chromedp.Run(browser, chromedp.Evaluate[string](`navigator.userAgent`)); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	consoles.Store(browser, c)
	t.Cleanup(func() { consoles.Delete(browser) })
	return browser
}

// consoles maps a browser context from New to its console collector.
var consoles sync.Map

// NewTab opens another tab, in a window of its own so that it renders and
// runs timers as a foreground tab, in the browser of a context from New. The
// tab closes when t ends.
func NewTab(t testing.TB, browser context.Context) context.Context {
	t.Helper()
	c, _ := consoles.Load(browser)
	var opts []chromedp.ContextOption
	if c, ok := c.(*console); ok {
		opts = append(opts, chromedp.WithListener(c.listener(fmt.Sprintf("tab %d", c.nextTab()))))
	}
	tab, cancel := chromedp.NewContext(browser, opts...)
	t.Cleanup(cancel)
	if err := chromedp.Do(tab, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	return tab
}

// WaitFor evaluates the JavaScript expression expr in the tab's page every
// 50ms until its value is truthy, and returns that value as a string (String
// in JavaScript). It gives up after timeout, returning the last evaluation
// error if there was one. Unlike chromedp.Poll, it survives the page's
// execution context being replaced (a navigation that has just finished).
func WaitFor(tab context.Context, expr string, timeout time.Duration) (string, error) {
	js := `(() => { const v = (` + expr + `); return v ? String(v) : ""; })()`
	ctx, cancel := context.WithTimeout(tab, timeout)
	defer cancel()
	var last error
	for {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err == nil && v != "" {
			return v, nil
		}
		if err != nil && ctx.Err() == nil {
			last = err
		}
		select {
		case <-ctx.Done():
			if last != nil {
				return "", fmt.Errorf("waiting for %s: %w", expr, last)
			}
			return "", fmt.Errorf("waiting for %s: still false after %v", expr, timeout)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Eval returns the string value of the JavaScript expression expr in the
// tab's page, failing t on an error.
func Eval(t testing.TB, tab context.Context, expr string) string {
	t.Helper()
	v, err := chromedp.Run(tab, chromedp.Evaluate[string](expr))
	if err != nil {
		t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// ArtifactDir returns the folder where Screenshot writes: $ARTIFACTS, else
// os.TempDir()/portico-artifacts.
func ArtifactDir() string {
	if d := os.Getenv(ArtifactsEnv); d != "" {
		return d
	}
	return filepath.Join(os.TempDir(), "portico-artifacts")
}

// Screenshot saves a PNG of the tab's page as name (for example "chat.png")
// in ArtifactDir, logs its path, and returns it.
func Screenshot(t testing.TB, tab context.Context, name string) string {
	t.Helper()
	png, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := ArtifactDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(path)
	t.Logf("screenshot artifact: %s", abs)
	return abs
}

// console collects what the tabs of one browser wrote to their consoles.
type console struct {
	mu    sync.Mutex
	lines []string // guarded by mu
	tabs  int      // guarded by mu
}

func (c *console) nextTab() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tabs++
	return c.tabs + 1
}

// listener returns a chromedp event listener recording the console of one tab.
func (c *console) listener(tab string) func(any) {
	return func(ev any) {
		var line string
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			var args []string
			for _, a := range ev.Args {
				if len(a.Value) > 0 {
					args = append(args, string(a.Value))
				} else {
					args = append(args, a.Description)
				}
			}
			line = fmt.Sprintf("%s console.%s: %s", tab, ev.Type, strings.Join(args, " "))
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			line = fmt.Sprintf("%s uncaught: %s", tab, d.Text)
			if d.Exception != nil {
				line += " " + d.Exception.Description
			}
		default:
			return
		}
		c.mu.Lock()
		c.lines = append(c.lines, line)
		c.mu.Unlock()
	}
}

func (c *console) log(t testing.TB) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, l := range c.lines {
		t.Log(l)
	}
}
