package functions

import (
	"context"
	"encoding/base64"
	"errors"
	"io/fs"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
)

// invokeRequest is one invocation as the Invoke API carries it.
type invokeRequest struct {
	// Payload is the event (JSON). Empty means {}.
	Payload []byte
	// Qualifier is the version or alias asked for; every qualifier runs
	// $LATEST, but the invoked ARN carries it.
	Qualifier string
	// Type is RequestResponse (or empty), Event or DryRun.
	Type string
	// ClientContext is X-Amz-Client-Context: base64 JSON, or empty.
	ClientContext string
	// Tail asks for the end of the invocation's log in Result.LogResult.
	Tail bool
}

// invokeResult is the answer to one invocation, as the Invoke API carries it.
type invokeResult struct {
	// StatusCode is 200 (RequestResponse), 202 (Event) or 204 (DryRun).
	StatusCode int
	// Payload is the function's response, or Lambda's error payload.
	Payload []byte
	// FunctionError is "Unhandled" when the function failed, else empty.
	FunctionError string
	// LogResult is the base64 of the invocation's last 4 KB of log, when
	// invokeRequest.Tail asked for it.
	LogResult string
	// RequestID is the invocation's request ID.
	RequestID string
}

// tailBytes is how much log LogResult carries.
const tailBytes = 4096

// invoke runs req on the function of p: at once for RequestResponse, in
// the background for Event.
func (r *Runtime) invoke(ctx context.Context, p *pool, req invokeRequest) (invokeResult, error) {
	switch req.Type {
	case "DryRun":
		return invokeResult{StatusCode: 204}, nil
	case "Event":
		if len(req.Payload) > MaxRequestBytes {
			return invokeResult{}, requestTooLarge(len(req.Payload))
		}
		id := uuid.NewString()
		if !r.startAsync(func(ctx context.Context) {
			res, err := p.run(ctx, id, req, true)
			switch {
			case err != nil:
				p.log.Warn("["+p.fn.Name+"] asynchronous invocation failed", "function", p.fn.Name, "request_id", id, "error", err)
			case res.FunctionError != "":
				p.log.Warn("["+p.fn.Name+"] asynchronous invocation failed", "function", p.fn.Name, "request_id", id, "payload", string(res.Payload))
			}
		}) {
			return invokeResult{}, ErrClosed
		}
		return invokeResult{StatusCode: 202, RequestID: id}, nil
	case "", "RequestResponse":
	default:
		return invokeResult{}, errors.New("functions: unknown invocation type " + req.Type)
	}
	if len(req.Payload) > MaxRequestBytes {
		return invokeResult{}, requestTooLarge(len(req.Payload))
	}
	return p.run(ctx, uuid.NewString(), req, false)
}

// pool is one function's execution environments and its wait queue.
type pool struct {
	r   *Runtime
	fn  Function
	log logger
	arn string
	// runtimeDir holds our Node.js and Python bootstraps ("" for provided
	// runtimes).
	runtimeDir string

	mu      sync.Mutex
	idle    []*environment            // most recently used last; guarded by mu
	all     map[*environment]struct{} // every environment alive or starting; guarded by mu
	count   int                       // len(all) plus environments being started; guarded by mu
	waiters []chan grant              // invocations waiting, oldest first; guarded by mu
	gen     int                       // code generation, bumped by watch; guarded by mu
	closed  bool                      // guarded by mu
	wg      sync.WaitGroup            // runners, stoppers and the janitor; Add under mu while !closed
	stop    chan struct{}             // closed by close: stops the janitor
	seq     atomic.Int64              // environment numbers
	calls   atomic.Int64              // invocations run
	colds   atomic.Int64              // environments started
	version sync.Once                 // checkVersion, on the first start
	fpMu    sync.Mutex                // guards fp
	fp      fingerprint               // CodeURI's state at the last check
}

// grant is what a waiting invocation receives: an environment, or leave
// to start one (env nil, err nil), or an error.
type grant struct {
	env *environment
	err error
}

func newPool(r *Runtime, fn Function, runtimeDir string) *pool {
	p := &pool{r: r, fn: fn, log: logger{r.log}, arn: r.FunctionARN(fn.Name), runtimeDir: runtimeDir,
		all: make(map[*environment]struct{}), stop: make(chan struct{})}
	if fn.Watch {
		p.fp = scan(fn.CodeURI)
	}
	p.wg.Add(1)
	go p.janitor()
	return p
}

// stats returns p's counters.
func (p *pool) stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return Stats{Invocations: p.calls.Load(), ColdStarts: p.colds.Load(), Environments: len(p.all), Idle: len(p.idle)}
}

