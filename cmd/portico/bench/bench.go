package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/gorilla/websocket"
)

// Options scale a run.
type Options struct {
	// Conns is the number of client connections. Zero means the scenario's default.
	Conns int
	// Duration is how long each timed run lasts. Zero means 5s.
	Duration time.Duration
	// Pairs is how many gateway/baseline pairs alternate. Zero means 3.
	Pairs int
	// Rate is the fixed POST rate, per second, of the open-loop phases
	// (post, post-remote, slow-consumer). Zero means 5000.
	Rate int
	// Executable runs client processes (portico bench-client). Empty means
	// os.Executable().
	Executable string
	// Log receives progress lines. Nil means discard.
	Log io.Writer
	// MemProfile, when set, is where idle and capacity write a heap profile
	// of the gateway side once its connections are open.
	MemProfile string
}

// Report is one scenario's outcome: medians of each side, their ratio, and
// the budget it is held to.
type Report struct {
	Scenario string             `json:"scenario"`
	Gateway  map[string]float64 `json:"gateway"`
	Baseline map[string]float64 `json:"baseline"`
	Ratio    float64            `json:"ratio"`
	Budget   string             `json:"budget"`
	Pass     bool               `json:"pass"`
	Notes    string             `json:"notes,omitempty"`
}

type scenario struct {
	name        string
	conns       int
	metric      string // the metric the ratio is taken on
	higherGood  bool
	budget      string
	pass        func(gw, base map[string]float64, ratio float64) bool
	run         func(ctx context.Context, t *Target, o Options) (map[string]float64, error)
	needsClient bool
	// base and subject start the two sides; zero means StartBaseline and
	// StartGateway.
	base, subject func() (*Target, error)
	// baseWith and subjectWith, when set, start the sides from the run's
	// options instead.
	baseWith, subjectWith func(Options) (*Target, error)
	// noBaseline: the budget is absolute; only the subject runs.
	noBaseline bool
	// runBase, when set, measures the base side instead of run.
	runBase func(ctx context.Context, t *Target, o Options) (map[string]float64, error)
}

