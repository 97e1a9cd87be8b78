// Package timewheel is a coarse shared timer: one goroutine and one ticker
// serve any number of timers, so that idle connections cost no runtime timer
// each. Timers fire within one tick after their deadline.
//
// Concurrency: every method is safe for concurrent use. Callbacks run on the
// wheel's goroutine, one at a time; they must be quick and must not call Stop
// on the wheel. Calling Timer.Stop or Wheel.AfterFunc from a callback is fine.
package timewheel

import (
	"sync"
	"time"
)

// Wheel runs timers at a fixed tick.
type Wheel struct {
	tick time.Duration

	mu     sync.Mutex
	slots  map[int64][]*Timer // guarded by mu; keyed by the tick number that fires them
	now    int64              // guarded by mu; the last tick processed
	start  time.Time
	closed bool

	stop chan struct{}
	done chan struct{}
}

// Timer is one scheduled callback.
type Timer struct {
	w     *Wheel
	f     func()
	slot  int64 // guarded by w.mu; -1 when not scheduled
	index int   // guarded by w.mu
}

// New starts a wheel that ticks every tick. Zero means one second.
func New(tick time.Duration) *Wheel {
	if tick <= 0 {
		tick = time.Second
	}
	w := &Wheel{
		tick:  tick,
		slots: make(map[int64][]*Timer),
		start: time.Now(),
		stop:  make(chan struct{}),
		done:  make(chan struct{}),
	}
	go w.run()
	return w
}

// AfterFunc calls f on the wheel's goroutine once d has passed. A wheel that
// is stopped never calls f.
func (w *Wheel) AfterFunc(d time.Duration, f func()) *Timer {
	t := &Timer{w: w, f: f, slot: -1}
	w.mu.Lock()
	w.scheduleLocked(t, d)
	w.mu.Unlock()
	return t
}

// NewTimer returns a timer that calls f once scheduled with Reset.
func (w *Wheel) NewTimer(f func()) *Timer {
	return &Timer{w: w, f: f, slot: -1}
}

// Reset reschedules t to fire d from now, whether or not it already fired.
func (t *Timer) Reset(d time.Duration) {
	t.w.mu.Lock()
	t.w.removeLocked(t)
	t.w.scheduleLocked(t, d)
	t.w.mu.Unlock()
}

// Stop cancels t and reports whether it was still scheduled.
func (t *Timer) Stop() bool {
	t.w.mu.Lock()
	defer t.w.mu.Unlock()
	if t.slot < 0 {
		return false
	}
	t.w.removeLocked(t)
	return true
}

// Len returns the number of scheduled timers.
func (w *Wheel) Len() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, s := range w.slots {
		n += len(s)
	}
	return n
}

// Stop ends the wheel's goroutine; scheduled timers never fire. It is
// idempotent.
func (w *Wheel) Stop() {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		<-w.done
		return
	}
	w.closed = true
	w.mu.Unlock()
	close(w.stop)
	<-w.done
}

func (w *Wheel) scheduleLocked(t *Timer, d time.Duration) {
	if w.closed {
		return
	}
	// The tick whose processing first sees the deadline as past.
	due := int64((time.Since(w.start) + d + w.tick - 1) / w.tick)
	if due <= w.now {
		due = w.now + 1
	}
	t.slot = due
	t.index = len(w.slots[due])
	w.slots[due] = append(w.slots[due], t)
}

func (w *Wheel) removeLocked(t *Timer) {
	if t.slot < 0 {
		return
	}
	s := w.slots[t.slot]
	last := len(s) - 1
	s[t.index] = s[last]
	s[t.index].index = t.index
	s[last] = nil
	if last == 0 {
		delete(w.slots, t.slot)
	} else {
		w.slots[t.slot] = s[:last]
	}
	t.slot = -1
}

func (w *Wheel) run() {
	defer close(w.done)
	ticker := time.NewTicker(w.tick)
	defer ticker.Stop()
	for {
		select {
		case <-w.stop:
			return
		case <-ticker.C:
		}
		target := int64(time.Since(w.start) / w.tick)
		for {
			w.mu.Lock()
			if w.now >= target {
				w.mu.Unlock()
				break
			}
			w.now++
			due := w.slots[w.now]
			delete(w.slots, w.now)
			for _, t := range due {
				t.slot = -1
			}
			w.mu.Unlock()
			for _, t := range due {
				t.f()
			}
		}
	}
}
