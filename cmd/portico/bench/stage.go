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
// sockets do not fit one process). Then it broadcasts 100 B to the stage
// for o.Duration twice: through @broadcast, from 8 posters (each POST
// returns once the node has delivered), and by publishing on the stage's
// NATS broadcast subject, as a backend on NATS does, with at most 16
// broadcasts undelivered. The second is the node's delivery alone, without
// HTTP and SigV4, so the ratio is taken on it. Every receipt is timed from
// its payload.
func broadcastStage(ctx context.Context, t *Target, o Options, others int) (map[string]float64, error) {
	if t.OtherStageWSURL == "" || t.PublishBroadcast == nil {
		return nil, fmt.Errorf("%s has no second stage or no NATS", t.Name)
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
	m := map[string]float64{"stage_conns": float64(n), "other_conns": float64(others)}
	phases := []struct {
		name             string
		senders, pending int
		send             func(context.Context) error
	}{
		{"http", 8, 0, func(ctx context.Context) error { return t.Broadcast(ctx, payload(100)) }},
		{"bus", 1, 16, func(context.Context) error { return t.PublishBroadcast(payload(100)) }},
	}
	for _, ph := range phases {
		perSec, failed, err := broadcastRounds(ctx, cs, n, o.Duration, ph.senders, ph.pending, ph.send)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ph.name, err)
		}
		cs.mu.Lock()
		m[ph.name+"_broadcasts_per_sec"] = perSec
		m[ph.name+"_p50_ms"] = ms(cs.hist.ValueAtQuantile(50))
		m[ph.name+"_p99_ms"] = ms(cs.hist.ValueAtQuantile(99))
		cs.hist.Reset()
		cs.mu.Unlock()
		m["failed"] += float64(failed)
	}
	return m, nil
}

// broadcastRounds calls send from senders goroutines for d, each first
// waiting, when pending is not zero, until at most pending broadcasts are
// undelivered to the n connections of cs. It waits for every delivery and
// returns the broadcasts per second and how many sends failed.
func broadcastRounds(ctx context.Context, cs *clients, n int, d time.Duration, senders, pending int, send func(context.Context) error) (float64, int64, error) {
	base := cs.received.Load()
	var rounds, failed atomic.Int64
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				for pending > 0 && cs.received.Load()-base < (rounds.Load()-int64(pending))*int64(n) && ctx.Err() == nil {
					time.Sleep(50 * time.Microsecond)
				}
				if err := send(ctx); err != nil {
					if ctx.Err() == nil {
						failed.Add(1)
					}
					continue
				}
				rounds.Add(1)
			}
		}()
	}
	wg.Wait()
	want := rounds.Load() * int64(n)
	if !waitFor(func() bool { return cs.received.Load()-base >= want }, 10*time.Second) {
		return 0, 0, fmt.Errorf("%d of %d deliveries", cs.received.Load()-base, want)
	}
	return float64(rounds.Load()) / time.Since(start).Seconds(), failed.Load(), nil
}