var scenarios = []scenario{
	{
		name: "idle", conns: 15000, metric: "rss_kb_per_conn", budget: "RSS/conn ≤ 8 KB and ≤ 1.1× baseline; ≤ 1.0 goroutine per conn",
		pass: func(gw, _ map[string]float64, r float64) bool {
			return gw["rss_kb_per_conn"] <= 8 && r <= 1.1 && gw["goroutines_per_conn"] <= 1.0
		},
		run: runIdle, needsClient: true,
	},
	{
		name: "connect", conns: 64, metric: "conns_per_sec", higherGood: true, budget: "≥ 0.9× baseline conns/s; p99 handshake ≤ 1.2× baseline",
		pass: ratioAndP99(0.9, 1.2),
		run:  runConnect,
	},
	{
		name: "post", conns: 1000, metric: "posts_per_sec", higherGood: true, budget: "≥ 0.95× baseline throughput (closed loop); p99 ≤ 1.1× baseline (open loop at --rate)",
		pass: ratioAndP99(0.95, 1.1),
		run:  runPost,
	},
	{
		name: "post-remote", conns: 1000, metric: "posts_per_sec", higherGood: true,
		budget: "POST through a node that does not hold the connection ≥ 0.8× local POST (the baseline here is the local gateway)",
		pass:   func(_, _ map[string]float64, r float64) bool { return r >= 0.8 },
		run:    runPost, base: StartGateway, subject: StartRemotePair,
	},
	{
		name: "capacity", conns: 19000, metric: "held", higherGood: true,
		budget: "≥ 19,000 connections on one node, zero failed handshakes",
		pass:   func(gw, _ map[string]float64, _ float64) bool { return gw["held"] >= 19000 && gw["failed"] == 0 },
		run:    runIdle, needsClient: true,
	},
	{
		name: "capacity-cluster", conns: 54000, metric: "held", higherGood: true,
		budget: "≥ 54,000 connections across a 3-node cluster on loopback (separate processes), zero failed handshakes; the count is the cluster-wide @connections listing (absolute budget: no baseline)",
		pass:   func(gw, _ map[string]float64, _ float64) bool { return gw["held"] >= 54000 && gw["failed"] == 0 },
		run:    runClusterCapacity, subject: StartCluster, noBaseline: true,
	},
	{
		name: "broadcast-latency", conns: 10000, metric: "spread_ms",
		budget: "one broadcast: p99 publish → receipt ≤ 50 ms; first-to-last receipt spread ≤ 1.0× the baseline",
		pass:   func(gw, _ map[string]float64, r float64) bool { return gw["p99_ms"] <= 50 && r <= 1.0 },
		run:    runBroadcastLatency, needsClient: true,
	},
	{
		name: "slow-consumer", conns: 1000, metric: "p99_ms",
		budget: "1% of clients not reading: healthy p99 ≤ 1.1× the run without them (the baseline here); stalled clients get 429, closed ≤ 2 s with $disconnect, POSTs never block",
		pass:   slowPass,
		run:    runSlow, runBase: runSlowBase, base: StartGateway, subject: StartGateway,
	},
	{
		name: "proxy-hop", conns: 64, metric: "exchanges_per_sec", higherGood: true,
		budget: "WS frame → HTTP integration → reply frame: ≥ 0.9× a bare ReverseProxy's exchanges/s, p99 ≤ 1.2×",
		pass:   ratioAndP99(0.9, 1.2),
		run:    runProxyHop, base: StartProxyBaseline, subject: StartProxyGateway,
	},
	{
		name: "rest-proxy", conns: 64, metric: "requests_per_sec", higherGood: true,
		budget: "REST /{proxy+} ANY HTTP_PROXY: ≥ 0.9× a bare ReverseProxy's requests/s, p99 ≤ 1.2×",
		pass:   ratioAndP99(0.9, 1.2),
		run:    runREST, base: StartProxyBaseline, subject: StartRESTProxyGateway,
	},
	{
		name: "rest-lambda", conns: 64, metric: "requests_per_sec", higherGood: true,
		budget: "REST AWS_PROXY with a cached TOKEN authorizer against the same without one (the baseline here): reported, no budget",
		pass:   func(gw, _ map[string]float64, _ float64) bool { return gw["failed"] == 0 },
		run:    runREST, base: StartRESTLambdaPlain, subject: StartRESTLambdaAuthorized,
	},
	{
		name: "http-proxy", conns: 64, metric: "requests_per_sec", higherGood: true,
		budget: "HTTP API ANY /{proxy+} HTTP_PROXY: ≥ 1.0× a bare ReverseProxy's requests/s, p99 ≤ 1.1×",
		pass:   ratioAndP99(1.0, 1.1),
		run:    runREST, base: StartProxyBaseline, subject: StartHTTPProxyGateway,
	},
	{
		name: "http-jwt", conns: 64, metric: "requests_per_sec", higherGood: true,
		budget: "HTTP API AWS_PROXY with a JWT authorizer (RS256, verified tokens cached) against the same route without one (the baseline here): the authorizer costs < 5%, ≥ 0.95×",
		pass:   func(gw, _ map[string]float64, r float64) bool { return r >= 0.95 && gw["failed"] == 0 },
		run:    runREST, base: StartHTTPLambdaPlain, subject: StartHTTPLambdaJWT,
	},
	{
		name: "lambda-local", conns: 4, metric: "invocations_per_sec", higherGood: true,
		budget: "a warm Go bootstrap (aws-lambda-go) through the local runtime's Runtime API against the same handler called in process (the baseline here): reported, no budget",
		pass:   func(gw, _ map[string]float64, _ float64) bool { return gw["failed"] == 0 },
		run:    runLambda, baseWith: StartLambdaInProcess, subjectWith: StartLambdaLocal,
	},
	{
		name: "broadcast-stage", conns: 10000, metric: "bus_broadcasts_per_sec", higherGood: true,
		budget: "broadcasts to a 100-connection stage while --conns connections of another stage are open: ≥ 0.8× the broadcasts/s to the same stage alone on the node (the baseline here) on the NATS broadcast subject, p99 ≤ 1.5×; @broadcast reported beside",
		pass: func(gw, base map[string]float64, r float64) bool {
			return r >= 0.8 && gw["bus_p99_ms"] <= 1.5*math.Max(base["bus_p99_ms"], 0.001)
		},
		run: runBroadcastStage, runBase: runBroadcastStageAlone, base: StartGateway, subject: StartGateway,
	},
	{
		name: "fanout", conns: 9000, metric: "deliveries_per_sec", higherGood: true, budget: "≥ 1.5× baseline deliveries/s",
		pass: func(_, _ map[string]float64, r float64) bool { return r >= 1.5 },
		run:  runFanout,
	},
}

