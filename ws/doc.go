// Package ws serves Amazon API Gateway WebSocket APIs: the upgrade and
// $connect (held until the integration answers; 2xx → 101, any other status
// passed through, failure → 502, timeout → 504), route selection for each
// message, two-way route responses, the AWS error frames, $disconnect after
// close, and AWS's limits (1003 for binary frames, 1009 for frames over 32 KB
// or messages over 128 KB, 1001 "Going away" after 10 minutes idle or 2 hours).
//
// RFC 6455's failures are the gateway's own (frameGuard checks each frame
// before gorilla does): 1007 "Invalid frame payload data" for a text
// message, checked whole after reassembly, or a close reason that is not
// UTF-8; 1002 "Protocol error" for a close frame with a 1-byte payload or a
// code a peer may not send (1004-1006, 1015, outside 1000-4999), reserved
// bits or opcodes, unmasked frames, fragmented or oversized control frames
// and broken fragmentation. $disconnect reports the same code and reason.
//
// # Per connection
//
// One reader goroutine per connection owns the socket's read side and the
// connection's teardown. Outgoing messages (route responses, error frames,
// @connections POSTs) go through a byte-bounded queue; a writer goroutine
// exists only while the queue is not empty. Idle and maximum-duration
// timeouts run on one shared timing wheel, so an idle connection costs one
// goroutine, with a 2 KB stack, and no runtime timer: between messages the
// reader waits for the socket to become readable, not deep in gorilla, when
// gorilla's read buffer is empty (readable.go). Message invocations run on their own
// goroutines, at most limits.maxInFlight (16) per connection: the reader runs
// the one that reaches the bound itself, which stops it reading the socket
// instead of dropping messages. A route whose integration is a MOCK builds
// no Lambda proxy event (a MOCK reads only the body and its templates'
// data), so a MOCK $connect costs no JSON encoding of the handshake's
// headers.
//
// # Per node
//
// A node runs at most Config.MaxInFlightMessages (10,000) message
// invocations at once, holding at most Config.MaxInFlightBytes (256 MiB) of
// message payload (inflight.go), so a flood of large messages at a slow
// backend costs bounded memory whatever the clients do. Before invoking a
// message the reader takes room for it: with room, one atomic
// compare-and-swap per bound; without, it waits, not reading its socket
// (TCP backpressure), counted in portico_websocket_inflight_waits_total. No
// message is dropped for want of room. The wait ends when an invocation
// ends anywhere on the node, or when its connection starts closing
// (DeleteConnection, idle and 2 h timeouts, a slow consumer, Shutdown's
// 1001), which drops the waiting message as messages read after a close
// are dropped. Each connection keeps at most one read message waiting, so
// memory outside the bound is one message per connection.
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
// Server and API are safe for concurrent use. A connection follows
// gorilla's contract: one reader (its reader goroutine), one writer at a
// time (whoever holds its writing claim), close frames from anyone through
// WriteControl. conn's fields are grouped by the goroutine that owns them.
//
// A close frame written while the writer is corked waits in the cork
// buffer behind the writer's batch. The writer flushes it when it uncorks;
// the reader, which closes the socket, first drains the guard (at most
// limits.writeTimeout, a write in progress included), so that a close
// frame, the answer to a client's above all (RFC 6455 §5.5.1), is never
// lost with the batch. A writer refused because a close went out
// (ErrCloseSent) or the socket closed stops without counting a slow
// consumer.
//
// Goroutines. Every goroutine of the package starts through
// Server.startGoroutine, which Shutdown waits for and which refuses once
// Shutdown stopped it (right after starting its own closers). Each start
// site and what it does when refused:
//
//   - the reader (start): the handshake's goroutine reads instead
//     (ServeHTTP, which Shutdown waits for as a handshake);
//   - the writer (enqueue, start, writeNow): the queue is left to the 1001
//     Shutdown sends, which drops it; a half-written frame is finished
//     first, on the caller's goroutine;
//   - one per message invocation (the reader): the reader invokes inline,
//     as at maxInFlight;
//   - the 1001 of the idle and 2 h timers (goAwayLater, off the wheel's
//     goroutine): nothing, Shutdown closes with the same 1001;
//   - DeleteConnection's close frame (Delete): sent on the caller's
//     goroutine;
//   - Shutdown's closers, one per connection: a second Shutdown closes
//     inline.
//
// Goroutines owned otherwise: the timing wheel's (internal/timewheel,
// started by NewServer, stopped by Shutdown) and the handshake's
// (net/http's, counted by Server.handshakes).
//
// Locks. The mutexes a WebSocket connection involves, and the only ways
// they nest (outer → inner):
//
//	gorilla's write lock → frameGuard.wmu
//	    Every frame reaches the socket through the guard. frameGuard.wmu
//	    is held across the socket write; cork, uncork, tryFlush and drain
//	    take it outside gorilla's write lock.
//
// The registry's locks are not among them: the registry calls no
// connections.Conn method (Send, SendPrepared, Info) under its locks, since
// broadcasts and listings copy a stage's connections first
// (connections/doc.go). A broadcast's fast-path write (writeNow) therefore
// runs with no registry lock held; it never waits on the socket.
//
// inflightLimiter.mu is a leaf too, taken only while readers wait: to
// look at the room channel (the waiter) or to close and replace it (a
// release, or a connection that starts closing, after releasing conn.mu).
//
// Server.mu and conn.mu are leaves: nothing is locked while either is held
// (conn.mu only updates metrics' atomic gauges), and neither is held across
// I/O. In particular Server.mu is never held while taking a conn's mu:
// Shutdown collects connections under Server.mu and closes or aborts them
// after releasing it. The registry is called and the timing wheel's timers
// are reset or stopped with no lock of this package held, and the wheel
// runs its callbacks with its own lock released.
package ws
