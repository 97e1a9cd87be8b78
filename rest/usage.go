package rest

import (
	"cmp"
	"math"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/portico-gw/portico/config"
)

// API keys, usage plans and stage throttling (reference rest-apis.md §1.6,
// http-and-rest-apis.md §4.5 and §5.2). After authorization, usage runs in
// this order:
//
//  1. API key, on methods with apiKeyRequired: the x-api-key header
//     (apiKeySource HEADER, the default) or the Lambda authorizer's
//     usageIdentifierKey (AUTHORIZER). Missing, unknown, disabled, or in
//     no usage plan that has this API's stage: 403 INVALID_API_KEY.
//  2. The key's usage-plan throttle: a token bucket per (plan, key), or per
//     (plan, key, API, stage, method) when the plan's apiStages[].throttle
//     has the method ("/pets/GET"), which then replaces the plan's
//     throttle for that method. Empty: 429 THROTTLED.
//  3. The stage's methodSettings throttle, for every request of the stage,
//     with or without a key: a token bucket per stage and method, from
//     "/path/METHOD", else "/path/*", else "*/*". Empty: 429 THROTTLED.
//  4. The key's usage-plan quota, per (plan, key): 429 QUOTA_EXCEEDED once
//     limit requests were counted in the period. Only requests that reach
//     the integration count.
//
// Throttle values, as for HTTP APIs: a rate of 0 refuses every request; a
// missing methodSettings rate means unlimited; a burst that is missing
// (methodSettings) or 0 (usage plans) with a rate > 0 is ceil(rate), at
// least 1.
//
// Quota periods are UTC and honour offset: DAY starts at 00:00, WEEK on
// Sunday+offset days at 00:00, MONTH on day 1+offset at 00:00.
//
// Plan buckets and quota counters live in a Meter that the node owns, so a
// reload neither refills the buckets nor resets the counts (a changed
// throttle starts a new bucket). They are per node; cluster-wide counters
// over NATS are the next step. Stage buckets belong to the API and start
// full on every reload, as HTTP APIs' do.

// Usage is what REST APIs know of API keys and usage plans: the file's
// top-level apiKeys, usagePlans and usagePlanKeys, validated by
// config.Load (IDs filled in, usagePlans' apiId resolved to restApiId).
// New keeps no reference to it.
type Usage struct {
	APIKeys       []config.APIKey
	UsagePlans    []config.UsagePlan
	UsagePlanKeys []config.UsagePlanKey
}

// planStage is a usage plan as one stage of the API applies it.
type planStage struct {
	planID   string
	apiID    string
	stage    string
	throttle *config.ThrottleSettings
	quota    *config.QuotaSettings
	methods  map[string]config.ThrottleSettings // by "RESOURCE_PATH METHOD"
}

// grant is an enabled API key that a plan admits to a stage.
type grant struct {
	keyID string
	plan  *planStage
}

// newGrants returns, by stage name, the enabled keys that some usage plan
// admits to a stage of the API, by key value.
func newGrants(apiID string, u *Usage) map[string]map[string]grant {
	if u == nil {
		return nil
	}
	keys := make(map[string]*config.APIKey, len(u.APIKeys))
	for i := range u.APIKeys {
		keys[cmp.Or(u.APIKeys[i].ID, u.APIKeys[i].Name)] = &u.APIKeys[i]
	}
	plans := make(map[string][]*planStage) // by plan ID: its stages of this API
	for i := range u.UsagePlans {
		p := &u.UsagePlans[i]
		for _, s := range p.APIStages {
			if s.APIID != apiID {
				continue
			}
			ps := &planStage{planID: cmp.Or(p.ID, p.Name), apiID: apiID, stage: s.Stage, throttle: p.Throttle, quota: p.Quota}
			for key, t := range s.Throttle {
				if path, verb, ok := splitMethodKey(key); ok {
					if ps.methods == nil {
						ps.methods = make(map[string]config.ThrottleSettings)
					}
					ps.methods[path+" "+verb] = t
				}
			}
			plans[ps.planID] = append(plans[ps.planID], ps)
		}
	}
	out := make(map[string]map[string]grant)
	for _, pk := range u.UsagePlanKeys {
		k := keys[pk.KeyID]
		if k == nil || !k.IsEnabled() {
			continue
		}
		for _, ps := range plans[pk.UsagePlanID] {
			if out[ps.stage] == nil {
				out[ps.stage] = make(map[string]grant)
			}
			out[ps.stage][k.Value] = grant{keyID: cmp.Or(k.ID, k.Name), plan: ps}
		}
	}
	return out
}

// splitMethodKey reads a methodSettings or plan throttle key
// ("/pets/{id}/GET", "~1pets~1{id}/GET", "/GET" for the root) as a
// resource path and a method. "*/*" is not a method key.
func splitMethodKey(key string) (path, verb string, ok bool) {
	i := strings.LastIndexByte(key, '/')
	if i < 0 || key == "*/*" {
		return "", "", false
	}
	path, verb = key[:i], key[i+1:]
	path = strings.ReplaceAll(strings.ReplaceAll(path, "~1", "/"), "~0", "~")
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	if path != "/" {
		path = strings.TrimSuffix(path, "/")
	}
	return path, verb, true
}

