package control

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/portico-gw/portico/config"
)

// routesV1Plans are the usage plan and usage plan key operations.
var routesV1Plans = []route{
	{Operation{"CreateUsagePlan", "POST", "/usageplans"}, createUsagePlan},
	{Operation{"GetUsagePlans", "GET", "/usageplans"}, getUsagePlans},
	{Operation{"GetUsagePlan", "GET", "/usageplans/{usageplanId}"}, getUsagePlan},
	{Operation{"UpdateUsagePlan", "PATCH", "/usageplans/{usageplanId}"}, updateUsagePlan},
	{Operation{"DeleteUsagePlan", "DELETE", "/usageplans/{usageplanId}"}, deleteUsagePlan},

	{Operation{"CreateUsagePlanKey", "POST", "/usageplans/{usageplanId}/keys"}, createUsagePlanKey},
	{Operation{"GetUsagePlanKeys", "GET", "/usageplans/{usageplanId}/keys"}, getUsagePlanKeys},
	{Operation{"GetUsagePlanKey", "GET", "/usageplans/{usageplanId}/keys/{keyId}"}, getUsagePlanKey},
	{Operation{"DeleteUsagePlanKey", "DELETE", "/usageplans/{usageplanId}/keys/{keyId}"}, deleteUsagePlanKey},
}

// wireUsagePlan is the model's UsagePlan.
type wireUsagePlan struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	Description string            `json:"description,omitempty"`
	APIStages   []wireAPIStage    `json:"apiStages"`
	Throttle    *wireThrottle     `json:"throttle,omitempty"`
	Quota       *wireQuota        `json:"quota,omitempty"`
	ProductCode string            `json:"productCode,omitempty"`
	Tags        map[string]string `json:"tags,omitempty"`
}

// wireAPIStage is the model's ApiStage; its throttle is keyed
// "/RESOURCE_PATH/METHOD".
type wireAPIStage struct {
	APIID    string                  `json:"apiId"`
	Stage    string                  `json:"stage"`
	Throttle map[string]wireThrottle `json:"throttle,omitempty"`
}

// wireThrottle is the model's ThrottleSettings.
type wireThrottle struct {
	BurstLimit int     `json:"burstLimit"`
	RateLimit  float64 `json:"rateLimit"`
}

// wireQuota is the model's QuotaSettings.
type wireQuota struct {
	Limit  int    `json:"limit"`
	Offset int    `json:"offset"`
	Period string `json:"period"`
}

// usagePlanRecord is a usage plan as the Store keeps it, with the IDs of
// its API keys (its usage plan keys).
type usagePlanRecord struct {
	Plan    wireUsagePlan `json:"usagePlan"`
	Keys    []string      `json:"keys,omitempty"`
	Created *epoch        `json:"created,omitempty"`
	// Credits are UpdateUsage's extensions of the quota, by key ID.
	Credits map[string]usageCredit `json:"credits,omitempty"`
}

// usageCredit lets a key make Extra requests beyond the plan's quota
// limit in the quota period that starts at Start.
type usageCredit struct {
	Start *epoch `json:"start"`
	Extra int    `json:"extra"`
}

func (c *Controller) usagePlanRecords(ctx context.Context) ([]*usagePlanRecord, error) {
	return listRecords(ctx, c.store, usagePlanPrefix, func(r *usagePlanRecord) time.Time { return r.Created.time() })
}

// wireUsagePlanKey is the model's UsagePlanKey.
type wireUsagePlanKey struct {
	ID    string `json:"id"`
	Type  string `json:"type"`
	Value string `json:"value,omitempty"`
	Name  string `json:"name,omitempty"`
}

var (
	errNoUsagePlan = notFound("", "Invalid Usage Plan ID specified")
)

