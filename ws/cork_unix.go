//go:build unix

package ws

import "syscall"

// writeOnce makes one write(2) of the cork buffer on the non-blocking
// socket and never asks to wait for it to become writable. The guard's
// wmu is held.
func (cb *corkBuf) writeOnce(fd uintptr) {
	cb.n, cb.err = syscall.Write(int(fd), cb.b)
	if cb.n < 0 {
		cb.n = 0
	}
}
