package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// defaultHealthURL is the admin listener's /healthz as the container
// image's config (docker/portico.yaml: admin: 0.0.0.0:9090) serves it.
const defaultHealthURL = "http://127.0.0.1:9090/healthz"

// healthcheck asks a running gateway's admin listener whether it is up:
// the container image's HEALTHCHECK, which has no shell or curl to do it.
func healthcheck(args []string, stdout, stderr io.Writer) int {
	c := newCommand("healthcheck", healthcheckHelp)
	url := c.flags.String("url", defaultHealthURL, "")
	timeout := c.flags.Duration("timeout", 5*time.Second, "")
	pos, code, done := c.parse(args, stdout, stderr)
	if done {
		return code
	}
	if code, done := c.noArgs(pos, stderr); done {
		return code
	}
	if *timeout <= 0 {
		return c.usageError(stderr, "--timeout %v: want a positive duration", *timeout)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *url, nil)
	if err != nil {
		return c.usageError(stderr, "--url %q: %v", *url, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(stderr, "portico healthcheck: %v\n", err)
		return exitFailure
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	if resp.StatusCode/100 != 2 {
		fmt.Fprintf(stderr, "portico healthcheck: %s: %s\n", *url, resp.Status)
		return exitFailure
	}
	fmt.Fprintf(stdout, "%s: %s\n", *url, resp.Status)
	return exitOK
}

const healthcheckHelp = `Usage: portico healthcheck [--url URL] [--timeout D]

Asks a running gateway's admin listener (config key admin) whether it is
up: GET URL, healthy on a 2xx answer. The container image runs it as its
HEALTHCHECK (distroless has no shell or curl).

Flags:
      --url URL      the endpoint (default ` + defaultHealthURL + `)
      --timeout D    give up after D (default 5s)
  -h, --help         print this help

Exit codes: 0 healthy; 1 unhealthy (no answer, or not 2xx); 2 bad usage.
`
