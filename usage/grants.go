package usage

import (
	"cmp"
	"strings"

	"github.com/portico-gw/portico/config"
)

// Plans is what an API knows of API keys and usage plans: the file's
// top-level apiKeys, usagePlans and usagePlanKeys, validated by
// config.Load (IDs filled in, apiStages' apiId resolved to the API's ID).
// NewGrants keeps no reference to it.
type Plans struct {
	APIKeys       []config.APIKey
	UsagePlans    []config.UsagePlan
	UsagePlanKeys []config.UsagePlanKey
}

// PlanStage is a usage plan as one stage of an API applies it.
type PlanStage struct {
	PlanID, APIID, Stage string
	// Throttle is the plan's throttle per key. Nil: none.
	Throttle *config.ThrottleSettings
	// Quota is the plan's quota per key, across all its stages. Nil: none.
	Quota *config.QuotaSettings
	// Methods are the stage's per-method throttles, by "RESOURCE_PATH
	// METHOD" (REST APIs only); each replaces Throttle for its method.
	Methods map[string]config.ThrottleSettings
}

// Grant is an enabled API key that a usage plan admits to a stage. Plan is
// nil for a key of a WebSocket API's old flat apiKeys list, which has no
// throttle and no quota.
type Grant struct {
	KeyID string
	Plan  *PlanStage
}

// Grants are the API keys an API admits, by stage and key value. It is
// immutable and safe for concurrent use.
type Grants struct {
	byStage    map[string]map[string]Grant // stage → key value → grant
	everyStage map[string]Grant            // key value → grant: the flat list
}

// NewGrants returns the enabled keys that some usage plan of p admits to a
// stage of the API apiID, plus flat, the keys of a WebSocket API's old
// apiKeys list (Portico's stand-in for usage plans before it had them):
// each is an enabled key admitted to every stage of the API, with no
// throttle and no quota, and its key ID is its value. p may be nil.
func NewGrants(apiID string, p *Plans, flat []string) *Grants {
	g := &Grants{byStage: make(map[string]map[string]Grant)}
	if len(flat) > 0 {
		g.everyStage = make(map[string]Grant, len(flat))
		for _, v := range flat {
			g.everyStage[v] = Grant{KeyID: v}
		}
	}
	if p == nil {
		return g
	}
	keys := make(map[string]*config.APIKey, len(p.APIKeys))
	for i := range p.APIKeys {
		keys[cmp.Or(p.APIKeys[i].ID, p.APIKeys[i].Name)] = &p.APIKeys[i]
	}
	plans := make(map[string][]*PlanStage) // by plan ID: its stages of this API
	for i := range p.UsagePlans {
		up := &p.UsagePlans[i]
		for _, s := range up.APIStages {
			if s.APIID != apiID {
				continue
			}
			ps := &PlanStage{PlanID: cmp.Or(up.ID, up.Name), APIID: apiID, Stage: s.Stage, Throttle: up.Throttle, Quota: up.Quota}
			for key, t := range s.Throttle {
				if path, verb, ok := SplitMethodKey(key); ok {
					if ps.Methods == nil {
						ps.Methods = make(map[string]config.ThrottleSettings)
					}
					ps.Methods[path+" "+verb] = t
				}
			}
			plans[ps.PlanID] = append(plans[ps.PlanID], ps)
		}
	}
	for _, pk := range p.UsagePlanKeys {
		k := keys[pk.KeyID]
		if k == nil || !k.IsEnabled() {
			continue
		}
		for _, ps := range plans[pk.UsagePlanID] {
			if g.byStage[ps.Stage] == nil {
				g.byStage[ps.Stage] = make(map[string]Grant)
			}
			g.byStage[ps.Stage][k.Value] = Grant{KeyID: cmp.Or(k.ID, k.Name), Plan: ps}
		}
	}
	return g
}

// Lookup returns the grant of the key value on the stage: a usage plan's
// first, else the flat list's. An empty value is never granted.
func (g *Grants) Lookup(stage, value string) (Grant, bool) {
	if g == nil || value == "" {
		return Grant{}, false
	}
	if gr, ok := g.byStage[stage][value]; ok {
		return gr, true
	}
	gr, ok := g.everyStage[value]
	return gr, ok
}

// SplitMethodKey reads a REST methodSettings or plan throttle key
// ("/pets/{id}/GET", "~1pets~1{id}/GET", "/GET" for the root) as a
// resource path and a method. "*/*" is not a method key.
func SplitMethodKey(key string) (path, verb string, ok bool) {
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
