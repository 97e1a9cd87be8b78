// Package ws serves Amazon API Gateway WebSocket APIs: the upgrade and
// $connect (held until the integration answers; 2xx → 101, any other status
// passed through, failure → 502, timeout → 504), route selection for each
// message, two-way route responses, the AWS error frames, $disconnect after
// close, and AWS's limits (1003 for binary frames, 1009 for frames over 32 KB
// or messages over 128 KB, 1001 "Going away" after 10 minutes idle or 2 hours).
//
// # Per connection
//
// One reader goroutine per connection owns the socket's read side and the
// connection's teardown. Outgoing messages (route responses, error frames,
// @connections POSTs) go through a byte-bounded queue; a writer goroutine
// exists only while the queue is not empty. Idle and maximum-duration
// timeouts run on one shared timing wheel, so an idle connection costs one
// goroutine and no runtime timer. Message invocations run on their own
// goroutines, at most 16 per connection; past that the reader invokes inline,
// which stops reading from the socket instead of dropping messages.
//
// # Choices where AWS's behaviour is unconfirmed
//
//   - Route responses and POSTed data are sent as text frames when they are
//     valid UTF-8, as binary frames otherwise.
//   - Idle and 2 h closes send 1001 "Going away"; $disconnect reports the
//     same code and reason.
//   - A $connect integration timeout answers 504 {"message":"Endpoint request timed out"}.
//   - Only Sec-WebSocket-Protocol is copied from a 2xx $connect answer to the
//     101 response; a non-2xx answer is passed through whole (status,
//     headers, body). No permessage-deflate.
//   - Protocol-level pings are answered but do not count as activity for the
//     idle timeout; only messages do, in either direction.
//   - A client that stops reading is closed once a write blocks for
//     limits.writeTimeout; $disconnect reports 1006 "Write timed out".
//   - An abnormal close (no close frame) reports 1006 with reason "".
//   - requestContext.domainName is the Host header as the client sent it,
//     port included, so callback URLs built from it reach this gateway.
//   - stageVariables appears in events only when the stage has variables.
//
// # Concurrency
//
// Server and API are safe for concurrent use. Lock order: Server.mu is never
// held while taking a conn's mu, and a conn's mu is never held across I/O.
package ws
