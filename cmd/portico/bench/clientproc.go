package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/gorilla/websocket"
)

// Client processes. One process here holds at most ~19,900 sockets, so
// scenarios with many connections open them from `portico bench-client`
// processes of at most clientsPerProcess connections, each on its own
// 127.0.0.x source address. The protocol on the pipes is line-based: the
// process prints "ready" once every connection is open; in read mode, each
// "report" line on its stdin is answered with one JSON clientReport; EOF on
// stdin closes the connections and ends the process.

const clientsPerProcess = 9000

// clientReport is what a reading client process has received so far.
type clientReport struct {
	Count int64                  `json:"count"`
	Hist  *hdrhistogram.Snapshot `json:"hist"`
}

// clientProcs are running bench-client processes.
type clientProcs struct {
	procs   []*exec.Cmd
	stdins  []io.WriteCloser
	stdouts []*bufio.Reader
}

// spawnClients opens n connections from client processes, process i
// dialing urls[i%len(urls)]; read makes them read and time what they
// receive. It returns once every process has all its connections open.
func spawnClients(ctx context.Context, exe string, urls []string, n int, read bool) (*clientProcs, error) {
	cp := &clientProcs{}
	for left, i := n, 0; left > 0; i++ {
		k := min(left, clientsPerProcess)
		left -= k
		args := []string{"bench-client", "--url", urls[i%len(urls)], "--conns", strconv.Itoa(k), "--source", strconv.Itoa(i + int(sourceOffset.Add(1)))}
		if read {
			args = append(args, "--read")
		}
		cmd := exec.CommandContext(ctx, exe, args...)
		stdin, _ := cmd.StdinPipe()
		stdout, _ := cmd.StdoutPipe()
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			return cp, fmt.Errorf("starting client process %s: %w", exe, err)
		}
		out := bufio.NewReader(stdout)
		cp.procs = append(cp.procs, cmd)
		cp.stdins = append(cp.stdins, stdin)
		cp.stdouts = append(cp.stdouts, out)
		line, err := out.ReadString('\n')
		if err != nil || strings.TrimSpace(line) != "ready" {
			return cp, fmt.Errorf("client process %d: %q %v", i, line, err)
		}
	}
	return cp, nil
}

// spawnHeld opens n connections to url from client processes, as
// spawnClients does, and waits until t holds at least held connections. On
// error the processes are stopped.
func spawnHeld(ctx context.Context, t *Target, o Options, url string, n, held int, read bool) (*clientProcs, error) {
	exe := o.Executable
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return nil, err
		}
	}
	cp, err := spawnClients(ctx, exe, []string{url}, n, read)
	if err == nil && !waitFor(func() bool { return len(t.IDs()) >= held }, 30*time.Second) {
		err = fmt.Errorf("server holds %d of %d connections", len(t.IDs()), held)
	}
	if err != nil {
		cp.stop()
		return nil, err
	}
	return cp, nil
}

// report merges what every reading process has received.
func (cp *clientProcs) report() (int64, *hdrhistogram.Histogram, error) {
	total := newHist()
	var count int64
	for i, in := range cp.stdins {
		if _, err := io.WriteString(in, "report\n"); err != nil {
			return 0, nil, fmt.Errorf("client process %d: %w", i, err)
		}
		line, err := cp.stdouts[i].ReadBytes('\n')
		if err != nil {
			return 0, nil, fmt.Errorf("client process %d: %w", i, err)
		}
		var r clientReport
		if err := json.Unmarshal(line, &r); err != nil {
			return 0, nil, fmt.Errorf("client process %d: %w", i, err)
		}
		count += r.Count
		if r.Hist != nil {
			total.Merge(hdrhistogram.Import(r.Hist))
		}
	}
	return count, total, nil
}

// stop closes every connection and waits for the processes.
func (cp *clientProcs) stop() {
	for i, p := range cp.procs {
		cp.stdins[i].Close()
		_ = p.Wait()
	}
	cp.procs = nil
}

// RunClient is the body of `portico bench-client`: it opens n connections
// to url from source address index source, prints "ready", and, with read,
// times every message received from the timestamp it carries and answers
// "report" lines on stdin. It returns at EOF on stdin.
func RunClient(url string, n, source int, read bool, stdin io.Reader, stdout io.Writer) error {
	conns := make([]*websocket.Conn, 0, n)
	var wg sync.WaitGroup
	defer func() {
		for _, c := range conns {
			c.Close()
		}
		wg.Wait()
	}()
	d := dialer(source)
	for i := 0; i < n; i++ {
		c, _, err := d.Dial(url, nil)
		if err != nil {
			return fmt.Errorf("connection %d: %w", i, err)
		}
		conns = append(conns, c)
	}
	rc := &receipts{hist: newHist()}
	if read {
		for _, c := range conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rc.readFrom(c)
			}()
		}
	}
	fmt.Fprintln(stdout, "ready")
	in := bufio.NewScanner(stdin)
	enc := json.NewEncoder(stdout)
	for in.Scan() {
		if in.Text() != "report" {
			continue
		}
		rc.mu.Lock()
		r := clientReport{Count: rc.received.Load(), Hist: rc.hist.Export()}
		rc.mu.Unlock()
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	return nil
}

// runBroadcastLatency sends one broadcast to o.Conns connections held by
// reading client processes (10,000 connections and the server's 10,000
// sockets do not fit one process) and reports publish → receipt latency
// and the spread between the first and the last receipt.
func runBroadcastLatency(ctx context.Context, t *Target, o Options) (map[string]float64, error) {
	cp, err := spawnHeld(ctx, t, o, t.WSURL, o.Conns, o.Conns, true)
	if err != nil {
		return nil, err
	}
	defer cp.stop()
	if err := t.Broadcast(ctx, payload(100)); err != nil {
		return nil, err
	}
	var count int64
	var hist *hdrhistogram.Histogram
	deadline := time.Now().Add(60 * time.Second)
	for count < int64(o.Conns) {
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%d of %d deliveries", count, o.Conns)
		}
		time.Sleep(50 * time.Millisecond)
		if count, hist, err = cp.report(); err != nil {
			return nil, err
		}
	}
	return map[string]float64{
		"delivered": float64(count),
		"p50_ms":    ms(hist.ValueAtQuantile(50)),
		"p99_ms":    ms(hist.ValueAtQuantile(99)),
		"spread_ms": ms(hist.Max() - hist.Min()),
	}, nil
}
