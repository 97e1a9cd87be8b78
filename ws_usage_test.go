package portico_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
)

// Key values (20 to 128 characters) of the WebSocket usage tests.
const (
	wsGoodKey     = "ws-good-key-0123456789"
	wsOffKey      = "ws-off-key-0123456789"
	wsProdKey     = "ws-prod-key-0123456789"
	wsSharedKey   = "ws-shared-key-0123456789"
	wsThrottleKey = "ws-throttle-key-012345"
	wsFlatKey     = "flat-1" // the old list takes any value
)

// wsUsageConfig is the chat WebSocket API with $connect requiring an API
// key (stages dev and prod, and the old flat apiKeys list), a REST API
// whose GET /pets requires one, and usage plans over both.
func wsUsageConfig(backendURL, lambdaURL string) string {
	cfg := strings.Replace(chatConfig(backendURL, ""), "      - routeKey: $connect\n        target: integrations/backend\n",
		"      - routeKey: $connect\n        target: integrations/backend\n        apiKeyRequired: true\n", 1)
	cfg = strings.Replace(cfg, "    stages:\n", "    apiKeys: ["+wsFlatKey+"]\n    stages:\n      - stageName: prod\n", 1)
	return cfg + `restApis:
  - restApiId: restkeys01
    name: keyed
    resources:
      /pets:
        resourceMethods:
          GET: {apiKeyRequired: true, methodIntegration: {type: AWS_PROXY, httpMethod: POST, uri: "` + lambdaURL + `"}}
    stages:
      - stageName: prod
apiKeys:
  - {id: good, value: ` + wsGoodKey + `}
  - {id: off, value: ` + wsOffKey + `, enabled: false}
  - {id: prodkey, value: ` + wsProdKey + `}
  - {id: shared, value: ` + wsSharedKey + `}
  - {id: throttled, value: ` + wsThrottleKey + `}
usagePlans:
  - id: basic
    apiStages: [{apiId: chatapi001, stage: dev}]
  - id: prodonly
    apiStages: [{apiId: chatapi001, stage: prod}]
  - id: shared
    apiStages: [{apiId: chatapi001, stage: dev}, {apiId: restkeys01, stage: prod}]
    quota: {limit: 3, period: DAY}
  - id: throttled
    apiStages: [{apiId: chatapi001, stage: dev}]
    throttle: {rateLimit: 0.01, burstLimit: 1}
usagePlanKeys:
  - {usagePlanId: basic, keyId: good}
  - {usagePlanId: basic, keyId: off}
  - {usagePlanId: prodonly, keyId: prodkey}
  - {usagePlanId: shared, keyId: shared}
  - {usagePlanId: throttled, keyId: throttled}
`
}

// wsHandshake dials url with the key and returns the handshake's status
// and, when it was refused, its body.
func wsHandshake(t testing.TB, url, key string) (int, string) {
	t.Helper()
	var h http.Header
	if key != "" {
		h = http.Header{"x-api-key": {key}} // as clients write it
	}
	c, resp, err := websocket.DefaultDialer.Dial(url, h)
	if err == nil {
		c.Close()
		return resp.StatusCode, ""
	}
	if resp == nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestWebSocketUsagePlans drives $connect with apiKeyRequired through
// the whole node with gorilla's client: usage plans, the old flat list,
// throttles and a quota shared with a REST API.
func TestWebSocketUsagePlans(t *testing.T) {
	b := newBackend(t, nil)
	lambda := newProxyLambda(t)
	gw := startGateway(t, wsUsageConfig(b.URL, lambda.URL))
	dev := gw.WS + "/_aws/execute-api/chatapi001/dev"
	prod := gw.WS + "/_aws/execute-api/chatapi001/prod"
	pets := gw.URL + "/_aws/execute-api/restkeys01/prod/pets"
	const (
		forbidden = `{"message":"Forbidden"}`
		tooMany   = `{"message":"Too Many Requests"}`
		exceeded  = `{"message":"Limit Exceeded"}`
	)

	t.Run("admitted", func(t *testing.T) {
		for _, tc := range []struct{ name, url, key string }{
			{"key in a plan for the stage", dev, wsGoodKey},
			{"key in a plan for the other stage", prod, wsProdKey},
			{"old flat list, dev", dev, wsFlatKey},
			{"old flat list, prod", prod, wsFlatKey},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if status, body := wsHandshake(t, tc.url, tc.key); status != 101 {
					t.Errorf("%d %q, want 101", status, body)
				}
				b.next(t, "CONNECT")
			})
		}
	})

	t.Run("refused", func(t *testing.T) {
		for _, tc := range []struct{ name, url, key string }{
			{"missing", dev, ""},
			{"unknown", dev, "no-such-key-0123456789"},
			{"disabled", dev, wsOffKey},
			{"in a plan for another stage", dev, wsProdKey},
			{"in a plan for another stage, the other way", prod, wsGoodKey},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if status, body := wsHandshake(t, tc.url, tc.key); status != 403 || body != forbidden {
					t.Errorf("%d %q, want 403 %s", status, body, forbidden)
				}
			})
		}
	})

	t.Run("throttle", func(t *testing.T) {
		if status, body := wsHandshake(t, dev, wsThrottleKey); status != 101 {
			t.Fatalf("first: %d %q", status, body)
		}
		b.next(t, "CONNECT")
		if status, body := wsHandshake(t, dev, wsThrottleKey); status != 429 || body != tooMany {
			t.Errorf("second: %d %q, want 429 %s", status, body, tooMany)
		}
	})

	t.Run("quota shared with REST", func(t *testing.T) {
		get := func() (int, string) {
			req, _ := http.NewRequest("GET", pets, nil)
			req.Header.Set("X-Api-Key", wsSharedKey)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(body)
		}
		for i := range 2 {
			if status, body := get(); status != 200 {
				t.Fatalf("REST request %d: %d %q", i+1, status, body)
			}
		}
		if status, body := wsHandshake(t, dev, wsSharedKey); status != 101 {
			t.Fatalf("third, on WebSocket: %d %q", status, body)
		}
		b.next(t, "CONNECT")
		if status, body := wsHandshake(t, dev, wsSharedKey); status != 429 || body != exceeded {
			t.Errorf("fourth, on WebSocket: %d %q, want 429 %s", status, body, exceeded)
		}
		if status, body := get(); status != 429 || body != exceeded {
			t.Errorf("fifth, on REST: %d %q, want 429 %s", status, body, exceeded)
		}
	})
}

// newProxyLambda is a Lambda-over-HTTP function that answers 200 "ok".
func newProxyLambda(t testing.TB) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = io.WriteString(w, `{"statusCode":200,"body":"ok"}`)
	}))
	t.Cleanup(s.Close)
	return s
}