// filePlan is the view of a file's usage plan, with its keys.
func filePlan(f *config.File, p *config.UsagePlan) *usagePlanRecord {
	out := &usagePlanRecord{Plan: wireUsagePlan{ID: p.ID, Name: p.Name, Description: p.Description, APIStages: []wireAPIStage{}}}
	for _, s := range p.APIStages {
		ws := wireAPIStage{APIID: s.APIID, Stage: s.Stage}
		for k, t := range s.Throttle {
			if ws.Throttle == nil {
				ws.Throttle = map[string]wireThrottle{}
			}
			ws.Throttle[k] = wireThrottle{BurstLimit: t.BurstLimit, RateLimit: t.RateLimit}
		}
		out.Plan.APIStages = append(out.Plan.APIStages, ws)
	}
	if t := p.Throttle; t != nil {
		out.Plan.Throttle = &wireThrottle{BurstLimit: t.BurstLimit, RateLimit: t.RateLimit}
	}
	if q := p.Quota; q != nil {
		out.Plan.Quota = &wireQuota{Limit: q.Limit, Offset: q.Offset, Period: q.Period}
	}
	for _, pk := range f.UsagePlanKeys {
		if pk.UsagePlanID == p.ID {
			out.Keys = append(out.Keys, pk.KeyID)
		}
	}
	return out
}

// allPlans returns the file's usage plans, then the Store's.
func (c *Controller) allPlans(ctx context.Context) ([]*usagePlanRecord, *apiError) {
	c.mu.Lock()
	var out []*usagePlanRecord
	for i := range c.base.UsagePlans {
		out = append(out, filePlan(c.base, &c.base.UsagePlans[i]))
	}
	c.mu.Unlock()
	recs, err := c.usagePlanRecords(ctx)
	if err != nil {
		c.log.Error("control plane: store failed", "error", err)
		return nil, errStore
	}
	return append(out, recs...), nil
}

func (c *Controller) findPlan(ctx context.Context, id string) (*usagePlanRecord, *apiError) {
	plans, err := c.allPlans(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range plans {
		if p.Plan.ID == id {
			return p, nil
		}
	}
	return nil, errNoUsagePlan
}

// changePlan is change for the usage plan id.
func (c *Controller) changePlan(ctx context.Context, id string, fn func(rec *usagePlanRecord) (*usagePlanRecord, any, *apiError)) (any, *apiError) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if slices.ContainsFunc(c.base.UsagePlans, func(p config.UsagePlan) bool { return p.ID == id }) {
		return nil, badRequest("Usage plan %s is managed by the configuration file; change it there (the control plane changes only the plans it created)", id)
	}
	return changeLocked(c, ctx, usagePlanPrefix+id, fn, func(st *state, next *usagePlanRecord) {
		st.plans = replaced(st.plans, next, func(r *usagePlanRecord) bool { return r.Plan.ID == id })
	})
}

// checkPlanStages checks the plan's API stages against the REST APIs
// (the file's and the Store's), with AWS's messages.
func (c *Controller) checkPlanStages(ctx context.Context, p *wireUsagePlan) *apiError {
	seen := map[string]bool{}
	for _, s := range p.APIStages {
		bad := badRequest("Invalid API Stage {api: %s, stage: %s} specified for usageplan %s", s.APIID, s.Stage, p.Name)
		if s.APIID == "" || s.Stage == "" {
			return bad
		}
		rec, err := c.readRest(&call{ctx: ctx, params: map[string]string{"restapi_id": s.APIID}})
		if err == errStore {
			return err
		}
		if err != nil {
			return bad
		}
		if rec.stage(s.Stage) == nil {
			return badRequest("API Stage not found: %s:%s", s.APIID, s.Stage)
		}
		if seen[s.APIID+":"+s.Stage] {
			return badRequest("Duplicate API Stage {api: %s, stage: %s} specified for usageplan %s", s.APIID, s.Stage, p.Name)
		}
		seen[s.APIID+":"+s.Stage] = true
		for k, t := range s.Throttle {
			if err := checkThrottle(&t, "apiStages "+s.APIID+":"+s.Stage+" throttle "+k); err != nil {
				return err
			}
		}
	}
	if p.Throttle != nil {
		if err := checkThrottle(p.Throttle, "throttle"); err != nil {
			return err
		}
	}
	if q := p.Quota; q != nil {
		maxOffset := map[string]int{"DAY": 0, "WEEK": 6, "MONTH": 27}
		mo, ok := maxOffset[q.Period]
		switch {
		case !ok:
			return badRequest("Invalid quota period specified: %q; want DAY, WEEK or MONTH", q.Period)
		case q.Limit < 0:
			return badRequest("Invalid quota limit specified: %d; it must not be negative", q.Limit)
		case q.Offset < 0 || q.Offset > mo:
			return badRequest("Invalid quota offset specified: %d; want 0 to %d for %s", q.Offset, mo, q.Period)
		}
	}
	return nil
}

