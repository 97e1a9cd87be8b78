package ws

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
	"unique"

	"github.com/gorilla/websocket"

	"github.com/portico-gw/portico/connections"
	"github.com/portico-gw/portico/integration"
	"github.com/portico-gw/portico/internal/ids"
	"github.com/portico-gw/portico/internal/timewheel"
	"github.com/portico-gw/portico/routing"
)

// Connection states.
const (
	stateOpening = iota // registered, 101 not yet written or reader not started
	stateOpen
	stateClosing // a close frame was sent or the socket failed
	stateClosed
)

// conn is one WebSocket connection. Its fields are grouped by the goroutine
// that owns them, as gorilla's Conn is. The goroutines are the reader (one,
// from start to the end of readLoop: it reads the socket and tears the
// connection down), the writer (whoever holds the writing claim: a Send
// caller on the fast path, or writeLoop), the message goroutines the reader
// starts, the timing wheel's callbacks, and the callers of the
// connections.Conn methods (@connections, broadcasts, Shutdown).
type conn struct {
	// Identity: set by newConn and ServeHTTP before the connection is
	// shared (registry.Add); read-only after, by any goroutine. Values that
	// many connections share (the Host, a browser's User-Agent) are
	// interned: each connection holds a pointer, not its own copy.
	api         *API
	id          string
	stage       *Stage
	connectedAt int64 // unix nanoseconds; see connectedTime
	sourceIP    string
	userAgent   unique.Handle[string]
	domainName  unique.Handle[string]
	authorizer  map[string]any

	// Socket: set once by start before the reader, the writer or the timers
	// run (ws and netConn under mu, with state leaving stateOpening), then
	// read-only. Read them only after seeing state >= stateOpen or ws != nil
	// under mu. gorilla's contract holds: only the reader reads ws; data
	// frames are written only by the holder of writing; close frames go
	// through WriteControl, which may run concurrently with both.
	ws        *websocket.Conn
	netConn   *frameGuard
	idleTimer *timewheel.Timer // nil when limits.idleTimeout is off
	maxTimer  *timewheel.Timer // nil when limits.maxConnectionDuration is off

	// Activity for the idle timeout: unix milliseconds, stored by the
	// reader and the writers, loaded by the wheel's checkIdle and Info.
	lastActive atomic.Int64

	// mu guards the groups below it, except inflight. It is never held
	// across I/O and nothing else is locked under it (see the lock order in
	// doc.go).
	mu sync.Mutex

	// Read fields: the reader increments inflight for each message it
	// invokes, and whoever invokes it decrements it when done (inflight.go).
	// Atomic, not guarded by mu: it sits here so that it, writing and state
	// share one word.
	inflight atomic.Int32

	// Lifecycle, guarded by mu.
	state uint8 // stateOpening → stateOpen → stateClosing → stateClosed

	// Write fields, guarded by mu: the send queue and the claim on writing
	// it. At most one goroutine holds writing at a time.
	writing     bool
	queue       []outMsg
	queuedBytes int

	// Lifecycle too, guarded by mu.
	closeAs closeStatus // set when the gateway closes; zero otherwise
}

var _ connections.Conn = (*conn)(nil)

func (a *API) newConn(r *http.Request, stage *Stage, connectedAt time.Time) *conn {
	c := &conn{
		api:         a,
		id:          ids.NewConnectionID(a.srv.nodeID),
		stage:       stage,
		connectedAt: connectedAt.UnixNano(),
		sourceIP:    integration.SourceIP(r),
		userAgent:   unique.Make(r.Header.Get("User-Agent")),
		domainName:  unique.Make(r.Host),
	}
	c.lastActive.Store(connectedAt.UnixMilli())
	return c
}

// connectedTime is when the connection was accepted.
func (c *conn) connectedTime() time.Time { return time.Unix(0, c.connectedAt) }

// ID implements connections.Conn.
func (c *conn) ID() string { return c.id }

// APIID implements connections.Conn.
func (c *conn) APIID() string { return c.api.id }

// Stage implements connections.Conn.
func (c *conn) Stage() string { return c.stage.Name }

