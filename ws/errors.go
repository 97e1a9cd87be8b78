package ws

import (
	"net/http"
	"strconv"
)

// This file is the only place that writes gateway-generated responses and
// frames for WebSocket APIs. Texts are AWS's, byte for byte, including the
// odd spacing of the error frames (reference websocket-api.md §2.3).

// Error frame messages.
const (
	msgForbidden        = "Forbidden"
	msgInternalError    = "Internal server error"
	msgEndpointTimedOut = "Endpoint request timed out"
)

// errorFrame renders an error frame exactly as API Gateway does:
//
//	{"message": "Forbidden", "connectionId":"XDmENcnwIE0CFEQ=", "requestId":"XDmGEE2RoE0FRdQ="}
//
// The IDs are base64url characters and never need escaping.
func errorFrame(message, connectionID, requestID string) []byte {
	b := make([]byte, 0, 64+len(message)+len(connectionID)+len(requestID))
	b = append(b, `{"message": "`...)
	b = append(b, message...)
	b = append(b, `", "connectionId":"`...)
	b = append(b, connectionID...)
	b = append(b, `", "requestId":"`...)
	b = append(b, requestID...)
	b = append(b, `"}`...)
	return b
}

// handshakeError is a response to a request that does not become a
// WebSocket connection.
type handshakeError struct {
	status int
	body   string
}

// Handshake failures. Bodies that AWS does not document are JSON objects with
// a "message" member, like every other API Gateway error.
var (
	// A plain GET without Upgrade on a WebSocket endpoint (as the AWS-runnable
	// serverless-offline suite expects).
	errUpgradeRequired = handshakeError{http.StatusUpgradeRequired, `{"message":"Upgrade Required"}`}
	// A malformed upgrade (wrong method, version or key).
	errBadHandshake = handshakeError{http.StatusBadRequest, `{"message":"Bad Request"}`}
	// Origin not in limits.allowedOrigins.
	errOriginForbidden = handshakeError{http.StatusForbidden, `{"message":"Forbidden"}`}
	// The $connect integration failed (Lambda error, garbage, unreachable).
	errConnectFailed = handshakeError{http.StatusBadGateway, `{"message":"Internal server error"}`}
	// The $connect integration did not answer in time.
	errConnectTimeout = handshakeError{http.StatusGatewayTimeout, `{"message":"Endpoint request timed out"}`}
	// An authorizer denied the connection.
	errUnauthorized      = handshakeError{http.StatusUnauthorized, `{"message":"Unauthorized"}`}
	errAuthorizerDenied  = handshakeError{http.StatusForbidden, `{"message":"Forbidden"}`}
	errAuthorizerFailure = handshakeError{http.StatusInternalServerError, `{"message":"Internal server error"}`}
	// The gateway is shutting down.
	errShuttingDown = handshakeError{http.StatusServiceUnavailable, `{"message":"Service Unavailable"}`}
)

func (e handshakeError) write(w http.ResponseWriter, requestID string) {
	if hs, ok := w.(*handshake); ok {
		hs.err = e // for the access log
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(e.body)))
	h.Set("x-amzn-RequestId", requestID)
	if e.status == http.StatusUpgradeRequired {
		h.Set("Upgrade", "websocket")
		h.Set("Connection", "Upgrade")
	}
	w.WriteHeader(e.status)
	_, _ = w.Write([]byte(e.body))
}

// Close codes and reasons the gateway sends, and those it reports in
// $disconnect events (disconnectStatusCode, disconnectReason).
const (
	reasonDeleted   = "Connection Closed Normally" // after DeleteConnection (AWS capture)
	reasonGoingAway = "Going away"                 // idle, 2 h limit, shutdown (AWS capture: htmx #2134)
	reasonNoStatus  = "Client-side close frame status not set"
	// Portico's choices for codes AWS has not been seen to report a reason for.
	reasonBinary      = "Binary frames are not supported"
	reasonTooBig      = "Message too big"
	reasonWriteTimout = "Write timed out"
)
