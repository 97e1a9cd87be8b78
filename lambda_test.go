package portico_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
)

// The node builds one Lambda client from the file's lambda block for the
// APIs that call a function ARN: its endpoint, region and keys. Package ws's
// TestLambdaIntegrationThroughTheSDK covers the integration itself.
func TestLambdaClientFromConfig(t *testing.T) {
	invoked := make(chan string, 8)
	fn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKIDLAMBDA/") || !strings.Contains(auth, "/eu-west-1/lambda/aws4_request") {
			t.Errorf("Lambda request not signed with the lambda block's key and region: %q", auth)
		}
		invoked <- r.Method + " " + r.URL.Path
		_, _ = io.WriteString(w, `{"statusCode":200,"body":"from the function"}`)
	}))
	t.Cleanup(fn.Close)
	gw := startGateway(t, chatConfig("arn:aws:lambda:eu-west-1:123456789012:function:chat-handler",
		"lambda:\n  endpoint: "+fn.URL+"\n  region: eu-west-1\n  accessKeyId: AKIDLAMBDA\n  secretAccessKey: lambda-secret\n"))
	c := dial(t, gw.WS+"/dev", nil)
	_ = c.WriteMessage(websocket.TextMessage, []byte(`{"action":"echo"}`))
	if got := readText(t, c); got != "from the function" {
		t.Errorf("reply %q", got)
	}
	if got := <-invoked; got != "POST /2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:chat-handler/invocations" {
		t.Errorf("Lambda endpoint got %s", got)
	}
}