// MaxMessageBytes implements connections.Conn.
func (c *conn) MaxMessageBytes() int { return c.api.limits.MaxMessageBytes }

// Info implements connections.Conn.
func (c *conn) Info() (connections.Info, error) {
	c.mu.Lock()
	closing := c.state >= stateClosing
	c.mu.Unlock()
	if closing {
		return connections.Info{}, connections.ErrGone
	}
	return connections.Info{
		ConnectedAt:  c.connectedTime(),
		LastActiveAt: time.UnixMilli(c.lastActive.Load()),
		SourceIP:     c.sourceIP,
		UserAgent:    c.userAgent.Value(),
	}, nil
}

// touch records activity now, and returns now for the caller's own use (a
// write deadline), which spares a broadcast delivery a second clock read.
func (c *conn) touch() time.Time {
	now := time.Now()
	c.lastActive.Store(now.UnixMilli())
	return now
}

// outMsg is one queued message: raw bytes, or a frame prepared once for a
// broadcast.
type outMsg struct {
	data     []byte
	prepared *websocket.PreparedMessage
	size     int
}

// Send implements connections.Conn: it queues data for the client.
func (c *conn) Send(data []byte) error {
	if len(data) > c.api.limits.MaxMessageBytes {
		return connections.ErrTooLarge
	}
	err := c.enqueue(outMsg{data: data, size: len(data)})
	if err == nil {
		c.stage.metrics.MessageOut()
	}
	return err
}

// SendPrepared implements connections.Conn: it queues a broadcast frame
// encoded once for all its recipients.
func (c *conn) SendPrepared(pm *websocket.PreparedMessage, size int) error {
	if size > c.api.limits.MaxMessageBytes {
		return connections.ErrTooLarge
	}
	err := c.enqueue(outMsg{prepared: pm, size: size})
	if err == nil {
		c.stage.metrics.MessageOut()
	}
	return err
}

func (c *conn) enqueue(m outMsg) error {
	c.mu.Lock()
	if c.state >= stateClosing {
		c.mu.Unlock()
		return connections.ErrGone
	}
	// A message larger than the whole queue is still taken when the queue is
	// empty, so that sendQueueBytes below the message limit cannot make a
	// message undeliverable.
	if c.queuedBytes > 0 && c.queuedBytes+m.size > c.api.limits.SendQueueBytes {
		c.mu.Unlock()
		return connections.ErrQueueFull
	}
	if c.state == stateOpen && !c.writing && len(c.queue) == 0 {
		// Nothing is queued or being written: write on the caller's
		// goroutine when the socket takes the frame at once.
		c.writing = true
		c.mu.Unlock()
		c.writeNow(m, c.touch())
		return nil
	}
	c.queue = append(c.queue, m)
	c.queuedBytes += m.size
	c.stage.metrics.QueueBytes(m.size)
	start := c.state == stateOpen && !c.writing
	if start {
		c.writing = true
	}
	c.mu.Unlock()
	c.touch()
	if start {
		c.startWriter()
	}
	return nil
}

// startWriter runs writeLoop on a tracked goroutine; the caller holds the
// writing claim and hands it over. Once Shutdown began no goroutine starts:
// the claim is released and the queue is left to the 1001 that Shutdown is
// sending this connection, which drops it (a refusal means Shutdown has
// already listed the connection, or start will find the server closing).
func (c *conn) startWriter() {
	if !c.api.srv.startGoroutine(c.writeLoop) {
		c.releaseWriting()
	}
}

// releaseWriting gives up the writing claim.
func (c *conn) releaseWriting() {
	c.mu.Lock()
	c.writing = false
	c.mu.Unlock()
}

