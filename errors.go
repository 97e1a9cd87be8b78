package portico

import (
	"net/http"
	"strconv"

	"github.com/portico-gw/portico/internal/ids"
)

// gatewayError is a response written before any API mode is chosen. This
// table is the only place in the root package that writes error bodies.
type gatewayError struct {
	status    int
	errorType string
	body      string
}

var (
	// No stage in the path, or a stage the API does not have: REST and
	// WebSocket APIs answer 403 Forbidden (reference http-and-rest-apis.md §2.2).
	errForbidden = gatewayError{http.StatusForbidden, "ForbiddenException", `{"message":"Forbidden"}`}
	// No route for the path: HTTP APIs answer 404 Not Found.
	errNotFound = gatewayError{http.StatusNotFound, "NotFoundException", `{"message":"Not Found"}`}
	// The node is at maxConnections (Portico): the client should retry
	// later or elsewhere; the connection closes after the answer.
	errOverCapacity = gatewayError{http.StatusServiceUnavailable, "ServiceUnavailableException", `{"message":"Service Unavailable"}`}
)

// errUnknownAPI is LocalStack's answer for an API ID that does not exist
// (on AWS the host would not resolve).
func errUnknownAPI(apiID string) gatewayError {
	return gatewayError{http.StatusNotFound, "NotFoundException",
		`{"message":"The API id '` + jsonSafe(apiID) + `' does not correspond to a deployed API Gateway API"}`}
}

func (e gatewayError) write(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(e.body)))
	h.Set("x-amzn-ErrorType", e.errorType)
	h.Set("x-amzn-RequestId", ids.NewRequestID())
	w.WriteHeader(e.status)
	_, _ = w.Write([]byte(e.body))
}

// jsonSafe drops characters that would need escaping in a JSON string.
func jsonSafe(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s) && len(b) < 128; i++ {
		if c := s[i]; c >= 0x20 && c < 0x7f && c != '"' && c != '\\' {
			b = append(b, c)
		}
	}
	return string(b)
}
