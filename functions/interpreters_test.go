package functions

import (
	"context"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

func nodeFunction(name, dir, handler string) Function {
	abs, _ := filepath.Abs(filepath.Join("testdata", dir))
	return Function{Name: name, Runtime: "nodejs20.x", Handler: handler, CodeURI: abs, Environment: map[string]string{"GREETING": "hola"}}
}

func pythonFunction(name, handler string) Function {
	abs, _ := filepath.Abs(filepath.Join("testdata", "python"))
	return Function{Name: name, Runtime: "python3.12", Handler: handler, CodeURI: abs, Environment: map[string]string{"GREETING": "hallo"}}
}

// Node.js handlers run with our bootstrap: CommonJS and ES modules, async
// and callback styles, and the context object.
func TestNode(t *testing.T) {
	needTool(t, "node")
	rt, logs := newRuntime(t,
		nodeFunction("cjs", "node-cjs", "index.handler"),
		nodeFunction("callback", "node-cjs", "index.callback"),
		nodeFunction("nested", "node-cjs", "index.nested.deeper"),
		nodeFunction("esm", "node-esm", "index.handler"),
		nodeFunction("typemodule", "node-module", "app.handler"),
	)
	out := call(t, rt, "cjs", `{"name":"ana"}`)
	if out.FunctionError != nil {
		t.Fatalf("cjs: %s", out.Payload)
	}
	m := decode(t, out.Payload)
	for k, want := range map[string]any{
		"hello": "ana", "function": "cjs", "version": "$LATEST", "memory": "128", "env": "hola",
		"arn": "arn:aws:lambda:us-east-1:000000000000:function:cjs", "logGroup": "/aws/lambda/cjs",
	} {
		if m[k] != want {
			t.Errorf("%s = %v, want %v", k, m[k], want)
		}
	}
	if ms, _ := m["remainingMs"].(float64); ms <= 0 || ms > 3000 {
		t.Errorf("getRemainingTimeInMillis() = %v", ms)
	}
	id := m["requestId"].(string)
	if !strings.Contains(logs.String(), "\\t"+id+"\\tINFO\\thello from node ana") {
		t.Errorf("console.log line not in Lambda's format:\n%s", logs.String())
	}
	pid := pidOf(t, out.Payload)
	out, err := rt.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String("cjs"),
		ClientContext: aws.String(base64.StdEncoding.EncodeToString([]byte(`{"custom":{"tenant":"t1"}}`)))})
	if err != nil {
		t.Fatal(err)
	}
	if pidOf(t, out.Payload) != pid {
		t.Error("the second call did not reuse the warm process")
	}
	if cc, _ := decode(t, out.Payload)["clientContext"].(map[string]any); cc == nil || cc["custom"].(map[string]any)["tenant"] != "t1" {
		t.Errorf("context.clientContext: %s", out.Payload)
	}

	for _, tc := range []struct{ fn, want string }{
		{"callback", `{"style":"callback","hello":"bo"`},
		{"nested", `"nested"`},
		{"esm", `{"style":"esm","hello":"bo"`},
		{"typemodule", `{"style":"type-module","hello":"bo","file":"app.js"}`},
	} {
		t.Run(tc.fn, func(t *testing.T) {
			out := call(t, rt, tc.fn, `{"name":"bo"}`)
			if out.FunctionError != nil || !strings.HasPrefix(string(out.Payload), tc.want) {
				t.Errorf("payload %s, want it to start with %s", out.Payload, tc.want)
			}
		})
	}
}

// Node.js failures: a thrown error, a callback error, an exit, an
// unhandled rejection, and init errors.
func TestNodeErrors(t *testing.T) {
	needTool(t, "node")
	rt, _ := newRuntime(t,
		nodeFunction("cjs", "node-cjs", "index.handler"),
		nodeFunction("callback", "node-cjs", "index.callback"),
		nodeFunction("nohandler", "node-cjs", "index.missing"),
		nodeFunction("nomodule", "node-cjs", "absent.handler"),
	)
	for _, tc := range []struct {
		name, fn, event, errType, msg string
	}{
		{"thrown", "cjs", `{"action":"fail"}`, "TypeError", "boom from node"},
		{"callback error", "callback", `{"action":"fail"}`, "Error", "callback failure"},
		{"exit", "cjs", `{"action":"crash"}`, "Runtime.ExitError", "RequestId: "},
		{"unhandled rejection", "cjs", `{"action":"reject"}`, "Runtime.UnhandledPromiseRejection", "nobody catches me"},
		{"handler not exported", "nohandler", `{}`, "Runtime.HandlerNotFound", "index.missing is undefined or not exported"},
		{"module not found", "nomodule", `{}`, "Runtime.ImportModuleError", "Error: Cannot find module 'absent'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := wantFunctionError(t, call(t, rt, tc.fn, tc.event), tc.errType, tc.msg)
			if tc.name == "thrown" {
				if trace, _ := m["trace"].([]any); len(trace) < 2 || trace[0] != "TypeError: boom from node" {
					t.Errorf("trace %v", m["trace"])
				}
			}
			if tc.name == "exit" && !strings.HasSuffix(m["errorMessage"].(string), "Runtime exited with error: exit status 7") {
				t.Errorf("errorMessage %q", m["errorMessage"])
			}
		})
	}
}

