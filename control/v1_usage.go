package control

import (
	"net/http"
	"slices"
	"strconv"
	"time"
)

// GetUsage and UpdateUsage: the data plane's counts of a usage plan's
// keys (Config.Usage), by day.

// routesV1UsageCounts are the usage operations.
var routesV1UsageCounts = []route{
	{Operation{"GetUsage", "GET", "/usageplans/{usageplanId}/usage"}, getUsage},
	{Operation{"UpdateUsage", "PATCH", "/usageplans/{usageplanId}/keys/{keyId}/usage"}, updateUsage},
}

// maxUsageDays bounds a GetUsage's range, as the counts the Meter keeps.
const maxUsageDays = 90

// wireUsage is the model's Usage: items is "values" on the wire, each
// key's [used, remaining] per day.
type wireUsage struct {
	UsagePlanID string              `json:"usagePlanId"`
	StartDate   string              `json:"startDate"`
	EndDate     string              `json:"endDate"`
	Items       map[string][][2]int `json:"values"`
	Position    string              `json:"position,omitempty"`
}

// applyCredits hands the plans' UpdateUsage credits to the data plane's
// counts; c.mu held.
func (c *Controller) applyCredits(plans []*usagePlanRecord) {
	if c.cfg.Usage == nil {
		return
	}
	for _, p := range plans {
		for key, cr := range p.Credits {
			c.cfg.Usage.SetCredit(p.Plan.ID, key, cr.Start.time(), cr.Extra)
		}
	}
}

func parseDay(s, name string) (time.Time, *apiError) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, badRequest("Invalid %s specified: %q; want YYYY-MM-DD", name, s)
	}
	return t, nil
}

func getUsage(c *Controller, in *call) (int, any, *apiError) {
	p, err := c.findPlan(in.ctx, in.params["usageplanId"])
	if err != nil {
		return 0, nil, err
	}
	first, err := parseDay(in.query.Get("startDate"), "startDate")
	if err != nil {
		return 0, nil, err
	}
	last, err := parseDay(in.query.Get("endDate"), "endDate")
	if err != nil {
		return 0, nil, err
	}
	switch {
	case last.Before(first):
		return 0, nil, badRequest("The end date must not be before the start date")
	case last.Sub(first) >= maxUsageDays*24*time.Hour:
		return 0, nil, badRequest("The date range is at most %d days", maxUsageDays)
	}
	keys, err := c.planKeys(in)
	if err != nil {
		return 0, nil, err
	}
	var ids []string
	for _, k := range keys {
		if q := in.query.Get("keyId"); q == "" || q == k.ID {
			ids = append(ids, k.ID)
		}
	}
	p2, perr := paginateV1(ids, in.query)
	if perr != nil {
		return 0, nil, perr
	}
	out := wireUsage{UsagePlanID: p.Plan.ID, StartDate: first.Format(time.DateOnly), EndDate: last.Format(time.DateOnly),
		Items: map[string][][2]int{}, Position: p2.Position}
	for _, id := range p2.Items {
		out.Items[id] = c.usageOf(p, id, first, last)
	}
	return http.StatusOK, out, nil
}

// usageOf returns key's [used, remaining] on each day from first to
// last: remaining is what the quota left at the end of the day (0 for a
// plan without a quota, and for the days to come what is left now).
func (c *Controller) usageOf(p *usagePlanRecord, key string, first, last time.Time) [][2]int {
	u := c.cfg.Usage
	days := int(last.Sub(first)/(24*time.Hour)) + 1
	out := make([][2]int, days)
	if u == nil {
		return out
	}
	q := p.Plan.Quota
	// The counts from the earliest period start, so that each day's
	// remaining counts the period's days before it.
	from := first
	if q != nil {
		from = u.PeriodStart(q.Period, q.Offset, first)
	}
	daily := u.Daily(p.Plan.ID, key, from, last)
	skip := int(first.Sub(from) / (24 * time.Hour))
	today := u.PeriodStart("DAY", 0, c.now())
	for i := range days {
		day := first.AddDate(0, 0, i)
		out[i][0] = daily[skip+i]
		if q == nil {
			continue
		}
		start := u.PeriodStart(q.Period, q.Offset, day)
		used := 0
		for d := start; !d.After(day) && !d.After(today); d = d.AddDate(0, 0, 1) {
			used += daily[int(d.Sub(from)/(24*time.Hour))]
		}
		if !day.Before(today) { // today and after: the count the quota uses
			used = max(used, u.PeriodUsed(p.Plan.ID, key, start))
		}
		limit := q.Limit
		if cr, ok := p.Credits[key]; ok && cr.Start.time().Equal(start) {
			limit += cr.Extra
		}
		out[i][1] = max(0, limit-used)
	}
	return out
}

// updateUsage is UpdateUsage: replace /remaining sets what the key may
// still request in the quota's current period.
func updateUsage(c *Controller, in *call) (int, any, *apiError) {
	ops, err := patchOps(in.body)
	if err != nil {
		return 0, nil, err
	}
	remaining := -1
	for _, op := range ops {
		if op.Op != "replace" || op.Path != "/remaining" {
			return 0, nil, errUnsupportedPatchPath(op.Op, op.Path)
		}
		n, perr := strconv.Atoi(op.Value)
		if perr != nil || n < 0 {
			return 0, nil, badRequest("Invalid value %q for /remaining: want a non-negative integer", op.Value)
		}
		remaining = n
	}
	key := in.params["keyId"]
	now := c.now()
	out, err := c.changePlan(in.ctx, in.params["usageplanId"], func(rec *usagePlanRecord) (*usagePlanRecord, any, *apiError) {
		if rec == nil {
			return nil, nil, errNoUsagePlan
		}
		if !slices.Contains(rec.Keys, key) {
			return nil, nil, errNoAPIKey
		}
		q := rec.Plan.Quota
		if q == nil {
			return nil, nil, badRequest("Usage plan %s has no quota", rec.Plan.ID)
		}
		if remaining >= 0 && c.cfg.Usage != nil {
			start := c.cfg.Usage.PeriodStart(q.Period, q.Offset, now)
			used := c.cfg.Usage.PeriodUsed(rec.Plan.ID, key, start)
			if rec.Credits == nil {
				rec.Credits = map[string]usageCredit{}
			}
			e := epoch(start)
			rec.Credits[key] = usageCredit{Start: &e, Extra: used + remaining - q.Limit}
			for k, cr := range rec.Credits { // credits of past periods are spent
				if cr.Start.time().Before(start) && k != key {
					delete(rec.Credits, k)
				}
			}
		}
		day := time.Date(now.UTC().Year(), now.UTC().Month(), now.UTC().Day(), 0, 0, 0, 0, time.UTC)
		return rec, wireUsage{UsagePlanID: rec.Plan.ID, StartDate: day.Format(time.DateOnly), EndDate: day.Format(time.DateOnly),
			Items: map[string][][2]int{key: c.usageOf(rec, key, day, day)}}, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, out, nil
}
