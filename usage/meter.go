package usage

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"golang.org/x/time/rate"
)

// MeterConfig configures a Meter. Its zero value is ready to use.
type MeterConfig struct {
	// Logger receives NATS outages and returns, once each. Nil means
	// discard.
	Logger *slog.Logger
	// PublishInterval is how often, at most, the node publishes the
	// counts that changed. Zero means 100ms.
	PublishInterval time.Duration
	// SnapshotInterval is how often the node publishes every count it
	// knows, so that nodes that joined late or missed messages catch up.
	// Zero means 5s.
	SnapshotInterval time.Duration
}

// Meter holds the usage plans' token buckets and quota counts, which
// outlive the APIs that a reload rebuilds: the node owns one and passes it
// to every API. Buckets are per node. Quota counts are per node until Join
// shares them over NATS (see the package documentation). A Meter is safe
// for concurrent use.
type Meter struct {
	log           *slog.Logger
	publishEvery  time.Duration
	snapshotEvery time.Duration
	origin        string // this Meter's name in quota messages
	subject       string // {prefix}.usage.quota; set by Join before run starts
	stop          chan struct{}
	closeOnce     sync.Once

	mu       sync.Mutex
	buckets  map[bucketKey]*rate.Limiter    // guarded by mu
	quotas   map[quotaKey]*quotaCount       // guarded by mu
	daily    map[quotaKey]map[time.Time]int // requests by UTC day, the last HistoryDays days; guarded by mu
	credits  map[quotaKey]credit            // guarded by mu
	dirty    bool                           // some own count changed since the last publish; guarded by mu
	wantFull bool                           // publish every count next time; guarded by mu
	joined   bool                           // guarded by mu
	closed   bool                           // guarded by mu
	sub      *nats.Subscription             // set by Join; guarded by mu
	done     chan struct{}                  // closed when run returns; nil before Join; guarded by mu
}

// NewMeter returns an empty Meter that counts locally.
func NewMeter(cfg MeterConfig) *Meter {
	m := &Meter{
		log:           cfg.Logger,
		publishEvery:  cfg.PublishInterval,
		snapshotEvery: cfg.SnapshotInterval,
		origin:        newOrigin(),
		stop:          make(chan struct{}),
		buckets:       make(map[bucketKey]*rate.Limiter),
		quotas:        make(map[quotaKey]*quotaCount),
		daily:         make(map[quotaKey]map[time.Time]int),
		credits:       make(map[quotaKey]credit),
	}
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	if m.publishEvery <= 0 {
		m.publishEvery = 100 * time.Millisecond
	}
	if m.snapshotEvery <= 0 {
		m.snapshotEvery = 5 * time.Second
	}
	return m
}

// newOrigin names a Meter in quota messages: 16 random hex digits, new on
// every start, so that a restarted node never mixes its counts with what
// the cluster remembers of its previous life.
func newOrigin() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// bucketKey names a plan bucket with its settings, so that a reload that
// changes them starts a new bucket. api, stage and method are empty for
// the plan's own throttle.
type bucketKey struct {
	plan, key, api, stage, method string
	rate                          float64
	burst                         int
}

// quotaKey is what a quota counts: one key in one plan, across the plan's
// stages (REST and WebSocket alike).
type quotaKey struct{ plan, key string }

// quotaCount is a key's use of a plan in one period, by the Meter (node)
// that admitted it: this Meter's own count under its origin, the latest
// absolute count heard from each other one.
type quotaCount struct {
	start  time.Time
	byNode map[string]int
	dirty  bool // the own count changed since the last publish
}

func (c *quotaCount) total() int {
	n := 0
	for _, v := range c.byNode {
		n += v
	}
	return n
}

// Throttle takes a token from the bucket of g's plan for method ("RESOURCE_PATH
// METHOD" of a REST method; "" for none): the plan's per-method throttle
// when it has one for method, else the plan's throttle. It reports true
// when the request may go on (also when the plan has no throttle or g has
// no plan).
func (m *Meter) Throttle(g Grant, method string) bool {
	p := g.Plan
	if p == nil {
		return true
	}
	if t, ok := p.Methods[method]; ok && method != "" {
		return m.allow(bucketKey{plan: p.PlanID, key: g.KeyID, api: p.APIID, stage: p.Stage, method: method, rate: t.RateLimit, burst: t.BurstLimit})
	}
	if t := p.Throttle; t != nil {
		return m.allow(bucketKey{plan: p.PlanID, key: g.KeyID, rate: t.RateLimit, burst: t.BurstLimit})
	}
	return true
}

// allow takes a token from the bucket named k.
func (m *Meter) allow(k bucketKey) bool {
	m.mu.Lock()
	l := m.buckets[k]
	if l == nil {
		r, b := k.rate, k.burst
		var burst *int
		if b > 0 {
			burst = &b
		}
		l = NewLimiter(&r, burst)
		m.buckets[k] = l
	}
	m.mu.Unlock()
	return l.Allow()
}

