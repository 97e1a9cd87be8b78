package ws

import (
	"net/http"
	"strconv"

	"github.com/gorilla/websocket"
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
	// The API key's usage plan refused the connection: its throttle, its
	// quota. AWS documents no WebSocket bodies for these; they are the
	// REST API's THROTTLED and QUOTA_EXCEEDED gateway responses.
	errThrottled     = handshakeError{http.StatusTooManyRequests, `{"message":"Too Many Requests"}`}
	errQuotaExceeded = handshakeError{http.StatusTooManyRequests, `{"message":"Limit Exceeded"}`}
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

// closeStatus is a close code and reason: what the gateway sends in its close
// frame, and what $disconnect reports (disconnectStatusCode,
// disconnectReason). A client's own close is reported as it came, in a
// closeStatus made from its frame.
type closeStatus struct {
	Code   int
	Reason string
}

// The closes the gateway makes or reports. Codes 1001, 1002, 1003, 1007 and
// 1009 are sent in a close frame; 1006 is never sent (RFC 6455 §7.4.1), only
// reported.
var (
	// After DeleteConnection; the frame is a bare 1000, the reason is
	// $disconnect's (AWS capture).
	closeDeleted = closeStatus{websocket.CloseNormalClosure, "Connection Closed Normally"}
	// Idle timeout, maximum connection duration, shutdown (AWS capture: htmx #2134).
	closeGoingAway = closeStatus{websocket.CloseGoingAway, "Going away"}
	// The client closed with a close frame that carried no code.
	closeNoStatus = closeStatus{websocket.CloseNoStatusReceived, "Client-side close frame status not set"}
	// The socket ended without a close frame.
	closeAbnormal = closeStatus{websocket.CloseAbnormalClosure, ""}

	// Portico's choices for codes AWS has not been seen to report a reason for.

	// A binary frame.
	closeBinary = closeStatus{websocket.CloseUnsupportedData, "Binary frames are not supported"}
	// A frame that breaks RFC 6455 framing, or a close frame with a 1-byte
	// payload or a code a peer may not send (frameGuard's errProtocol).
	closeProtocolError = closeStatus{websocket.CloseProtocolError, "Protocol error"}
	// A text message, or a close frame's reason, that is not UTF-8 (RFC 6455 §8.1).
	closeInvalidPayload = closeStatus{websocket.CloseInvalidFramePayloadData, "Invalid frame payload data"}
	// A frame over limits.maxFrameBytes or a message over limits.maxMessageBytes.
	closeMessageTooBig = closeStatus{websocket.CloseMessageTooBig, "Message too big"}
	// The client stopped reading: a write blocked for limits.writeTimeout.
	closeWriteTimeout = closeStatus{websocket.CloseAbnormalClosure, "Write timed out"}
)

// frame returns the close frame for s. A 1000 goes out bare, as
// DeleteConnection's does.
func (s closeStatus) frame() []byte {
	if s.Code == websocket.CloseNormalClosure {
		return websocket.FormatCloseMessage(s.Code, "")
	}
	return websocket.FormatCloseMessage(s.Code, s.Reason)
}
