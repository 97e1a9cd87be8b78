//go:build !unix

package connlimit

// fdLimit returns 0: no descriptor limit is known on this platform.
func fdLimit() int { return 0 }
