package integration

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestNewRejects(t *testing.T) {
	t.Parallel()
	_, lambdaClient := newFakeLambda(t, reply(`{}`))
	tests := []struct {
		name string
		spec Spec
		env  Env
		want string // in the error text
	}{
		{name: "no type", spec: Spec{URI: "http://h"}, want: "missing"},
		{name: "unknown type", spec: Spec{Type: "SQS", URI: "http://h"}, want: "unknown integrationType"},
		{name: "lowercase type", spec: Spec{Type: "http_proxy", URI: "http://h"}, want: "unknown integrationType"},
		{name: "AWS without a Lambda client", spec: Spec{Type: "AWS", URI: testFunctionARN}, want: "no Lambda client is configured"},
		{name: "negative timeout", spec: Spec{Type: "MOCK", Timeout: -time.Second}, want: "timeout"},
		{name: "ARN without a Lambda client", spec: Spec{Type: "AWS_PROXY", URI: testFunctionARN}, want: "no Lambda client"},
		{name: "bad ARN", spec: Spec{Type: "AWS_PROXY", URI: "arn:aws:lambda:us-east-1:1:layer:x"}, env: Env{Lambda: lambdaClient}, want: "Lambda"},
		{name: "AWS_PROXY not a URI", spec: Spec{Type: "AWS_PROXY", URI: "chat"}, env: Env{Lambda: lambdaClient}, want: "not an ARN"},
		{name: "AWS_PROXY bad URL", spec: Spec{Type: "AWS_PROXY", URI: "http://"}, want: "not a valid URL"},
		{name: "HTTP_PROXY not http", spec: Spec{Type: "HTTP_PROXY", URI: "ftp://h/x"}, want: "not an http(s) URL"},
		{name: "HTTP_PROXY ARN", spec: Spec{Type: "HTTP_PROXY", URI: testFunctionARN}, want: "not an http(s) URL"},
		{name: "HTTP empty URI", spec: Spec{Type: "HTTP"}, want: "not an http(s) URL"},
		{name: "bad method", spec: Spec{Type: "HTTP_PROXY", URI: "http://h", Method: "GET /"}, want: "integrationMethod"},
		{name: "unknown parameter", spec: Spec{Type: "HTTP_PROXY", URI: "http://h",
			RequestParameters: map[string]string{"integration.request.body.x": "'1'"}}, want: "requestParameters key"},
		{name: "bad header name", spec: Spec{Type: "HTTP_PROXY", URI: "http://h",
			RequestParameters: map[string]string{"integration.request.header.a b": "'1'"}}, want: "invalid name"},
		{name: "empty value", spec: Spec{Type: "HTTP_PROXY", URI: "http://h",
			RequestParameters: map[string]string{"integration.request.header.a": ""}}, want: "mapping expression"},
		{name: "placeholder without parameter", spec: Spec{Type: "HTTP_PROXY", URI: "http://h/{id}"}, want: "{id}"},
		{name: "parameter without placeholder", spec: Spec{Type: "HTTP", URI: "http://h/x",
			RequestParameters: map[string]string{"integration.request.path.id": "'1'"}}, want: "has no {id}"},
		{name: "bad passthrough", spec: Spec{Type: "HTTP", URI: "http://h", PassthroughBehavior: "SOMETIMES"}, want: "passthroughBehavior"},
		{name: "bad template selection", spec: Spec{Type: "MOCK", TemplateSelectionExpression: "${context.x}"}, want: "unknown source"},
		{name: "bad response key", spec: Spec{Type: "MOCK", Responses: []ResponseSpec{{Key: "200"}}}, want: "/regex/"},
		{name: "bad response regex", spec: Spec{Type: "MOCK", Responses: []ResponseSpec{{Key: "/4(/"}}}, want: "integration response key"},
		{name: "duplicate response key", spec: Spec{Type: "HTTP", URI: "http://h",
			Responses: []ResponseSpec{{Key: "$default"}, {Key: "$default"}}}, want: "twice"},
		{name: "HTTP API URI not http", spec: Spec{Type: "HTTP_PROXY", URI: "ftp://h/{proxy}", ModeMapsRequest: true}, want: "not an http(s) URL"},
		{name: "HTTP API URI without host", spec: Spec{Type: "HTTP_PROXY", URI: "http:///{proxy}", ModeMapsRequest: true}, want: "not an http(s) URL"},
		{name: "HTTP API bad method", spec: Spec{Type: "HTTP_PROXY", URI: "http://h", Method: "GET /", ModeMapsRequest: true}, want: "integrationMethod"},
		{name: "bad response selection", spec: Spec{Type: "MOCK",
			Responses: []ResponseSpec{{Key: "$default", TemplateSelectionExpression: "${request.body"}}}, want: "unterminated"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			inv, err := New(tc.spec, tc.env)
			if err == nil {
				t.Fatalf("New succeeded (%T), want an error containing %q", inv, tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

// TestConcurrentInvoke shares each kind of Invoker between goroutines; -race
// checks the concurrency contract.
func TestConcurrentInvoke(t *testing.T) {
	t.Parallel()
	_, lambdaClient := newFakeLambda(t, reply(`{"statusCode":200,"body":"ok"}`))
	lambdaURL := newServer(t, reply(`{"statusCode":200,"body":"ok"}`)).URL
	b := newBackend(t, answer(200, nil, "ok"))
	specs := map[string]Spec{
		"lambda":     {Type: "AWS_PROXY", URI: testFunctionARN},
		"lambda URL": {Type: "AWS_PROXY", URI: lambdaURL},
		"HTTP_PROXY": {Type: "HTTP_PROXY", URI: b.url + "/{id}", RequestParameters: map[string]string{
			"integration.request.path.id": "context.connectionId", "integration.request.header.X": "'1'"}},
		"HTTP": {Type: "HTTP", URI: b.url, RequestTemplates: map[string]string{"$default": "t"},
			Responses: []ResponseSpec{{Key: "$default", Templates: map[string]string{"$default": "ok"}}}},
		"MOCK": {Type: "MOCK", Responses: []ResponseSpec{{Key: "$default", Templates: map[string]string{"$default": "ok"}}}},
	}
	for name, spec := range specs {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			inv := mustNew(t, spec, Env{Lambda: lambdaClient})
			var wg sync.WaitGroup
			errs := make(chan error, 32)
			for i := range 32 {
				wg.Go(func() {
					resp, err := inv.Invoke(context.Background(), &Request{
						Event: []byte(`{}`), Body: []byte(`{}`),
						Params: paramMap{"context.connectionId": fmt.Sprint(i)},
					})
					if err == nil && string(resp.Body) != "ok" {
						err = fmt.Errorf("body %q", resp.Body)
					}
					if err != nil {
						errs <- err
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
		})
	}
}
