package portico_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi/types"
	"github.com/aws/smithy-go"
	"github.com/gorilla/websocket"
)

func TestManagementAPIWithTheSDK(t *testing.T) {
	b := newBackend(t, nil)
	gw := startGateway(t, chatConfig(b.URL, `    limits:
      sendQueueBytes: 65536
`))
	c := dial(t, gw.WS+"/dev", http.Header{"User-Agent": {"sdk-test-agent"}})
	id := b.next(t, "CONNECT").Ev.RequestContext.ConnectionID
	client := mgmtClient(gw.URL+"/dev", testAccessKey, testSecret)
	ctx := context.Background()

	t.Run("PostToConnection delivers", func(t *testing.T) {
		out, err := client.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: aws.String(id), Data: []byte(`{"hello":"world"}`)})
		if err != nil {
			t.Fatal(err)
		}
		if reqID, _ := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata); reqID == "" {
			t.Error("no x-amzn-RequestId on the response")
		}
		if got := readText(t, c); got != `{"hello":"world"}` {
			t.Errorf("client got %q", got)
		}
	})
	t.Run("GetConnection", func(t *testing.T) {
		before := time.Now()
		_, _ = client.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: aws.String(id), Data: []byte("x")})
		readText(t, c)
		out, err := client.GetConnection(ctx, &apigatewaymanagementapi.GetConnectionInput{ConnectionId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		if out.Identity == nil || aws.ToString(out.Identity.SourceIp) != "127.0.0.1" || aws.ToString(out.Identity.UserAgent) != "sdk-test-agent" {
			t.Errorf("identity = %+v", out.Identity)
		}
		if out.ConnectedAt == nil || time.Since(*out.ConnectedAt) > time.Minute {
			t.Errorf("connectedAt = %v", out.ConnectedAt)
		}
		if out.LastActiveAt == nil || out.LastActiveAt.Before(before.Add(-time.Millisecond)) {
			t.Errorf("lastActiveAt = %v, want after the last POST at %v", out.LastActiveAt, before)
		}
	})
	t.Run("PayloadTooLarge", func(t *testing.T) {
		_, err := client.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: aws.String(id), Data: bytes.Repeat([]byte("a"), 128*1024+1)})
		var tooLarge *types.PayloadTooLargeException
		if !errors.As(err, &tooLarge) {
			t.Fatalf("err = %v, want PayloadTooLargeException", err)
		}
		if tooLarge.ErrorMessage() == "" {
			t.Error("PayloadTooLargeException without a message")
		}
		// Exactly 128 KB is accepted.
		if _, err := client.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: aws.String(id), Data: bytes.Repeat([]byte("a"), 128*1024)}); err != nil {
			t.Fatalf("128 KB POST: %v", err)
		}
		if got := readText(t, c); len(got) != 128*1024 {
			t.Errorf("client got %d bytes", len(got))
		}
	})
	t.Run("unknown and malformed IDs", func(t *testing.T) {
		_, err := client.GetConnection(ctx, &apigatewaymanagementapi.GetConnectionInput{ConnectionId: aws.String("R1kmxc2VNjMCFIA=")})
		var gone *types.GoneException
		if !errors.As(err, &gone) {
			t.Errorf("unknown ID: %v, want GoneException", err)
		}
		_, err = client.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: aws.String("not-an-id"), Data: []byte("x")})
		var apiErr smithy.APIError
		if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "BadRequestException" {
			t.Errorf("malformed ID: %v, want BadRequestException", err)
		}
	})
	t.Run("other stage sees no connection", func(t *testing.T) {
		other := mgmtClient(gw.URL+"/_aws/execute-api/chatapi001/dev", testAccessKey, testSecret)
		if _, err := other.GetConnection(ctx, &apigatewaymanagementapi.GetConnectionInput{ConnectionId: aws.String(id)}); err != nil {
			t.Errorf("path-style endpoint: %v", err)
		}
	})
	t.Run("queue full is 429", func(t *testing.T) {
		// The client stops reading; the 64 KB queue and the socket buffers fill.
		var lastErr error
		for i := 0; i < 2000 && lastErr == nil; i++ {
			_, lastErr = client.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: aws.String(id), Data: bytes.Repeat([]byte("q"), 32*1024)})
		}
		var limit *types.LimitExceededException
		var gone *types.GoneException
		switch {
		case errors.As(lastErr, &limit):
		case errors.As(lastErr, &gone):
			t.Log("the slow client was closed before the queue filled (write timeout)")
		default:
			t.Fatalf("POSTs to a client that does not read: %v, want LimitExceededException", lastErr)
		}
		// The stalled client is closed after the write timeout, and the
		// metrics say so.
		deadline := time.Now().Add(10 * time.Second)
		for {
			fams := gather(t, gw)
			closes, _ := sample(fams, "portico_websocket_slow_consumer_closes_total", map[string]string{"api_id": "chatapi001", "stage": "dev"})
			limited, _ := sample(fams, "portico_management_calls_total", map[string]string{"operation": "PostToConnection", "status": "429"})
			if closes >= 1 && (limited >= 1 || errors.As(lastErr, &gone)) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("slow-consumer closes %v, 429s %v", closes, limited)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
	t.Run("DeleteConnection then Gone", func(t *testing.T) {
		c2 := dial(t, gw.WS+"/dev", nil)
		id2 := b.next(t, "CONNECT").Ev.RequestContext.ConnectionID
		if _, err := client.DeleteConnection(ctx, &apigatewaymanagementapi.DeleteConnectionInput{ConnectionId: aws.String(id2)}); err != nil {
			t.Fatal(err)
		}
		readClose(t, c2, 5*time.Second)
		b.next(t, "DISCONNECT")
		var gone *types.GoneException
		for _, call := range []func() error{
			func() error {
				_, err := client.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: aws.String(id2), Data: []byte("x")})
				return err
			},
			func() error {
				_, err := client.GetConnection(ctx, &apigatewaymanagementapi.GetConnectionInput{ConnectionId: aws.String(id2)})
				return err
			},
			func() error {
				_, err := client.DeleteConnection(ctx, &apigatewaymanagementapi.DeleteConnectionInput{ConnectionId: aws.String(id2)})
				return err
			},
		} {
			if err := call(); !errors.As(err, &gone) {
				t.Errorf("after delete: %v, want GoneException", err)
			}
		}
	})
}

