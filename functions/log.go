package functions

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
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
//
// drain makes sure that what the process wrote before it answered is
// logged before END: it interrupts the reader (a read deadline in the
// past), which parks once it has logged what it read, then reads what the
// pipe still holds itself, and lets the reader go on.
type outputReader struct {
	e      *environment
	f      *os.File
	done   chan struct{} // closed when the stream ended
	paused chan struct{} // the reader parked for drain
	resume chan struct{} // drain is over
	// pending is a line without its newline yet. Owned by the reader
	// goroutine, and by drain while the reader is parked.
	pending []byte
}

func newOutputReader(e *environment, f *os.File) *outputReader {
	o := &outputReader{e: e, f: f, done: make(chan struct{}), paused: make(chan struct{}), resume: make(chan struct{})}
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
		o.consume(buf[:n])
		if errors.Is(err, os.ErrDeadlineExceeded) {
			o.paused <- struct{}{}
			<-o.resume
			continue
		}
		if err != nil {
			if len(o.pending) > 0 {
				o.emit(string(o.pending))
				o.pending = nil
			}
			return
		}
	}
}

func (o *outputReader) consume(b []byte) {
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
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
		o.emit(string(bytes.TrimSuffix(line, []byte{'\r'})))
		b = b[i+1:]
	}
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

// drain logs what the process has written so far (see outputReader).
func (o *outputReader) drain() {
	if o.f.SetReadDeadline(time.Now()) != nil {
		return // not pollable
	}
	select {
	case <-o.paused:
	case <-o.done:
		return
	}
	_ = o.f.SetReadDeadline(time.Time{})
	buf := make([]byte, 32<<10)
	for {
		n, ok := pipeBuffered(o.f)
		if !ok || n == 0 {
			break
		}
		n, err := o.f.Read(buf[:min(n, len(buf))])
		o.consume(buf[:n])
		if err != nil {
			break
		}
	}
	o.resume <- struct{}{}
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
