package functions

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/portico-gw/portico/integration"
)

// Defaults of Function's zero values.
const (
	DefaultTimeout        = 3 * time.Second
	DefaultMemorySize     = 128
	DefaultMaxConcurrency = 4
	DefaultMaxQueue       = 64
	DefaultIdleTimeout    = 5 * time.Minute
	// DefaultInitTimeout bounds a new environment's initialisation (until
	// the runtime first asks for an event), as Lambda's 10 s init phase.
	DefaultInitTimeout = 10 * time.Second
)

// Lambda's limits on a synchronous invocation's payloads (6 MB).
const (
	// MaxRequestBytes bounds the event; past it the invocation fails with
	// RequestTooLargeException.
	MaxRequestBytes = 6291456
	// MaxResponseBytes bounds the function's response; past it the
	// invocation fails with Function.ResponseSizeTooLarge.
	MaxResponseBytes = 6291556
)

// Runtimes lists the runtime identifiers a Function may name.
var Runtimes = []string{
	"provided.al2023", "provided.al2", "provided", "go1.x",
	"nodejs18.x", "nodejs20.x", "nodejs22.x",
	"python3.9", "python3.10", "python3.11", "python3.12", "python3.13",
}

// Function is one local Lambda function.
type Function struct {
	// Name is the function name that ARNs and the Invoke API use. Required.
	Name string
	// Runtime is a Lambda runtime identifier (see Runtimes). Required.
	Runtime string
	// Handler is _HANDLER: file.export (Node.js), module.function
	// (Python); for provided runtimes it is passed through, and for go1.x
	// it names the executable in CodeURI (empty means bootstrap).
	Handler string
	// CodeURI is the directory holding the code (LAMBDA_TASK_ROOT). Required.
	CodeURI string
	// Environment holds the function's own environment variables.
	Environment map[string]string
	// Timeout bounds one invocation. Zero means DefaultTimeout (3 s).
	Timeout time.Duration
	// MemorySize is reported to the function, in MB; nothing enforces it.
	// Zero means 128.
	MemorySize int
	// MaxConcurrency is the most environments (processes) running at once.
	// Zero means DefaultMaxConcurrency.
	MaxConcurrency int
	// MaxQueue is how many invocations may wait for a busy environment
	// before further ones are throttled (TooManyRequestsException). Zero
	// means DefaultMaxQueue; negative means none wait, as on Lambda.
	MaxQueue int
	// IdleTimeout stops an environment unused this long. Zero means
	// DefaultIdleTimeout.
	IdleTimeout time.Duration
	// Watch restarts the function's environments when a file under
	// CodeURI changes (polled every second).
	Watch bool
}

// withDefaults returns fn with its zero values replaced by the defaults.
func (fn Function) withDefaults() Function {
	if fn.Timeout <= 0 {
		fn.Timeout = DefaultTimeout
	}
	if fn.MemorySize <= 0 {
		fn.MemorySize = DefaultMemorySize
	}
	if fn.MaxConcurrency <= 0 {
		fn.MaxConcurrency = DefaultMaxConcurrency
	}
	switch {
	case fn.MaxQueue == 0:
		fn.MaxQueue = DefaultMaxQueue
	case fn.MaxQueue < 0:
		fn.MaxQueue = 0
	}
	if fn.IdleTimeout <= 0 {
		fn.IdleTimeout = DefaultIdleTimeout
	}
	return fn
}

// Validate reports the first problem with fn: a missing name, an unknown
// runtime, a missing handler where the runtime needs one, or a CodeURI
// that is not a directory.
func (fn Function) Validate() error {
	if fn.Name == "" {
		return errors.New("functions: a function needs a name")
	}
	if !validName(fn.Name) {
		return fmt.Errorf("functions: function name %q: use 1-64 letters, digits, - or _", fn.Name)
	}
	kind := runtimeKind(fn.Runtime)
	if kind == "" {
		return fmt.Errorf("functions: function %s: runtime %q is not one of %s", fn.Name, fn.Runtime, strings.Join(Runtimes, ", "))
	}
	if (kind == "node" || kind == "python") && fn.Handler == "" {
		return fmt.Errorf("functions: function %s: a %s function needs a handler", fn.Name, fn.Runtime)
	}
	st, err := os.Stat(fn.CodeURI)
	if err != nil {
		return fmt.Errorf("functions: function %s: codeUri: %w", fn.Name, err)
	}
	if !st.IsDir() {
		return fmt.Errorf("functions: function %s: codeUri %s is not a directory", fn.Name, fn.CodeURI)
	}
	return nil
}

