package ws_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/gorilla/websocket"
)

// withConnectAuth rewrites chatConfig's $connect route.
func withConnectAuth(cfg, routeExtra, apiExtra string) string {
	cfg = strings.Replace(cfg, "      - routeKey: $connect\n        target: integrations/backend\n",
		"      - routeKey: $connect\n        target: integrations/backend\n"+routeExtra, 1)
	return strings.Replace(cfg, "    stages:\n", apiExtra+"    stages:\n", 1)
}

func TestConnectLambdaAuthorizer(t *testing.T) {
	var calls atomic.Int32
	fn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		raw, _ := io.ReadAll(r.Body)
		var ev events.APIGatewayCustomAuthorizerRequestTypeRequest
		if err := json.Unmarshal(raw, &ev); err != nil {
			t.Errorf("authorizer event: %v", err)
		}
		if ev.Type != "REQUEST" || !strings.HasSuffix(ev.MethodArn, ":chatapi001/dev/$connect") {
			t.Errorf("authorizer event type %q methodArn %q", ev.Type, ev.MethodArn)
		}
		effect := "Deny"
		if ev.QueryStringParameters["token"] == "good" {
			effect = "Allow"
		}
		_, _ = io.WriteString(w, `{"principalId":"user-1","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"`+effect+`","Resource":"`+ev.MethodArn+`"}]},"context":{"tier":"gold","n":7}}`)
	}))
	defer fn.Close()
	b := newBackend(t, nil)
	gw := startGateway(t, withConnectAuth(chatConfig(b.URL, ""),
		"        authorizationType: CUSTOM\n        authorizerId: auth\n",
		"    authorizers:\n      - {authorizerId: auth, authorizerType: REQUEST, authorizerUri: "+fn.URL+", identitySource: [route.request.querystring.token]}\n"))

	if _, status := dialStatus(t, gw.WS+"/dev", nil); status != 401 || calls.Load() != 0 {
		t.Fatalf("missing token: status %d, authorizer invoked %d times", status, calls.Load())
	}
	if _, status := dialStatus(t, gw.WS+"/dev?token=bad", nil); status != 403 {
		t.Fatalf("denied: status %d", status)
	}
	c, status := dialStatus(t, gw.WS+"/dev?token=good", nil)
	if status != 101 {
		t.Fatalf("allowed: status %d", status)
	}
	connect := b.next(t, "CONNECT")
	if a := connect.Ev.RequestContext.Authorizer; a == nil {
		t.Fatalf("CONNECT event without authorizer: %s", connect.Raw)
	}
	if err := c.WriteMessage(websocket.TextMessage, []byte(`{"action":"sendmessage"}`)); err != nil {
		t.Fatal(err)
	}
	msg := b.next(t, "MESSAGE")
	auth, _ := msg.Map["requestContext"].(map[string]any)["authorizer"].(map[string]any)
	if auth["principalId"] != "user-1" || auth["tier"] != "gold" || auth["n"] != float64(7) {
		t.Fatalf("MESSAGE requestContext.authorizer = %v", auth)
	}
	// What the node publishes (over NATS: the root package's
	// TestConnectAuthorizerContextOverNATS) carries it too.
	select {
	case ev := <-gw.Connects:
		if ev.Authorizer["principalId"] != "user-1" || ev.Authorizer["tier"] != "gold" {
			t.Errorf("connect event authorizer = %v", ev.Authorizer)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no connect event published")
	}
	// A second connection with the same token is a cache hit.
	before := calls.Load()
	dialStatus(t, gw.WS+"/dev?token=good", nil)
	if calls.Load() != before {
		t.Error("the authorizer ran again within its TTL")
	}
	// The decisions are counted: a 401 for the missing token and a 403 are
	// denies; two allows, one of them from the cache.
	for _, c := range []struct {
		name   string
		labels map[string]string
		min    float64
	}{
		{"portico_authorizer_results_total", map[string]string{"api_id": "chatapi001", "type": "CUSTOM", "result": "allow"}, 2},
		{"portico_authorizer_results_total", map[string]string{"api_id": "chatapi001", "type": "CUSTOM", "result": "deny"}, 2},
		{"portico_authorizer_cache_hits_total", map[string]string{"api_id": "chatapi001"}, 1},
	} {
		if v := gw.counter(t, c.name, c.labels); v < c.min {
			t.Errorf("%s%v = %v, want at least %v", c.name, c.labels, v, c.min)
		}
	}
}

