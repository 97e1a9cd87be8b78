package rest

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/portico-gw/portico/config"
	"github.com/portico-gw/portico/routing"
)

func TestPeriodStart(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	// 2026-12-02 is a Wednesday.
	now := time.Date(2026, 12, 2, 18, 30, 0, 0, time.FixedZone("CET", 3600))
	tests := []struct {
		name, period string
		offset       int
		now          time.Time
		want         time.Time
	}{
		{"day", "DAY", 0, now, day(2026, 12, 2)},
		{"day in UTC", "DAY", 0, time.Date(2026, 12, 3, 0, 30, 0, 0, time.FixedZone("CET", 3600)), day(2026, 12, 2)},
		{"week from Sunday", "WEEK", 0, now, day(2026, 11, 29)},
		{"week from Monday", "WEEK", 1, now, day(2026, 11, 30)},
		{"week from Wednesday", "WEEK", 3, now, day(2026, 12, 2)},
		{"week from Thursday", "WEEK", 4, now, day(2026, 11, 26)},
		{"month", "MONTH", 0, now, day(2026, 12, 1)},
		{"month from the 2nd", "MONTH", 1, now, day(2026, 12, 2)},
		{"month from the 28th", "MONTH", 27, now, day(2026, 11, 28)},
		{"month from the 28th across a year", "MONTH", 27, day(2027, 1, 5), day(2026, 12, 28)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := periodStart(tc.period, tc.offset, tc.now); !got.Equal(tc.want) {
				t.Errorf("periodStart(%s, %d, %v) = %v, want %v", tc.period, tc.offset, tc.now, got, tc.want)
			}
		})
	}
}

func TestMeterQuota(t *testing.T) {
	m := NewMeter()
	q := &config.QuotaSettings{Limit: 2, Period: "DAY"}
	now := time.Date(2026, 12, 2, 23, 0, 0, 0, time.UTC)
	for i, want := range []bool{true, true, false, false} {
		if got := m.count("plan", "key", q, now); got != want {
			t.Errorf("request %d: %v, want %v", i+1, got, want)
		}
	}
	if !m.count("plan", "other", q, now) {
		t.Error("another key shares the count")
	}
	if !m.count("plan", "key", q, now.Add(2*time.Hour)) {
		t.Error("the next day is still counted against the previous one")
	}
}

func TestSplitMethodKey(t *testing.T) {
	tests := []struct{ key, path, verb string }{
		{"/pets/GET", "/pets", "GET"},
		{"~1pets~1{id}/GET", "/pets/{id}", "GET"},
		{"/GET", "/", "GET"},
		{"//GET", "/", "GET"},
		{"/pets/*", "/pets", "*"},
	}
	for _, tc := range tests {
		if path, verb, ok := splitMethodKey(tc.key); !ok || path != tc.path || verb != tc.verb {
			t.Errorf("splitMethodKey(%q) = %q %q %v", tc.key, path, verb, ok)
		}
	}
	if _, _, ok := splitMethodKey("*/*"); ok {
		t.Error(`"*/*" reads as a method`)
	}
}

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
		Usage: &Usage{
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
