package bench

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// stageConns is the size of the stage broadcast-stage broadcasts to.
const stageConns = 100

// runBroadcastStage measures broadcasts to a small stage while o.Conns
// connections of another stage of the same API are open on the node: with
// the registry's stage index, they cost the broadcast nothing.
func runBroadcastStage(ctx context.Context, t *Target, o Options) (map[string]float64, error) {
	return broadcastStage(ctx, t, o, o.Conns)
}

// runBroadcastStageAlone is broadcast-stage's baseline: the same stage
// alone on the node, the ideal.
func runBroadcastStageAlone(ctx context.Context, t *Target, o Options) (map[string]float64, error) {
	return broadcastStage(ctx, t, o, 0)
}

// broadcastStage opens min(stageConns, o.Conns) reading connections on the
// target's stage, in process, and others idle connections on another stage
// of the same API from client processes (10,000 of them and the server's
// sockets do not fit one process). Then posters broadcast 100 B to the
// stage, closed-loop, for o.Duration; every delivery is timed from its
// payload.
func broadcastStage(ctx context.Context, t *Target, o Options, others int) (map[string]float64, error) {
	if t.OtherStageWSURL == "" {
		return nil, fmt.Errorf("%s has no second stage", t.Name)
	}
	n := min(stageConns, o.Conns)
	cs, err := openClients(t, n)
	if err != nil {
		return nil, err
	}
	defer cs.close()
	if others > 0 {
		cp, err := spawnHeld(ctx, t, o, t.OtherStageWSURL, others, n+others, false)
		if err != nil {
			return nil, err
		}
		defer cp.stop()
	}

	const posters = 8
	var rounds, failed atomic.Int64
	bctx, cancel := context.WithTimeout(ctx, o.Duration)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for p := 0; p < posters; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for bctx.Err() == nil {
				if err := t.Broadcast(bctx, payload(100)); err != nil {
					if bctx.Err() == nil {
						failed.Add(1)
					}
					continue
				}
				rounds.Add(1)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	want := rounds.Load() * int64(n)
	if !waitFor(func() bool { return cs.received.Load() >= want }, 10*time.Second) {
		return nil, fmt.Errorf("%d of %d deliveries", cs.received.Load(), want)
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return map[string]float64{
		"broadcasts_per_sec": float64(rounds.Load()) / elapsed.Seconds(),
		"deliveries_per_sec": float64(want) / elapsed.Seconds(),
		"p50_ms":             ms(cs.hist.ValueAtQuantile(50)),
		"p99_ms":             ms(cs.hist.ValueAtQuantile(99)),
		"stage_conns":        float64(n),
		"other_conns":        float64(others),
		"failed":             float64(failed.Load()),
	}, nil
}
