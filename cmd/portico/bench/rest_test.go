package bench

import (
	"context"
	"testing"
	"time"
)

// The REST and HTTP API scenarios run, scaled down, and every request
// succeeds: the echo comes back through HTTP_PROXY, and the function's "ok"
// through AWS_PROXY. rest-lambda's TOKEN authorizer is invoked once for the
// whole run (or once per concurrent first request); http-jwt's issuer has
// its keys fetched once.
func TestRequestScenarios(t *testing.T) {
	if testing.Short() {
		t.Skip("starts gateway nodes")
	}
	for _, tc := range []struct {
		name                 string
		minCalls, maxCalls   float64 // the gateway side's authorizer_calls
		checkAuthorizerCalls bool
	}{
		{name: "rest-proxy"},
		{name: "rest-lambda", minCalls: 1, maxCalls: 4, checkAuthorizerCalls: true},
		{name: "http-proxy"},
		{name: "http-jwt", minCalls: 1, maxCalls: 1, checkAuthorizerCalls: true},
	} {
		r, err := Run(context.Background(), tc.name, Options{Conns: 4, Duration: 300 * time.Millisecond, Pairs: 1})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		for side, m := range map[string]map[string]float64{"gateway": r.Gateway, "baseline": r.Baseline} {
			if m["requests_per_sec"] <= 0 || m["failed"] != 0 {
				t.Errorf("%s %s: %v", tc.name, side, m)
			}
		}
		if calls := r.Gateway["authorizer_calls"]; tc.checkAuthorizerCalls && (calls < tc.minCalls || calls > tc.maxCalls || r.Baseline["authorizer_calls"] != 0) {
			t.Errorf("%s authorizer calls: gateway %v, baseline %v; want %v–%v and 0",
				tc.name, calls, r.Baseline["authorizer_calls"], tc.minCalls, tc.maxCalls)
		}
	}
}
