package functions

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

func goFunction(t testing.TB, name string) Function {
	return Function{Name: name, Runtime: "provided.al2023", Handler: "bootstrap", CodeURI: goBootstrap(t),
		Environment: map[string]string{"GREETING": "hi"}, MemorySize: 256}
}

// A Go handler built with aws-lambda-go runs unchanged: the event in, the
// answer out, Lambda's context and reserved variables, a warm second call
// on the same process, and START/END/REPORT around each call.
func TestGoBootstrap(t *testing.T) {
	rt, logs := newRuntime(t, goFunction(t, "orders"))
	arn := "arn:aws:lambda:us-east-1:000000000000:function:orders"
	out := call(t, rt, arn+":live", `{"action":"print","name":"ana"}`)
	if out.FunctionError != nil || out.StatusCode != 200 {
		t.Fatalf("FunctionError %v status %d: %s", aws.ToString(out.FunctionError), out.StatusCode, out.Payload)
	}
	if aws.ToString(out.ExecutedVersion) != "$LATEST" {
		t.Errorf("ExecutedVersion %q", aws.ToString(out.ExecutedVersion))
	}
	m := decode(t, out.Payload)
	for k, want := range map[string]any{
		"hello": "ana", "arn": arn + ":live", "function": "orders", "memory": float64(256), "version": "$LATEST",
		"env": "hi", "region": "us-east-1", "tz": ":UTC", "handler": "bootstrap", "taskRoot": goBootstrap(t),
		"logGroup": "/aws/lambda/orders",
	} {
		if m[k] != want {
			t.Errorf("%s = %v, want %v", k, m[k], want)
		}
	}
	if ms, _ := m["remainingMs"].(float64); ms <= 0 || ms > 3000 {
		t.Errorf("remaining time %v ms, want (0, 3000]", ms)
	}
	if tr, _ := m["trace"].(string); !strings.HasPrefix(tr, "Root=1-") {
		t.Errorf("_X_AMZN_TRACE_ID %q", tr)
	}
	first := pidOf(t, out.Payload)
	id := m["requestId"].(string)

	out = call(t, rt, "orders", `{"name":"bo"}`)
	if got := pidOf(t, out.Payload); got != first {
		t.Errorf("second call ran in process %d, want the warm %d", got, first)
	}
	if s, _ := rt.Stats("orders"); s.ColdStarts != 1 || s.Invocations != 2 || s.Environments != 1 {
		t.Errorf("stats %+v, want 1 cold start, 2 invocations, 1 environment", s)
	}

	log := logs.String()
	for _, want := range []string{
		"[orders] START RequestId: " + id + " Version: $LATEST",
		"[orders] hello from go",
		"[orders] END RequestId: " + id,
	} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q", want)
		}
	}
	report := regexp.MustCompile(`REPORT RequestId: [0-9a-f-]{36}\\tDuration: [0-9.]+ ms\\tBilled Duration: [0-9]+ ms\\tMemory Size: 256 MB\\tMax Memory Used: [0-9]+ MB(\\tInit Duration: [0-9.]+ ms)?`)
	reports := report.FindAllStringSubmatch(log, -1)
	if len(reports) != 2 || reports[0][1] == "" || reports[1][1] != "" {
		t.Errorf("REPORT lines %q: want two, Init Duration on the first only\n%s", reports, log)
	}
}

// Errors come back as the SDK shows Lambda's: FunctionError "Unhandled",
// status 200, and the payload.
func TestGoErrors(t *testing.T) {
	rt, _ := newRuntime(t, goFunction(t, "fn"))
	for _, tc := range []struct {
		name, event, errType, msg string
	}{
		{"returned error", `{"action":"fail"}`, "errorString", "boom from go"},
		{"crash", `{"action":"crash"}`, "Runtime.ExitError", "RequestId: "},
		{"response too large", `{"action":"big"}`, "Function.ResponseSizeTooLarge", "Response payload size exceeded maximum allowed payload size (6291556 bytes)."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := call(t, rt, "fn", tc.event)
			m := wantFunctionError(t, out, tc.errType, tc.msg)
			if tc.name == "crash" && !strings.HasSuffix(m["errorMessage"].(string), " Error: Runtime exited with error: exit status 3") {
				t.Errorf("crash message %q", m["errorMessage"])
			}
		})
	}
	// After every failure the next call works.
	out := call(t, rt, "fn", `{"name":"after"}`)
	if out.FunctionError != nil {
		t.Fatalf("after the errors: %s", out.Payload)
	}
}