// Count counts one request of g against its plan's quota at now. It
// reports false, counting nothing, when the period's limit is used up
// across the cluster as far as this node knows; true also when the plan
// has no quota or g has no plan. It never waits for NATS.
func (m *Meter) Count(g Grant, now time.Time) bool {
	if g.Plan == nil || g.Plan.Quota == nil {
		return true
	}
	q := g.Plan.Quota
	start := PeriodStart(q.Period, q.Offset, now)
	m.mu.Lock()
	defer m.mu.Unlock()
	k := quotaKey{g.Plan.PlanID, g.KeyID}
	c := m.countLocked(k, start)
	limit := q.Limit
	if cr, ok := m.credits[k]; ok && cr.start.Equal(start) {
		limit += cr.extra
	}
	if c.total() >= limit {
		return false
	}
	c.byNode[m.origin]++
	c.dirty, m.dirty = true, true
	m.addDailyLocked(k, now, 1)
	return true
}

// HistoryDays is how many days of daily counts a Meter keeps (Daily).
const HistoryDays = 90

// credit is the requests a key may make beyond its plan's quota limit
// in the period that starts at start (UpdateUsage).
type credit struct {
	start time.Time
	extra int
}

// addDailyLocked counts n requests of k on now's UTC day, dropping the
// days older than HistoryDays.
func (m *Meter) addDailyLocked(k quotaKey, now time.Time, n int) {
	day := PeriodStart("DAY", 0, now)
	days := m.daily[k]
	if days == nil {
		days = make(map[time.Time]int)
		m.daily[k] = days
	}
	if _, ok := days[day]; !ok {
		oldest := day.AddDate(0, 0, -HistoryDays)
		for d := range days {
			if d.Before(oldest) {
				delete(days, d)
			}
		}
	}
	days[day] += n
}

// Daily returns the requests admitted for keyID under planID's quota on
// each UTC day from first to last (both included), across the cluster as
// far as this node knows: a count heard from another node is counted on
// the day it is heard. Days older than HistoryDays are zeros, and so are
// the days before this node started.
func (m *Meter) Daily(planID, keyID string, first, last time.Time) []int {
	first, last = PeriodStart("DAY", 0, first), PeriodStart("DAY", 0, last)
	m.mu.Lock()
	defer m.mu.Unlock()
	days := m.daily[quotaKey{planID, keyID}]
	var out []int
	for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
		out = append(out, days[d])
	}
	return out
}

// PeriodUsed returns the requests admitted for keyID under planID in the
// quota period that starts at start, across the cluster as far as this
// node knows.
func (m *Meter) PeriodUsed(planID, keyID string, start time.Time) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	if c := m.quotas[quotaKey{planID, keyID}]; c != nil && c.start.Equal(start) {
		return c.total()
	}
	return 0
}

// SetCredit lets keyID make extra requests (fewer when negative) beyond
// planID's quota limit in the period that starts at start; it replaces
// the key's credit before.
func (m *Meter) SetCredit(planID, keyID string, start time.Time, extra int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.credits[quotaKey{planID, keyID}] = credit{start: start.UTC(), extra: extra}
}

// PeriodStart is the package's PeriodStart, for callers that hold a
// Meter behind an interface.
func (m *Meter) PeriodStart(period string, offset int, now time.Time) time.Time {
	return PeriodStart(period, offset, now)
}

// countLocked returns the count of k for the period that starts at start,
// starting it over when the count it has is for an earlier period. A
// count for a later period (another node's clock is ahead) is kept and
// used.
func (m *Meter) countLocked(k quotaKey, start time.Time) *quotaCount {
	c := m.quotas[k]
	if c == nil || c.start.Before(start) {
		c = &quotaCount{start: start, byNode: make(map[string]int)}
		m.quotas[k] = c
	}
	return c
}

// NewLimiter builds a token bucket; a nil rate is unlimited, a nil burst
// ceil(rate) (at least 1), a rate or burst of 0 refuses everything.
func NewLimiter(r *float64, burst *int) *rate.Limiter {
	limit := rate.Inf
	if r != nil {
		limit = rate.Limit(*r)
	}
	b := 0
	switch {
	case burst != nil:
		b = *burst
	case r != nil:
		b = max(1, int(math.Ceil(*r)))
	}
	if limit == 0 || b == 0 {
		return rate.NewLimiter(0, 0)
	}
	return rate.NewLimiter(limit, b)
}

// PeriodStart returns the start of the quota period holding now, in UTC:
// DAY at 00:00; WEEK on Sunday+offset; MONTH on day 1+offset.
func PeriodStart(period string, offset int, now time.Time) time.Time {
	now = now.UTC()
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	switch period {
	case "WEEK":
		back := (int(now.Weekday()) - offset%7 + 7) % 7
		return day.AddDate(0, 0, -back)
	case "MONTH":
		start := time.Date(now.Year(), now.Month(), 1+offset, 0, 0, 0, 0, time.UTC)
		if now.Before(start) {
			start = time.Date(now.Year(), now.Month()-1, 1+offset, 0, 0, 0, 0, time.UTC)
		}
		return start
	default: // DAY
		return day
	}
}
