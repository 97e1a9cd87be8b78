//go:build unix

package ws

import "syscall"

// writeOnce makes one write(2) of the cork buffer on the non-blocking
// socket and never asks to wait for it to become writable. g.wmu is held.
func (g *frameGuard) writeOnce(fd uintptr) bool {
	g.rawN, g.rawErr = syscall.Write(int(fd), *g.wbuf)
	if g.rawN < 0 {
		g.rawN = 0
	}
	return true
}
