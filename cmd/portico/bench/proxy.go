package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/gorilla/websocket"

	"github.com/portico-gw/portico/internal/proxybench"
)

// The proxy-hop scenario measures a two-way hop through an HTTP integration:
// a WebSocket client sends a frame, the gateway POSTs it to an HTTP backend
// (HTTP_PROXY) and sends the backend's answer back as a frame. The baseline
// does the same hop as bare HTTP: a client POSTs through an
// httputil.ReverseProxy to the same kind of backend. o.Conns clients each run
// a closed loop of exchanges.

// Exchange sends data and returns the answer.
type Exchange func(ctx context.Context, data []byte) ([]byte, error)

// echoBackend answers every request with its body.
func echoBackend() (addr string, closeFn func(), err error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(proxybench.Echo)}
	go func() { _ = srv.Serve(l) }()
	return l.Addr().String(), func() { _ = srv.Close() }, nil
}

// StartProxyBaseline runs a bare httputil.ReverseProxy in front of the echo
// backend.
func StartProxyBaseline() (*Target, error) {
	backend, stopBackend, err := echoBackend()
	if err != nil {
		return nil, err
	}
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: backend})
	rp.Transport = &http.Transport{MaxIdleConnsPerHost: 1024}
	rp.ErrorLog = log.New(io.Discard, "", 0) // requests cut off when a run ends
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		stopBackend()
		return nil, err
	}
	srv := &http.Server{Handler: rp}
	go func() { _ = srv.Serve(l) }()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1024}}
	u := "http://" + l.Addr().String() + "/echo"
	return &Target{
		Name: "reverseproxy",
		NewExchanger: func() (Exchange, func(), error) {
			return func(ctx context.Context, data []byte) ([]byte, error) {
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(data))
				if err != nil {
					return nil, err
				}
				resp, err := client.Do(req)
				if err != nil {
					return nil, err
				}
				defer resp.Body.Close()
				body, err := io.ReadAll(resp.Body)
				if err == nil && resp.StatusCode != http.StatusOK {
					err = &StatusError{Path: "/echo", Code: resp.StatusCode}
				}
				return body, err
			}, func() {}, nil
		},
		Close: func() { _ = srv.Close(); stopBackend() },
	}, nil
}

// proxyConfig is one WebSocket API whose $default route is a two-way
// HTTP_PROXY integration to the echo backend.
const proxyConfig = `
apis:
  - apiId: bench
    protocolType: WEBSOCKET
    routeSelectionExpression: $request.body.action
    integrations:
      - integrationId: echo
        integrationType: HTTP_PROXY
        integrationMethod: POST
        integrationUri: http://%s/echo
    routes:
      - routeKey: $default
        target: integrations/echo
        routeResponseSelectionExpression: $default
    stages:
      - stageName: b
    limits:
      idleTimeout: 0
      maxConnectionDuration: 0
`

// StartProxyGateway runs a node whose route proxies to the echo backend.
func StartProxyGateway() (*Target, error) {
	backend, stopBackend, err := echoBackend()
	if err != nil {
		return nil, err
	}
	srv, err := startNode(fmt.Sprintf(proxyConfig, backend))
	if err != nil {
		stopBackend()
		return nil, err
	}
	wsURL := "ws://" + srv.Addr().String() + "/b"
	return &Target{
		Name: "gateway",
		NewExchanger: func() (Exchange, func(), error) {
			c, _, err := dialer(0).Dial(wsURL, nil)
			if err != nil {
				return nil, nil, err
			}
			return func(ctx context.Context, data []byte) ([]byte, error) {
				if err := c.WriteMessage(websocket.TextMessage, data); err != nil {
					return nil, err
				}
				_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
				_, reply, err := c.ReadMessage()
				return reply, err
			}, func() { c.Close() }, nil
		},
		Close: func() { stop(srv); stopBackend() },
	}, nil
}

func runProxyHop(ctx context.Context, t *Target, o Options) (map[string]float64, error) {
	r, err := closedLoop(ctx, t, o, func(sent, reply []byte) error {
		if !bytes.Equal(reply, sent) {
			return fmt.Errorf("reply %q is not the message sent", reply)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return r.metrics("exchanges_per_sec"), nil
}

// loopResult is what closedLoop measured.
type loopResult struct {
	done, failed int64
	hist         *hdrhistogram.Histogram
	elapsed      time.Duration
	mallocs      uint64        // heap allocations of the whole process during the run
	cpu          time.Duration // CPU time of the whole process during the run
}

func (r loopResult) perSec() float64 { return float64(r.done) / r.elapsed.Seconds() }

// metrics reports the loop: the rate of exchanges under the name rate, the
// p50 and p99 latency, and the failed exchanges.
func (r loopResult) metrics(rate string) map[string]float64 {
	return map[string]float64{
		rate:     r.perSec(),
		"p50_ms": ms(r.hist.ValueAtQuantile(50)),
		"p99_ms": ms(r.hist.ValueAtQuantile(99)),
		"failed": float64(r.failed),
	}
}

// exchangeGrace is how long a closed loop waits for the exchanges in flight
// when its run ends.
const exchangeGrace = 30 * time.Second

// closedLoop runs o.Conns exchangers of t, each in a closed loop of
// 100-byte payloads timed from their send, for o.Duration. check, when
// not nil, judges each reply. It fails only when no exchange succeeded.
func closedLoop(ctx context.Context, t *Target, o Options, check func(sent, reply []byte) error) (loopResult, error) {
	exchanges := make([]Exchange, 0, o.Conns)
	for i := 0; i < o.Conns; i++ {
		ex, closeFn, err := t.NewExchanger()
		if err != nil {
			return loopResult{}, err
		}
		defer closeFn()
		exchanges = append(exchanges, ex)
	}
	r := loopResult{hist: newHist()}
	var mu sync.Mutex
	var done, failed atomic.Int64
	var firstErr atomic.Value
	// A client starts exchanges until the run's end and waits for the last
	// one, so that a slow first exchange (a cold connection on a loaded
	// machine) is counted rather than cut off; exchangeGrace bounds the wait.
	end := time.Now().Add(o.Duration)
	ctx, cancel := context.WithTimeout(ctx, o.Duration+exchangeGrace)
	defer cancel()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	cpu0 := processCPU()
	start := time.Now()
	var wg sync.WaitGroup
	for _, ex := range exchanges {
		wg.Add(1)
		go func(ex Exchange) {
			defer wg.Done()
			for ctx.Err() == nil && time.Now().Before(end) {
				sent := time.Now()
				data := payloadAt(sent, 100)
				reply, err := ex(ctx, data)
				if err == nil && check != nil {
					err = check(data, reply)
				}
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err)
					continue
				}
				mu.Lock()
				_ = r.hist.RecordValue(max(time.Since(sent).Microseconds(), 1))
				mu.Unlock()
				done.Add(1)
			}
		}(ex)
	}
	wg.Wait()
	r.elapsed = time.Since(start)
	r.cpu = processCPU() - cpu0
	runtime.ReadMemStats(&m1)
	r.done, r.failed, r.mallocs = done.Load(), failed.Load(), m1.Mallocs-m0.Mallocs
	if err, _ := firstErr.Load().(error); err != nil && r.done == 0 {
		return r, err
	}
	return r, nil
}
