//go:build unix

package connlimit

import "syscall"

// fdLimit returns the soft RLIMIT_NOFILE, or 0 when unknown or unlimited.
func fdLimit() int {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return 0
	}
	cur := uint64(rl.Cur)
	if cur == 0 || cur > 1<<31 {
		return 0
	}
	return int(cur)
}
