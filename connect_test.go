package portico_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi/types"
	"github.com/gorilla/websocket"
)

func TestPostDuringConnectIsGone(t *testing.T) {
	var gwURL string
	result := make(chan error, 1)
	b := newBackend(t, func(ev events.APIGatewayWebsocketProxyRequest) (int, string) {
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
	for _, tc := range []struct {
		name, path, host string
		status           int
		body             func(string) bool
	}{
		{"unknown stage", "/prod", "", http.StatusForbidden, func(b string) bool { return b == `{"message":"Forbidden"}` }},
		{"unknown API", "/_aws/execute-api/nosuchapi/dev", "", http.StatusNotFound, func(b string) bool { return strings.Contains(b, "nosuchapi") }},
		// 426: a plain GET reached the API.
		{"Host-style address", "/dev", "chatapi001.execute-api.localhost:1234", http.StatusUpgradeRequired, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, gw.URL+tc.path, nil)
			if tc.host != "" {
				req.Host = tc.host
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status || (tc.body != nil && !tc.body(string(body))) {
				t.Errorf("GET %s (Host %q): %d %s, want %d", tc.path, tc.host, resp.StatusCode, body, tc.status)
			}
		})
	}
	// The path styles reach the API.
	for _, url := range []string{gw.WS + "/dev", gw.WS + "/_aws/execute-api/chatapi001/dev"} {
		c, _, err := websocket.DefaultDialer.Dial(url, http.Header{"Origin": {"https://app.example.com"}})
		if err != nil {
			t.Errorf("%s: %v", url, err)
			continue
		}
		c.Close()
	}
}

// TestConnectThroughTheNode covers the node's part in a $connect: the
// client's header spelling (rawheader on the node's listener) and the file's
// credentials for an AWS_IAM $connect. Package ws's event and authorizer
// tests cover the rest.
func TestConnectThroughTheNode(t *testing.T) {
	b := newBackend(t, nil)
	gw := startGateway(t, chatConfig(b.URL, ""))
	dial(t, gw.WS+"/dev", http.Header{"x-custom-Header": {"v1"}})
	if ev := b.next(t, "CONNECT").Ev; ev.Headers["x-custom-Header"] != "v1" {
		t.Errorf("client header spelling lost: %v", ev.Headers)
	}

	gw = startGateway(t, strings.Replace(chatConfig(b.URL, ""), "      - routeKey: $connect\n        target: integrations/backend\n",
		"      - routeKey: $connect\n        target: integrations/backend\n        authorizationType: AWS_IAM\n", 1))
	req, _ := http.NewRequest(http.MethodGet, gw.URL+"/dev", nil)
	creds := aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, sha256hex(nil), "execute-api", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	dial(t, gw.WS+"/dev", http.Header{"Authorization": req.Header["Authorization"], "X-Amz-Date": req.Header["X-Amz-Date"]})
}
