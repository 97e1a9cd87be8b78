package integration

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// ErrUnsupportedMediaType is returned by Invoke of an HTTP integration whose
// passthroughBehavior refuses a request that no request template matched
// (NEVER, or WHEN_NO_TEMPLATES when templates exist). REST maps it to 415.
var ErrUnsupportedMediaType = errors.New("integration: unsupported media type: no request template matched")

// FunctionError is returned (wrapped) by Invoke when a Lambda function
// answered with X-Amz-Function-Error, or when an AWS_PROXY backend reached
// over HTTP answered a non-2xx status (or set X-Amz-Function-Error). Find it
// with errors.As.
type FunctionError struct {
	// Type is the X-Amz-Function-Error value ("Unhandled", "Handled"); for an
	// HTTP backend that did not set that header, "HTTP " and the status code.
	Type string
	// Payload is the function's answer, typically
	// {"errorMessage": "...", "errorType": "..."}.
	Payload []byte
}

// Error implements error. It quotes the payload's errorMessage when there is
// one, else the start of the payload.
func (e *FunctionError) Error() string {
	var b strings.Builder
	b.WriteString("integration: function error")
	if e.Type != "" {
		b.WriteString(" (" + e.Type + ")")
	}
	var body struct{ ErrorMessage string }
	switch {
	case json.Unmarshal(e.Payload, &body) == nil && body.ErrorMessage != "":
		fmt.Fprintf(&b, ": %q", truncate(body.ErrorMessage, 200))
	case len(e.Payload) > 0:
		fmt.Fprintf(&b, ": %q", truncate(string(e.Payload), 200))
	}
	return b.String()
}

// MalformedResponseError is returned (wrapped) by Invoke of an AWS_PROXY
// integration whose answer is not a Lambda proxy response (AWS logs
// "Malformed Lambda proxy response" and the client gets an internal error).
// Find it with errors.As.
type MalformedResponseError struct {
	// Reason says what is wrong, for example `unexpected key "foo"`.
	Reason string
	// Payload is the function's answer.
	Payload []byte
	// Err is the underlying decoding error, if any.
	Err error
}

// Error implements error.
func (e *MalformedResponseError) Error() string {
	msg := "integration: malformed Lambda proxy response: " + e.Reason
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the underlying decoding error.
func (e *MalformedResponseError) Unwrap() error { return e.Err }

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