func checkThrottle(t *wireThrottle, what string) *apiError {
	if t.RateLimit < 0 || t.BurstLimit < 0 {
		return badRequest("Invalid %s: the rate and burst limits must not be negative", what)
	}
	return nil
}

func createUsagePlan(c *Controller, in *call) (int, any, *apiError) {
	var req wireUsagePlan
	if err := decode(in.body, &req); err != nil {
		return 0, nil, err
	}
	if req.Name == "" {
		return 0, nil, badRequest("Invalid usage plan name specified")
	}
	if req.APIStages == nil {
		req.APIStages = []wireAPIStage{}
	}
	if err := c.checkPlanStages(in.ctx, &req); err != nil {
		return 0, nil, err
	}
	req.ID = c.newKeyID(in.ctx, usagePlanPrefix)
	rec := &usagePlanRecord{Plan: req, Created: c.epochNow()}
	_, err := c.changePlan(in.ctx, req.ID, func(cur *usagePlanRecord) (*usagePlanRecord, any, *apiError) {
		if cur != nil {
			return nil, nil, conflict("Usage plan %s already exists", req.ID)
		}
		return rec, nil, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, rec.Plan, nil
}

func getUsagePlans(c *Controller, in *call) (int, any, *apiError) {
	plans, err := c.allPlans(in.ctx)
	if err != nil {
		return 0, nil, err
	}
	keyID := in.query.Get("keyId")
	items := []wireUsagePlan{}
	for _, p := range plans {
		if keyID == "" || slices.Contains(p.Keys, keyID) {
			items = append(items, p.Plan)
		}
	}
	page, err := paginateV1(items, in.query)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, page, nil
}

func getUsagePlan(c *Controller, in *call) (int, any, *apiError) {
	p, err := c.findPlan(in.ctx, in.params["usageplanId"])
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, p.Plan, nil
}

func deleteUsagePlan(c *Controller, in *call) (int, any, *apiError) {
	_, err := c.changePlan(in.ctx, in.params["usageplanId"], func(rec *usagePlanRecord) (*usagePlanRecord, any, *apiError) {
		if rec == nil {
			return nil, nil, errNoUsagePlan
		}
		return nil, nil, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusAccepted, nil, nil
}

func updateUsagePlan(c *Controller, in *call) (int, any, *apiError) {
	ops, err := patchOps(in.body)
	if err != nil {
		return 0, nil, err
	}
	id := in.params["usageplanId"]
	cur, err := c.findPlan(in.ctx, id)
	if err != nil {
		return 0, nil, err
	}
	// The patched plan's stages are checked before the change (reading
	// the REST APIs takes no lock the change holds), and again after it
	// when another writer changed the plan in between.
	check := func(p wireUsagePlan) (wireUsagePlan, *apiError) {
		next, err := deepCopy(p)
		if err != nil {
			return p, errInternal
		}
		for _, op := range ops {
			if err := patchUsagePlan(&next, op); err != nil {
				return p, err
			}
		}
		return next, nil
	}
	next, err := check(cur.Plan)
	if err != nil {
		return 0, nil, err
	}
	if err := c.checkPlanStages(in.ctx, &next); err != nil {
		return 0, nil, err
	}
	out, err := c.changePlan(in.ctx, id, func(rec *usagePlanRecord) (*usagePlanRecord, any, *apiError) {
		if rec == nil {
			return nil, nil, errNoUsagePlan
		}
		p, err := check(rec.Plan)
		if err != nil {
			return nil, nil, err
		}
		p.ID = rec.Plan.ID
		rec.Plan = p
		return rec, p, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, out, nil
}

// patchUsagePlan applies one patch operation: replace /name,
// /description, /productCode, /throttle/rateLimit, /throttle/burstLimit,
// /quota/limit, /quota/period, /quota/offset; remove /throttle, /quota;
// add or remove /apiStages ("{apiId}:{stage}"); replace or remove
// /apiStages/{apiId}:{stage}/throttle/{resourcePath}/{method}[/rateLimit|/burstLimit]
// (the resource path escaped: ~1pets).
func patchUsagePlan(p *wireUsagePlan, op patchOp) *apiError {
	bad := errUnsupportedPatchPath(op.Op, op.Path)
	number := func() (float64, *apiError) {
		f, err := strconv.ParseFloat(op.Value, 64)
		if err != nil {
			return 0, badRequest("Invalid value %q for %s: want a number", op.Value, op.Path)
		}
		return f, nil
	}
	integer := func() (int, *apiError) {
		n, err := strconv.Atoi(op.Value)
		if err != nil {
			return 0, badRequest("Invalid value %q for %s: want an integer", op.Value, op.Path)
		}
		return n, nil
	}
	if rest, ok := strings.CutPrefix(op.Path, "/apiStages"); ok {
		return patchPlanStages(p, op, rest)
	}
	switch op.Op + " " + op.Path {
	case "replace /name":
		p.Name = op.Value
	case "replace /description":
		p.Description = op.Value
	case "replace /productCode":
		p.ProductCode = op.Value
	case "remove /throttle":
		p.Throttle = nil
	case "remove /quota":
		p.Quota = nil
	case "replace /throttle/rateLimit", "add /throttle/rateLimit":
		f, err := number()
		if err != nil {
			return err
		}
		if p.Throttle == nil {
			p.Throttle = &wireThrottle{}
		}
		p.Throttle.RateLimit = f
	case "replace /throttle/burstLimit", "add /throttle/burstLimit":
		n, err := integer()
		if err != nil {
			return err
		}
		if p.Throttle == nil {
			p.Throttle = &wireThrottle{}
		}
		p.Throttle.BurstLimit = n
	case "replace /quota/limit", "add /quota/limit", "replace /quota/offset", "add /quota/offset":
		n, err := integer()
		if err != nil {
			return err
		}
		if p.Quota == nil {
			p.Quota = &wireQuota{Period: "DAY"}
		}
		if strings.HasSuffix(op.Path, "limit") {
			p.Quota.Limit = n
		} else {
			p.Quota.Offset = n
		}
	case "replace /quota/period", "add /quota/period":
		if p.Quota == nil {
			p.Quota = &wireQuota{}
		}
		p.Quota.Period = op.Value
	default:
		return bad
	}
	return nil
}

// patchPlanStages applies an operation under /apiStages (rest is what
// follows it).
func patchPlanStages(p *wireUsagePlan, op patchOp, rest string) *apiError {
	if rest == "" {
		apiID, stage, ok := strings.Cut(op.Value, ":")
		if !ok {
			return badRequest("Invalid API Stage %q: want {apiId}:{stage}", op.Value)
		}
		i := slices.IndexFunc(p.APIStages, func(s wireAPIStage) bool { return s.APIID == apiID && s.Stage == stage })
		switch op.Op {
		case "add":
			if i < 0 {
				p.APIStages = append(p.APIStages, wireAPIStage{APIID: apiID, Stage: stage})
			}
		case "remove":
			if i < 0 {
				return badRequest("Invalid API Stage {api: %s, stage: %s} specified for usageplan %s", apiID, stage, p.Name)
			}
			p.APIStages = slices.Delete(p.APIStages, i, i+1)
		default:
			return errUnsupportedPatchPath(op.Op, op.Path)
		}
		return nil
	}
	// /{apiId}:{stage}/throttle/{resourcePath}/{method}[/{setting}]
	parts := strings.Split(strings.TrimPrefix(rest, "/"), "/")
	if len(parts) < 4 || len(parts) > 5 || parts[1] != "throttle" {
		return errUnsupportedPatchPath(op.Op, op.Path)
	}
	apiID, stage, _ := strings.Cut(parts[0], ":")
	i := slices.IndexFunc(p.APIStages, func(s wireAPIStage) bool { return s.APIID == apiID && s.Stage == stage })
	if i < 0 {
		return badRequest("Invalid API Stage {api: %s, stage: %s} specified for usageplan %s", apiID, stage, p.Name)
	}
	s := &p.APIStages[i]
	key := unescapePointer(parts[2]) + "/" + parts[3]
	if !strings.HasPrefix(key, "/") {
		key = "/" + key
	}
	if len(parts) == 4 {
		if op.Op != "remove" {
			return errUnsupportedPatchPath(op.Op, op.Path)
		}
		delete(s.Throttle, key)
		return nil
	}
	if op.Op != "replace" && op.Op != "add" {
		return errUnsupportedPatchPath(op.Op, op.Path)
	}
	t := s.Throttle[key]
	switch parts[4] {
	case "rateLimit":
		f, err := strconv.ParseFloat(op.Value, 64)
		if err != nil {
			return badRequest("Invalid value %q for %s: want a number", op.Value, op.Path)
		}
		t.RateLimit = f
	case "burstLimit":
		n, err := strconv.Atoi(op.Value)
		if err != nil {
			return badRequest("Invalid value %q for %s: want an integer", op.Value, op.Path)
		}
		t.BurstLimit = n
	default:
		return errUnsupportedPatchPath(op.Op, op.Path)
	}
	if s.Throttle == nil {
		s.Throttle = map[string]wireThrottle{}
	}
	s.Throttle[key] = t
	return nil
}

// ---- usage plan keys

func createUsagePlanKey(c *Controller, in *call) (int, any, *apiError) {
	var req struct {
		KeyID   string `json:"keyId"`
		KeyType string `json:"keyType"`
	}
	if err := decode(in.body, &req); err != nil {
		return 0, nil, err
	}
	if req.KeyType != "API_KEY" {
		return 0, nil, badRequest("Invalid key type specified: %s; want API_KEY", req.KeyType)
	}
	k, err := c.findAPIKey(in.ctx, req.KeyID)
	if err != nil {
		return 0, nil, err
	}
	if _, err := c.findPlan(in.ctx, in.params["usageplanId"]); err != nil {
		return 0, nil, err
	}
	_, err = c.changePlan(in.ctx, in.params["usageplanId"], func(rec *usagePlanRecord) (*usagePlanRecord, any, *apiError) {
		if rec == nil {
			return nil, nil, errNoUsagePlan
		}
		if slices.Contains(rec.Keys, req.KeyID) {
			return nil, nil, conflict("Usage Plan Key %s already exists in usage plan %s", req.KeyID, rec.Plan.ID)
		}
		rec.Keys = append(rec.Keys, req.KeyID)
		return rec, nil, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, wireUsagePlanKey{ID: k.ID, Type: "API_KEY", Value: k.Value, Name: k.Name}, nil
}

// planKeys returns the plan's keys that exist.
func (c *Controller) planKeys(in *call) ([]wireUsagePlanKey, *apiError) {
	p, err := c.findPlan(in.ctx, in.params["usageplanId"])
	if err != nil {
		return nil, err
	}
	keys, err := c.allAPIKeys(in.ctx)
	if err != nil {
		return nil, err
	}
	out := []wireUsagePlanKey{}
	for _, id := range p.Keys {
		if i := slices.IndexFunc(keys, func(k wireAPIKey) bool { return k.ID == id }); i >= 0 {
			out = append(out, wireUsagePlanKey{ID: id, Type: "API_KEY", Value: keys[i].Value, Name: keys[i].Name})
		}
	}
	return out, nil
}

func getUsagePlanKeys(c *Controller, in *call) (int, any, *apiError) {
	keys, err := c.planKeys(in)
	if err != nil {
		return 0, nil, err
	}
	name := in.query.Get("name")
	keys = slices.DeleteFunc(keys, func(k wireUsagePlanKey) bool { return !strings.HasPrefix(k.Name, name) })
	page, err := paginateV1(keys, in.query)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, page, nil
}

func getUsagePlanKey(c *Controller, in *call) (int, any, *apiError) {
	keys, err := c.planKeys(in)
	if err != nil {
		return 0, nil, err
	}
	i := slices.IndexFunc(keys, func(k wireUsagePlanKey) bool { return k.ID == in.params["keyId"] })
	if i < 0 {
		return 0, nil, errNoAPIKey
	}
	return http.StatusOK, keys[i], nil
}

func deleteUsagePlanKey(c *Controller, in *call) (int, any, *apiError) {
	id := in.params["keyId"]
	_, err := c.changePlan(in.ctx, in.params["usageplanId"], func(rec *usagePlanRecord) (*usagePlanRecord, any, *apiError) {
		if rec == nil {
			return nil, nil, errNoUsagePlan
		}
		if !slices.Contains(rec.Keys, id) {
			return nil, nil, errNoAPIKey
		}
		rec.Keys = slices.DeleteFunc(rec.Keys, func(k string) bool { return k == id })
		return rec, nil, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusAccepted, nil, nil
}

// ---- what is served

// usageServed returns the configuration's API keys, usage plans and
// usage plan keys of the Store's records. A plan's API stage whose API
// or stage is gone (deleted after the plan named it, maybe on another
// node) is left out of the configuration, and so is a plan key whose
// API key is gone: the plan keeps them, and the data plane serves what
// exists.
func usageServed(base *config.File, cp *applied, keys []*apiKeyRecord, plans []*usagePlanRecord) ([]config.APIKey, []config.UsagePlan, []config.UsagePlanKey) {
	var outKeys []config.APIKey
	known := map[string]bool{}
	for _, k := range base.APIKeys {
		known[k.ID] = true
	}
	values := map[string]bool{}
	for _, k := range base.APIKeys {
		values[k.Value] = true
	}
	for _, k := range keys {
		if values[k.Value] { // two nodes gave a value at once: the older key has it
			continue
		}
		values[k.Value] = true
		enabled := k.Enabled
		outKeys = append(outKeys, config.APIKey{ID: k.ID, Name: k.Name, Value: k.Value, Enabled: &enabled,
			Description: k.Description, StageKeys: slices.Clone(k.StageKeys)})
		known[k.ID] = true
	}
	stages := map[[2]string]bool{}
	for _, list := range [][]config.RestAPI{base.RestAPIs, cp.restAPIs} {
		for _, a := range list {
			for _, st := range a.Stages {
				stages[[2]string{a.RestAPIID, st.StageName}] = true
			}
		}
	}
	var outPlans []config.UsagePlan
	var outPlanKeys []config.UsagePlanKey
	for _, rec := range plans {
		p := rec.Plan
		up := config.UsagePlan{ID: p.ID, Name: p.Name, Description: p.Description}
		for _, s := range p.APIStages {
			if !stages[[2]string{s.APIID, s.Stage}] {
				continue
			}
			cs := config.UsagePlanStage{APIID: s.APIID, Stage: s.Stage}
			for _, k := range slices.Sorted(maps.Keys(s.Throttle)) {
				if cs.Throttle == nil {
					cs.Throttle = map[string]config.ThrottleSettings{}
				}
				cs.Throttle[k] = config.ThrottleSettings{RateLimit: s.Throttle[k].RateLimit, BurstLimit: s.Throttle[k].BurstLimit}
			}
			up.APIStages = append(up.APIStages, cs)
		}
		if t := p.Throttle; t != nil {
			up.Throttle = &config.ThrottleSettings{RateLimit: t.RateLimit, BurstLimit: t.BurstLimit}
		}
		if q := p.Quota; q != nil {
			up.Quota = &config.QuotaSettings{Limit: q.Limit, Period: q.Period, Offset: q.Offset}
		}
		outPlans = append(outPlans, up)
		for _, k := range rec.Keys {
			if known[k] {
				outPlanKeys = append(outPlanKeys, config.UsagePlanKey{UsagePlanID: p.ID, KeyID: k, KeyType: "API_KEY"})
			}
		}
	}
	return outKeys, outPlans, outPlanKeys
}
