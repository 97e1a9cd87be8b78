package httpapi

import (
	"net/http"
	"strconv"
)

// The answers an HTTP API gives on its own (reference §3.2). They are fixed:
// HTTP APIs have no gateway responses to customise them. Every one carries
// apigw-requestid, as AWS's do.
type gatewayError struct {
	status int
	body   string
}

var (
	errNotFound           = gatewayError{http.StatusNotFound, `{"message":"Not Found"}`}
	errUnauthorized       = gatewayError{http.StatusUnauthorized, `{"message":"Unauthorized"}`}
	errForbidden          = gatewayError{http.StatusForbidden, `{"message":"Forbidden"}`}
	errTooLarge           = gatewayError{http.StatusRequestEntityTooLarge, `{"message":"Request Entity Too Large"}`}
	errThrottled          = gatewayError{http.StatusTooManyRequests, `{"message":"Too Many Requests"}`}
	errInternal           = gatewayError{http.StatusInternalServerError, `{"message":"Internal Server Error"}`}
	errServiceUnavailable = gatewayError{http.StatusServiceUnavailable, `{"message":"Service Unavailable"}`}
)

func (e gatewayError) write(w http.ResponseWriter, requestID string) {
	if o, ok := w.(*observed); ok {
		o.err = e // for the access log
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(e.body)))
	if requestID != "" {
		setRequestID(h, requestID)
	}
	w.WriteHeader(e.status)
	_, _ = w.Write([]byte(e.body))
}

// WriteNotFound answers a request that names no stage or route of an HTTP
// API, for the server's resolver.
func WriteNotFound(w http.ResponseWriter, requestID string) { errNotFound.write(w, requestID) }

// setRequestID sets apigw-requestid, spelt in lower case as AWS sends it
// (net/http writes map keys as they are).
func setRequestID(h http.Header, requestID string) {
	setRequestIDValues(h, []string{requestID})
}

// setRequestIDValues is setRequestID with the field's values, one request
// ID, made by the caller.
func setRequestIDValues(h http.Header, values []string) {
	h.Del("Apigw-Requestid")
	h["apigw-requestid"] = values
}
