package functions

import (
	"bufio"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// pipeBuffered returns how many bytes wait in the pipe.
func pipeBuffered(f *os.File) (n int, ok bool) {
	sc, err := f.SyscallConn()
	if err != nil {
		return 0, false
	}
	var ierr error
	err = sc.Control(func(fd uintptr) {
		n, ierr = unix.IoctlGetInt(int(fd), unix.TIOCINQ)
	})
	if err != nil || ierr != nil {
		return 0, false
	}
	return n, true
}

// peakRSSMB returns the process's peak resident set (VmHWM) in MB, 0 when
// /proc does not say.
func peakRSSMB(pid int) int {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return (kb + 1023) / 1024
		}
	}
	return 0
}
