package timewheel

import (
	"sync/atomic"
	"testing"
	"time"
)

func TestFiresAfterDeadline(t *testing.T) {
	w := New(10 * time.Millisecond)
	defer w.Stop()
	start := time.Now()
	fired := make(chan time.Duration, 1)
	w.AfterFunc(50*time.Millisecond, func() { fired <- time.Since(start) })
	select {
	case d := <-fired:
		if d < 50*time.Millisecond {
			t.Fatalf("fired after %v, before its 50ms deadline", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("timer never fired")
	}
}

func TestStopAndReset(t *testing.T) {
	w := New(5 * time.Millisecond)
	defer w.Stop()
	var n atomic.Int32
	timers := make([]*Timer, 100)
	for i := range timers {
		timers[i] = w.AfterFunc(20*time.Millisecond, func() { n.Add(1) })
	}
	for i := 0; i < 50; i++ {
		if !timers[i].Stop() {
			t.Fatalf("Stop(%d) = false on a scheduled timer", i)
		}
	}
	timers[99].Reset(time.Hour)
	time.Sleep(200 * time.Millisecond)
	if got := n.Load(); got != 49 {
		t.Fatalf("fired %d timers, want 49", got)
	}
	if timers[0].Stop() {
		t.Fatal("Stop on a stopped timer = true")
	}
	if got := w.Len(); got != 1 {
		t.Fatalf("Len = %d, want 1 (the reset timer)", got)
	}
}

func TestStoppedWheelNeverFires(t *testing.T) {
	w := New(5 * time.Millisecond)
	var n atomic.Int32
	w.AfterFunc(10*time.Millisecond, func() { n.Add(1) })
	w.Stop()
	w.Stop() // idempotent
	w.AfterFunc(0, func() { n.Add(1) })
	time.Sleep(50 * time.Millisecond)
	if n.Load() != 0 {
		t.Fatal("a stopped wheel fired a timer")
	}
}
