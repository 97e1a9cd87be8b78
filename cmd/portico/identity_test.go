package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/gorilla/websocket"
)

// TestSIGHUPKeepsAPIIdentity is the regression test of an API without
// apiId: its ID once changed on every build, so a SIGHUP with the very same
// file made every open connection answer 410 Gone to @connections. The ID
// now comes from the API's name; the connection stays reachable after a
// reload of the unchanged file, and after a change that keeps the name.
func TestSIGHUPKeepsAPIIdentity(t *testing.T) {
	connected := make(chan string, 1)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var ev events.APIGatewayWebsocketProxyRequest
		if err := json.Unmarshal(body, &ev); err == nil && ev.RequestContext.EventType == "CONNECT" {
			connected <- ev.RequestContext.ConnectionID
		}
		_, _ = io.WriteString(w, `{"statusCode":200}`)
	}))
	defer backend.Close()

	addr := freeAddr(t)
	path := filepath.Join(t.TempDir(), "portico.yaml")
	cfg := `credentials:
  - {accessKeyId: AKIDIDENTITY, secretAccessKey: identity-secret}
apis:
  - name: chat
    protocolType: WEBSOCKET
    routeSelectionExpression: $request.body.action
    integrations:
      - {integrationId: backend, integrationType: AWS_PROXY, integrationUri: "` + backend.URL + `"}
    routes:
      - {routeKey: $connect, target: integrations/backend}
      - {routeKey: $default, target: integrations/backend}
    stages:
      - stageName: dev
`
	write := func(body string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(cfg)
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() { done <- run([]string{"serve", "--config", path, "--listen", addr}, &out, &errb) }()
	defer func() {
		_ = syscall.Kill(os.Getpid(), syscall.SIGINT)
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Error("serve did not stop")
		}
	}()
	c := dialRetry(t, "ws://"+addr+"/dev", &errb)
	defer c.Close()
	var id string
	select {
	case id = <-connected:
	case <-time.After(10 * time.Second):
		t.Fatal("no CONNECT event reached the backend")
	}

	client := apigatewaymanagementapi.New(apigatewaymanagementapi.Options{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDIDENTITY", "identity-secret", ""),
		BaseEndpoint:     aws.String("http://" + addr + "/dev"),
		RetryMaxAttempts: 1,
	})
	post := func(data string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := client.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{
			ConnectionId: aws.String(id), Data: []byte(data),
		}); err != nil {
			t.Fatalf("PostToConnection %s: %v", data, err)
		}
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, got, err := c.ReadMessage()
		if err != nil || string(got) != data {
			t.Fatalf("the client got %q, %v; want %q", got, err, data)
		}
	}
	hup := func() {
		t.Helper()
		n := strings.Count(errb.String(), "configuration reloaded")
		if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for strings.Count(errb.String(), "configuration reloaded") == n {
			if time.Now().After(deadline) {
				t.Fatalf("no reload in the log: %s", errb.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	post(`{"n":"before"}`)
	hup() // the unchanged file
	post(`{"n":"after an unchanged reload"}`)
	write(strings.Replace(cfg, "      - {routeKey: $default", "      - {routeKey: shout, target: integrations/backend}\n      - {routeKey: $default", 1))
	hup() // a change that keeps the name
	post(`{"n":"after a changed reload"}`)
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func dialRetry(t *testing.T, url string, log *syncBuffer) *websocket.Conn {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, _, err := websocket.DefaultDialer.Dial(url, nil)
		if err == nil {
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve never listened: %v %s", err, log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
