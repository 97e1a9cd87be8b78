package functions

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
)

// The Runtime API of one environment (AWS "Lambda runtime API",
// version 2018-06-01), served on its own loopback listener, so that no
// path names the function:
//
//	GET  /2018-06-01/runtime/invocation/next            the next event (long poll)
//	POST /2018-06-01/runtime/invocation/{id}/response   202
//	POST /2018-06-01/runtime/invocation/{id}/error      202
//	POST /2018-06-01/runtime/init/error                 202
//
// Errors are Lambda's {"errorMessage","errorType"}: 400 InvalidRequestID,
// 403 InvalidStateTransition, 413 RequestEntityTooLarge.

func (e *environment) runtimeAPI() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", e.serveNext)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", e.serveResponse)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", e.serveError)
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", e.serveInitError)
	return mux
}

// apiError is a Runtime API error reply.
type apiError struct {
	status int
	errorPayload
}

var (
	errInvalidRequestID = apiError{http.StatusBadRequest, errorPayload{"InvalidRequestID", "Invalid request ID"}}
	errStateTransition  = apiError{http.StatusForbidden, errorPayload{"InvalidStateTransition", "State transition is not allowed"}}
	errEntityTooLarge   = apiError{http.StatusRequestEntityTooLarge, errorPayload{"RequestEntityTooLarge", "Exceeded maximum allowed payload size (" + strconv.Itoa(MaxResponseBytes) + " bytes)."}}
)

func (a apiError) write(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(a.status)
	_, _ = w.Write(a.JSON())
}

func accepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`)
}

func (e *environment) serveNext(w http.ResponseWriter, r *http.Request) {
	e.markInit()
	var inv *invocation
	select {
	case inv = <-e.next:
	case <-e.stopped:
		w.WriteHeader(http.StatusInternalServerError)
		return
	case <-r.Context().Done():
		return
	}
	e.mu.Lock()
	e.cur = inv
	e.mu.Unlock()
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
	h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(inv.deadline.UnixMilli(), 10))
	invoked := inv.p.arn
	if inv.req.Qualifier != "" {
		invoked += ":" + inv.req.Qualifier
	}
	h.Set("Lambda-Runtime-Invoked-Function-Arn", invoked)
	h.Set("Lambda-Runtime-Trace-Id", inv.traceID)
	if cc := inv.req.ClientContext; cc != "" {
		if b, err := base64.StdEncoding.DecodeString(cc); err == nil {
			h.Set("Lambda-Runtime-Client-Context", string(b))
		}
	}
	payload := inv.req.Payload
	if len(payload) == 0 {
		payload = []byte("{}")
	}
	h.Set("Content-Length", strconv.Itoa(len(payload)))
	_, _ = w.Write(payload)
}

// current returns the invocation in progress when its ID is id.
func (e *environment) current(id string) (*invocation, *apiError) {
	e.mu.Lock()
	inv := e.cur
	e.mu.Unlock()
	if inv == nil || inv.id != id {
		return nil, &errInvalidRequestID
	}
	if _, done := inv.finished(); done {
		return nil, &errStateTransition
	}
	return inv, nil
}

// readPayload reads a body of at most MaxResponseBytes; tooLarge reports a
// larger one.
func readPayload(r *http.Request) (b []byte, tooBig bool, err error) {
	b, err = io.ReadAll(io.LimitReader(r.Body, MaxResponseBytes+1))
	if err != nil {
		return nil, false, err
	}
	return b, len(b) > MaxResponseBytes, nil
}

func (e *environment) serveResponse(w http.ResponseWriter, r *http.Request) {
	inv, aerr := e.current(r.PathValue("id"))
	if aerr != nil {
		aerr.write(w)
		return
	}
	b, tooBig, err := readPayload(r)
	switch {
	case err != nil:
		w.WriteHeader(http.StatusBadRequest)
		return
	case tooBig:
		inv.finish(outcome{payload: tooLarge().JSON(), failed: true, reset: true})
		errEntityTooLarge.write(w)
		return
	}
	inv.finish(outcome{payload: b})
	accepted(w)
}

func (e *environment) serveError(w http.ResponseWriter, r *http.Request) {
	inv, aerr := e.current(r.PathValue("id"))
	if aerr != nil {
		aerr.write(w)
		return
	}
	b, tooBig, err := readPayload(r)
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	if tooBig || !json.Valid(b) {
		b = errorPayload{firstNonEmpty(r.Header.Get("Lambda-Runtime-Function-Error-Type"), errUnknown), "Unknown application error occurred"}.JSON()
	}
	inv.finish(outcome{payload: b, failed: true})
	accepted(w)
}

func (e *environment) serveInitError(w http.ResponseWriter, r *http.Request) {
	select {
	case <-e.initDone:
		errStateTransition.write(w)
		return
	default:
	}
	b, _, err := readPayload(r)
	if err != nil || !json.Valid(b) {
		b = errorPayload{firstNonEmpty(r.Header.Get("Lambda-Runtime-Function-Error-Type"), errUnknown), "Unknown application error occurred"}.JSON()
	}
	e.mu.Lock()
	e.initErr = b
	e.mu.Unlock()
	e.markInit()
	accepted(w)
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}
