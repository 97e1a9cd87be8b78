package rest

import (
	"net/http"

	"golang.org/x/time/rate"

	"github.com/portico-gw/portico/config"
	"github.com/portico-gw/portico/usage"
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
// Which keys a stage admits, the plan buckets and the quota counts are
// package usage's, shared with WebSocket APIs: the counts live in a
// usage.Meter that the node owns, so a reload neither refills the buckets
// nor resets the counts (a changed throttle starts a new bucket), and a
// plan's quota counts a key's requests to its REST and WebSocket stages
// alike. Plan buckets are per node; quota counts hold across a cluster,
// best effort, over NATS (package usage documents the scheme and its
// error bound). Stage buckets belong to the API, are per node, and start
// full on every reload, as HTTP APIs' do.

// newStageThrottles builds a stage's methodSettings buckets, by
// "RESOURCE_PATH METHOD" of every method of the API; methods without a
// throttle are absent.
func newStageThrottles(settings map[string]config.MethodSetting, methods map[string]*method) map[string]*rate.Limiter {
	if len(settings) == 0 {
		return nil
	}
	byMethod := make(map[string]config.MethodSetting, len(settings))
	for key, s := range settings {
		if path, verb, ok := usage.SplitMethodKey(key); ok {
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
			out[key] = usage.NewLimiter(s.ThrottlingRateLimit, s.ThrottlingBurstLimit)
		}
	}
	return out
}

// meter applies API keys, usage plans and stage throttling to q (see the
// top of this file). It writes the gateway response and reports false
// when the request stops here.
func (a *API) meter(w http.ResponseWriter, q *request) bool {
	var g usage.Grant
	method := q.m.routeKey
	if q.m.apiKeyRequired {
		value := q.usageIdentifierKey
		if a.apiKeySource != "AUTHORIZER" {
			value = q.r.Header.Get("X-Api-Key")
		}
		var ok bool
		if g, ok = a.grants.Lookup(q.stage.name, value); !ok {
			a.fail(w, q, InvalidAPIKey, "")
			return false
		}
		q.apiKey, q.apiKeyID = value, g.KeyID
		if !a.meterStore.Throttle(g, method) {
			a.fail(w, q, Throttled, "")
			return false
		}
	}
	if l := q.stage.throttles[method]; l != nil && !l.Allow() {
		a.fail(w, q, Throttled, "")
		return false
	}
	if !a.meterStore.Count(g, q.now) {
		a.fail(w, q, QuotaExceeded, "")
		return false
	}
	return true
}