func TestManagementAPIRejectsBadSignatures(t *testing.T) {
	b := newBackend(t, nil)
	gw := startGateway(t, chatConfig(b.URL, ""))
	dial(t, gw.WS+"/dev", nil)
	id := b.next(t, "CONNECT").Ev.RequestContext.ConnectionID
	ctx := context.Background()
	var forbidden *types.ForbiddenException

	_, err := mgmtClient(gw.URL+"/dev", testAccessKey, "wrong-secret").PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: aws.String(id), Data: []byte("x")})
	if !errors.As(err, &forbidden) {
		t.Errorf("wrong secret: %v, want ForbiddenException", err)
	}
	_, err = mgmtClient(gw.URL+"/dev", "AKIDUNKNOWN", testSecret).GetConnection(ctx, &apigatewaymanagementapi.GetConnectionInput{ConnectionId: aws.String(id)})
	if !errors.As(err, &forbidden) {
		t.Errorf("unknown key: %v, want ForbiddenException", err)
	}

	post := func(sign func(*http.Request)) (int, string, http.Header) {
		req, _ := http.NewRequest(http.MethodPost, gw.URL+"/dev/@connections/"+strings.ReplaceAll(id, "=", "%3D"), strings.NewReader("hello"))
		if sign != nil {
			sign(req)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body), resp.Header
	}
	signAt := func(at time.Time) func(*http.Request) {
		return func(r *http.Request) {
			err := v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret},
				r, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", "execute-api", "us-east-1", at)
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	status, body, hdr := post(nil)
	if status != http.StatusForbidden || hdr.Get("x-amzn-ErrorType") == "" || hdr.Get("x-amzn-RequestId") == "" {
		t.Errorf("unsigned: %d %s %v, want 403 with x-amzn-ErrorType", status, body, hdr)
	}
	if status, body, _ := post(signAt(time.Now().Add(-6 * time.Minute))); status != http.StatusForbidden || !strings.Contains(body, "Signature expired") {
		t.Errorf("stale signature: %d %s, want 403 Signature expired", status, body)
	}
	if status, body, _ := post(signAt(time.Now())); status != http.StatusOK {
		t.Errorf("fresh signature: %d %s, want 200", status, body)
	}
	// A signature for one stage does not open another path.
	req, _ := http.NewRequest(http.MethodPost, gw.URL+"/dev/@connections/"+strings.ReplaceAll(id, "=", "%3D"), strings.NewReader("hello"))
	signAt(time.Now())(req)
	req.URL.Path = "/prod/@connections/" + id
	req.URL.RawPath = "/prod/@connections/" + strings.ReplaceAll(id, "=", "%3D")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("signature replayed on another stage: %d, want 403", resp.StatusCode)
	}
}

