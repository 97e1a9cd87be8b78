package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/portico-gw/portico/functions"
)

// The lambda-local scenario measures Portico's local Lambda runtime
// (package functions): o.Conns clients, each in a closed loop, invoke a
// warm Go function through Runtime.Invoke, which hands the event to a
// bootstrap process over the Runtime API and waits for its answer. The
// function is this executable run as `portico bench-function`: an
// aws-lambda-go handler (lambda.Start) that echoes its event. The baseline
// calls the same handler in process, decoding the event and encoding the
// answer with encoding/json as aws-lambda-go does: what is left between the
// two is the runtime's cost (process hop, Runtime API, scheduling of
// environments). It does not go through lambda.NewHandler's Invoke: that
// returns the bytes of a pooled buffer it has already put back, which
// concurrent callers overwrite.

// echoEvent is the bench function's event and answer.
type echoEvent struct {
	Msg string `json:"msg"`
}

// echoFunction is the bench function's handler.
func echoFunction(_ context.Context, e echoEvent) (echoEvent, error) { return e, nil }

// ServeFunction is the body of `portico bench-function`: the bench
// function, served through the Lambda Runtime API named by
// AWS_LAMBDA_RUNTIME_API. It returns only when that API fails.
func ServeFunction() { lambda.Start(echoFunction) }

// maxLambdaEnvironments caps the function's environments (processes),
// whatever --conns says; further clients wait in the pool's queue.
const maxLambdaEnvironments = 8

// StartLambdaInProcess is lambda-local's baseline: the handler called in
// this process.
func StartLambdaInProcess(Options) (*Target, error) {
	return lambdaTarget("in-process", func(ctx context.Context, payload []byte) ([]byte, error) {
		var e echoEvent
		if err := json.Unmarshal(payload, &e); err != nil {
			return nil, err
		}
		answer, err := echoFunction(ctx, e)
		if err != nil {
			return nil, err
		}
		return json.Marshal(answer)
	}, func() {}), nil
}

// StartLambdaLocal runs a functions.Runtime with the bench function as a
// provided.al2023 bootstrap: a script in a temporary directory that execs
// o.Executable (or this executable) as `bench-function`.
func StartLambdaLocal(o Options) (*Target, error) {
	exe := o.Executable
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return nil, err
		}
	}
	dir, err := os.MkdirTemp("", "portico-bench-fn-")
	if err != nil {
		return nil, err
	}
	script := "#!/bin/sh\nexec " + shellQuote(exe) + " bench-function\n"
	if err := os.WriteFile(filepath.Join(dir, "bootstrap"), []byte(script), 0o755); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	envs := min(max(o.Conns, 1), maxLambdaEnvironments)
	rt, err := functions.New(functions.Config{Functions: []functions.Function{{
		Name: "bench", Runtime: "provided.al2023", CodeURI: dir,
		MaxConcurrency: envs, MaxQueue: max(o.Conns, 1), Timeout: 10 * time.Second,
	}}})
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	closeFn := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = rt.Shutdown(ctx)
		os.RemoveAll(dir)
	}
	invoke := func(ctx context.Context, payload []byte) ([]byte, error) {
		out, err := rt.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String("bench"), Payload: payload})
		if err != nil {
			return nil, err
		}
		if out.FunctionError != nil {
			return nil, fmt.Errorf("function error %s: %s", aws.ToString(out.FunctionError), out.Payload)
		}
		return out.Payload, nil
	}
	t := lambdaTarget("lambda-local", invoke, closeFn)
	// Warm every environment: envs invocations at once, twice. An
	// invocation may try three times: on a loaded machine a new process can
	// miss the 10 s init timeout, and the next try starts another.
	for range 2 {
		var wg sync.WaitGroup
		errs := make(chan error, envs)
		for range envs {
			wg.Go(func() {
				ex, _, _ := t.NewExchanger()
				var err error
				for range 3 {
					if _, err = ex(context.Background(), []byte("warm")); err == nil {
						return
					}
				}
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		if err := <-errs; err != nil {
			closeFn()
			return nil, fmt.Errorf("warming the function: %w", err)
		}
	}
	return t, nil
}

// lambdaTarget is a Target whose exchangers send the payload as the event
// {"msg": payload} to invoke and check that the answer is the same event.
func lambdaTarget(name string, invoke func(ctx context.Context, payload []byte) ([]byte, error), closeFn func()) *Target {
	return &Target{
		Name: name,
		NewExchanger: func() (Exchange, func(), error) {
			return func(ctx context.Context, data []byte) ([]byte, error) {
				event := []byte(`{"msg":` + strconv.Quote(string(data)) + `}`)
				reply, err := invoke(ctx, event)
				if err != nil {
					return nil, err
				}
				if !bytes.Equal(bytes.TrimSpace(reply), event) {
					return nil, fmt.Errorf("answer %q; want %q", reply, event)
				}
				return reply, nil
			}, func() {}, nil
		},
		Close: closeFn,
	}
}

// runLambda runs o.Conns clients, each in a closed loop of invocations,
// for o.Duration.
func runLambda(ctx context.Context, t *Target, o Options) (map[string]float64, error) {
	r, err := closedLoop(ctx, t, o, nil)
	if err != nil {
		return nil, err
	}
	return r.metrics("invocations_per_sec"), nil
}

// shellQuote quotes s for /bin/sh.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
