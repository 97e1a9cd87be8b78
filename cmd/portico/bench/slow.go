package bench

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"
)

// The slow-consumer scenario runs the gateway twice: once with every client
// reading (the base side) and once with 1% of the clients never reading
// while their @connections keep receiving 64 KB POSTs. The healthy clients'
// open-loop POST latency is compared between the two runs; the stalled
// clients must be answered 429 once their send queue is full, never make a
// POST wait, and be closed (with their $disconnect run) within 2 s.

const floodSize = 64 << 10

func runSlowBase(ctx context.Context, t *Target, o Options) (map[string]float64, error) {
	return slowConsumer(ctx, t, o, false)
}

func runSlow(ctx context.Context, t *Target, o Options) (map[string]float64, error) {
	return slowConsumer(ctx, t, o, true)
}

// stallResult is what happened to one stalled connection.
type stallResult struct {
	full, gone   time.Time // first 429, first 410
	disconnected time.Time // its disconnect event
	maxPost      time.Duration
	other        error // any other POST failure
}

func slowConsumer(ctx context.Context, t *Target, o Options, stall bool) (map[string]float64, error) {
	cs := &clients{receipts: receipts{hist: newHist()}}
	defer cs.close()
	var stalledIDs []string
	if stall {
		n := max(1, o.Conns/100)
		if err := cs.open(t, n, false); err != nil {
			return nil, err
		}
		stalledIDs = t.IDs()
	}
	isStalled := make(map[string]bool, len(stalledIDs))
	for _, id := range stalledIDs {
		isStalled[id] = true
	}
	if err := cs.open(t, o.Conns-len(stalledIDs), true); err != nil {
		return nil, err
	}
	var healthy []string
	for _, id := range t.IDs() {
		if !isStalled[id] {
			healthy = append(healthy, id)
		}
	}

	var events <-chan string
	stopEvents := func() {}
	if t.Disconnects != nil {
		events, stopEvents = t.Disconnects()
	}
	defer stopEvents()
	results := make(map[string]*stallResult, len(stalledIDs))
	var mu sync.Mutex
	for _, id := range stalledIDs {
		results[id] = &stallResult{}
	}
	eventsDone := make(chan struct{})
	go func() {
		defer close(eventsDone)
		for id := range events {
			mu.Lock()
			if r := results[id]; r != nil && r.disconnected.IsZero() {
				r.disconnected = time.Now()
			}
			mu.Unlock()
		}
	}()

	rss0 := readRSSKB()
	var peak float64
	sampling := make(chan struct{})
	var samplerDone sync.WaitGroup
	samplerDone.Add(1)
	go func() {
		defer samplerDone.Done()
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-sampling:
				return
			case <-tick.C:
				peak = max(peak, readRSSKB()-rss0)
			}
		}
	}()

	// Flood the stalled connections until each is gone or the run ends.
	fctx, cancel := context.WithTimeout(ctx, o.Duration+5*time.Second)
	defer cancel()
	var floods sync.WaitGroup
	for _, id := range stalledIDs {
		floods.Add(1)
		go func(r *stallResult) {
			defer floods.Done()
			post := t.NewPoster()
			data := payload(floodSize)
			for fctx.Err() == nil {
				start := time.Now()
				err := post(fctx, id, data)
				took := time.Since(start)
				var se *StatusError
				mu.Lock()
				r.maxPost = max(r.maxPost, took)
				switch {
				case err == nil:
				case errors.As(err, &se) && se.Code == http.StatusTooManyRequests:
					if r.full.IsZero() {
						r.full = time.Now()
					}
				case errors.As(err, &se) && se.Code == http.StatusGone:
					r.gone = time.Now()
				case fctx.Err() == nil:
					r.other = err
				}
				done := !r.gone.IsZero() || r.other != nil
				mu.Unlock()
				if done {
					return
				}
				if !r.full.IsZero() {
					time.Sleep(20 * time.Millisecond)
				}
			}
		}(results[id])
	}

	rsent, rfailed := postAtRate(ctx, t, o, healthy, 100)
	waitFor(func() bool { return cs.received.Load() >= rsent }, 5*time.Second)
	floods.Wait()
	if t.Disconnects != nil {
		waitFor(func() bool {
			mu.Lock()
			defer mu.Unlock()
			for _, r := range results {
				if r.disconnected.IsZero() {
					return false
				}
			}
			return true
		}, 5*time.Second)
	}
	close(sampling)
	samplerDone.Wait()

	m := map[string]float64{
		"stalled":           float64(len(stalledIDs)),
		"rate_per_sec":      float64(o.Rate),
		"failed":            float64(rfailed),
		"lost":              float64(max(0, rsent-cs.received.Load())),
		"rss_peak_delta_mb": peak / 1024,
	}
	cs.mu.Lock()
	m["p50_ms"] = ms(cs.hist.ValueAtQuantile(50))
	m["p99_ms"] = ms(cs.hist.ValueAtQuantile(99))
	cs.mu.Unlock()
	mu.Lock()
	defer mu.Unlock()
	var full, closed, disconnected, other float64
	var closeAfter, maxPost time.Duration
	for _, r := range results {
		maxPost = max(maxPost, r.maxPost)
		if r.other != nil {
			other++
		}
		if r.full.IsZero() {
			continue
		}
		full++
		if !r.gone.IsZero() {
			closed++
			closeAfter = max(closeAfter, r.gone.Sub(r.full))
		}
		if !r.disconnected.IsZero() {
			disconnected++
		}
	}
	if stall {
		m["got_429"] = full
		m["closed"] = closed
		m["disconnect_events"] = disconnected
		m["other_errors"] = other
		m["close_after_429_max_ms"] = float64(closeAfter.Milliseconds())
		m["stalled_post_max_ms"] = float64(maxPost.Milliseconds())
	}
	return m, nil
}

// slowPass: healthy p99 within 1.1× of the run without stalled clients
// at the same fixed rate, every
// stalled client answered 429, closed within 2 s, its $disconnect run, and
// no POST to it waiting more than 250 ms.
func slowPass(gw, base map[string]float64, _ float64) bool {
	n := gw["stalled"]
	return gw["p99_ms"] <= 1.1*base["p99_ms"] &&
		gw["got_429"] == n && gw["closed"] == n && gw["disconnect_events"] == n &&
		gw["close_after_429_max_ms"] <= 2000 && gw["stalled_post_max_ms"] <= 250 && gw["other_errors"] == 0
}