// writeNow is the writer's fast path, entered with c.writing claimed: the
// frame is built into the cork buffer and written with one non-blocking
// write(2). A POST therefore never waits on its client: whatever the socket
// does not take at once, and anything queued meanwhile, is left to
// writeLoop, which writes it with the write timeout. now is when the
// message was taken (touch's reading, so that the clock is read once).
func (c *conn) writeNow(m outMsg, now time.Time) {
	fg := c.netConn
	if fg == nil {
		c.mu.Lock()
		c.queue = append(c.queue, m)
		c.queuedBytes += m.size
		c.stage.metrics.QueueBytes(m.size)
		c.mu.Unlock()
		c.startWriter()
		return
	}
	fg.cork(0)
	err := c.writeMsg(m, now)
	done := false
	if err == nil {
		done, err = fg.tryFlush()
	}
	if err != nil {
		if uerr := fg.uncork(); uerr != nil {
			err = uerr
		}
		c.writeFailed(err)
		c.releaseWriting()
		return
	}
	if done {
		// Returns the buffer; writes a close frame written meanwhile.
		_ = fg.uncork()
		c.mu.Lock()
		more := len(c.queue) > 0 && c.state < stateClosing
		if !more {
			c.writing = false
		}
		c.mu.Unlock()
		if !more {
			return
		}
	}
	// writeLoop's first uncork writes what the socket did not take.
	if c.api.srv.startGoroutine(func() { c.finishWrite(fg) }) {
		return
	}
	// Shutdown began. A frame may be half written: finish it here, bounded
	// by the write timeout, so that the close frame that follows is whole;
	// the queue is left to that close, as in startWriter.
	if err := fg.uncork(); err != nil {
		c.writeFailed(err)
	}
	c.releaseWriting()
}

// finishWrite writes what the fast path left corked, then drains the queue.
func (c *conn) finishWrite(fg *frameGuard) {
	if err := fg.uncork(); err != nil {
		c.writeFailed(err)
		c.releaseWriting()
		return
	}
	c.writeLoop()
}

// writeMsg writes m under a write deadline WriteTimeout after now.
func (c *conn) writeMsg(m outMsg, now time.Time) error {
	_ = c.ws.SetWriteDeadline(now.Add(c.api.limits.WriteTimeout))
	if m.prepared != nil {
		return c.ws.WritePreparedMessage(m.prepared)
	}
	return c.ws.WriteMessage(messageType(m.data), m.data)
}

// Delete implements connections.Conn. The close frame is written on a
// goroutine of its own, so that a slow client cannot hold up the caller;
// once Shutdown began, on the caller's (Shutdown's own close skips a
// connection that is already closing, so this one must be sent here).
func (c *conn) Delete() error {
	ok, opening := c.markClosing(closeDeleted)
	if !ok {
		return connections.ErrGone
	}
	if !opening && !c.api.srv.startGoroutine(c.sendDeleted) {
		c.sendDeleted()
	}
	return nil
}

func (c *conn) sendDeleted() { c.sendClose(closeDeleted) }

// start runs once the 101 was written: it starts the reader, the timers, and
// the writer if messages were queued during the handshake. It returns false
// when Shutdown began before the reader could start; the connection is then
// closing, and the caller (the handshake's goroutine, which Shutdown waits
// for) must run c.readLoop itself.
func (c *conn) start(wsConn *websocket.Conn, nc *frameGuard) (readerStarted bool) {
	lim := &c.api.limits
	wsConn.SetReadLimit(int64(lim.MaxMessageBytes))
	wsConn.SetCloseHandler(c.answerClose)
	// A timeout that is off costs no timer.
	wheel := c.api.srv.wheel
	if lim.IdleTimeout > 0 {
		c.idleTimer = wheel.NewTimer(c.checkIdle)
	}
	if lim.MaxConnectionDuration > 0 {
		c.maxTimer = wheel.NewTimer(c.goAwayLater)
	}

	c.mu.Lock()
	c.ws = wsConn
	c.netConn = nc
	pendingClose := c.state == stateClosing // closed while opening
	if !pendingClose {
		c.state = stateOpen
	}
	startWriter := !pendingClose && len(c.queue) > 0 && !c.writing
	if startWriter {
		c.writing = true
	}
	closeAs := c.closeAs
	c.mu.Unlock()
	if lim.IdleTimeout > 0 {
		c.idleTimer.Reset(lim.IdleTimeout)
	}
	if lim.MaxConnectionDuration > 0 {
		c.maxTimer.Reset(lim.MaxConnectionDuration)
	}
	readerStarted = c.startReader()
	if startWriter {
		c.startWriter()
	}
	switch {
	case pendingClose:
		c.sendClose(closeAs)
	case !readerStarted || c.api.srv.isClosing():
		// Shutdown began between tracking and now, and could not close us.
		c.closeWith(closeGoingAway)
	}
	return readerStarted
}