// A call that runs past the timeout fails with Lambda's message, and the
// process is killed; the next call starts a new one.
func TestTimeoutKillsTheProcess(t *testing.T) {
	fn := goFunction(t, "slow")
	fn.Timeout = time.Second
	rt, logs := newRuntime(t, fn)
	pid := pidOf(t, call(t, rt, "slow", `{}`).Payload)
	start := time.Now()
	out := call(t, rt, "slow", `{"action":"sleep","ms":5000}`)
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("the timed-out call took %v", d)
	}
	m := wantFunctionError(t, out, "Sandbox.Timedout", "RequestId: ")
	if msg := m["errorMessage"].(string); !strings.HasSuffix(msg, " Error: Task timed out after 1.00 seconds") {
		t.Errorf("errorMessage %q", msg)
	}
	processGone(t, pid)
	if !strings.Contains(logs.String(), "Task timed out after 1.00 seconds") {
		t.Error("no timeout line in the log")
	}
	if got := pidOf(t, call(t, rt, "slow", `{}`).Payload); got == pid {
		t.Error("the next call ran in the killed process")
	}
	if s, _ := rt.Stats("slow"); s.ColdStarts != 2 {
		t.Errorf("cold starts %d, want 2", s.ColdStarts)
	}
}

// N parallel calls share at most MaxConcurrency environments; the rest
// wait in the queue, and every call succeeds.
func TestConcurrency(t *testing.T) {
	fn := goFunction(t, "par")
	fn.MaxConcurrency = 3
	rt, _ := newRuntime(t, fn)
	var wg sync.WaitGroup
	var mu sync.Mutex
	pids := map[int]int{}
	for range 9 {
		wg.Go(func() {
			out := call(t, rt, "par", `{"action":"sleep","ms":300}`)
			if out.FunctionError != nil {
				t.Errorf("call failed: %s", out.Payload)
				return
			}
			mu.Lock()
			pids[pidOf(t, out.Payload)]++
			mu.Unlock()
		})
	}
	wg.Wait()
	s, _ := rt.Stats("par")
	if s.ColdStarts != 3 || len(pids) != 3 || s.Invocations != 9 {
		t.Errorf("cold starts %d, processes %v, invocations %d; want 3, 3 and 9", s.ColdStarts, pids, s.Invocations)
	}
	if s.Idle != 3 {
		t.Errorf("idle environments %d, want 3 warm", s.Idle)
	}
}

// With every environment busy and no room in the queue, Lambda's
// throttling error.
func TestThrottling(t *testing.T) {
	fn := goFunction(t, "one")
	fn.MaxConcurrency = 1
	fn.MaxQueue = -1
	rt, _ := newRuntime(t, fn)
	done := make(chan struct{})
	go func() {
		defer close(done)
		call(t, rt, "one", `{"action":"sleep","ms":2000}`)
	}()
	waitFor(t, "the first call to run", func() bool { s, _ := rt.Stats("one"); return s.Invocations == 1 })
	_, err := rt.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String("one"), Payload: []byte(`{}`)})
	var tm *types.TooManyRequestsException
	if !errors.As(err, &tm) || tm.Reason != types.ThrottleReasonReservedFunctionConcurrentInvocationLimitExceeded || tm.ErrorMessage() != "Rate Exceeded." {
		t.Errorf("err %v, want TooManyRequestsException Rate Exceeded.", err)
	}
	// The Invoke API answers 429, which the SDK reads back as the same.
	srv := invokeServer(t, rt, false)
	_, err = sdkClient(srv.URL, "AKIDTEST", "secret").Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String("one")})
	if !errors.As(err, &tm) || tm.Reason != types.ThrottleReasonReservedFunctionConcurrentInvocationLimitExceeded {
		t.Errorf("through the Invoke API: %v", err)
	}
	<-done
}

// Environments idle for IdleTimeout are stopped.
func TestIdleReap(t *testing.T) {
	fn := goFunction(t, "idle")
	fn.IdleTimeout = 150 * time.Millisecond
	rt, _ := newRuntime(t, fn)
	pid := pidOf(t, call(t, rt, "idle", `{}`).Payload)
	waitFor(t, "the idle environment to go", func() bool { s, _ := rt.Stats("idle"); return s.Environments == 0 })
	processGone(t, pid)
	if got := pidOf(t, call(t, rt, "idle", `{}`).Payload); got == pid {
		t.Error("the reaped process answered")
	}
}

// Shutdown kills every environment, busy ones included.
func TestShutdownKillsEnvironments(t *testing.T) {
	rt, err := New(Config{Functions: []Function{goFunction(t, "a")}})
	if err != nil {
		t.Fatal(err)
	}
	pid := pidOf(t, call(t, rt, "a", `{}`).Payload)
	errc := make(chan error, 1)
	go func() {
		_, err := rt.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String("a"), Payload: []byte(`{"action":"sleep","ms":10000}`)})
		errc <- err
	}()
	waitFor(t, "the call to run", func() bool { s, _ := rt.Stats("a"); return s.Invocations == 2 })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := rt.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	processGone(t, pid)
	<-errc
	if err := rt.Shutdown(ctx); err != nil {
		t.Errorf("second Shutdown: %v", err)
	}
	if _, err := rt.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("a")}); err == nil {
		t.Error("Invoke after Shutdown succeeded")
	}
}

