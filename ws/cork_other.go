//go:build !unix

package ws

import "syscall"

// writeOnce writes nothing where a socket is not a file descriptor that
// write(2) takes (Windows): it answers EAGAIN, so tryFlush leaves the bytes
// corked for uncork, which writes them through the net.Conn as it does for
// sockets with no descriptor.
func (cb *corkBuf) writeOnce(uintptr) {
	cb.n, cb.err = 0, syscall.EAGAIN
}
