package integration_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/portico-gw/portico/integration"
)

// A Function returns the raw result, not a proxy response: authorizers
// answer {"isAuthorized":true}, which a proxy parser would reject.
func TestFunctionReturnsRawResult(t *testing.T) {
	var got []byte
	host := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = io.ReadAll(r.Body)
		if string(got) == `{"fail":true}` {
			w.Header().Set("X-Amz-Function-Error", "Unhandled")
			_, _ = io.WriteString(w, `{"errorMessage":"Unauthorized"}`)
			return
		}
		_, _ = io.WriteString(w, `{"isAuthorized":true,"context":{"a":1}}`)
	}))
	defer host.Close()
	fn, err := integration.NewFunction(host.URL, 0, integration.Env{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := fn.Call(context.Background(), []byte(`{"type":"REQUEST"}`))
	if err != nil || string(out) != `{"isAuthorized":true,"context":{"a":1}}` || string(got) != `{"type":"REQUEST"}` {
		t.Fatalf("Call = %s, %v (sent %s)", out, err, got)
	}
	_, err = fn.Call(context.Background(), []byte(`{"fail":true}`))
	var fe *integration.FunctionError
	if !errors.As(err, &fe) || string(fe.Payload) != `{"errorMessage":"Unauthorized"}` {
		t.Fatalf("function error = %v", err)
	}
	if _, err := integration.NewFunction("arn:aws:lambda:us-east-1:123456789012:function:f", 0, integration.Env{}); err == nil {
		t.Fatal("a Lambda ARN without a Lambda client must be refused")
	}
}
