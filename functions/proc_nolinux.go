//go:build !linux

package functions

import "os"

func pipeBuffered(*os.File) (int, bool) { return 0, false }

func peakRSSMB(int) int { return 0 }
