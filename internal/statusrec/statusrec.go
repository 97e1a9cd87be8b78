// Package statusrec records what a handler answered: the first status it
// wrote and how many body bytes. The admin metrics, the HTTP API mode and
// the WebSocket handshake all need it for access logs and metrics.
package statusrec

import "net/http"

// Writer wraps a ResponseWriter. Its zero Status means nothing was written
// yet; a Write without WriteHeader counts as 200, as net/http does.
type Writer struct {
	http.ResponseWriter
	Status  int
	Written int64
}

// WriteHeader records the first status and passes it on.
func (w *Writer) WriteHeader(status int) {
	if w.Status == 0 {
		w.Status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

// Write records the body length and passes it on.
func (w *Writer) Write(b []byte) (int, error) {
	if w.Status == 0 {
		w.Status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.Written += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach Flush, deadlines and Hijack.
func (w *Writer) Unwrap() http.ResponseWriter { return w.ResponseWriter }