// run runs one invocation and waits for its result, or for ctx. When ctx
// ends first the invocation runs on, as it does on Lambda.
func (p *pool) run(ctx context.Context, id string, req invokeRequest, unbounded bool) (invokeResult, error) {
	e, err := p.acquire(ctx, unbounded)
	if err != nil {
		var se *startError
		if !errors.As(err, &se) {
			return invokeResult{}, err
		}
		p.calls.Add(1)
		inv := newInvocation(p, id, req)
		inv.logf("START RequestId: %s Version: $LATEST", id)
		inv.finish(outcome{payload: badEntrypoint(id, se.err).JSON(), failed: true})
		return inv.result(time.Now(), 0, nil), nil
	}
	p.calls.Add(1)
	done := make(chan invokeResult, 1)
	go func() {
		defer p.wg.Done()
		res, healthy := e.invoke(newInvocation(p, id, req))
		p.release(e, healthy)
		done <- res
	}()
	select {
	case res := <-done:
		return res, nil
	case <-ctx.Done():
		return invokeResult{}, ctx.Err()
	}
}

// startError is a process that could not be started.
type startError struct{ err error }

func (e *startError) Error() string { return e.err.Error() }

// acquire returns an environment for one invocation, with p.wg counting
// its runner: an idle one, a new one, or the next released one, waiting
// in the queue (bounded unless unbounded) until ctx ends.
func (p *pool) acquire(ctx context.Context, unbounded bool) (*environment, error) {
	p.mu.Lock()
	for {
		if p.closed {
			p.mu.Unlock()
			return nil, ErrClosed
		}
		n := len(p.idle)
		if n == 0 {
			break
		}
		e := p.idle[n-1]
		p.idle = p.idle[:n-1]
		if e.hasExited() {
			p.discardLocked(e)
			continue
		}
		p.wg.Add(1)
		p.mu.Unlock()
		return e, nil
	}
	if p.count < p.fn.MaxConcurrency {
		p.count++
		p.wg.Add(1)
		p.mu.Unlock()
		return p.start()
	}
	if !unbounded && len(p.waiters) >= p.fn.MaxQueue {
		p.mu.Unlock()
		return nil, throttled()
	}
	ch := make(chan grant, 1)
	p.waiters = append(p.waiters, ch)
	p.mu.Unlock()
	select {
	case g := <-ch:
		return p.take(g)
	case <-ctx.Done():
		p.mu.Lock()
		if i := slices.Index(p.waiters, ch); i >= 0 {
			p.waiters = slices.Delete(p.waiters, i, i+1)
			p.mu.Unlock()
			return nil, ctx.Err()
		}
		p.mu.Unlock()
		p.giveBack(<-ch) // granted meanwhile
		return nil, ctx.Err()
	}
}

// giveBack returns a grant its waiter no longer wants.
func (p *pool) giveBack(g grant) {
	switch {
	case g.err != nil:
	case g.env != nil:
		p.wg.Done()
		p.release(g.env, true)
	default: // a slot to start an environment in
		p.mu.Lock()
		p.count--
		p.grantLocked()
		p.mu.Unlock()
		p.wg.Done()
	}
}

// take turns a grant into an environment.
func (p *pool) take(g grant) (*environment, error) {
	switch {
	case g.err != nil:
		return nil, g.err
	case g.env != nil:
		return g.env, nil
	}
	return p.start()
}

// start starts a new environment for a slot already counted (p.count and
// p.wg); on failure it gives the slot back.
func (p *pool) start() (*environment, error) {
	p.version.Do(p.checkVersion)
	e, err := startEnvironment(p)
	if err != nil {
		p.mu.Lock()
		p.count--
		p.grantLocked()
		p.mu.Unlock()
		p.wg.Done()
		return nil, &startError{err}
	}
	p.colds.Add(1)
	p.mu.Lock()
	p.all[e] = struct{}{}
	closed := p.closed
	p.mu.Unlock()
	if closed { // Shutdown began while it started
		e.stop()
	}
	return e, nil
}

// release returns e after an invocation: to a waiting invocation, to the
// idle list, or, when it is unhealthy, stale or the pool closed, to its end.
func (p *pool) release(e *environment, healthy bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !healthy || p.closed || e.gen != p.gen || e.hasExited() {
		p.discardLocked(e)
		return
	}
	if len(p.waiters) > 0 {
		ch := p.waiters[0]
		p.waiters = p.waiters[1:]
		p.wg.Add(1)
		ch <- grant{env: e}
		return
	}
	e.lastUsed = time.Now()
	p.idle = append(p.idle, e)
}