// Python handlers run with our bootstrap (standard library only).
func TestPython(t *testing.T) {
	needTool(t, "python3")
	rt, logs := newRuntime(t,
		pythonFunction("py", "app.handler"),
		pythonFunction("marshal", "app.unserializable"),
		pythonFunction("broken", "broken.handler"),
		pythonFunction("nohandler", "app.nope"),
	)
	out := call(t, rt, "py", `{"name":"ana"}`)
	if out.FunctionError != nil {
		t.Fatalf("py: %s", out.Payload)
	}
	m := decode(t, out.Payload)
	for k, want := range map[string]any{
		"hello": "ana", "function": "py", "version": "$LATEST", "memory": "128", "env": "hallo",
		"arn": "arn:aws:lambda:us-east-1:000000000000:function:py", "logGroup": "/aws/lambda/py",
	} {
		if m[k] != want {
			t.Errorf("%s = %v, want %v", k, m[k], want)
		}
	}
	if ms, _ := m["remainingMs"].(float64); ms <= 0 || ms > 3000 {
		t.Errorf("get_remaining_time_in_millis() = %v", ms)
	}
	if out, err := exec.Command("python3", "--version").Output(); err == nil && !strings.HasPrefix(string(out), "Python 3.12.") &&
		!strings.Contains(logs.String(), "the interpreter's version is not the runtime's") {
		t.Errorf("no warning that %s is not python3.12", out)
	}
	if !strings.Contains(logs.String(), "[py] hello from python ana") {
		t.Error("print output not in the log")
	}
	if !strings.Contains(logs.String(), "\\t"+m["requestId"].(string)+"\\tlogged from python ana") || !strings.Contains(logs.String(), "[py] [INFO]\\t") {
		t.Errorf("logging output not in Lambda's format:\n%s", logs.String())
	}
	pid := pidOf(t, out.Payload)
	if got := pidOf(t, call(t, rt, "py", `{}`).Payload); got != pid {
		t.Error("the second call did not reuse the warm process")
	}

	for _, tc := range []struct {
		name, fn, event, errType, msg string
	}{
		{"raised", "py", `{"action":"fail"}`, "ValidationError", "boom from python"},
		{"exit", "py", `{"action":"crash"}`, "Runtime.ExitError", "RequestId: "},
		{"unserializable", "marshal", `{}`, "Runtime.MarshalError", "Unable to marshal response: "},
		{"import error", "broken", `{}`, "Runtime.ImportModuleError", "Unable to import module 'broken': No module named 'does_not_exist'"},
		{"handler missing", "nohandler", `{}`, "Runtime.HandlerNotFound", "Handler 'nope' missing on module 'app'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := wantFunctionError(t, call(t, rt, tc.fn, tc.event), tc.errType, tc.msg)
			if tc.name == "raised" {
				if st, _ := m["stackTrace"].([]any); len(st) == 0 || !strings.Contains(st[len(st)-1].(string), "app.py") {
					t.Errorf("stackTrace %v", m["stackTrace"])
				}
			}
		})
	}
}

// A Python call past its timeout is killed like any other.
func TestPythonTimeout(t *testing.T) {
	needTool(t, "python3")
	fn := pythonFunction("py", "app.handler")
	fn.Timeout = time.Second
	rt, _ := newRuntime(t, fn)
	pid := pidOf(t, call(t, rt, "py", `{}`).Payload)
	wantFunctionError(t, call(t, rt, "py", `{"action":"sleep","ms":4000}`), "Sandbox.Timedout", "RequestId: ")
	processGone(t, pid)
}

// With watch, changing a file under codeUri restarts the environments.
func TestWatch(t *testing.T) {
	needTool(t, "python3")
	dir := t.TempDir()
	write := func(answer string) {
		src := "def handler(event, context):\n    return " + answer + "\n"
		if err := os.WriteFile(filepath.Join(dir, "app.py"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(`"one"`)
	rt, _ := newRuntime(t, Function{Name: "w", Runtime: "python3.11", Handler: "app.handler", CodeURI: dir, Watch: true})
	if got := string(call(t, rt, "w", `{}`).Payload); got != `"one"` {
		t.Fatalf("first answer %s", got)
	}
	time.Sleep(20 * time.Millisecond) // a different mtime even on coarse clocks
	write(`"two, longer"`)
	waitFor(t, "the new code to answer", func() bool {
		return string(call(t, rt, "w", `{}`).Payload) == `"two, longer"`
	})
}
