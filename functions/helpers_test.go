package functions

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

var (
	goOnce sync.Once
	goDir  string
	goErr  error
	tmpDir string
)

func TestMain(m *testing.M) {
	var err error
	tmpDir, err = os.MkdirTemp("", "functions-test-")
	if err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(tmpDir)
	os.Exit(code)
}

// goBootstrap returns a directory holding testdata/gohandler built as a
// provided.al2023 bootstrap (aws-lambda-go, -tags lambda.norpc), built
// once per test binary.
func goBootstrap(t testing.TB) string {
	t.Helper()
	goOnce.Do(func() {
		goDir = filepath.Join(tmpDir, "gohandler")
		cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", filepath.Join(goDir, "bootstrap"), "./testdata/gohandler")
		cmd.Env = append(os.Environ(), "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH, "CGO_ENABLED=0")
		out, err := cmd.CombinedOutput()
		if err != nil {
			goErr = err
			goDir = string(out)
		}
	})
	if goErr != nil {
		t.Fatalf("building the Go bootstrap: %v\n%s", goErr, goDir)
	}
	return goDir
}

func needTool(t testing.TB, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("%s is not installed", name)
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newRuntime returns a Runtime of fns, shut down when the test ends, and
// the buffer its log goes to.
func newRuntime(t testing.TB, fns ...Function) (*Runtime, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	rt, err := New(Config{Functions: fns, Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := rt.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if t.Failed() {
			t.Logf("runtime log:\n%s", logs.String())
		}
	})
	return rt, logs
}

// call invokes name with payload and fails the test on an invocation error.
func call(t testing.TB, rt *Runtime, name, payload string) *lambda.InvokeOutput {
	t.Helper()
	out, err := rt.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(payload)})
	if err != nil {
		t.Fatalf("Invoke %s %s: %v", name, payload, err)
	}
	return out
}

// decode decodes a JSON payload into a map.
func decode(t testing.TB, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("payload %s: %v", b, err)
	}
	return m
}

// pidOf returns the "pid" of a handler's answer.
func pidOf(t testing.TB, b []byte) int {
	t.Helper()
	pid, ok := decode(t, b)["pid"].(float64)
	if !ok {
		t.Fatalf("no pid in %s", b)
	}
	return int(pid)
}

// processGone waits up to 2s for pid to be gone.
func processGone(t testing.TB, pid int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		err := syscall.Kill(pid, 0)
		if err == syscall.ESRCH {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("process %d still exists (kill 0: %v)", pid, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// wantFunctionError checks an invocation that failed as Lambda reports it.
func wantFunctionError(t testing.TB, out *lambda.InvokeOutput, errType, msgPrefix string) map[string]any {
	t.Helper()
	if out.StatusCode != 200 || aws.ToString(out.FunctionError) != "Unhandled" {
		t.Fatalf("status %d FunctionError %q; want 200 Unhandled (payload %s)", out.StatusCode, aws.ToString(out.FunctionError), out.Payload)
	}
	m := decode(t, out.Payload)
	if m["errorType"] != errType {
		t.Errorf("errorType %v, want %s (payload %s)", m["errorType"], errType, out.Payload)
	}
	if msg, _ := m["errorMessage"].(string); !strings.HasPrefix(msg, msgPrefix) {
		t.Errorf("errorMessage %q, want it to start with %q", msg, msgPrefix)
	}
	return m
}

// waitFor polls cond for up to 5s.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
