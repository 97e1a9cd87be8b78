package portico_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi/types"
	"github.com/gorilla/websocket"
)

func TestPostDuringConnectIsGone(t *testing.T) {
	var gwURL string
	result := make(chan error, 1)
	b := newBackend(t, func(ev events.APIGatewayWebsocketProxyRequest, raw []byte) (int, string) {
		if ev.RequestContext.EventType == "CONNECT" {
			client := mgmtClient(gwURL+"/dev", testAccessKey, testSecret)
			_, err := client.PostToConnection(context.Background(), &apigatewaymanagementapi.PostToConnectionInput{
				ConnectionId: aws.String(ev.RequestContext.ConnectionID), Data: []byte("too early"),
			})
			result <- err
		}
		return 200, `{"statusCode":200}`
	})
	gw := startGateway(t, chatConfig(b.URL, ""))
	gwURL = gw.URL
	dial(t, gw.WS+"/dev", nil)
	err := <-result
	var gone *types.GoneException
	if !errors.As(err, &gone) {
		t.Fatalf("POST during $connect: %v, want GoneException", err)
	}
}

// TestHandshakeAddressing covers how the node finds an API and its stage
// (routing.Resolver and each mode's unknown-stage answer); package ws's
// TestHandshakeErrors covers what the API itself refuses.
func TestHandshakeAddressing(t *testing.T) {
	b := newBackend(t, nil)
	gw := startGateway(t, chatConfig(b.URL, `    limits:
      allowedOrigins: ["https://app.example.com", "https://*.example.org"]
`))
	get := func(path string) (*http.Response, string) {
		t.Helper()
		resp, err := http.Get(gw.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, string(body)
	}
	if resp, body := get("/prod"); resp.StatusCode != http.StatusForbidden || body != `{"message":"Forbidden"}` {
		t.Errorf("unknown stage: %d %s, want 403 Forbidden", resp.StatusCode, body)
	}
	if resp, body := get("/_aws/execute-api/nosuchapi/dev"); resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "nosuchapi") {
		t.Errorf("unknown API: %d %s, want 404", resp.StatusCode, body)
	}
	// All three addressing styles reach the API.
	for _, url := range []string{gw.WS + "/dev", gw.WS + "/_aws/execute-api/chatapi001/dev"} {
		c, _, err := websocket.DefaultDialer.Dial(url, http.Header{"Origin": {"https://app.example.com"}})
		if err != nil {
			t.Errorf("%s: %v", url, err)
			continue
		}
		c.Close()
	}
	req, _ := http.NewRequest(http.MethodGet, gw.URL+"/dev", nil)
	req.Host = "chatapi001.execute-api.localhost:1234"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUpgradeRequired {
		t.Errorf("Host-style address: %d, want 426 (it reached the API)", resp.StatusCode)
	}
}