// ratioAndP99 is the budget of a scenario measured against a baseline in
// throughput and tail latency: the ratio at least minRatio, the gateway's
// p99 at most maxP99 times the baseline's, nothing failed.
func ratioAndP99(minRatio, maxP99 float64) func(gw, base map[string]float64, r float64) bool {
	return func(gw, base map[string]float64, r float64) bool {
		return r >= minRatio && gw["p99_ms"] <= maxP99*math.Max(base["p99_ms"], 0.001) && gw["failed"] == 0
	}
}

// Names lists the scenarios.
func Names() []string {
	var n []string
	for _, s := range scenarios {
		n = append(n, s.name)
	}
	return n
}

// Run runs one scenario: gateway and baseline alternate, each in this
// process, and the report gives the medians and their ratio.
func Run(ctx context.Context, name string, o Options) (*Report, error) {
	sc := find(name)
	if sc == nil {
		return nil, fmt.Errorf("unknown scenario %q; known: %s", name, strings.Join(Names(), ", "))
	}
	if o.Conns <= 0 {
		o.Conns = sc.conns
	}
	if o.Duration <= 0 {
		o.Duration = 5 * time.Second
	}
	if o.Pairs <= 0 {
		o.Pairs = 3
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.Rate <= 0 {
		o.Rate = 5000
	}
	var gws, bases []map[string]float64
	for i := 0; i < o.Pairs; i++ {
		base, subject := sc.base, sc.subject
		if base == nil {
			base = StartBaseline
		}
		if subject == nil {
			subject = StartGateway
		}
		for side, start := range []func() (*Target, error){base, subject} {
			if side == 0 && sc.noBaseline {
				continue
			}
			if with := [2]func(Options) (*Target, error){sc.baseWith, sc.subjectWith}[side]; with != nil {
				start = func() (*Target, error) { return with(o) }
			}
			t, err := start()
			if err != nil {
				return nil, err
			}
			run := sc.run
			if side == 0 && sc.runBase != nil {
				run = sc.runBase
			}
			m, err := run(ctx, t, o)
			t.Close()
			if err != nil {
				return nil, fmt.Errorf("%s on %s: %w", name, t.Name, err)
			}
			fmt.Fprintf(o.Log, "%s %s run %d: %v\n", name, t.Name, i+1, m)
			if side == 1 {
				gws = append(gws, m)
			} else {
				bases = append(bases, m)
			}
			runtime.GC()
			debug.FreeOSMemory()
		}
	}
	r := &Report{Scenario: name, Gateway: medians(gws), Baseline: medians(bases), Budget: sc.budget}
	if b := r.Baseline[sc.metric]; b > 0 {
		r.Ratio = round(r.Gateway[sc.metric] / b)
	}
	if sc.noBaseline {
		r.Notes = "absolute budget: no baseline run; ratio is 0"
	}
	r.Pass = sc.pass(r.Gateway, r.Baseline, r.Ratio)
	return r, nil
}

func medians(runs []map[string]float64) map[string]float64 {
	out := map[string]float64{}
	if len(runs) == 0 {
		return out
	}
	for k := range runs[0] {
		var v []float64
		for _, r := range runs {
			v = append(v, r[k])
		}
		sort.Float64s(v)
		out[k] = round(v[len(v)/2])
	}
	return out
}

func round(f float64) float64 { return math.Round(f*1000) / 1000 }

// WriteTable prints reports for people.
func WriteTable(w io.Writer, reports []*Report) {
	fmt.Fprintf(w, "%-10s %-6s %-8s %s\n", "scenario", "ratio", "pass", "budget")
	for _, r := range reports {
		fmt.Fprintf(w, "%-10s %-6.3f %-8v %s\n", r.Scenario, r.Ratio, r.Pass, r.Budget)
		keys := make([]string, 0, len(r.Gateway))
		for k := range r.Gateway {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "    %-22s gateway %-12g baseline %g\n", k, r.Gateway[k], r.Baseline[k])
		}
	}
}

