package config

import (
	"strings"
	"testing"
)

func TestStageAPIs(t *testing.T) {
	route := func(key string) []Route { return []Route{{RouteKey: key, Target: "integrations/i"}} }
	ins := []Integration{{IntegrationID: "i", IntegrationType: "MOCK"}}
	a := API{APIID: "a", Name: "a", ProtocolType: "HTTP", Routes: route("GET /own"), Integrations: ins,
		Stages: []Stage{{StageName: "dev"}, {StageName: "prod"}}}
	if got := a.StageAPIs(); len(got) != 1 || len(got[0].Stages) != 2 || got[0].Routes[0].RouteKey != "GET /own" {
		t.Fatalf("without deployments: %+v", got)
	}
	a.Stages[1].Deployment = &Deployment{DeploymentID: "d1", Routes: route("GET /frozen"), Integrations: ins}
	got := a.StageAPIs()
	if len(got) != 2 {
		t.Fatalf("with a deployment: %d APIs, want one per stage", len(got))
	}
	for i, want := range []struct{ stage, route string }{{"dev", "GET /own"}, {"prod", "GET /frozen"}} {
		g := got[i]
		if g.APIID != "a" || len(g.Stages) != 1 || g.Stages[0].StageName != want.stage || g.Stages[0].Deployment != nil ||
			g.Routes[0].RouteKey != want.route {
			t.Errorf("stage %s: %+v", want.stage, g)
		}
	}
	if a.Stages[1].Deployment == nil {
		t.Error("StageAPIs changed its API")
	}
}

// A deployment's snapshot is validated as the stage serves it.
func TestValidateChecksDeployments(t *testing.T) {
	f := &File{Admin: "127.0.0.1:9090", APIs: []API{{APIID: "a", Name: "a", ProtocolType: "HTTP", Stages: []Stage{
		{StageName: "dev", Deployment: &Deployment{DeploymentID: "d1",
			Routes:       []Route{{RouteKey: "GET /x", Target: "integrations/gone"}},
			Integrations: []Integration{{IntegrationID: "i", IntegrationType: "MOCK"}}}},
		{StageName: "prod", Deployment: &Deployment{DeploymentID: "d2"}},
	}}}}
	err := Validate(f, "control plane")
	if err == nil || !strings.Contains(err.Error(), `control plane: apis[0].routes[0].target: integration "gone" not found (known: i)`) {
		t.Fatalf("Validate: %v", err)
	}
	f.APIs[0].Stages[0].Deployment.Routes[0].Target = "integrations/i"
	if err := Validate(f, "control plane"); err != nil {
		t.Fatalf("Validate: %v", err)
	}
}
