package usage

import (
	"testing"

	"github.com/portico-gw/portico/config"
)

func TestGrants(t *testing.T) {
	off := false
	p := &Plans{
		APIKeys: []config.APIKey{
			{ID: "a", Value: "value-a-0123456789012"},
			{ID: "off", Value: "value-off-01234567890", Enabled: &off},
			{Name: "named", Value: "value-named-012345678"},
			{ID: "both", Value: "flat-and-planned-01234"},
		},
		UsagePlans: []config.UsagePlan{
			{ID: "p", APIStages: []config.UsagePlanStage{{APIID: "api", Stage: "dev"}, {APIID: "other", Stage: "dev"}}},
			{Name: "q", APIStages: []config.UsagePlanStage{{APIID: "api", Stage: "prod", Throttle: map[string]config.ThrottleSettings{"/pets/GET": {RateLimit: 1}}}}},
		},
		UsagePlanKeys: []config.UsagePlanKey{
			{UsagePlanID: "p", KeyID: "a"}, {UsagePlanID: "p", KeyID: "off"},
			{UsagePlanID: "q", KeyID: "named"}, {UsagePlanID: "p", KeyID: "both"},
		},
	}
	g := NewGrants("api", p, []string{"flat-key", "flat-and-planned-01234"})
	tests := []struct {
		name, stage, value string
		ok                 bool
		keyID, plan        string
	}{
		{"in a plan for the stage", "dev", "value-a-0123456789012", true, "a", "p"},
		{"in a plan for another stage", "prod", "value-a-0123456789012", false, "", ""},
		{"disabled", "dev", "value-off-01234567890", false, "", ""},
		{"named key and plan", "prod", "value-named-012345678", true, "named", "q"},
		{"flat list, any stage", "prod", "flat-key", true, "flat-key", ""},
		{"flat list, another stage", "anything", "flat-key", true, "flat-key", ""},
		{"a plan's grant beats the flat list", "dev", "flat-and-planned-01234", true, "both", "p"},
		{"the flat list where the plan has no stage", "prod", "flat-and-planned-01234", true, "flat-and-planned-01234", ""},
		{"empty", "dev", "", false, "", ""},
		{"unknown", "dev", "nope", false, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			gr, ok := g.Lookup(tc.stage, tc.value)
			plan := ""
			if gr.Plan != nil {
				plan = gr.Plan.PlanID
			}
			if ok != tc.ok || gr.KeyID != tc.keyID || plan != tc.plan {
				t.Errorf("Lookup = %q plan %q %v, want %q plan %q %v", gr.KeyID, plan, ok, tc.keyID, tc.plan, tc.ok)
			}
		})
	}
	if gr, _ := g.Lookup("prod", "value-named-012345678"); gr.Plan.Methods["/pets GET"].RateLimit != 1 {
		t.Errorf("per-method throttles: %v", gr.Plan.Methods)
	}
}
