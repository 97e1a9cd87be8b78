package portico

import (
	"time"

	"github.com/portico-gw/portico/config"
	"github.com/portico-gw/portico/functions"
)

// Local Lambda functions (package functions). The node owns one
// functions.Runtime for its life: built in New, configured by every Apply
// (a function that did not change keeps its warm environments), reached by
// the APIs through integration.Env.Lambda, served on the admin listener as
// the Lambda Invoke API, and shut down (every process group killed) by
// Shutdown.

// newFunctions builds the node's runtime. The functions get the file's
// Lambda keys, else its first SigV4 credential, as AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY, so that they can call the node's own SigV4
// endpoints (@connections, the Invoke API); these are read at start.
func (s *Server) newFunctions(f *config.File) (*functions.Runtime, error) {
	key, secret := f.Lambda.AccessKeyID, f.Lambda.SecretAccessKey
	if key == "" && len(f.Credentials) > 0 {
		key, secret = f.Credentials[0].AccessKeyID, f.Credentials[0].SecretAccessKey
	}
	return functions.New(functions.Config{
		Region:          firstNonEmpty(f.Region, "us-east-1"),
		AccountID:       firstNonEmpty(f.AccountID, "000000000000"),
		AccessKeyID:     key,
		SecretAccessKey: secret,
		Logger:          s.log,
	})
}

// functionsOf converts the file's functions list.
func functionsOf(f *config.File) []functions.Function {
	out := make([]functions.Function, 0, len(f.Functions))
	for _, c := range f.Functions {
		fn := functions.Function{
			Name:    c.FunctionName,
			Runtime: c.Runtime,
			Handler: c.Handler,
			CodeURI: c.CodeURI,
			Watch:   c.Watch,
		}
		if c.Environment != nil {
			fn.Environment = c.Environment.Variables
		}
		if c.Timeout != nil {
			fn.Timeout = time.Duration(*c.Timeout) * time.Second
		}
		if c.MemorySize != nil {
			fn.MemorySize = *c.MemorySize
		}
		if c.MaxConcurrency != nil {
			fn.MaxConcurrency = *c.MaxConcurrency
		}
		if c.MaxQueue != nil {
			fn.MaxQueue = *c.MaxQueue
			if fn.MaxQueue == 0 {
				fn.MaxQueue = -1 // none wait, as on Lambda
			}
		}
		if c.IdleTimeout != nil {
			fn.IdleTimeout = time.Duration(*c.IdleTimeout)
		}
		out = append(out, fn)
	}
	return out
}

// Functions returns the node's local Lambda runtime.
func (s *Server) Functions() *functions.Runtime { return s.functions }