// newStageThrottles builds a stage's methodSettings buckets, by
// "RESOURCE_PATH METHOD" of every method of the API; methods without a
// throttle are absent.
func newStageThrottles(settings map[string]config.MethodSetting, methods map[string]*method) map[string]*rate.Limiter {
	if len(settings) == 0 {
		return nil
	}
	byMethod := make(map[string]config.MethodSetting, len(settings))
	for key, s := range settings {
		if path, verb, ok := splitMethodKey(key); ok {
			byMethod[path+" "+verb] = s
		}
	}
	throttles := func(s config.MethodSetting, ok bool) bool {
		return ok && (s.ThrottlingRateLimit != nil || s.ThrottlingBurstLimit != nil)
	}
	out := make(map[string]*rate.Limiter)
	for key, m := range methods {
		s, ok := byMethod[key]
		if !throttles(s, ok) {
			s, ok = byMethod[m.resourcePath+" *"]
		}
		if !throttles(s, ok) {
			s, ok = settings["*/*"]
		}
		if throttles(s, ok) {
			out[key] = newLimiter(s.ThrottlingRateLimit, s.ThrottlingBurstLimit)
		}
	}
	return out
}

// newLimiter builds a token bucket; a nil rate is unlimited, a nil burst
// ceil(rate), a rate or burst of 0 refuses everything.
func newLimiter(r *float64, burst *int) *rate.Limiter {
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

// Meter holds the usage plans' token buckets and quota counters, which
// outlive the APIs that a reload rebuilds: the node owns one and passes
// it to every REST API (Config.Meter). Counts are per node. A Meter is
// safe for concurrent use.
type Meter struct {
	mu      sync.Mutex
	buckets map[bucketKey]*rate.Limiter // guarded by mu
	quotas  map[quotaKey]*quotaCount    // guarded by mu
}

// NewMeter returns an empty Meter.
func NewMeter() *Meter {
	return &Meter{buckets: make(map[bucketKey]*rate.Limiter), quotas: make(map[quotaKey]*quotaCount)}
}

// bucketKey names a plan bucket with its settings, so that a reload that
// changes them starts a new bucket. api, stage and method are empty for
// the plan's own throttle.
type bucketKey struct {
	plan, key, api, stage, method string
	rate                          float64
	burst                         int
}

type quotaKey struct{ plan, key string }

type quotaCount struct {
	start time.Time // the period the count is for
	used  int
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
		l = newLimiter(&r, burst)
		m.buckets[k] = l
	}
	m.mu.Unlock()
	return l.Allow()
}

// count counts one request against the quota of (plan, key) at now; it
// reports false, counting nothing, when the period's limit is used up.
func (m *Meter) count(plan, key string, q *config.QuotaSettings, now time.Time) bool {
	start := periodStart(q.Period, q.Offset, now)
	m.mu.Lock()
	defer m.mu.Unlock()
	k := quotaKey{plan, key}
	c := m.quotas[k]
	if c == nil {
		c = &quotaCount{start: start}
		m.quotas[k] = c
	}
	if !c.start.Equal(start) {
		c.start, c.used = start, 0
	}
	if c.used >= q.Limit {
		return false
	}
	c.used++
	return true
}

// periodStart returns the start of the quota period holding now, in UTC:
// DAY at 00:00; WEEK on Sunday+offset; MONTH on day 1+offset.
func periodStart(period string, offset int, now time.Time) time.Time {
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

// meter applies API keys, usage plans and stage throttling to q (see the
// top of this file). It writes the gateway response and reports false
// when the request stops here.
func (a *API) meter(w http.ResponseWriter, q *request) bool {
	var g grant
	if q.m.apiKeyRequired {
		value := q.usageIdentifierKey
		if a.apiKeySource != "AUTHORIZER" {
			value = q.r.Header.Get("X-Api-Key")
		}
		var ok bool
		if g, ok = q.stage.keys[value]; !ok || value == "" {
			a.fail(w, q, InvalidAPIKey, "")
			return false
		}
		q.apiKey, q.apiKeyID = value, g.keyID
		if !a.planAllows(g, q) {
			a.fail(w, q, Throttled, "")
			return false
		}
	}
	if l := q.stage.throttles[q.m.routeKey]; l != nil && !l.Allow() {
		a.fail(w, q, Throttled, "")
		return false
	}
	if g.plan != nil && g.plan.quota != nil && !a.meterStore.count(g.plan.planID, g.keyID, g.plan.quota, q.now) {
		a.fail(w, q, QuotaExceeded, "")
		return false
	}
	return true
}

// planAllows takes a token from the key's plan bucket for the method.
func (a *API) planAllows(g grant, q *request) bool {
	p := g.plan
	if t, ok := p.methods[q.m.routeKey]; ok {
		return a.meterStore.allow(bucketKey{plan: p.planID, key: g.keyID, api: p.apiID, stage: p.stage,
			method: q.m.routeKey, rate: t.RateLimit, burst: t.BurstLimit})
	}
	if t := p.throttle; t != nil {
		return a.meterStore.allow(bucketKey{plan: p.planID, key: g.keyID, rate: t.RateLimit, burst: t.BurstLimit})
	}
	return true
}
