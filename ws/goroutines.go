package ws

// The tracked starter: every goroutine of the package starts through
// Server.startGoroutine, as nats-server's startGoRoutine, and none starts
// once Shutdown began. Goroutines are started per connection (reader,
// writer, closes) and per message (invocations), so the starter is one
// atomic word rather than a mutex and a WaitGroup: a start is one
// compare-and-swap on s.running, an exit one add, and Shutdown waits on a
// channel it can select with its ctx, without a helper goroutine.

// goStopping is the bit of Server.running set once Shutdown began; the bits
// below it count the goroutines running.
const goStopping = 1 << 63

// startGoroutine runs f on a new goroutine that Shutdown waits for, and
// returns true. Once Shutdown began it starts nothing and returns false;
// each caller says what it does instead.
func (s *Server) startGoroutine(f func()) bool {
	if !s.addGoroutine() {
		return false
	}
	go func() {
		defer s.goroutineDone()
		f()
	}()
	return true
}

// addGoroutine counts in a goroutine about to start, which must call
// goroutineDone when it returns, and returns true; once Shutdown began it
// counts nothing and returns false. startGoroutine is the usual way; the
// reader is started with it directly (conn.startReader), so that an idle
// connection's goroutine carries no wrapper frame or closure.
func (s *Server) addGoroutine() bool {
	for {
		n := s.running.Load()
		if n&goStopping != 0 {
			return false
		}
		if s.running.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// goroutineDone counts a tracked goroutine out. The one that leaves none
// running after Shutdown began closes s.allDone: once goStopping is set the
// count only falls, so exactly one caller (or stopGoroutines, when none was
// running) sees it reach zero.
func (s *Server) goroutineDone() {
	if s.running.Add(^uint64(0)) == goStopping {
		close(s.allDone)
	}
}

// stopGoroutines makes startGoroutine refuse from now on. It is idempotent.
func (s *Server) stopGoroutines() {
	for {
		n := s.running.Load()
		if n&goStopping != 0 {
			return
		}
		if s.running.CompareAndSwap(n, n|goStopping) {
			if n == 0 {
				close(s.allDone)
			}
			return
		}
	}
}

// goroutines reports how many tracked goroutines are running and whether
// the starter refuses (for tests).
func (s *Server) goroutines() (running int, stopped bool) {
	n := s.running.Load()
	return int(n &^ goStopping), n&goStopping != 0
}