// Names the Runtime does not have go to the remote invoker, or fail as
// Lambda's ResourceNotFoundException.
func TestRemoteFallback(t *testing.T) {
	rt, _ := newRuntime(t, goFunction(t, "local"))
	_, err := rt.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String("arn:aws:lambda:us-east-1:000000000000:function:elsewhere")})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) || nf.ErrorMessage() != "Function not found: arn:aws:lambda:us-east-1:000000000000:function:elsewhere" {
		t.Errorf("err %v", err)
	}
	remote := remoteFunc(func(in *lambda.InvokeInput) (*lambda.InvokeOutput, error) {
		return &lambda.InvokeOutput{StatusCode: 200, Payload: []byte(`"remote ` + aws.ToString(in.FunctionName) + `"`)}, nil
	})
	if err := rt.Configure([]Function{goFunction(t, "local")}, remote); err != nil {
		t.Fatal(err)
	}
	if got := string(call(t, rt, "elsewhere", `{}`).Payload); got != `"remote elsewhere"` {
		t.Errorf("remote answer %s", got)
	}
	if got := decode(t, call(t, rt, "local", `{"name":"x"}`).Payload)["hello"]; got != "x" {
		t.Errorf("local answer %v", got)
	}
}

type remoteFunc func(*lambda.InvokeInput) (*lambda.InvokeOutput, error)

func (f remoteFunc) Invoke(_ context.Context, in *lambda.InvokeInput, _ ...func(*lambda.Options)) (*lambda.InvokeOutput, error) {
	return f(in)
}

// Configure keeps the warm environments of unchanged functions and
// replaces the others.
func TestConfigureKeepsUnchangedFunctions(t *testing.T) {
	a, b := goFunction(t, "a"), goFunction(t, "b")
	rt, _ := newRuntime(t, a, b)
	pa := pidOf(t, call(t, rt, "a", `{}`).Payload)
	pb := pidOf(t, call(t, rt, "b", `{}`).Payload)
	b.Environment = map[string]string{"GREETING": "changed"}
	if err := rt.Configure([]Function{a, b}, nil); err != nil {
		t.Fatal(err)
	}
	if got := pidOf(t, call(t, rt, "a", `{}`).Payload); got != pa {
		t.Error("the unchanged function lost its environment")
	}
	out := call(t, rt, "b", `{}`)
	if pidOf(t, out.Payload) == pb || decode(t, out.Payload)["env"] != "changed" {
		t.Errorf("the changed function answered from its old environment: %s", out.Payload)
	}
	processGone(t, pb)
}

// A provided function without a bootstrap fails as Lambda's
// Runtime.InvalidEntrypoint.
func TestMissingBootstrap(t *testing.T) {
	rt, _ := newRuntime(t, Function{Name: "empty", Runtime: "provided.al2", CodeURI: t.TempDir()})
	wantFunctionError(t, call(t, rt, "empty", `{}`), "Runtime.InvalidEntrypoint", "RequestId: ")
}

func TestValidate(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		fn   Function
		want string
	}{
		{Function{Runtime: "provided.al2", CodeURI: dir}, "needs a name"},
		{Function{Name: "a b", Runtime: "provided.al2", CodeURI: dir}, "use 1-64 letters"},
		{Function{Name: "a", Runtime: "java21", CodeURI: dir}, `runtime "java21" is not one of`},
		{Function{Name: "a", Runtime: "nodejs20.x", CodeURI: dir}, "needs a handler"},
		{Function{Name: "a", Runtime: "python3.12", Handler: "app.handler", CodeURI: dir + "/nope"}, "no such file"},
		{Function{Name: "a", Runtime: "python3.12", Handler: "app.handler", CodeURI: dir}, ""},
	} {
		t.Run(fmt.Sprint(tc.fn.Name, tc.fn.Runtime), func(t *testing.T) {
			err := tc.fn.Validate()
			if (err == nil) != (tc.want == "") || (err != nil && !strings.Contains(err.Error(), tc.want)) {
				t.Errorf("Validate() = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestSplitFunctionName(t *testing.T) {
	for in, want := range map[string][2]string{
		"fn":                       {"fn", ""},
		"fn:live":                  {"fn", "live"},
		"000000000000:function:fn": {"fn", ""},
		"arn:aws:lambda:eu-west-1:123456789012:function:fn:$LATEST": {"fn", "$LATEST"},
	} {
		if n, q := SplitFunctionName(in); n != want[0] || q != want[1] {
			t.Errorf("SplitFunctionName(%q) = %q, %q", in, n, q)
		}
	}
}

func FuzzSplitFunctionName(f *testing.F) {
	for _, s := range []string{"fn", "fn:live", "000000000000:function:fn", "arn:aws:lambda:eu-west-1:123456789012:function:fn:$LATEST", "arn:", ":function:", "a:b:c:d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		name, qualifier := SplitFunctionName(s)
		if strings.Contains(name, ":") {
			t.Errorf("SplitFunctionName(%q) = %q, %q: the name holds a colon", s, name, qualifier)
		}
		if !strings.Contains(s, name) || !strings.Contains(s, qualifier) {
			t.Errorf("SplitFunctionName(%q) = %q, %q: not parts of the input", s, name, qualifier)
		}
	})
}
