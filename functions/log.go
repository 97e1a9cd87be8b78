package functions

import (
	"context"
	"log/slog"
	"os"
	"sync"
	"time"
)

// logger writes a function's lines to the Runtime's slog.Logger, each
// message prefixed with "[name] ".
type logger struct{ l *slog.Logger }

func (l logger) info(fn, requestID, msg string) {
	l.emit(slog.LevelInfo, fn, requestID, msg)
}

func (l logger) debug(fn, requestID, msg string) {
	l.emit(slog.LevelDebug, fn, requestID, msg)
}

func (l logger) Warn(msg string, args ...any) { l.l.Warn(msg, args...) }

func (l logger) emit(level slog.Level, fn, requestID, msg string) {
	if !l.l.Enabled(context.Background(), level) {
		return
	}
	args := []any{"function", fn}
	if requestID != "" {
		args = append(args, "request_id", requestID)
	}
	l.l.Log(context.Background(), level, "["+fn+"] "+msg, args...)
}

// maxLine is where a line without a newline is cut.
const maxLine = 256 << 10

// outputReader reads one of a runtime process's output streams and logs it
// line by line, into the invocation in progress when there is one.
type outputReader struct {
	e    *environment
	f    *os.File
	done chan struct{}
	// mu is held while a chunk read is being logged, so that drain can
	// wait for it.
	mu      sync.Mutex
	pending []byte // a line without its newline yet; guarded by mu
}

func newOutputReader(e *environment, f *os.File) *outputReader {
	o := &outputReader{e: e, f: f, done: make(chan struct{})}
	e.wg.Add(1)
	go o.loop()
	return o
}

func (o *outputReader) loop() {
	defer o.e.wg.Done()
	defer close(o.done)
	buf := make([]byte, 32<<10)
	for {
		n, err := o.f.Read(buf)
		if n > 0 {
			o.mu.Lock()
			o.consumeLocked(buf[:n])
			o.mu.Unlock()
		}
		if err != nil {
			o.mu.Lock()
			if len(o.pending) > 0 {
				o.emit(string(o.pending))
				o.pending = nil
			}
			o.mu.Unlock()
			return
		}
	}
}

func (o *outputReader) consumeLocked(b []byte) {
	for len(b) > 0 {
		i := indexByte(b, '\n')
		if i < 0 {
			o.pending = append(o.pending, b...)
			if len(o.pending) >= maxLine {
				o.emit(string(o.pending))
				o.pending = o.pending[:0]
			}
			return
		}
		line := b[:i]
		if len(o.pending) > 0 {
			line = append(o.pending, line...)
			o.pending = o.pending[:0]
		}
		o.emit(string(trimCR(line)))
		b = b[i+1:]
	}
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

func trimCR(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\r' {
		return b[:n-1]
	}
	return b
}

// emit logs a line of output, as part of the invocation in progress.
func (o *outputReader) emit(line string) {
	o.e.mu.Lock()
	inv := o.e.cur
	o.e.mu.Unlock()
	if inv != nil {
		inv.line(line)
		return
	}
	o.e.p.log.info(o.e.p.fn.Name, "", line)
}

// drain waits a little for output already written to be logged, so that
// it lands before END: until the pipe is empty and no chunk is being
// logged, for at most 50ms.
func (o *outputReader) drain() {
	deadline := time.Now().Add(50 * time.Millisecond)
	for {
		n, ok := pipeBuffered(o.f)
		if !ok {
			return
		}
		if n == 0 {
			o.mu.Lock()
			o.mu.Unlock() //nolint:staticcheck // waits for the chunk being logged
			return
		}
		if time.Now().After(deadline) {
			return
		}
		time.Sleep(200 * time.Microsecond)
	}
}

// closeAfter waits up to d for the stream's end (every writer gone), then
// closes it, for processes that left children holding it.
func (o *outputReader) closeAfter(d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-o.done:
	case <-t.C:
	}
	o.f.Close()
}