// answerClose is gorilla's close handler, run by the reader: it answers
// the client's close with the same code, as RFC 6455 asks.
func (c *conn) answerClose(code int, _ string) error {
	msg := websocket.FormatCloseMessage(code, "")
	if code == websocket.CloseNoStatusReceived {
		msg = websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
	}
	_ = c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(c.api.limits.WriteTimeout))
	return nil
}

// goAwayLater closes the connection with 1001 on a goroutine of its own, off
// the timing wheel's. Once Shutdown began it does nothing: Shutdown is
// closing every connection with the same status.
func (c *conn) goAwayLater() {
	c.api.srv.startGoroutine(c.goAway)
}

func (c *conn) goAway() { c.closeWith(closeGoingAway) }

// checkIdle runs on the wheel: it closes the connection when nothing was
// sent or received for the idle timeout, or re-arms for the remaining time.
func (c *conn) checkIdle() {
	idle := c.api.limits.IdleTimeout
	since := time.Since(time.UnixMilli(c.lastActive.Load()))
	if since < idle {
		c.idleTimer.Reset(idle - since)
		return
	}
	c.goAwayLater()
}

// closeWith starts a gateway-initiated close: it sends st's close frame and
// gives the client a moment to answer; the reader then tears the connection
// down. On a connection still opening (registered, 101 not yet done) the
// close is recorded and start sends it. It returns false when the
// connection was already closing.
func (c *conn) closeWith(st closeStatus) bool {
	ok, opening := c.markClosing(st)
	if ok && !opening {
		c.sendClose(st)
	}
	return ok
}

// markClosing moves the connection to closing with st. ok is false when it
// was already closing; opening is true when the 101 is not done yet, and
// start will send the close frame.
func (c *conn) markClosing(st closeStatus) (ok, opening bool) {
	c.mu.Lock()
	if c.state >= stateClosing {
		c.mu.Unlock()
		return false, false
	}
	c.state = stateClosing
	c.closeAs = st
	c.dropQueueLocked()
	opening = c.ws == nil
	c.mu.Unlock()
	c.api.srv.inflight.wake() // the reader may be waiting for room
	return true, opening
}

// isClosing reports whether the connection is closing or closed.
func (c *conn) isClosing() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state >= stateClosing
}

// sendClose writes st's close frame and bounds the wait for the client's.
func (c *conn) sendClose(st closeStatus) {
	deadline := time.Now().Add(c.api.limits.WriteTimeout)
	if err := c.ws.WriteControl(websocket.CloseMessage, st.frame(), deadline); err != nil {
		_ = c.netConn.Close()
		return
	}
	// Wait briefly for the client's close frame, then give up on it.
	_ = c.netConn.SetReadDeadline(time.Now().Add(closeGrace))
}

// closeGrace is how long a gateway-initiated close waits for the client's
// close frame before the socket is closed.
const closeGrace = 2 * time.Second

// abort closes the socket at once (shutdown past its grace period).
func (c *conn) abort() {
	c.mu.Lock()
	nc := c.netConn
	c.mu.Unlock()
	if nc != nil {
		_ = nc.Close()
	}
}