func TestManagementAPIUnsignedOnlyWhenAllowedFromLoopback(t *testing.T) {
	b := newBackend(t, nil)
	gw := startGateway(t, chatConfig(b.URL, "")+"managementApi:\n  allowUnsigned: true\n")
	c := dial(t, gw.WS+"/dev", nil)
	id := b.next(t, "CONNECT").Ev.RequestContext.ConnectionID
	resp, err := http.Post(gw.URL+"/dev/@connections/"+strings.ReplaceAll(id, "=", "%3D"), "text/plain", strings.NewReader("unsigned hello"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("unsigned POST from loopback with allowUnsigned: %d", resp.StatusCode)
	}
	if got := readText(t, c); got != "unsigned hello" {
		t.Errorf("client got %q", got)
	}
	// A bad signature is still refused.
	_, err = mgmtClient(gw.URL+"/dev", testAccessKey, "wrong").PostToConnection(context.Background(), &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: aws.String(id), Data: []byte("x")})
	var forbidden *types.ForbiddenException
	if !errors.As(err, &forbidden) {
		t.Errorf("bad signature with allowUnsigned: %v, want ForbiddenException", err)
	}
}

func TestManagementAPIWithTheAWSCLI(t *testing.T) {
	aws, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("aws CLI not on PATH")
	}
	b := newBackend(t, nil)
	gw := startGateway(t, chatConfig(b.URL, ""))
	c := dial(t, gw.WS+"/dev", nil)
	id := b.next(t, "CONNECT").Ev.RequestContext.ConnectionID

	run := func(env []string, args ...string) (string, error) {
		cmd := exec.Command(aws, append([]string{"apigatewaymanagementapi", "--endpoint-url", gw.URL + "/dev", "--region", "us-east-1"}, args...)...)
		cmd.Env = append(os.Environ(), "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_PAGER=")
		cmd.Env = append(cmd.Env, env...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	good := []string{"AWS_ACCESS_KEY_ID=" + testAccessKey, "AWS_SECRET_ACCESS_KEY=" + testSecret}
	if out, err := run(good, "post-to-connection", "--connection-id", id, "--data", `{"from":"cli"}`); err != nil {
		t.Fatalf("post-to-connection: %v\n%s", err, out)
	}
	if got := readText(t, c); got != `{"from":"cli"}` {
		t.Errorf("client got %q", got)
	}
	out, err := run(good, "get-connection", "--connection-id", id)
	if err != nil || !strings.Contains(out, `"SourceIp": "127.0.0.1"`) {
		t.Errorf("get-connection: %v\n%s", err, out)
	}
	out, err = run([]string{"AWS_ACCESS_KEY_ID=" + testAccessKey, "AWS_SECRET_ACCESS_KEY=bad"}, "post-to-connection", "--connection-id", id, "--data", "x")
	if err == nil || !strings.Contains(out, "ForbiddenException") {
		t.Errorf("bad secret: %v\n%s", err, out)
	}
	if out, err := run(good, "delete-connection", "--connection-id", id); err != nil {
		t.Fatalf("delete-connection: %v\n%s", err, out)
	}
	if ce := readClose(t, c, 5*time.Second); ce.Code != websocket.CloseNormalClosure {
		t.Errorf("close %d after delete-connection", ce.Code)
	}
	out, err = run(good, "get-connection", "--connection-id", id)
	if err == nil || !strings.Contains(out, "GoneException") {
		t.Errorf("get-connection after delete: %v\n%s", err, out)
	}
}
