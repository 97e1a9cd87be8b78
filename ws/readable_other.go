//go:build !linux

package ws

// peekSupported is false where readable_linux.go's peek is not built: the
// reader then waits in gorilla, as it would over TLS.
const peekSupported = false

func peekReadable(uintptr) bool { return true }