// startReader starts the reader goroutine, counted as startGoroutine's
// are, and returns false once Shutdown began. An idle connection costs
// little more than its reader's stack, which stays at the runtime's 2 KB
// minimum only while the reader's deepest frames and the runtime's stack
// guard (928 bytes) fit in it: past that it doubles to 4 KB, for good, as
// the runtime shrinks a stack only when a quarter of it is enough. Idle,
// the reader waits on the socket under a few frames (readable.go); reading,
// it goes some 1,100 bytes deep, through gorilla, bufio, the guard and
// net's Read, close to the limit. Hence the reader is one closure holding
// the read loop (a go statement on a method adds a wrapper frame,
// startGoroutine another), NextReader in place of ReadMessage (received
// reads the rest), teardown and frameGuard.scan apart, and frameGuard
// reading the socket under connlimit's wrapper.
func (c *conn) startReader() bool {
	srv := c.api.srv
	if !srv.addGoroutine() {
		return false
	}
	go func() {
		fg := c.netConn
		var err error
		for err == nil {
			var mt int
			var r io.Reader
			if fg != nil {
				fg.waitReadable()
			}
			if mt, r, err = c.ws.NextReader(); err == nil {
				err = c.received(mt, r)
			}
		}
		c.teardown(err)
		srv.goroutineDone()
	}()
	return true
}

// readLoop reads messages until the connection ends, then tears it down and
// runs $disconnect: the reader, on the handshake's goroutine once Shutdown
// began (startReader runs the same loop).
func (c *conn) readLoop() {
	fg := c.netConn
	var err error
	for err == nil {
		var mt int
		var r io.Reader
		if fg != nil {
			fg.waitReadable()
		}
		if mt, r, err = c.ws.NextReader(); err == nil {
			err = c.received(mt, r)
		}
	}
	c.teardown(err)
}

// teardown ends the connection once its reader stopped on err.
func (c *conn) teardown(err error) {
	st := c.classify(err)
	c.mu.Lock()
	if c.closeAs.Code != 0 {
		st = c.closeAs
	}
	c.state = stateClosed
	c.dropQueueLocked()
	c.mu.Unlock()

	if c.idleTimer != nil {
		c.idleTimer.Stop()
	}
	if c.maxTimer != nil {
		c.maxTimer.Stop()
	}
	c.drain()
	_ = c.netConn.Close()
	c.api.srv.registry.Remove(c)
	c.stage.metrics.Disconnected(st.Code)
	if life := c.api.srv.life; life != nil {
		life.PublishDisconnect(connections.DisconnectEvent{
			ConnectionID:         c.id,
			APIID:                c.api.id,
			Stage:                c.stage.Name,
			ConnectedAt:          c.connectedTime().UnixMilli(),
			DisconnectStatusCode: st.Code,
			DisconnectReason:     st.Reason,
		})
	}
	c.disconnect(st)
	c.api.srv.untrack(c)
}

// drain writes, before the reader closes the socket, what a corked writer
// still holds: the close frame that answered the client's (RFC 6455 §5.5.1:
// sent before the TCP connection closes), fail's, or gorilla's 1009 may sit
// behind the writer's batch. It waits at most limits.WriteTimeout.
func (c *conn) drain() {
	if fg := c.netConn; fg != nil {
		_ = fg.drain(time.Now().Add(c.api.limits.WriteTimeout))
	}
}

// received reads the message r and invokes it. It returns the read's error.
func (c *conn) received(mt int, r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if mt == websocket.BinaryMessage {
		c.closeWith(closeBinary)
		return nil // read on until the client answers or the grace ends
	}
	if !utf8.Valid(data) { // the whole message, fragments reassembled
		c.closeWith(closeInvalidPayload)
		return nil
	}
	if c.isClosing() {
		return nil
	}
	c.touch()
	// Room on the node first: when it is full, wait, not reading the
	// socket. A connection that closes meanwhile drops the message, as
	// it drops those read after its close.
	lim := c.api.srv.inflight
	size := int64(len(data))
	if !lim.tryAcquire(size) && !lim.wait(size, c.isClosing) {
		return nil
	}
	if c.inflight.Add(1) < int32(c.api.limits.MaxInFlight) && c.api.srv.startGoroutine(func() {
		defer c.invoked(size)
		c.handleMessage(data)
	}) {
		return nil
	}
	// At maxInFlight, or once Shutdown began, the reader invokes inline,
	// not reading the socket meanwhile.
	c.handleMessage(data)
	c.invoked(size)
	return nil
}