// WriteJSON prints one JSON object per report.
func WriteJSON(w io.Writer, reports []*Report) error {
	enc := json.NewEncoder(w)
	for _, r := range reports {
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	return nil
}

// dialer spreads client connections over 127.0.0.x source addresses.
func dialer(i int) *websocket.Dialer {
	src := &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(2+(i+int(sourceOffset.Add(0)))%250))}
	nd := &net.Dialer{LocalAddr: src, Timeout: 10 * time.Second, Control: bindAddressNoPort}
	return &websocket.Dialer{
		NetDial: nd.Dial,
		// Small buffers: the load generator must stay lean too.
		ReadBufferSize:   512,
		WriteBufferSize:  512,
		HandshakeTimeout: 10 * time.Second,
	}
}

// clients holds connections in this process, each with a reader that feeds
// the latency histogram from timestamps carried in the payload.
type clients struct {
	conns []*websocket.Conn
	receipts
	wg sync.WaitGroup
}

// receipts counts the messages readers receive and records the latency each
// carries: the send timestamp at its start.
type receipts struct {
	received atomic.Int64
	mu       sync.Mutex
	hist     *hdrhistogram.Histogram // guarded by mu
}

// readFrom records every message c receives until reading fails. It reads
// each message whole but keeps only its head, the send time (payloadAt):
// the load generator allocates nothing per message, so that it takes as
// little of the machine from either side as it can.
func (r *receipts) readFrom(c *websocket.Conn) {
	var head [19]byte
	for {
		_, msg, err := c.NextReader()
		if err != nil {
			return
		}
		n, err := io.ReadFull(msg, head[:])
		if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
			return
		}
		if _, err := io.Copy(io.Discard, msg); err != nil {
			return
		}
		now := time.Now().UnixNano()
		if sent, ok := sendTime(head[:n]); ok {
			r.mu.Lock()
			_ = r.hist.RecordValue((now - sent) / 1000) // microseconds
			r.mu.Unlock()
		}
		r.received.Add(1)
	}
}

// sendTime parses the decimal nanoseconds at the head of a payload, as
// strconv.ParseInt would, without converting the bytes to a string.
func sendTime(b []byte) (int64, bool) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return 0, false
	}
	var v int64
	for _, d := range b {
		if d < '0' || d > '9' || v > (math.MaxInt64-9)/10 {
			return 0, false
		}
		v = v*10 + int64(d-'0')
	}
	return v, true
}

func openClients(t *Target, n int) (*clients, error) {
	cs := &clients{receipts: receipts{hist: newHist()}}
	if err := cs.open(t, n, true); err != nil {
		return nil, err
	}
	return cs, nil
}

// newHist records microseconds up to a minute.
func newHist() *hdrhistogram.Histogram { return hdrhistogram.New(1, 60_000_000, 3) }

