//go:build unix

package functions

import (
	"os/exec"
	"syscall"
)

// setProcessGroup makes the process the leader of a new process group, so
// that killGroup reaches every process it started.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// killGroup kills the process group with SIGKILL.
func killGroup(cmd *exec.Cmd) {
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	_ = cmd.Process.Kill()
}
