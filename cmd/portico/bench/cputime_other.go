//go:build !unix

package bench

import "time"

// processCPU is not measured here: cpu_us_per_request reads 0.
func processCPU() time.Duration { return 0 }
