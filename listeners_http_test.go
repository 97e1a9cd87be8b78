package portico_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// TestTrustedProxiesHTTPAPI: an HTTP API's payload 2.0 event takes
// sourceIp and the x-forwarded-* headers from a trusted proxy the same way.
func TestTrustedProxiesHTTPAPI(t *testing.T) {
	got := make(chan events.APIGatewayV2HTTPRequest, 1)
	b := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var ev events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(raw, &ev); err != nil {
			t.Errorf("the event does not decode: %v", err)
		}
		got <- ev
		_, _ = io.WriteString(w, `{"statusCode":200}`)
	}))
	defer b.Close()
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
	ev := <-got
	h := ev.Headers
	src := ev.RequestContext.HTTP.SourceIP
	if src != "198.51.100.7" || h["x-forwarded-for"] != "6.6.6.6, 198.51.100.7" || h["x-forwarded-proto"] != "https" {
		t.Errorf("sourceIp %v, x-forwarded-for %v, x-forwarded-proto %v", src, h["x-forwarded-for"], h["x-forwarded-proto"])
	}
}
