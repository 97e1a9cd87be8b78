package template

import (
	"cmp"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/portico-gw/portico/config"
)

// samUsagePlan builds what SAM generates for an AWS::Serverless::Api's
// Auth.UsagePlan: with CreateUsagePlan PER_API, the usage plan
// {Api}UsagePlan over the API's stage, the API key {Api}ApiKey and the
// usage plan key {Api}UsagePlanKey; with SHARED, the API's stage joins
// ServerlessUsagePlan (built once every API is, by sharedUsagePlan);
// NONE builds nothing.
func (l *loader) samUsagePlan(b *restBuild, stage string, p *props) {
	mode := p.required("CreateUsagePlan", ": PER_API, SHARED or NONE")
	plan := config.UsagePlan{Name: p.str("UsagePlanName"), Description: p.str("Description")}
	if t := p.child("Throttle"); t.node != nil {
		plan.Throttle = l.throttle(t)
	}
	if q := p.child("Quota"); q.node != nil {
		plan.Quota = &config.QuotaSettings{Limit: deref(q.integer("Limit")), Period: q.str("Period"), Offset: deref(q.integer("Offset"))}
		q.done("Quota")
	}
	p.done("Auth.UsagePlan", "Tags")
	apiStage := config.UsagePlanStage{APIID: b.api.RestAPIID, Stage: stage}
	switch mode {
	case "NONE", "":
	case "PER_API":
		plan.ID = b.res.id + "UsagePlan"
		plan.Name = cmp.Or(plan.Name, plan.ID)
		plan.APIStages = []config.UsagePlanStage{apiStage}
		l.generatedPlan(plan, b.res.id+"ApiKey", origin{res: b.res, at: p.at}, p.key)
	case "SHARED":
		if l.sharedPlan == nil {
			l.sharedPlan = &config.UsagePlan{ID: "ServerlessUsagePlan"}
			l.sharedPlanFrom, l.sharedPlanKey = origin{res: b.res, at: p.at}, p.key
		}
		// SAM advises configuring the shared plan on one API only; the
		// first API that sets a field gives it.
		sp := l.sharedPlan
		sp.Name = cmp.Or(sp.Name, plan.Name)
		sp.Description = cmp.Or(sp.Description, plan.Description)
		sp.Throttle = cmp.Or(sp.Throttle, plan.Throttle)
		sp.Quota = cmp.Or(sp.Quota, plan.Quota)
		sp.APIStages = append(sp.APIStages, apiStage)
	default:
		l.errorf(p.nodeAt("CreateUsagePlan"), p.key+".CreateUsagePlan", "want PER_API, SHARED or NONE, got %q", mode)
	}
}

// sharedUsagePlan builds SAM's ServerlessUsagePlan, ServerlessApiKey and
// ServerlessUsagePlanKey when an API asked for them.
func (l *loader) sharedUsagePlan() {
	if l.sharedPlan == nil {
		return
	}
	plan := *l.sharedPlan
	plan.Name = cmp.Or(plan.Name, plan.ID)
	l.generatedPlan(plan, "ServerlessApiKey", l.sharedPlanFrom, l.sharedPlanKey)
}

// generatedPlan adds a usage plan SAM generates, with its API key (whose
// value AWS would generate: see keyValue) and the key's membership (SAM's
// {Api}UsagePlanKey or ServerlessUsagePlanKey, which needs no ID here).
// from is where the template asked for them, key its key path.
func (l *loader) generatedPlan(plan config.UsagePlan, keyID string, from origin, key string) {
	l.origins[fmt.Sprintf("usagePlans[%d]", len(l.out.UsagePlans))] = from
	l.out.UsagePlans = append(l.out.UsagePlans, plan)
	k := config.APIKey{ID: keyID, Name: keyID, Value: l.keyValue(keyID, from.at, key)}
	for _, s := range plan.APIStages {
		k.StageKeys = append(k.StageKeys, s.APIID+"/"+s.Stage)
	}
	l.origins[fmt.Sprintf("apiKeys[%d]", len(l.out.APIKeys))] = from
	l.out.APIKeys = append(l.out.APIKeys, k)
	l.origins[fmt.Sprintf("usagePlanKeys[%d]", len(l.out.UsagePlanKeys))] = from
	l.out.UsagePlanKeys = append(l.out.UsagePlanKeys, config.UsagePlanKey{KeyID: keyID, KeyType: "API_KEY", UsagePlanID: plan.ID})
}

// keyValue is the value of the API key logicalID, which the template
// leaves to AWS to generate: 40 letters and digits, an HMAC-SHA256 of the
// stack name and logical ID under Options.KeySecret, so that it is the
// same on every load with the same secret. Without a KeySecret it is
// keyed by a secret drawn once per process: the same across reloads, new
// after a restart. A warning tells the user the value, since nobody can
// read it from AWS here.
func (l *loader) keyValue(logicalID string, at *yaml.Node, key string) string {
	secret, lasts := l.opts.KeySecret, "derived from the config file's credentials: the same on every start"
	if len(secret) == 0 {
		secret, lasts = processKeySecret(), "random for this process: a restart changes it; add credentials to the config file, or give the key a Value, to keep it"
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	var sum []byte
	for i := byte(0); len(sum) < generatedKeyLength; i++ {
		m := hmac.New(sha256.New, secret)
		m.Write([]byte{i})
		m.Write([]byte(l.stack + "/" + logicalID))
		sum = m.Sum(sum)
	}
	v := make([]byte, generatedKeyLength)
	for i := range v {
		v[i] = alphabet[int(sum[i])%len(alphabet)]
	}
	l.warnf(at, key, "API key %s has no value in the template (AWS would generate one); Portico generated %s (%s)", logicalID, v, lasts)
	return string(v)
}

// generatedKeyLength is the length of the API key values AWS generates.
const generatedKeyLength = 40

// processKeySecret keys generated API key values when Options.KeySecret
// is empty.
var processKeySecret = sync.OnceValue(func() []byte {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	return b
})
