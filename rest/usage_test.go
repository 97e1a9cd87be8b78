package rest

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/portico-gw/portico/config"
	"github.com/portico-gw/portico/routing"
	"github.com/portico-gw/portico/usage"
)

// TestAuthorizerKeySource: with apiKeySource AUTHORIZER the key is the
// authorizer's usageIdentifierKey, never the x-api-key header.
func TestAuthorizerKeySource(t *testing.T) {
	const key = "authorizer-key-0123456789"
	a, err := New(Config{
		API: &config.RestAPI{RestAPIID: "api0000001", APIKeySource: "AUTHORIZER",
			Resources: []config.RestResource{{Path: "/", ResourceMethods: map[string]config.RestMethod{
				"GET": {APIKeyRequired: true, MethodIntegration: &config.RestIntegration{Type: "MOCK",
					RequestTemplates:     map[string]string{"application/json": `{"statusCode": 200}`},
					IntegrationResponses: map[string]config.RestIntegrationResponse{"200": {StatusCode: "200"}}}},
			}}},
			Stages: []config.RestStage{{StageName: "prod"}}},
		Usage: &usage.Plans{
			APIKeys:       []config.APIKey{{ID: "k", Value: key}},
			UsagePlans:    []config.UsagePlan{{ID: "p", APIStages: []config.UsagePlanStage{{APIID: "api0000001", Stage: "prod"}}}},
			UsagePlanKeys: []config.UsagePlanKey{{UsagePlanID: "p", KeyID: "k"}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, header, fromAuthorizer string
		want                         bool
	}{
		{"header only", key, "", false},
		{"from the authorizer", "", key, true},
		{"unknown from the authorizer", key, "other-key-0123456789", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/prod/", nil)
			r.Header.Set("X-Api-Key", tc.header)
			q := &request{r: r, stage: a.stages["prod"], m: a.methods["/ GET"], now: time.Now(),
				match: routing.RESTMatch{ResourcePath: "/", Method: "GET"}, usageIdentifierKey: tc.fromAuthorizer}
			w := httptest.NewRecorder()
			if got := a.meter(w, q); got != tc.want {
				t.Fatalf("meter = %v (%d %s), want %v", got, w.Code, w.Body, tc.want)
			}
			if !tc.want && (w.Code != 403 || w.Body.String() != `{"message":"Forbidden"}`) {
				t.Errorf("refused with %d %q", w.Code, w.Body)
			}
			if tc.want && (q.apiKey != key || q.apiKeyID != "k") {
				t.Errorf("apiKey %q apiKeyId %q", q.apiKey, q.apiKeyID)
			}
		})
	}
}
