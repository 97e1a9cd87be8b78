package portico_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/portico-gw/portico/config"
)

// Key values (20 to 128 characters).
const (
	basicKey    = "basic-key-0123456789"
	offKey      = "off-key-012345678901"
	lonelyKey   = "lonely-key-012345678"
	devKey      = "dev-key-012345678901"
	throttleKey = "throttle-key-0123456"
	quotaKey    = "quota-key-0123456789"
)

// usageConfig is a REST API whose /pets methods require an API key, with
// usage plans for each behaviour under test, a /closed method that the
// prod stage's methodSettings throttle to rate 0, and a frozen stage
// whose */* settings do the same to every method.
func usageConfig(lambdaURL string) string {
	integ := `methodIntegration: {type: AWS_PROXY, httpMethod: POST, uri: "` + lambdaURL + `"}`
	return `restApis:
  - restApiId: keys000001
    name: keyed
    resources:
      /pets:
        resourceMethods:
          GET: {apiKeyRequired: true, ` + integ + `}
          POST: {apiKeyRequired: true, ` + integ + `}
      /open:
        resourceMethods:
          GET: {` + integ + `}
      /closed:
        resourceMethods:
          GET: {` + integ + `}
    stages:
      - stageName: prod
        methodSettings:
          "~1closed/GET": {throttlingRateLimit: 0, throttlingBurstLimit: 0}
          "*/*": {metricsEnabled: true}
      - stageName: dev
      - stageName: frozen
        methodSettings:
          "*/*": {throttlingRateLimit: 0}
apiKeys:
  - {id: basic, value: ` + basicKey + `}
  - {id: off, value: ` + offKey + `, enabled: false}
  - {id: lonely, value: ` + lonelyKey + `}
  - {name: dev, value: ` + devKey + `}
  - {id: throttled, value: ` + throttleKey + `}
  - {id: quota, value: ` + quotaKey + `}
usagePlans:
  - id: basic
    apiStages: [{apiId: keys000001, stage: prod}]
  - name: devplan
    apiStages: [{apiId: keys000001, stage: dev}]
  - id: throttled
    apiStages:
      - apiId: keys000001
        stage: prod
        throttle: {/pets/POST: {rateLimit: 100, burstLimit: 100}}
    throttle: {rateLimit: 1, burstLimit: 1}
  - id: quota
    apiStages: [{apiId: keys000001, stage: prod}]
    quota: {limit: 2, period: DAY}
usagePlanKeys:
  - {usagePlanId: basic, keyId: basic}
  - {usagePlanId: basic, keyId: off}
  - {usagePlanId: devplan, keyId: dev}
  - {usagePlanId: throttled, keyId: throttled}
  - {usagePlanId: quota, keyId: quota}
`
}

