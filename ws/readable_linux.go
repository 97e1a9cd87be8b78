package ws

import "syscall"

const peekSupported = true

// peekReadable reports whether the socket fd has something for read(2): a
// byte (peeked, not consumed), EOF or an error. It answers false only for
// EAGAIN, so that RawConn.Read waits for readability and asks again; the
// peek comes after RawConn.Read armed the wait, so bytes that arrived
// before it are seen here and bytes that arrive after it wake the wait.
func peekReadable(fd uintptr) bool {
	var b [1]byte
	_, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
	return err != syscall.EAGAIN && err != syscall.EWOULDBLOCK
}
