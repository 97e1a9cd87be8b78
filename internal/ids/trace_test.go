package ids

import (
	"regexp"
	"strconv"
	"testing"
	"time"
)

var traceIDShape = regexp.MustCompile(`^Root=1-([0-9a-f]+)-[0-9a-f]{24}$`)

func TestTraceIDShape(t *testing.T) {
	for _, now := range []time.Time{time.Unix(0x6750a1b2, 0), time.Unix(1, 0), time.Unix(1<<40, 0)} {
		id := NewTraceID(now)
		m := traceIDShape.FindStringSubmatch(id)
		if m == nil || m[1] != strconv.FormatInt(now.Unix(), 16) {
			t.Errorf("NewTraceID(%v) = %q; want Root=1-%x-{24 hex digits}", now, id, now.Unix())
		}
	}
	if a, b := NewTraceID(time.Unix(1, 0)), NewTraceID(time.Unix(1, 0)); a == b {
		t.Errorf("two trace IDs are equal: %q", a)
	}
	if raceEnabled {
		return
	}
	now := time.Now()
	if n := testing.AllocsPerRun(100, func() { _ = NewTraceID(now) }); n > 1 {
		t.Errorf("NewTraceID allocates %v times; want 1", n)
	}
}
