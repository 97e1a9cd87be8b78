package functions

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// environment is one execution environment: a runtime process and the
// loopback listener of its Runtime API. One invocation uses it at a time.
type environment struct {
	p         *pool
	num       int64
	gen       int // the pool's code generation when it started
	started   time.Time
	logStream string
	cmd       *exec.Cmd
	srv       *http.Server
	out       []*outputReader

	// next hands the invocation to the runtime's /next (capacity 1).
	next chan *invocation
	// initDone is closed when init ends: the runtime's first /next or its
	// /init/error.
	initDone chan struct{}
	initOnce sync.Once
	// exited is closed when the process has exited; exitState is set
	// before.
	exited    chan struct{}
	exitState string
	// stopped is closed by stop, to end /next long polls.
	stopped  chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup // the process waiter and the API server

	// lastUsed is when it last became idle; guarded by p.mu.
	lastUsed time.Time

	mu sync.Mutex
	// cur is the invocation the runtime has taken; guarded by mu.
	cur *invocation
	// initErr is the body of /init/error; guarded by mu.
	initErr []byte
	// initDuration is how long init took; guarded by mu.
	initDuration time.Duration
	// peakMB is the largest peak memory seen; guarded by mu.
	peakMB int
}

// startEnvironment starts a runtime process for p's function.
func startEnvironment(p *pool) (*environment, error) {
	fn := p.fn
	argv, err := p.r.command(fn, p.runtimeDir)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listening for the Runtime API: %w", err)
	}
	p.mu.Lock()
	gen := p.gen
	p.mu.Unlock()
	e := &environment{
		p:         p,
		num:       p.seq.Add(1),
		gen:       gen,
		started:   time.Now(),
		logStream: logStreamName(),
		next:      make(chan *invocation, 1),
		initDone:  make(chan struct{}),
		exited:    make(chan struct{}),
		stopped:   make(chan struct{}),
	}
	e.srv = &http.Server{Handler: e.runtimeAPI(), ReadHeaderTimeout: 10 * time.Second}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = fn.CodeURI
	cmd.Env = p.r.environ(fn, p.runtimeDir, ln.Addr().String(), e.logStream)
	setProcessGroup(cmd)
	var files []*os.File
	for range 2 {
		r, w, err := os.Pipe()
		if err != nil {
			ln.Close()
			closeAll(files)
			return nil, err
		}
		files = append(files, r, w)
	}
	cmd.Stdout, cmd.Stderr = files[1], files[3]
	if err := cmd.Start(); err != nil {
		ln.Close()
		closeAll(files)
		if errors.Is(err, fs.ErrNotExist) && runtimeKind(fn.Runtime) == "provided" {
			return nil, fmt.Errorf("Couldn't find valid bootstrap(s): [%s]", argv[0])
		}
		return nil, err
	}
	files[1].Close()
	files[3].Close()
	e.cmd = cmd
	e.out = []*outputReader{newOutputReader(e, files[0]), newOutputReader(e, files[2])}
	e.wg.Add(2)
	go func() {
		defer e.wg.Done()
		err := cmd.Wait()
		state := ""
		if err != nil {
			state = err.Error()
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				state = ee.ProcessState.String()
			}
		}
		e.exitState = state
		close(e.exited)
	}()
	go func() {
		defer e.wg.Done()
		_ = e.srv.Serve(ln)
	}()
	return e, nil
}

func closeAll(files []*os.File) {
	for _, f := range files {
		f.Close()
	}
}

// logStreamName returns a name in Lambda's form, 2024/01/02/[$LATEST]<32 hex>.
func logStreamName() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return time.Now().UTC().Format("2006/01/02") + "/[$LATEST]" + hex.EncodeToString(b[:])
}

// hasExited reports whether the process has exited.
func (e *environment) hasExited() bool {
	select {
	case <-e.exited:
		return true
	default:
		return false
	}
}

// kill kills the process group.
func (e *environment) kill() {
	if e.cmd != nil && e.cmd.Process != nil {
		killGroup(e.cmd)
	}
}

// stop kills the process group and waits for the process, its output and
// the Runtime API server to end. It is idempotent.
func (e *environment) stop() {
	e.stopOnce.Do(func() {
		close(e.stopped)
		e.kill()
		<-e.exited
		_ = e.srv.Close()
		for _, o := range e.out {
			o.closeAfter(200 * time.Millisecond)
		}
		e.p.log.debug(e.p.fn.Name, "", fmt.Sprintf("environment %d stopped", e.num))
	})
	e.wg.Wait()
}