// open adds n connections to cs; read says whether they are read from.
func (cs *clients) open(t *Target, n int, read bool) error {
	have := len(cs.conns)
	var mu sync.Mutex
	var firstErr error
	sem := make(chan struct{}, 64)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		sem <- struct{}{}
		wg.Add(1)
		go func(i int) {
			defer func() { <-sem; wg.Done() }()
			c, _, err := dialer(i).Dial(t.WSURL, nil)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = err
				}
				return
			}
			cs.conns = append(cs.conns, c)
		}(i)
	}
	wg.Wait()
	if firstErr != nil {
		cs.close()
		return fmt.Errorf("dialing %d connections: %w", n, firstErr)
	}
	if read {
		for _, c := range cs.conns[have:] {
			cs.wg.Add(1)
			go cs.read(c)
		}
	}
	// Wait until the server has registered every connection.
	deadline := time.Now().Add(30 * time.Second)
	for len(t.IDs()) < have+n {
		if time.Now().After(deadline) {
			cs.close()
			return fmt.Errorf("server holds %d of %d connections", len(t.IDs()), have+n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return nil
}

func (cs *clients) read(c *websocket.Conn) {
	defer cs.wg.Done()
	cs.readFrom(c)
}

func (cs *clients) close() {
	for _, c := range cs.conns {
		c.Close()
	}
	cs.wg.Wait()
}

// payload is a timestamp followed by padding to size bytes.
func payload(size int) []byte { return payloadAt(time.Now(), size) }

// payloadAt carries the time at which the message was meant to be sent.
func payloadAt(at time.Time, size int) []byte {
	ts := strconv.FormatInt(at.UnixNano(), 10)
	if size < len(ts) {
		size = len(ts)
	}
	return []byte(ts + strings.Repeat(" ", size-len(ts)))
}

func ms(us int64) float64 { return float64(us) / 1000 }

// runPost measures @connections POSTs twice: closed-loop with 32 posters for
// throughput, then open-loop at o.Rate for latency, timed from each POST's
// scheduled send time so that a stalled server cannot hide its queueing
// (no coordinated omission). The p50/p99 reported are the open-loop ones.
func runPost(ctx context.Context, t *Target, o Options) (map[string]float64, error) {
	cs, err := openClients(t, o.Conns)
	if err != nil {
		return nil, err
	}
	defer cs.close()
	ids := t.IDs()
	const posters = 32
	var sent, failed atomic.Int64
	cctx, cancel := context.WithTimeout(ctx, o.Duration)
	defer cancel()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	start := time.Now()
	var wg sync.WaitGroup
	for p := 0; p < posters; p++ {
		wg.Add(1)
		go func(p int) {
			defer wg.Done()
			post := t.NewPoster()
			for i := p; cctx.Err() == nil; i += posters {
				if err := post(cctx, ids[i%len(ids)], payload(100)); err != nil {
					if cctx.Err() == nil {
						failed.Add(1)
					}
					continue
				}
				sent.Add(1)
			}
		}(p)
	}
	wg.Wait()
	elapsed := time.Since(start)
	runtime.ReadMemStats(&m1)
	writeMemProfile(o, t)
	waitFor(func() bool { return cs.received.Load() >= sent.Load() }, 5*time.Second)
	cs.mu.Lock()
	closedP99 := ms(cs.hist.ValueAtQuantile(99))
	cs.hist.Reset()
	cs.mu.Unlock()
	lost := max(0, sent.Load()-cs.received.Load())

	base := cs.received.Load()
	rsent, rfailed := postAtRate(ctx, t, o, ids, 100)
	waitFor(func() bool { return cs.received.Load()-base >= rsent }, 5*time.Second)
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return map[string]float64{
		"posts_per_sec": float64(sent.Load()) / elapsed.Seconds(),
		// Allocations of both the side and the load generator, per POST.
		"allocs_per_post": float64(m1.Mallocs-m0.Mallocs) / float64(max(1, sent.Load())),
		"gc_cycles":       float64(m1.NumGC - m0.NumGC),
		"closed_p99_ms":   closedP99,
		"rate_per_sec":    float64(o.Rate),
		"p50_ms":          ms(cs.hist.ValueAtQuantile(50)),
		"p99_ms":          ms(cs.hist.ValueAtQuantile(99)),
		"failed":          float64(failed.Load() + rfailed),
		"lost":            float64(lost + max(0, rsent-(cs.received.Load()-base))),
	}, nil
}

// postAtRate POSTs size-byte payloads to ids, round robin, at o.Rate per
// second for o.Duration. Each payload carries its scheduled send time. It
// returns how many POSTs succeeded and failed.
func postAtRate(ctx context.Context, t *Target, o Options, ids []string, size int) (sent, failed int64) {
	type job struct {
		id string
		at time.Time
	}
	jobs := make(chan job, 1<<16)
	var ok, bad atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < 128; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			post := t.NewPoster()
			for j := range jobs {
				if err := post(ctx, j.id, payloadAt(j.at, size)); err != nil {
					bad.Add(1)
					continue
				}
				ok.Add(1)
			}
		}()
	}
	interval := time.Second / time.Duration(o.Rate)
	start := time.Now()
	n := int(o.Duration / interval)
	for i := 0; i < n && ctx.Err() == nil; i++ {
		at := start.Add(time.Duration(i) * interval)
		if d := time.Until(at); d > 0 {
			time.Sleep(d)
		}
		jobs <- job{id: ids[i%len(ids)], at: at}
	}
	close(jobs)
	wg.Wait()
	return ok.Load(), bad.Load()
}

func runFanout(ctx context.Context, t *Target, o Options) (map[string]float64, error) {
	return fanout(ctx, t, o, 10)
}

