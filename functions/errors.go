package functions

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// ErrClosed is returned by Configure and Invoke once Shutdown began, and by
// Invoke when the function was removed while the invocation waited.
var ErrClosed = errors.New("functions: runtime shut down")

// The function errors a Runtime produces itself, as Lambda words them. Each
// becomes an invocation result with FunctionError "Unhandled" and the
// payload {"errorType": Type, "errorMessage": ...}. The request ID is
// part of most messages, as on Lambda ("RequestId: … Error: …").
const (
	// errTimedOut: the invocation ran past the function's timeout; the
	// environment was killed.
	errTimedOut = "Sandbox.Timedout"
	// errExit: the runtime process exited (or was killed) before it
	// answered.
	errExit = "Runtime.ExitError"
	// errEntrypoint: the bootstrap or interpreter could not be started.
	errEntrypoint = "Runtime.InvalidEntrypoint"
	// errTooLarge: the response is over MaxResponseBytes.
	errTooLarge = "Function.ResponseSizeTooLarge"
	// errUnknown: the runtime reported an error without a body.
	errUnknown = "Runtime.Unknown"
)

// errorPayload is a Lambda error payload.
type errorPayload struct {
	ErrorType    string `json:"errorType,omitempty"`
	ErrorMessage string `json:"errorMessage"`
}

func (e errorPayload) JSON() []byte {
	b, _ := json.Marshal(e)
	return b
}

// timedOut is the payload of an invocation that ran past timeout.
func timedOut(requestID string, timeout time.Duration) errorPayload {
	return errorPayload{errTimedOut, fmt.Sprintf("RequestId: %s Error: Task timed out after %.2f seconds", requestID, timeout.Seconds())}
}

// exited is the payload of an invocation whose runtime exited; state is
// the process's exit state ("exit status 1", "signal: killed"), or "" for
// a clean exit.
func exited(requestID, state string) errorPayload {
	if state == "" || state == "exit status 0" {
		return errorPayload{errExit, "RequestId: " + requestID + " Error: Runtime exited without providing a reason"}
	}
	return errorPayload{errExit, "RequestId: " + requestID + " Error: Runtime exited with error: " + state}
}

// badEntrypoint is the payload of an invocation whose runtime could not
// start.
func badEntrypoint(requestID string, err error) errorPayload {
	return errorPayload{errEntrypoint, "RequestId: " + requestID + " Error: " + err.Error()}
}

// tooLarge is the payload of an invocation whose response is too large.
func tooLarge() errorPayload {
	return errorPayload{errTooLarge, fmt.Sprintf("Response payload size exceeded maximum allowed payload size (%d bytes).", MaxResponseBytes)}
}

// throttled is what an invocation gets when every environment is busy and
// the wait queue is full: Lambda's 429.
func throttled() error {
	return &types.TooManyRequestsException{
		Message: aws.String("Rate Exceeded."),
		Reason:  types.ThrottleReasonReservedFunctionConcurrentInvocationLimitExceeded,
		Type:    aws.String("User"),
	}
}

// requestTooLarge is what an invocation whose payload is over
// MaxRequestBytes gets: Lambda's 413.
func requestTooLarge(n int) error {
	return &types.RequestTooLargeException{
		Message: aws.String(fmt.Sprintf("%d byte payload is too large for the RequestResponse invocation type (limit %d bytes)", n, MaxRequestBytes)),
		Type:    aws.String("User"),
	}
}
