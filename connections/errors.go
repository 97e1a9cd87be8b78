package connections

import (
	"net/http"
	"strconv"

	"github.com/portico-gw/portico/internal/jsonstr"
)

// apiError is one gateway-generated response of the management API. This
// table is the only place that writes management API error bodies.
type apiError struct {
	status    int
	errorType string // x-amzn-ErrorType
	body      string // empty: no body (AWS sends 410 with an empty body)
}

// The management API's responses. Bodies for 403, 413 and 429 are not
// confirmed against AWS (reference websocket-api.md §4.2); they are JSON
// objects with a "message" member, which every SDK parses.
var (
	errGone            = apiError{http.StatusGone, "GoneException", ""}
	errForbidden       = apiError{http.StatusForbidden, "ForbiddenException", `{"message":"Forbidden"}`}
	errPayloadTooLarge = apiError{http.StatusRequestEntityTooLarge, "PayloadTooLargeException", `{"message":"Message too long"}`}
	errLimitExceeded   = apiError{http.StatusTooManyRequests, "LimitExceededException", `{"message":"Limit Exceeded"}`}
	errBadRequestID    = apiError{http.StatusBadRequest, "BadRequestException", `{"message":"Invalid connectionId"}`}
	errMissingToken    = apiError{http.StatusForbidden, "MissingAuthenticationTokenException", `{"message":"Missing Authentication Token"}`}
	errBodyRead        = apiError{http.StatusBadRequest, "BadRequestException", `{"message":"Could not read request body"}`}
	// The body did not arrive within ManagementConfig.BodyReadTimeout.
	errBodyTimeout = apiError{http.StatusRequestTimeout, "RequestTimeoutException", `{"message":"Request body not received in time"}`}
	// Another node could not be reached because NATS is down or did not
	// answer in time (Portico: cross-node calls fail fast, never hang).
	errBusUnavailable = apiError{http.StatusServiceUnavailable, "ServiceUnavailableException", `{"message":"Cluster bus unavailable; retry later"}`}
	// Listing parameters (Portico extension).
	errBadMaxResults = apiError{http.StatusBadRequest, "BadRequestException", `{"message":"maxResults must be between 1 and 1000"}`}
	errBadNextToken  = apiError{http.StatusBadRequest, "BadRequestException", `{"message":"Invalid nextToken"}`}
)

// errBroadcastLocalOnly is the answer to an @broadcast that reached this
// node's connections (n of them took it) but not the other nodes', because
// NATS is disconnected (Portico extension).
func errBroadcastLocalOnly(n int) apiError {
	return apiError{http.StatusServiceUnavailable, "ServiceUnavailableException",
		`{"message":"Service Unavailable: NATS is disconnected; delivered to ` + strconv.Itoa(n) +
			` local connections only, not to other nodes","localDeliveries":` + strconv.Itoa(n) + `}`}
}

// forbidden is a 403 ForbiddenException whose message says why (a SigV4
// failure), so that a person reading the SDK error can act on it.
func forbidden(msg string) apiError {
	return apiError{http.StatusForbidden, "ForbiddenException", `{"message":` + quote(msg) + `}`}
}

func (e apiError) result() Result {
	r := Result{Status: e.status, ErrorType: e.errorType}
	if e.body != "" {
		r.ContentType = "application/json"
		r.Body = []byte(e.body)
	}
	return r
}

// quote writes s as a JSON string.
func quote(s string) string { return jsonstr.Quote(s) }
