package bench

import (
	"context"
	"testing"
	"time"
)

// Both HTTP API scenarios run, scaled down, and every request succeeds:
// the echo comes back through HTTP_PROXY, and the function's "ok" through
// AWS_PROXY with the JWT authorizer, whose issuer's keys are fetched once
// for the whole run.
func TestHTTPScenarios(t *testing.T) {
	if testing.Short() {
		t.Skip("starts gateway nodes")
	}
	for _, name := range []string{"http-proxy", "http-jwt"} {
		r, err := Run(context.Background(), name, Options{Conns: 4, Duration: 300 * time.Millisecond, Pairs: 1})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for side, m := range map[string]map[string]float64{"gateway": r.Gateway, "baseline": r.Baseline} {
			if m["requests_per_sec"] <= 0 || m["failed"] != 0 {
				t.Errorf("%s %s: %v", name, side, m)
			}
		}
		if name == "http-jwt" && (r.Gateway["authorizer_calls"] != 1 || r.Baseline["authorizer_calls"] != 0) {
			t.Errorf("http-jwt JWKS fetches: gateway %v, baseline %v; want 1 and 0",
				r.Gateway["authorizer_calls"], r.Baseline["authorizer_calls"])
		}
	}
}
