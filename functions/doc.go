// Package functions runs Lambda handlers on the local machine, without
// Docker: a Runtime keeps, per configured function, up to MaxConcurrency
// execution environments, each one process (the function's bootstrap, or
// the user's node or python3 with a bootstrap shipped in this package)
// talking to its own loopback listener that serves the Lambda Runtime API
// (/2018-06-01/runtime/...).
//
// A Runtime implements the integration layer's LambdaInvoker, so that API
// integrations and authorizers whose ARN names a local function invoke it,
// and names it does not know go to a remote invoker (the SDK's Lambda
// client). InvokeHandler serves the Lambda Invoke API
// (POST /2015-03-31/functions/{name}/invocations) for the admin listener.
//
// Behaviour follows Lambda: the environment that times out, crashes or
// fails to initialise has its process group killed and is replaced on the
// next invocation; errors come back as function errors
// (InvokeOutput.FunctionError "Unhandled") with Lambda's payloads; every
// invocation is framed by START, END and REPORT lines in the log.
//
// Concurrency: all methods of Runtime are safe for concurrent use. Each
// function is a pool (pool.mu guards its environments and wait queue);
// an environment is used by one invocation at a time, handed over under
// pool.mu; the environment's own mutex (environment.mu) guards the
// invocation in progress, and invocation.mu an invocation's log and
// outcome. No two of these locks (nor Runtime.mu) are ever held together.
// Every goroutine (process waiters, output readers, Runtime API servers,
// the per-pool janitor that reaps idle environments and watches code,
// async invocations) is owned by its environment, pool or the Runtime,
// which wait for it in Shutdown.
package functions
