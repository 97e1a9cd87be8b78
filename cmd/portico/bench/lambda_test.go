package bench

import (
	"context"
	"os"
	"testing"
	"time"
)

// TestMain lets the test binary be lambda-local's function: the bootstrap
// runs os.Executable() as `bench-function`, as it runs portico.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "bench-function" {
		ServeFunction()
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// lambda-local runs, scaled down: every invocation through the local
// runtime's Go bootstrap and every in-process call answers its own event.
func TestLambdaLocalScenario(t *testing.T) {
	if testing.Short() {
		t.Skip("starts function processes")
	}
	r, err := Run(context.Background(), "lambda-local", Options{Conns: 3, Duration: 300 * time.Millisecond, Pairs: 1})
	if err != nil {
		t.Fatal(err)
	}
	for side, m := range map[string]map[string]float64{"gateway": r.Gateway, "baseline": r.Baseline} {
		if m["invocations_per_sec"] <= 0 || m["failed"] != 0 {
			t.Errorf("%s: %v", side, m)
		}
	}
}