// invoked gives back the room of a message of size bytes whose invocation
// ended.
func (c *conn) invoked(size int64) {
	c.inflight.Add(-1)
	c.api.srv.inflight.release(1, size)
}

// classify turns the reader's final error into the close to report.
func (c *conn) classify(err error) closeStatus {
	var ce *websocket.CloseError
	switch {
	case errors.As(err, &ce):
		switch ce.Code {
		case websocket.CloseNoStatusReceived:
			return closeNoStatus
		case websocket.CloseAbnormalClosure:
			return closeAbnormal // gorilla's text is "unexpected EOF"
		}
		return closeStatus{ce.Code, ce.Text}
	case errors.Is(err, websocket.ErrReadLimit):
		// gorilla sent the 1009 itself.
		return c.fail(closeMessageTooBig, false)
	case errors.Is(err, errFrameTooLarge):
		return c.fail(closeMessageTooBig, true)
	case errors.Is(err, errProtocol):
		return c.fail(closeProtocolError, true)
	case errors.Is(err, errInvalidCloseReason):
		return c.fail(closeInvalidPayload, true)
	default:
		return closeAbnormal
	}
}

// fail records st as the close of a connection whose reader stopped on a
// frame it refused, and sends st's close frame when send is true, unless
// the gateway was already closing it. The reader closes the socket right
// after (RFC 6455 §7.1.7: fail the connection).
func (c *conn) fail(st closeStatus, send bool) closeStatus {
	c.mu.Lock()
	first := c.closeAs.Code == 0
	if first {
		c.closeAs = st
		c.state = stateClosing
	}
	c.mu.Unlock()
	if first && send {
		_ = c.ws.WriteControl(websocket.CloseMessage, st.frame(), time.Now().Add(c.api.limits.WriteTimeout))
	}
	return st
}

// writeLoop drains the send queue and exits when it is empty.
func (c *conn) writeLoop() {
	for {
		c.mu.Lock()
		if c.state >= stateClosing || len(c.queue) == 0 {
			c.writing = false
			c.mu.Unlock()
			return
		}
		batch := c.queue
		c.dropQueueLocked()
		c.mu.Unlock()

		fg := c.netConn
		corked := fg != nil && len(batch) > 1
		if corked {
			fg.cork(corkLimit)
		}
		var err error
		for _, msg := range batch {
			if err = c.writeMsg(msg, time.Now()); err != nil {
				break
			}
		}
		if corked {
			// The flush's error says more than a refused frame's.
			if uerr := fg.uncork(); uerr != nil {
				err = uerr
			}
		}
		if err != nil {
			c.writeFailed(err)
			c.releaseWriting()
			return
		}
	}
}

// dropQueueLocked empties the send queue.
func (c *conn) dropQueueLocked() {
	c.stage.metrics.QueueBytes(-c.queuedBytes)
	c.queue, c.queuedBytes = nil, 0
}

// messageType is text for valid UTF-8, binary otherwise.
func messageType(data []byte) int {
	if utf8.Valid(data) {
		return websocket.TextMessage
	}
	return websocket.BinaryMessage
}

// writeFailed ends the writing after a write failed with err. A frame
// refused because a close frame went out first (gorilla's ErrCloseSent:
// the answer to the client's close, a gateway close) or a socket closed
// meanwhile (the reader's teardown, Shutdown's abort) is that close's
// doing, which the reader reports; nothing more can be sent. Any other
// failure means the client stopped reading.
func (c *conn) writeFailed(err error) {
	if !errors.Is(err, websocket.ErrCloseSent) && !errors.Is(err, net.ErrClosed) {
		c.slowConsumer()
		return
	}
	c.mu.Lock()
	c.stopSendingLocked()
	c.mu.Unlock()
	c.api.srv.inflight.wake() // the reader may be waiting for room
}

// slowConsumer closes a connection whose client stopped reading: its socket
// buffer is full, so no close frame could get through.
func (c *conn) slowConsumer() {
	c.mu.Lock()
	if c.closeAs.Code == 0 {
		c.closeAs = closeWriteTimeout
		c.stage.metrics.SlowConsumer()
	}
	c.stopSendingLocked()
	c.mu.Unlock()
	c.api.srv.inflight.wake() // the reader may be waiting for room
	_ = c.netConn.Close()
}

