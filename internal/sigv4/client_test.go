package sigv4

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi/types"
)

// seen is what the test server observed for one request.
type seen struct {
	method, path string
	body         string
	id           Identity
	err          error
}

// managementServer is an httptest server that verifies every request with
// v and answers like the @connections API: 200 {} for POST, a connection
// for GET, 204 for DELETE, 403 ForbiddenException when verification fails.
func managementServer(tb testing.TB, v *Verifier) (*httptest.Server, func() []seen) {
	tb.Helper()
	var (
		mu   sync.Mutex
		reqs []seen
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		id, verr := v.Verify(r, body)
		mu.Lock()
		reqs = append(reqs, seen{method: r.Method, path: r.URL.EscapedPath(), body: string(body), id: id, err: verr})
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if verr != nil {
			w.Header().Set("X-Amzn-Errortype", "ForbiddenException")
			w.WriteHeader(http.StatusForbidden)
			_ = json.NewEncoder(w).Encode(map[string]string{"message": verr.Error()})
			return
		}
		switch r.Method {
		case http.MethodPost:
			_, _ = io.WriteString(w, `{}`)
		case http.MethodGet:
			_, _ = io.WriteString(w, `{"connectedAt":"2026-11-22T09:04:51.419Z","identity":{"sourceIp":"192.0.2.1","userAgent":""},"lastActiveAt":"2026-11-22T09:04:51.419Z"}`)
		case http.MethodDelete:
			w.WriteHeader(http.StatusNoContent)
		default:
			w.WriteHeader(http.StatusMethodNotAllowed)
		}
	}))
	tb.Cleanup(srv.Close)
	return srv, func() []seen {
		mu.Lock()
		defer mu.Unlock()
		out := reqs
		reqs = nil
		return out
	}
}

func managementClient(srv *httptest.Server, accessKey, secret string) *apigatewaymanagementapi.Client {
	return apigatewaymanagementapi.NewFromConfig(
		aws.Config{Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider(accessKey, secret, "")},
		func(o *apigatewaymanagementapi.Options) { o.BaseEndpoint = aws.String(srv.URL + "/prod") })
}

// TestManagementAPIClient drives the verifier with the real aws-sdk-go-v2
// @connections client: PostToConnection, GetConnection and DeleteConnection
// must verify; a wrong secret or an unknown key must not.
func TestManagementAPIClient(t *testing.T) {
	v := &Verifier{Lookup: func(ak string) (string, bool) { return testSecret, ak == testAccessKey }}
	srv, requests := managementServer(t, v)
	connectionID := aws.String("R1kmxc2VNjMCFIA=")
	const wantPath = "/prod/@connections/R1kmxc2VNjMCFIA%3D"

	post := func(ctx context.Context, c *apigatewaymanagementapi.Client) error {
		_, err := c.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: connectionID, Data: []byte(`{"hello":"world"}`)})
		return err
	}
	get := func(ctx context.Context, c *apigatewaymanagementapi.Client) error {
		out, err := c.GetConnection(ctx, &apigatewaymanagementapi.GetConnectionInput{ConnectionId: connectionID})
		if err == nil && (out.Identity == nil || aws.ToString(out.Identity.SourceIp) != "192.0.2.1") {
			return errors.New("GetConnection: unexpected output")
		}
		return err
	}
	del := func(ctx context.Context, c *apigatewaymanagementapi.Client) error {
		_, err := c.DeleteConnection(ctx, &apigatewaymanagementapi.DeleteConnectionInput{ConnectionId: connectionID})
		return err
	}

	for _, tc := range []struct {
		name              string
		accessKey, secret string
		call              func(context.Context, *apigatewaymanagementapi.Client) error
		method, body      string
		want              Kind
	}{
		{name: "PostToConnection", call: post, method: "POST", body: `{"hello":"world"}`},
		{name: "GetConnection", call: get, method: "GET"},
		{name: "DeleteConnection", call: del, method: "DELETE"},
		{name: "wrong secret", secret: "wrong-secret", call: post, method: "POST", body: `{"hello":"world"}`, want: InvalidSignature},
		{name: "wrong secret delete", secret: "wrong-secret", call: del, method: "DELETE", want: InvalidSignature},
		{name: "unknown access key", accessKey: "AKIDUNKNOWN", call: get, method: "GET", want: UnknownAccessKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ak, secret := testAccessKey, testSecret
			if tc.accessKey != "" {
				ak = tc.accessKey
			}
			if tc.secret != "" {
				secret = tc.secret
			}
			err := tc.call(t.Context(), managementClient(srv, ak, secret))
			got := requests()
			if len(got) != 1 {
				t.Fatalf("server saw %d requests, want 1: %+v", len(got), got)
			}
			r := got[0]
			if r.method != tc.method || r.path != wantPath || r.body != tc.body {
				t.Errorf("server saw %s %s %q, want %s %s %q", r.method, r.path, r.body, tc.method, wantPath, tc.body)
			}
			if tc.want == 0 {
				if err != nil {
					t.Fatalf("client: %v", err)
				}
				if r.err != nil {
					t.Fatalf("Verify: %v", r.err)
				}
				if r.id.AccessKeyID != testAccessKey || r.id.Region != "eu-west-1" || r.id.Service != "execute-api" {
					t.Errorf("identity %+v", r.id)
				}
				return
			}
			wantKind(t, r.err, tc.want, "")
			var forbidden *types.ForbiddenException
			if !errors.As(err, &forbidden) {
				t.Errorf("client error %v, want ForbiddenException", err)
			}
		})
	}
}