// runtimeKind returns "provided", "node" or "python" for a runtime
// identifier, or "" for an unknown one.
func runtimeKind(rt string) string {
	switch {
	case !slices.Contains(Runtimes, rt):
		return ""
	case strings.HasPrefix(rt, "nodejs"):
		return "node"
	case strings.HasPrefix(rt, "python"):
		return "python"
	}
	return "provided"
}

func validName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// Config configures a Runtime.
type Config struct {
	// Functions are the local functions.
	Functions []Function
	// Region and AccountID make up the functions' ARNs and AWS_REGION.
	// Zero means us-east-1 and 000000000000.
	Region, AccountID string
	// AccessKeyID and SecretAccessKey, when set, are given to the
	// functions as AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (so that
	// they can call Portico's own SigV4 endpoints). Empty means none.
	AccessKeyID, SecretAccessKey string
	// Remote invokes the functions this Runtime does not have. Nil means
	// they fail with ResourceNotFoundException.
	Remote integration.LambdaInvoker
	// Node and Python are the interpreters of Node.js and Python
	// functions. Empty means "node" and "python3" from PATH.
	Node, Python string
	// Logger receives the functions' output and their START, END and
	// REPORT lines. Nil means discard.
	Logger *slog.Logger
}

// Runtime runs local Lambda functions. Build it with New; stop it with
// Shutdown.
type Runtime struct {
	log          *slog.Logger
	region       string
	account      string
	node, python string
	accessKeyID  string
	secretKey    string

	mu sync.Mutex
	// bootstrapDir is where the Node.js and Python bootstraps are
	// written, once; guarded by mu.
	bootstrapDir string
	pools        map[string]*pool          // guarded by mu
	remote       integration.LambdaInvoker // guarded by mu
	closed       bool                      // guarded by mu
	async        sync.WaitGroup            // Event invocations and retiring pools
	// ctx ends when Shutdown starts; Event invocations run under it.
	ctx    context.Context
	cancel context.CancelFunc
}

var _ integration.LambdaInvoker = (*Runtime)(nil)

// New builds a Runtime for cfg's functions. It starts no process: an
// environment starts on its function's first invocation.
func New(cfg Config) (*Runtime, error) {
	r := &Runtime{
		log:     cfg.Logger,
		region:  cfg.Region,
		account: cfg.AccountID,
		node:    cfg.Node,
		python:  cfg.Python,
		pools:   make(map[string]*pool),
	}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	if r.region == "" {
		r.region = "us-east-1"
	}
	if r.account == "" {
		r.account = "000000000000"
	}
	if r.node == "" {
		r.node = "node"
	}
	if r.python == "" {
		r.python = "python3"
	}
	r.accessKeyID, r.secretKey = cfg.AccessKeyID, cfg.SecretAccessKey
	if err := r.Configure(cfg.Functions, cfg.Remote); err != nil {
		r.cancel()
		r.removeBootstraps()
		return nil, err
	}
	return r, nil
}

// Configure replaces the Runtime's functions and remote invoker. A function
// whose definition did not change keeps its warm environments; the
// environments of changed and removed functions stop once their current
// invocation ends. On an error nothing changes.
func (r *Runtime) Configure(fns []Function, remote integration.LambdaInvoker) error {
	seen := make(map[string]bool, len(fns))
	for _, fn := range fns {
		if err := fn.Validate(); err != nil {
			return err
		}
		if seen[fn.Name] {
			return fmt.Errorf("functions: two functions are named %s", fn.Name)
		}
		seen[fn.Name] = true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return ErrClosed
	}
	next := make(map[string]*pool, len(fns))
	for _, fn := range fns {
		fn = fn.withDefaults()
		if abs, err := filepath.Abs(fn.CodeURI); err == nil {
			fn.CodeURI = abs
		}
		if old, ok := r.pools[fn.Name]; ok && reflect.DeepEqual(old.fn, fn) {
			next[fn.Name] = old
			continue
		}
		dir := ""
		if kind := runtimeKind(fn.Runtime); kind != "provided" {
			if err := r.writeBootstrapsLocked(); err != nil {
				return err
			}
			dir = r.bootstrapDir
		}
		next[fn.Name] = newPool(r, fn, dir)
	}
	for name, old := range r.pools {
		if next[name] != old {
			r.retireLocked(old, false)
		}
	}
	r.pools = next
	r.remote = remote
	return nil
}

// retireLocked closes a pool that is no longer served, in the background.
// With force, its busy environments are killed too.
func (r *Runtime) retireLocked(p *pool, force bool) {
	r.async.Add(1)
	go func() {
		defer r.async.Done()
		p.close(force)
	}()
}