// stopSendingLocked moves the connection to closing, unless it is closed
// already, and drops the queue: Send returns ErrGone from now on.
func (c *conn) stopSendingLocked() {
	if c.state < stateClosing {
		c.state = stateClosing
	}
	c.dropQueueLocked()
}

// handleMessage routes one text message and invokes its integration.
func (c *conn) handleMessage(data []byte) {
	a := c.api
	start := time.Now()
	c.stage.metrics.MessageIn()
	requestID := ids.NewRequestID()
	table := a.table.Load()
	routeKey, ok := routing.SelectRoute(table.selection, data, table.hasRoute)
	c.debugRoute(table, data, routeKey, ok, requestID)
	if !ok {
		_ = c.Send(errorFrame(msgForbidden, c.id, requestID))
		asked, _ := table.selection.Evaluate(data)
		c.logMessage(asked, requestID, start, http.StatusForbidden, msgForbidden, 0, 0)
		return
	}
	route := table.routes[routeKey]
	var ev []byte
	if !route.noEvent {
		ev = c.messageEvent(routeKey, requestID, data)
	}
	ctx := context.Background()
	params := c.messageParams(routeKey, requestID, data)
	resp, err := route.Integration.Invoke(ctx, &integration.Request{
		Event:    ev,
		Body:     data,
		Params:   params,
		Template: params,
	})
	latency := time.Since(start)
	invoked(route, err, latency)
	status, errMsg, sent := http.StatusOK, "", 0
	switch {
	case errors.Is(err, integration.ErrTimeout):
		status, errMsg = http.StatusGatewayTimeout, msgEndpointTimedOut
		_ = c.Send(errorFrame(msgEndpointTimedOut, c.id, requestID))
	case err != nil:
		status, errMsg = http.StatusInternalServerError, msgInternalError
		a.srv.log.Warn("integration failed", "api_id", a.id, "stage", c.stage.Name, "route_key", routeKey, "connection_id", c.id, "request_id", requestID, "error", err)
		_ = c.Send(errorFrame(msgInternalError, c.id, requestID))
	case route.TwoWay && len(resp.Body) > 0:
		if c.Send(resp.Body) == nil {
			sent = len(resp.Body)
		}
	}
	c.logMessage(routeKey, requestID, start, status, errMsg, latency, sent)
	if a.srv.log.Enabled(ctx, slog.LevelDebug) {
		a.srv.log.Debug("message answered", "api_id", a.id, "stage", c.stage.Name, "route_key", routeKey,
			"connection_id", c.id, "request_id", requestID, "status", status, "integration_latency", latency, "sent_bytes", sent)
	}
}

// disconnect runs the $disconnect route, best effort, after the socket closed.
func (c *conn) disconnect(st closeStatus) {
	code, reason := st.Code, st.Reason
	start := time.Now()
	requestID := ids.NewRequestID()
	route, ok := c.api.table.Load().routes["$disconnect"]
	if !ok {
		c.logDisconnect(requestID, start, code, reason, 0, "")
		return
	}
	var ev []byte
	if !route.noEvent {
		ev = c.disconnectEvent(requestID, code, reason)
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.api.srv.discTO)
	defer cancel()
	params := c.disconnectParams(requestID)
	_, err := route.Integration.Invoke(ctx, &integration.Request{Event: ev, Params: params, Template: params})
	latency := time.Since(start)
	invoked(route, err, latency)
	errMsg := ""
	if err != nil {
		errMsg = msgInternalError
		c.api.srv.log.Warn("$disconnect integration failed", "api_id", c.api.id, "stage", c.stage.Name, "connection_id", c.id, "request_id", requestID, "error", err)
	}
	c.logDisconnect(requestID, start, code, reason, latency, errMsg)
}

// hostOnly strips a port from a Host header value.
func hostOnly(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		return h
	}
	return strings.TrimSuffix(host, ".")
}
