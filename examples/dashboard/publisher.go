package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"time"

	"github.com/nats-io/nats.go"
)

// Sample is one dashboard update, published as JSON.
type Sample struct {
	Seq  int64     `json:"seq"`
	Time time.Time `json:"time"`
	// CPU and RequestsPerSecond are a made-up series (a slow wave with
	// noise), standing in for what a real service would measure.
	CPU               float64 `json:"cpu"`
	RequestsPerSecond float64 `json:"requestsPerSecond"`
	// Goroutines, HeapBytes and GCCycles are this process's real Go runtime
	// statistics.
	Goroutines int    `json:"goroutines"`
	HeapBytes  uint64 `json:"heapBytes"`
	GCCycles   uint32 `json:"gcCycles"`
}

// Publisher sends a Sample to a NATS subject at a fixed interval.
type Publisher struct {
	// Conn is the NATS connection. Required.
	Conn *nats.Conn
	// Subject receives the samples: portico.broadcast.{apiId}.{stage}
	// delivers each one to every WebSocket connection of that stage.
	Subject string
	// Interval between samples. Zero means one second.
	Interval time.Duration
	// OnError is called when a sample cannot be published. Nil means ignore
	// (nats.go buffers while reconnecting).
	OnError func(error)
}

// Run publishes until ctx ends, then returns ctx.Err().
func (p *Publisher) Run(ctx context.Context) error {
	interval := p.Interval
	if interval == 0 {
		interval = time.Second
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	start := time.Now()
	for seq := int64(1); ; seq++ {
		data, err := json.Marshal(sample(seq, time.Since(start)))
		if err == nil {
			err = p.Conn.Publish(p.Subject, data)
		}
		if err != nil && p.OnError != nil {
			p.OnError(fmt.Errorf("publishing sample %d: %w", seq, err))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// sample builds the seq'th sample, elapsed after the publisher started.
func sample(seq int64, elapsed time.Duration) Sample {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	wave := math.Sin(elapsed.Seconds() / 10) // a period of about a minute
	return Sample{
		Seq:               seq,
		Time:              time.Now().UTC().Truncate(time.Millisecond),
		CPU:               round1(clamp(45+30*wave+rand.NormFloat64()*5, 0, 100)),
		RequestsPerSecond: round1(math.Max(0, 1200+800*wave+rand.NormFloat64()*60)),
		Goroutines:        runtime.NumGoroutine(),
		HeapBytes:         ms.HeapAlloc,
		GCCycles:          ms.NumGC,
	}
}

func clamp(v, lo, hi float64) float64 { return math.Min(hi, math.Max(lo, v)) }

func round1(v float64) float64 { return math.Round(v*10) / 10 }