// markInit ends the init phase once.
func (e *environment) markInit() {
	e.initOnce.Do(func() {
		e.mu.Lock()
		e.initDuration = time.Since(e.started)
		e.mu.Unlock()
		close(e.initDone)
	})
}

// invoke runs inv on e and reports whether e can take another invocation.
func (e *environment) invoke(inv *invocation) (invokeResult, bool) {
	fn := e.p.fn
	start := time.Now()
	cold := false
	select {
	case <-e.initDone:
	default:
		cold = true
	}
	inv.logf("START RequestId: %s Version: $LATEST", inv.id)
	if cold {
		timer := time.NewTimer(DefaultInitTimeout)
		select {
		case <-e.initDone:
		case <-e.exited:
		case <-timer.C:
			e.kill()
			<-e.exited
			inv.finish(outcome{payload: errorPayload{errTimedOut, fmt.Sprintf("RequestId: %s Error: Init timed out after %.2f seconds", inv.id, DefaultInitTimeout.Seconds())}.JSON(), failed: true})
		}
		timer.Stop()
		e.mu.Lock()
		initErr := e.initErr
		e.mu.Unlock()
		switch {
		case initErr != nil:
			inv.finish(outcome{payload: initErr, failed: true})
		case e.hasExited():
			inv.exitError(e.exitState)
		}
		if o, ok := inv.finished(); ok {
			return inv.result(start, e.initTime(), e.memoryMB), !o.failed && !e.hasExited()
		}
	}

	inv.deadline = time.Now().Add(fn.Timeout)
	e.next <- inv
	timer := time.NewTimer(fn.Timeout)
	defer timer.Stop()
	healthy := true
	select {
	case o := <-inv.done:
		healthy = !o.reset
	case <-timer.C:
		e.kill()
		<-e.exited
		inv.finish(outcome{payload: timedOut(inv.id, fn.Timeout).JSON(), failed: true, timedOut: true})
		healthy = false
	case <-e.exited:
		inv.exitError(e.exitState)
		healthy = false
	}
	for _, o := range e.out { // what it wrote before it answered is part of this invocation
		o.drain()
	}
	e.mu.Lock()
	e.cur = nil
	e.mu.Unlock()
	var initTime time.Duration
	if cold {
		initTime = e.initTime()
	}
	return inv.result(start, initTime, e.memoryMB), healthy && !e.hasExited()
}

func (e *environment) initTime() time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.initDuration
}

// memoryMB returns the process's peak resident memory, in MB (0 when it is
// not known).
func (e *environment) memoryMB() int {
	if e.cmd == nil || e.cmd.Process == nil {
		return 0
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.peakMB = max(e.peakMB, peakRSSMB(e.cmd.Process.Pid))
	return e.peakMB
}

// Pid returns the process ID of the runtime process.
func (e *environment) pid() int {
	if e.cmd == nil || e.cmd.Process == nil {
		return 0
	}
	return e.cmd.Process.Pid
}

// invocation is one invocation on its way through an environment.
type invocation struct {
	p        *pool
	id       string
	req      invokeRequest
	deadline time.Time
	traceID  string
	// done receives the outcome once (capacity 1).
	done chan outcome

	mu      sync.Mutex
	outcome *outcome // guarded by mu
	log     []byte   // the invocation's log lines; guarded by mu
}

// outcome is how an invocation ended.
type outcome struct {
	payload  []byte
	failed   bool // a function error
	timedOut bool
	reset    bool // the environment must not be reused (runtimes exit after a refused response)
}

func newInvocation(p *pool, id string, req invokeRequest) *invocation {
	return &invocation{p: p, id: id, req: req, traceID: newTraceID(), done: make(chan outcome, 1)}
}

// finish records the outcome, unless there is one already; it reports
// whether o was recorded.
func (inv *invocation) finish(o outcome) bool {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	if inv.outcome != nil {
		return false
	}
	inv.outcome = &o
	inv.done <- o
	return true
}

func (inv *invocation) finished() (outcome, bool) {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	if inv.outcome == nil {
		return outcome{}, false
	}
	return *inv.outcome, true
}

// exitError ends the invocation with Runtime.ExitError and logs it as
// Lambda does: the message, then the error type.
func (inv *invocation) exitError(state string) {
	p := exited(inv.id, state)
	if inv.finish(outcome{payload: p.JSON(), failed: true}) {
		inv.line(p.ErrorMessage)
		inv.line(p.ErrorType)
	}
}

// logf logs one Lambda line of the invocation (START, END, REPORT).
func (inv *invocation) logf(format string, args ...any) {
	inv.line(fmt.Sprintf(format, args...))
}

// line records a line of the invocation's log and logs it.
func (inv *invocation) line(s string) {
	inv.mu.Lock()
	if len(inv.log) < 1<<20 {
		inv.log = append(inv.log, s...)
		inv.log = append(inv.log, '\n')
	}
	inv.mu.Unlock()
	inv.p.log.info(inv.p.fn.Name, inv.id, s)
}

// result writes END and REPORT and returns the invocation's Result.
func (inv *invocation) result(start time.Time, initTime time.Duration, memoryMB func() int) invokeResult {
	o, _ := inv.finished()
	d := time.Since(start)
	ms := float64(d.Microseconds()) / 1000
	mem := 0
	if memoryMB != nil {
		mem = memoryMB()
	}
	inv.logf("END RequestId: %s", inv.id)
	report := fmt.Sprintf("REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %d MB",
		inv.id, ms, int64(math.Ceil(ms)), inv.p.fn.MemorySize, mem)
	if initTime > 0 {
		report += fmt.Sprintf("\tInit Duration: %.2f ms", float64(initTime.Microseconds())/1000)
	}
	inv.line(report)
	if o.timedOut {
		inv.line(time.Now().UTC().Format("2006-01-02T15:04:05.000Z") + " " + inv.id + " Task timed out after " +
			strconv.FormatFloat(inv.p.fn.Timeout.Seconds(), 'f', 2, 64) + " seconds")
	}
	res := invokeResult{StatusCode: 200, Payload: o.payload, RequestID: inv.id}
	if o.failed {
		res.FunctionError = "Unhandled"
	}
	if inv.req.Tail {
		inv.mu.Lock()
		res.LogResult = encodeTail(inv.log)
		inv.mu.Unlock()
	}
	return res
}

// newTraceID returns an X-Ray trace header value, not sampled.
func newTraceID() string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0", time.Now().Unix(), hex.EncodeToString(b[:12]), hex.EncodeToString(b[12:]))
}

