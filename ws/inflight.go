package ws

import (
	"sync"
	"sync/atomic"
)

// Node-wide bounds on message invocations (issue #13, defect 8): a message
// holds its bytes, its event and its integration call for as long as the
// integration takes, so a client flooding a slow backend would otherwise
// cost memory without limit across connections. Each connection runs at
// most Limits.MaxInFlight invocations; the node runs at most
// Config.MaxInFlightMessages, holding at most Config.MaxInFlightBytes of
// message payload. A reader that finds the node full waits, which stops it
// reading its socket (TCP backpressure), until an invocation ends or its
// connection closes. No message is dropped for want of room.

// Node defaults: 10,000 invocations of 128 KB messages are 1.25 GiB of
// payload alone, so the byte bound is the one that holds under a flood of
// large messages, and the count the one that holds under small ones.
const (
	defaultMaxInFlightMessages = 10000
	defaultMaxInFlightBytes    = 256 << 20
	defaultMaxInFlight         = 16 // per connection
)

// inflightLimiter bounds the message invocations of a node by count and by
// payload bytes. Taking and giving back room is a few atomic operations;
// its mutex is taken only while readers wait.
type inflightLimiter struct {
	maxMessages int64
	maxBytes    int64
	onWait      func() // counts a wait (metrics); never nil

	messages atomic.Int64 // invocations holding room
	bytes    atomic.Int64 // their payload bytes
	waiting  atomic.Int64 // readers waiting for room

	mu   sync.Mutex
	room chan struct{} // guarded by mu; closed and replaced by wake
}

func newInflightLimiter(maxMessages, maxBytes int64, onWait func()) *inflightLimiter {
	if maxMessages <= 0 {
		maxMessages = defaultMaxInFlightMessages
	}
	if maxBytes <= 0 {
		maxBytes = defaultMaxInFlightBytes
	}
	if onWait == nil {
		onWait = func() {}
	}
	return &inflightLimiter{maxMessages: maxMessages, maxBytes: maxBytes, onWait: onWait, room: make(chan struct{})}
}

// tryAcquire takes room for a message of n bytes if there is some. A
// message larger than the whole byte bound is taken when no other bytes
// are in flight, so that no configuration makes a message undeliverable.
func (l *inflightLimiter) tryAcquire(n int64) bool {
	for {
		m := l.messages.Load()
		if m >= l.maxMessages {
			return false
		}
		if l.messages.CompareAndSwap(m, m+1) {
			break
		}
	}
	for {
		b := l.bytes.Load()
		if b > 0 && b+n > l.maxBytes {
			l.release(1, 0)
			return false
		}
		if l.bytes.CompareAndSwap(b, b+n) {
			return true
		}
	}
}

// wait takes room for a message of n bytes, waiting until there is some,
// and returns true; it returns false without room once stop reports true.
// stop is asked after every wake: after each release while readers wait,
// and after wake, which a closing connection calls.
func (l *inflightLimiter) wait(n int64, stop func() bool) bool {
	l.onWait()
	// Registering before looking closes the race with release: a release
	// that does not see this waiter happened before it, so tryAcquire
	// below sees its room.
	l.waiting.Add(1)
	defer l.waiting.Add(-1)
	for {
		l.mu.Lock()
		room := l.room
		l.mu.Unlock()
		if l.tryAcquire(n) {
			return true
		}
		if stop() {
			return false
		}
		<-room
	}
}

// release gives back the room of messages invocations holding n bytes.
func (l *inflightLimiter) release(messages, n int64) {
	l.messages.Add(-messages)
	l.bytes.Add(-n)
	l.wake()
}

// wake makes every waiting reader look again, if any waits.
func (l *inflightLimiter) wake() {
	if l.waiting.Load() == 0 {
		return
	}
	l.mu.Lock()
	close(l.room)
	l.room = make(chan struct{})
	l.mu.Unlock()
}

// load returns the invocations holding room and their bytes.
func (l *inflightLimiter) load() (messages, bytes int64) {
	return l.messages.Load(), l.bytes.Load()
}