// Has reports whether the Runtime has a function with the name.
func (r *Runtime) Has(name string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.pools[name]
	return ok
}

// FunctionARN returns the ARN of the local function with the name.
func (r *Runtime) FunctionARN(name string) string {
	return "arn:aws:lambda:" + r.region + ":" + r.account + ":function:" + name
}

// lookup returns the pool of the function that name (a name, a partial or
// full ARN, with or without a qualifier) names, or nil.
func (r *Runtime) lookup(name string) *pool {
	fn, _ := SplitFunctionName(name)
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pools[fn]
}

// SplitFunctionName returns the function name and qualifier that s, a
// Lambda FunctionName parameter, holds: "name", "name:qualifier",
// "account:function:name[:qualifier]" or a full function ARN.
func SplitFunctionName(s string) (name, qualifier string) {
	if a, err := arn.Parse(s); err == nil {
		s = a.Resource
		s = strings.TrimPrefix(s, "function:")
	} else if _, rest, ok := strings.Cut(s, ":function:"); ok {
		s = rest
	}
	name, qualifier, _ = strings.Cut(s, ":")
	return name, qualifier
}

// Stats are counters of one function.
type Stats struct {
	// Invocations counts invocations that ran (not throttled ones).
	Invocations int64
	// ColdStarts counts environments started.
	ColdStarts int64
	// Environments is the number of environments alive now.
	Environments int
	// Idle is how many of them wait for an invocation.
	Idle int
}

// Stats returns the counters of the function with the name; ok is false
// when there is none.
func (r *Runtime) Stats(name string) (s Stats, ok bool) {
	p := r.lookup(name)
	if p == nil {
		return Stats{}, false
	}
	return p.stats(), true
}

// Invoke implements integration.LambdaInvoker: it runs the local function
// that in.FunctionName names, or passes the call to the remote invoker.
// InvocationType Event returns at once (StatusCode 202) and runs the
// function in the background; DryRun returns 204. A function that fails
// answers StatusCode 200 with FunctionError "Unhandled" and Lambda's error
// payload, as the Lambda API does; throttling is a
// *types.TooManyRequestsException.
func (r *Runtime) Invoke(ctx context.Context, in *lambda.InvokeInput, optFns ...func(*lambda.Options)) (*lambda.InvokeOutput, error) {
	name := aws.ToString(in.FunctionName)
	p := r.lookup(name)
	if p == nil {
		r.mu.Lock()
		remote := r.remote
		r.mu.Unlock()
		if remote == nil {
			fn, _ := SplitFunctionName(name)
			return nil, &types.ResourceNotFoundException{Type: aws.String("User"),
				Message: aws.String("Function not found: " + r.FunctionARN(fn))}
		}
		return remote.Invoke(ctx, in, optFns...)
	}
	_, qualifier := SplitFunctionName(name)
	if in.Qualifier != nil {
		qualifier = *in.Qualifier
	}
	res, err := r.invoke(ctx, p, invokeRequest{
		Payload:       in.Payload,
		Qualifier:     qualifier,
		Type:          string(in.InvocationType),
		ClientContext: aws.ToString(in.ClientContext),
		Tail:          in.LogType == types.LogTypeTail,
	})
	if err != nil {
		return nil, err
	}
	out := &lambda.InvokeOutput{StatusCode: int32(res.StatusCode), Payload: res.Payload,
		ExecutedVersion: aws.String("$LATEST")}
	if res.FunctionError != "" {
		out.FunctionError = aws.String(res.FunctionError)
	}
	if res.LogResult != "" {
		out.LogResult = aws.String(res.LogResult)
	}
	return out, nil
}

// Shutdown kills every environment's process group and waits for the
// Runtime's goroutines, or returns ctx.Err() when ctx ends first.
// Invocations in progress fail. It is idempotent.
func (r *Runtime) Shutdown(ctx context.Context) error {
	r.mu.Lock()
	if !r.closed {
		r.closed = true
		r.cancel()
		for _, p := range r.pools {
			r.retireLocked(p, true)
		}
		r.pools = map[string]*pool{}
	}
	r.mu.Unlock()
	done := make(chan struct{})
	go func() {
		r.async.Wait()
		close(done)
	}()
	select {
	case <-done:
		r.removeBootstraps()
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// startAsync runs fn in a goroutine the Runtime waits for; it refuses once
// Shutdown began.
func (r *Runtime) startAsync(fn func(ctx context.Context)) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return false
	}
	r.async.Add(1)
	go func() {
		defer r.async.Done()
		fn(r.ctx)
	}()
	return true
}