func TestConnectIAM(t *testing.T) {
	b := newBackend(t, nil)
	gw := startGateway(t, withConnectAuth(chatConfig(b.URL, ""), "        authorizationType: AWS_IAM\n", ""))
	sign := func(secret string) http.Header {
		req, _ := http.NewRequest("GET", gw.URL+"/dev?room=1", nil)
		creds := aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: secret}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sha256.New().Sum(nil)), "execute-api", "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
		h := http.Header{}
		for _, k := range []string{"Authorization", "X-Amz-Date"} {
			h.Set(k, req.Header.Get(k))
		}
		return h
	}
	if _, status := dialStatus(t, gw.WS+"/dev?room=1", sign("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")); status != 101 {
		t.Fatalf("signed upgrade: status %d", status)
	}
	if _, status := dialStatus(t, gw.WS+"/dev?room=2", sign("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")); status != 403 {
		t.Errorf("tampered query: status %d", status)
	}
	if _, status := dialStatus(t, gw.WS+"/dev?room=1", sign("wrong")); status != 403 {
		t.Errorf("wrong secret: status %d", status)
	}
	if _, status := dialStatus(t, gw.WS+"/dev", nil); status != 403 {
		t.Errorf("unsigned: status %d", status)
	}
}

func TestConnectAPIKeyRequired(t *testing.T) {
	b := newBackend(t, nil)
	gw := startGateway(t, withConnectAuth(chatConfig(b.URL, ""), "        apiKeyRequired: true\n", "    apiKeys: [k-123]\n"))
	if _, status := dialStatus(t, gw.WS+"/dev", http.Header{"X-Api-Key": {"k-123"}, "x-custom-Header": {"v1"}}); status != 101 {
		t.Fatalf("valid key: %d", status)
	}
	// An authorizer (here the key check) must not cost $connect the
	// client's header spelling, which can be read only once.
	if ev := b.next(t, "CONNECT").Ev; ev.Headers["x-custom-Header"] != "v1" {
		t.Errorf("behind an authorizer, the client header spelling was lost: %v", ev.Headers)
	}
	for name, h := range map[string]http.Header{"wrong key": {"X-Api-Key": {"nope"}}, "no key": nil} {
		if _, status := dialStatus(t, gw.WS+"/dev", h); status != 403 {
			t.Errorf("%s: status %d", name, status)
		}
	}
}

// apiKeySelectionExpression $context.authorizer.usageIdentifierKey takes the
// key from the authorizer's answer.
func TestConnectAPIKeyFromAuthorizer(t *testing.T) {
	fn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev events.APIGatewayCustomAuthorizerRequestTypeRequest
		raw, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(raw, &ev)
		_, _ = io.WriteString(w, `{"principalId":"u","usageIdentifierKey":"`+ev.QueryStringParameters["key"]+`","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"*"}]}}`)
	}))
	defer fn.Close()
	b := newBackend(t, nil)
	gw := startGateway(t, withConnectAuth(chatConfig(b.URL, ""),
		"        authorizationType: CUSTOM\n        authorizerId: auth\n        apiKeyRequired: true\n",
		"    apiKeySelectionExpression: $context.authorizer.usageIdentifierKey\n    apiKeys: [k-9]\n"+
			"    authorizers:\n      - {authorizerId: auth, authorizerType: REQUEST, authorizerUri: "+fn.URL+", identitySource: [route.request.querystring.key]}\n"))
	if _, status := dialStatus(t, gw.WS+"/dev?key=k-9", nil); status != 101 {
		t.Fatalf("key from the authorizer: %d", status)
	}
	if _, status := dialStatus(t, gw.WS+"/dev?key=other", http.Header{"X-Api-Key": {"k-9"}}); status != 403 {
		t.Fatalf("the header must not be used: %d", status)
	}
}
