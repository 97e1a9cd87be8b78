//go:build !unix

package ws

import "syscall"

// writeOnce writes nothing where a socket is not a file descriptor that
// write(2) takes (Windows): it answers EAGAIN, so tryFlush leaves the bytes
// corked for uncork, which writes them through the net.Conn as it does for
// sockets with no descriptor.
func (g *frameGuard) writeOnce(uintptr) bool {
	g.rawN, g.rawErr = 0, syscall.EAGAIN
	return true
}