// TestRESTUsage drives API keys, usage plans and methodSettings
// throttling through the whole node.
func TestRESTUsage(t *testing.T) {
	var mu sync.Mutex
	var last events.APIGatewayProxyRequest
	lambda := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var ev events.APIGatewayProxyRequest
		if err := json.Unmarshal(raw, &ev); err != nil {
			t.Errorf("the event does not decode: %v", err)
		}
		mu.Lock()
		last = ev
		mu.Unlock()
		_, _ = io.WriteString(w, `{"statusCode":200,"body":"ok"}`)
	}))
	defer lambda.Close()
	yaml := usageConfig(lambda.URL)
	gw := startGateway(t, yaml)

	do := func(t *testing.T, method, path, key string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, gw.URL+path, nil)
		if key != "" {
			req.Header["x-api-key"] = []string{key} // as clients write it
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	const (
		forbidden = `{"message":"Forbidden"}`
		tooMany   = `{"message":"Too Many Requests"}`
		exceeded  = `{"message":"Limit Exceeded"}`
	)

	t.Run("invalid keys", func(t *testing.T) {
		for _, tc := range []struct{ name, path, key string }{
			{"missing", "/prod/pets", ""},
			{"unknown", "/prod/pets", "no-such-key-0123456789"},
			{"disabled", "/prod/pets", offKey},
			{"in no plan", "/prod/pets", lonelyKey},
			{"in a plan for another stage", "/prod/pets", devKey},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if status, body := do(t, "GET", tc.path, tc.key); status != 403 || body != forbidden {
					t.Errorf("%d %q, want 403 %s", status, body, forbidden)
				}
			})
		}
	})

	t.Run("valid key", func(t *testing.T) {
		for _, tc := range []struct{ path, key, id string }{
			{"/prod/pets", basicKey, "basic"},
			{"/dev/pets", devKey, "dev"}, // plan and key known by name
		} {
			if status, body := do(t, "GET", tc.path, tc.key); status != 200 || body != "ok" {
				t.Fatalf("%s: %d %q", tc.path, status, body)
			}
			mu.Lock()
			id := last.RequestContext.Identity
			mu.Unlock()
			if id.APIKey != tc.key || id.APIKeyID != tc.id {
				t.Errorf("%s: identity apiKey %q apiKeyId %q, want %q %q", tc.path, id.APIKey, id.APIKeyID, tc.key, tc.id)
			}
		}
		// A method without apiKeyRequired takes no key and reports none.
		if status, _ := do(t, "GET", "/prod/open", ""); status != 200 {
			t.Fatalf("open: %d", status)
		}
		mu.Lock()
		id := last.RequestContext.Identity
		mu.Unlock()
		if id.APIKey != "" || id.APIKeyID != "" {
			t.Errorf("open: identity %+v", id)
		}
	})

	t.Run("plan throttle", func(t *testing.T) {
		if status, body := do(t, "GET", "/prod/pets", throttleKey); status != 200 {
			t.Fatalf("first: %d %q", status, body)
		}
		if status, body := do(t, "GET", "/prod/pets", throttleKey); status != 429 || body != tooMany {
			t.Errorf("second: %d %q, want 429 %s", status, body, tooMany)
		}
		// The plan's per-method throttle replaces the plan's for POST.
		if status, body := do(t, "POST", "/prod/pets", throttleKey); status != 200 {
			t.Errorf("POST with its own bucket: %d %q", status, body)
		}
		// Other keys have their own buckets.
		if status, _ := do(t, "GET", "/prod/pets", basicKey); status != 200 {
			t.Errorf("another key: %d", status)
		}
		// The bucket refills at 1 per second.
		deadline := time.Now().Add(5 * time.Second)
		for {
			status, _ := do(t, "GET", "/prod/pets", throttleKey)
			if status == 200 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("still %d after 5s", status)
			}
			time.Sleep(100 * time.Millisecond)
		}
	})

	t.Run("quota", func(t *testing.T) {
		for i := range 2 {
			if status, body := do(t, "GET", "/prod/pets", quotaKey); status != 200 {
				t.Fatalf("request %d: %d %q", i+1, status, body)
			}
		}
		if status, body := do(t, "GET", "/prod/pets", quotaKey); status != 429 || body != exceeded {
			t.Errorf("third: %d %q, want 429 %s", status, body, exceeded)
		}
		// A reload of the same file keeps the count.
		f, err := config.Parse("test.yaml", []byte(yaml))
		if err != nil {
			t.Fatal(err)
		}
		if err := gw.Server.Reload(f); err != nil {
			t.Fatalf("Reload: %v", err)
		}
		if status, body := do(t, "GET", "/prod/pets", quotaKey); status != 429 || body != exceeded {
			t.Errorf("after a reload: %d %q, want 429 %s", status, body, exceeded)
		}
	})

	t.Run("methodSettings", func(t *testing.T) {
		for _, path := range []string{"/prod/closed", "/frozen/open"} {
			if status, body := do(t, "GET", path, ""); status != 429 || body != tooMany {
				t.Errorf("%s: %d %q, want 429 %s", path, status, body, tooMany)
			}
		}
		// Settings without throttling (metricsEnabled) throttle nothing.
		if status, _ := do(t, "GET", "/prod/open", ""); status != 200 {
			t.Errorf("/prod/open: %d", status)
		}
	})
}