// fanout broadcasts rounds messages to o.Conns connections and measures
// deliveries per second and receipt latency.
func fanout(ctx context.Context, t *Target, o Options, rounds int) (map[string]float64, error) {
	cs, err := openClients(t, o.Conns)
	if err != nil {
		return nil, err
	}
	defer cs.close()
	start := time.Now()
	for i := 0; i < rounds; i++ {
		if err := t.Broadcast(ctx, payload(100)); err != nil {
			return nil, err
		}
	}
	want := int64(rounds * o.Conns)
	if !waitFor(func() bool { return cs.received.Load() >= want }, 60*time.Second) {
		return nil, fmt.Errorf("%d of %d deliveries", cs.received.Load(), want)
	}
	elapsed := time.Since(start)
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return map[string]float64{
		"deliveries_per_sec": float64(want) / elapsed.Seconds(),
		"p50_ms":             ms(cs.hist.ValueAtQuantile(50)),
		"p99_ms":             ms(cs.hist.ValueAtQuantile(99)),
		"spread_ms":          ms(cs.hist.Max() - cs.hist.Min()),
	}, nil
}

func runConnect(ctx context.Context, t *Target, o Options) (map[string]float64, error) {
	hist := hdrhistogram.New(1, 60_000_000, 3)
	var mu sync.Mutex
	var made, failed atomic.Int64
	ctx, cancel := context.WithTimeout(ctx, o.Duration)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for p := 0; p < o.Conns; p++ {
		wg.Add(1)
		go func(p int) {
			defer wg.Done()
			d := dialer(p)
			for ctx.Err() == nil {
				t0 := time.Now()
				c, _, err := d.Dial(t.WSURL, nil)
				if err != nil {
					failed.Add(1)
					continue
				}
				us := time.Since(t0).Microseconds()
				mu.Lock()
				_ = hist.RecordValue(max(us, 1))
				mu.Unlock()
				made.Add(1)
				_ = c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(1000, ""), time.Now().Add(time.Second))
				c.Close()
			}
		}(p)
	}
	wg.Wait()
	elapsed := time.Since(start)
	return map[string]float64{
		"conns_per_sec": float64(made.Load()) / elapsed.Seconds(),
		"p99_ms":        ms(hist.ValueAtQuantile(99)),
		"failed":        float64(failed.Load()),
	}, nil
}

// runIdle holds o.Conns idle connections from client processes (at most
// 9,000 each, from distinct 127.0.0.x sources) and measures this process:
// RSS and goroutines per connection after GC.
func runIdle(ctx context.Context, t *Target, o Options) (map[string]float64, error) {
	var ms runtime.MemStats
	settle := func() (rssKB float64, goroutines int, heapKB, stackKB float64) {
		for i := 0; i < 3; i++ {
			runtime.GC()
			debug.FreeOSMemory()
			time.Sleep(200 * time.Millisecond)
		}
		runtime.ReadMemStats(&ms)
		return readRSSKB(), runtime.NumGoroutine(), float64(ms.HeapInuse) / 1024, float64(ms.StackInuse) / 1024
	}
	rss0, g0, heap0, stack0 := settle()
	cp, err := spawnHeld(ctx, t, o, t.WSURL, o.Conns, o.Conns, false)
	if err != nil {
		return nil, err
	}
	defer cp.stop()
	rss1, g1, heap1, stack1 := settle()
	writeMemProfile(o, t)
	n := float64(o.Conns)
	return map[string]float64{
		"held":                float64(len(t.IDs())),
		"failed":              0, // any failed handshake fails the run above
		"rss_kb_per_conn":     (rss1 - rss0) / n,
		"heap_kb_per_conn":    (heap1 - heap0) / n,
		"stack_kb_per_conn":   (stack1 - stack0) / n,
		"goroutines_per_conn": float64(g1-g0) / n,
	}, nil
}

// sourceOffset rotates source addresses between runs, so that one run's
// TIME_WAIT sockets do not crowd the next.
var sourceOffset atomic.Int64

func readRSSKB() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				v, _ := strconv.ParseFloat(f[0], 64)
				return v
			}
		}
	}
	return 0
}

func waitFor(cond func() bool, within time.Duration) bool {
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
	return true
}

// writeMemProfile writes the heap profile --memprofile asks for, on the
// gateway side: in-use memory of idle connections, or the allocations of a
// POST run (alloc_objects).
func writeMemProfile(o Options, t *Target) {
	if o.MemProfile == "" || t.Name != "gateway" {
		return
	}
	if f, err := os.Create(o.MemProfile); err == nil {
		_ = pprof.WriteHeapProfile(f)
		f.Close()
	}
}