// command returns the argv that starts fn's runtime; runtimeDir holds our
// bootstraps.
func (r *Runtime) command(fn Function, runtimeDir string) ([]string, error) {
	switch runtimeKind(fn.Runtime) {
	case "node":
		return []string{r.node, filepath.Join(runtimeDir, "bootstrap.js")}, nil
	case "python":
		return []string{r.python, "-u", filepath.Join(runtimeDir, "bootstrap.py")}, nil
	}
	name := "bootstrap"
	if fn.Runtime == "go1.x" && fn.Handler != "" {
		name = fn.Handler
	}
	return []string{filepath.Join(fn.CodeURI, name)}, nil
}

// environ returns the environment of fn's runtime process: PATH (and
// LD_LIBRARY_PATH) from Portico's, the function's variables, then the
// variables Lambda reserves.
func (r *Runtime) environ(fn Function, runtimeDir, runtimeAPI, logStream string) []string {
	env := make([]string, 0, 24+len(fn.Environment))
	for _, k := range []string{"PATH", "LD_LIBRARY_PATH", "HOME", "SYSTEMROOT"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	for k, v := range fn.Environment {
		env = append(env, k+"="+v)
	}
	set := func(k, v string) { env = append(env, k+"="+v) }
	set("AWS_LAMBDA_RUNTIME_API", runtimeAPI)
	set("_HANDLER", fn.Handler)
	set("LAMBDA_TASK_ROOT", fn.CodeURI)
	if runtimeDir != "" {
		set("LAMBDA_RUNTIME_DIR", runtimeDir)
	}
	set("AWS_LAMBDA_FUNCTION_NAME", fn.Name)
	set("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
	set("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", strconv.Itoa(fn.MemorySize))
	set("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/"+fn.Name)
	set("AWS_LAMBDA_LOG_STREAM_NAME", logStream)
	set("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand")
	set("AWS_REGION", r.region)
	set("AWS_DEFAULT_REGION", r.region)
	if runtimeKind(fn.Runtime) != "provided" || fn.Runtime == "go1.x" {
		set("AWS_EXECUTION_ENV", "AWS_Lambda_"+fn.Runtime)
	}
	if runtimeKind(fn.Runtime) == "python" {
		set("PYTHONUNBUFFERED", "1")
	}
	if r.accessKeyID != "" {
		set("AWS_ACCESS_KEY_ID", r.accessKeyID)
		set("AWS_SECRET_ACCESS_KEY", r.secretKey)
	}
	set("TZ", ":UTC")
	set("LANG", "en_US.UTF-8")
	return env
}