// discardLocked stops e in the background and gives its slot to a waiting
// invocation.
func (p *pool) discardLocked(e *environment) {
	if _, ok := p.all[e]; !ok {
		return
	}
	delete(p.all, e)
	p.count--
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		e.stop()
	}()
	p.grantLocked()
}

// grantLocked lets the oldest waiting invocation start an environment when
// there is room.
func (p *pool) grantLocked() {
	if p.closed || len(p.waiters) == 0 || p.count >= p.fn.MaxConcurrency {
		return
	}
	ch := p.waiters[0]
	p.waiters = p.waiters[1:]
	p.count++
	p.wg.Add(1)
	ch <- grant{}
}

// close stops the janitor and every idle environment, fails the waiting
// invocations, and waits for the invocations in progress; with force it
// kills their environments first.
func (p *pool) close(force bool) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		p.wg.Wait()
		return
	}
	p.closed = true
	close(p.stop)
	for _, ch := range p.waiters {
		ch <- grant{err: ErrClosed}
	}
	p.waiters = nil
	idle := p.idle
	p.idle = nil
	for _, e := range idle {
		p.discardLocked(e)
	}
	var busy []*environment
	if force {
		for e := range p.all {
			busy = append(busy, e)
		}
	}
	p.mu.Unlock()
	for _, e := range busy {
		e.kill()
	}
	p.wg.Wait()
}

// janitor reaps idle environments and, with Watch, restarts the
// environments when the code changes.
func (p *pool) janitor() {
	defer p.wg.Done()
	every := min(max(p.fn.IdleTimeout/4, 10*time.Millisecond), time.Second)
	if p.fn.Watch {
		every = min(every, time.Second)
	}
	t := time.NewTicker(every)
	defer t.Stop()
	lastScan := time.Now()
	for {
		select {
		case <-p.stop:
			return
		case now := <-t.C:
			p.reap(now)
			if p.fn.Watch && now.Sub(lastScan) >= time.Second-every/2 {
				lastScan = now
				p.checkCode()
			}
		}
	}
}

// reap stops the environments idle for IdleTimeout.
func (p *pool) reap(now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	keep := p.idle[:0]
	for _, e := range p.idle {
		if now.Sub(e.lastUsed) >= p.fn.IdleTimeout || e.hasExited() {
			p.discardLocked(e)
			continue
		}
		keep = append(keep, e)
	}
	clear(p.idle[len(keep):])
	p.idle = keep
}

// checkCode compares CodeURI with its last state and, when it changed,
// retires every environment: idle ones now, busy ones when they finish.
func (p *pool) checkCode() {
	fp := scan(p.fn.CodeURI)
	p.fpMu.Lock()
	changed := fp != p.fp
	p.fp = fp
	p.fpMu.Unlock()
	if !changed {
		return
	}
	p.mu.Lock()
	p.gen++
	idle := p.idle
	p.idle = nil
	for _, e := range idle {
		p.discardLocked(e)
	}
	p.mu.Unlock()
	p.log.info(p.fn.Name, "", "code changed under "+p.fn.CodeURI+"; environments restart")
}

// fingerprint sums up a directory tree: files, bytes and the newest mtime.
type fingerprint struct {
	files, bytes, newest int64 // newest: mtime in Unix nanoseconds
}

func scan(dir string) fingerprint {
	var fp fingerprint
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		fp.files++
		fp.bytes += info.Size()
		fp.newest = max(fp.newest, info.ModTime().UnixNano())
		return nil
	})
	return fp
}

// encodeTail returns the base64 of the last tailBytes of log.
func encodeTail(log []byte) string {
	if len(log) > tailBytes {
		log = log[len(log)-tailBytes:]
	}
	return base64.StdEncoding.EncodeToString(log)
}

// checkVersion warns when the interpreter that runs a Node.js or Python
// function is not the version its runtime names (nodejs22.x run by node
// 20): the function runs anyway.
func (p *pool) checkVersion() {
	var bin, want, prefix string
	switch runtimeKind(p.fn.Runtime) {
	case "node":
		bin, want, prefix = p.r.node, strings.TrimSuffix(strings.TrimPrefix(p.fn.Runtime, "nodejs"), ".x")+".", "v"
	case "python":
		bin, want, prefix = p.r.python, strings.TrimPrefix(p.fn.Runtime, "python")+".", "Python "
	default:
		return
	}
	out, err := exec.Command(bin, "--version").CombinedOutput()
	if err != nil {
		return // reported by the start that follows
	}
	got := strings.TrimSpace(string(out))
	if !strings.HasPrefix(got, prefix+want) {
		p.log.Warn("["+p.fn.Name+"] the interpreter's version is not the runtime's; the function runs anyway",
			"function", p.fn.Name, "runtime", p.fn.Runtime, "interpreter", bin, "version", got)
	}
}
