package config

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// Function is a local Lambda function (Portico extension): Portico runs it
// itself, without Docker, and Lambda ARNs that name it
// (arn:aws:lambda:REGION:ACCOUNT:function:NAME, and API Gateway's
// invocation form) invoke it before any remote Lambda. Field names are
// those of the Lambda API and SAM.
type Function struct {
	// FunctionName names the function in ARNs and the Invoke API. Required.
	FunctionName string `yaml:"functionName"`
	// Runtime is provided.al2023, provided.al2, go1.x, nodejs18.x to
	// nodejs22.x or python3.9 to python3.13. Required.
	Runtime string `yaml:"runtime"`
	// Handler is file.export (Node.js) or module.function (Python),
	// required for those; provided runtimes run codeUri/bootstrap.
	Handler string `yaml:"handler"`
	// CodeURI is the code's directory, relative to the config file's. Load
	// makes it absolute. Required.
	CodeURI string `yaml:"codeUri"`
	// Environment holds the function's environment variables.
	Environment *FunctionEnvironment `yaml:"environment"`
	// Timeout is in seconds, 1 to 900. Nil means 3.
	Timeout *int `yaml:"timeout"`
	// MemorySize is in MB, 128 to 10240, reported to the function only.
	// Nil means 128.
	MemorySize *int `yaml:"memorySize"`
	// MaxConcurrency is how many environments (processes) may run at once.
	// Nil means 4.
	MaxConcurrency *int `yaml:"maxConcurrency"`
	// MaxQueue is how many invocations may wait for a busy environment
	// before Lambda's throttling error. Nil means 64; 0 means none wait,
	// as on Lambda.
	MaxQueue *int `yaml:"maxQueue"`
	// IdleTimeout stops an environment unused this long. Nil means 5m.
	IdleTimeout *Duration `yaml:"idleTimeout"`
	// Watch restarts the environments when a file under codeUri changes.
	Watch bool `yaml:"watch"`
}

// FunctionEnvironment is a function's environment, as Lambda and SAM
// spell it.
type FunctionEnvironment struct {
	Variables map[string]string `yaml:"variables"`
}

// FunctionRuntimes are the runtimes a local function may name.
var FunctionRuntimes = []string{
	"provided.al2023", "provided.al2", "provided", "go1.x",
	"nodejs18.x", "nodejs20.x", "nodejs22.x",
	"python3.9", "python3.10", "python3.11", "python3.12", "python3.13",
}

// reservedVariables are the environment variables Lambda sets itself and
// refuses in a function's configuration.
var reservedVariables = []string{
	"_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
	"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
	"AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
	"AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
	"AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
}

var (
	functionNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	envVarRE       = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_]*$`)
	arnFunctionRE  = regexp.MustCompile(`:function:([A-Za-z0-9_-]{1,64})(?:$|[:/])`)
)

// LocalFunction returns the name of the function of f.Functions that uri
// (a Lambda function ARN, or API Gateway's invocation ARN around one)
// names; ok is false when uri names none.
func (f *File) LocalFunction(uri string) (name string, ok bool) {
	if !strings.HasPrefix(uri, "arn:") {
		return "", false
	}
	m := arnFunctionRE.FindStringSubmatch(uri)
	if m == nil {
		return "", false
	}
	for _, fn := range f.Functions {
		if fn.FunctionName == m[1] {
			return m[1], true
		}
	}
	return "", false
}

// validateFunctions checks the functions list; relative codeUris are
// looked up from d.baseDir.
func validateFunctions(f *File, d *decoder) {
	names := map[string]string{}
	for i := range f.Functions {
		fn := &f.Functions[i]
		k := indexKey("functions", i)
		switch {
		case fn.FunctionName == "":
			d.at(k+".functionName", "required")
		case !functionNameRE.MatchString(fn.FunctionName):
			d.at(k+".functionName", "%q: use 1-64 letters, digits, - or _", fn.FunctionName)
		case names[fn.FunctionName] != "":
			prev := names[fn.FunctionName]
			d.at(k+".functionName", "duplicate function %q (also %s, line %d)", fn.FunctionName, prev, d.line(prev+".functionName"))
		default:
			names[fn.FunctionName] = k
		}
		switch {
		case fn.Runtime == "":
			d.at(k+".runtime", "required: one of %s", strings.Join(FunctionRuntimes, ", "))
		case !slices.Contains(FunctionRuntimes, fn.Runtime):
			d.at(k+".runtime", "%q: want one of %s", fn.Runtime, strings.Join(FunctionRuntimes, ", "))
		case fn.Handler == "" && (strings.HasPrefix(fn.Runtime, "nodejs") || strings.HasPrefix(fn.Runtime, "python")):
			d.at(k+".handler", "required for %s, e.g. %s", fn.Runtime, map[bool]string{true: "index.handler", false: "app.lambda_handler"}[strings.HasPrefix(fn.Runtime, "nodejs")])
		}
		if fn.CodeURI == "" {
			d.at(k+".codeUri", "required: the directory holding the code")
		} else if st, err := os.Stat(d.path(fn.CodeURI)); err != nil {
			d.at(k+".codeUri", "%q: %s", fn.CodeURI, statMsg(err))
		} else if !st.IsDir() {
			d.at(k+".codeUri", "%q is not a directory", fn.CodeURI)
		}
		checkRange(d, k+".timeout", fn.Timeout, 1, 900)
		checkRange(d, k+".memorySize", fn.MemorySize, 128, 10240)
		checkRange(d, k+".maxConcurrency", fn.MaxConcurrency, 1, 1000)
		checkRange(d, k+".maxQueue", fn.MaxQueue, 0, 100000)
		if fn.IdleTimeout != nil && *fn.IdleTimeout <= 0 {
			d.at(k+".idleTimeout", "must be positive, e.g. 5m")
		}
		if fn.Environment != nil {
			for _, name := range slices.Sorted(mapsKeys(fn.Environment.Variables)) {
				vk := childKey(k+".environment.variables", name)
				switch {
				case slices.Contains(reservedVariables, name):
					d.atKey(vk, "%s is reserved: Lambda sets it", name)
				case !envVarRE.MatchString(name):
					d.atKey(vk, "environment variable names start with a letter and use letters, digits and _")
				}
			}
		}
	}
}

func mapsKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func checkRange(d *decoder, key string, v *int, lo, hi int) {
	if v != nil && (*v < lo || *v > hi) {
		d.at(key, "%d: want %d to %d", *v, lo, hi)
	}
}

// statMsg shortens an os.Stat error to its cause.
func statMsg(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

// path resolves a path of the file: relative to the file's directory,
// else to the working directory.
func (d *decoder) path(p string) string {
	if filepath.IsAbs(p) || d.baseDir == "" {
		return p
	}
	return filepath.Join(d.baseDir, p)
}

// normaliseFunctions makes codeUris absolute, once the file is valid.
func normaliseFunctions(f *File, d *decoder) {
	for i := range f.Functions {
		if abs, err := filepath.Abs(d.path(f.Functions[i].CodeURI)); err == nil {
			f.Functions[i].CodeURI = abs
		}
	}
}
