package portico_test

import (
	"net/http"
	"testing"
)

// TestTrustedProxiesHTTPAPI: an HTTP API's payload 2.0 event takes
// sourceIp and the x-forwarded-* headers from a trusted proxy the same way.
func TestTrustedProxiesHTTPAPI(t *testing.T) {
	b := newBackend(t, nil)
	gw := startGateway(t, `trustedProxies: [127.0.0.1]
apis:
  - apiId: web0000001
    protocolType: HTTP
    integrations:
      - {integrationId: fn, integrationType: AWS_PROXY, integrationUri: "`+b.URL+`", payloadFormatVersion: "2.0"}
    routes:
      - {routeKey: "GET /hi", target: integrations/fn}
    stages:
      - stageName: $default
`)
	req, _ := http.NewRequest("GET", gw.URL+"/hi", nil)
	req.Header.Set("X-Forwarded-For", "6.6.6.6, 198.51.100.7")
	req.Header.Set("X-Forwarded-Proto", "https")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	b.mu.Lock()
	ev := b.events[len(b.events)-1].Map
	b.mu.Unlock()
	h := ev["headers"].(map[string]any)
	src := ev["requestContext"].(map[string]any)["http"].(map[string]any)["sourceIp"]
	if src != "198.51.100.7" || h["x-forwarded-for"] != "6.6.6.6, 198.51.100.7" || h["x-forwarded-proto"] != "https" {
		t.Errorf("sourceIp %v, x-forwarded-for %v, x-forwarded-proto %v", src, h["x-forwarded-for"], h["x-forwarded-proto"])
	}
}
