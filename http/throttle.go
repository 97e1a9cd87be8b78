package httpapi

import (
	"math"

	"golang.org/x/time/rate"

	"github.com/portico-gw/portico/config"
)

// Throttling (reference §5.2): a token bucket per stage and route, from the
// stage's routeSettings for the route key, else its defaultRouteSettings.
// rate is tokens per second, burst the bucket's size. A rate or burst of 0
// refuses every request (429). Decisions where AWS is unconfirmed: a
// missing rate means unlimited; a rate with no burst gets a burst of
// ceil(rate), at least 1.
type throttle struct {
	limiter *rate.Limiter // nil: unlimited
}

func newThrottle(s *config.RouteSettings) *throttle {
	if s == nil || s.ThrottlingRateLimit == nil && s.ThrottlingBurstLimit == nil {
		return nil
	}
	r := rate.Inf
	if s.ThrottlingRateLimit != nil {
		r = rate.Limit(*s.ThrottlingRateLimit)
	}
	burst := 0
	switch {
	case s.ThrottlingBurstLimit != nil:
		burst = *s.ThrottlingBurstLimit
	case s.ThrottlingRateLimit != nil:
		burst = max(1, int(math.Ceil(*s.ThrottlingRateLimit)))
	}
	if r == 0 || burst == 0 {
		return &throttle{limiter: rate.NewLimiter(0, 0)}
	}
	return &throttle{limiter: rate.NewLimiter(r, burst)}
}

// allow takes a token; nil throttles allow everything.
func (t *throttle) allow() bool {
	return t == nil || t.limiter.Allow()
}
