package integration

import (
	"strings"
	"testing"

	"github.com/portico-gw/portico/config"
)

func TestSpecFromConfig(t *testing.T) {
	t.Parallel()
	ws := &config.API{ProtocolType: "WEBSOCKET"}
	httpAPI := &config.API{ProtocolType: "HTTP"}
	tests := []struct {
		name    string
		api     *config.API
		in      config.Integration
		rules   ProxyResponseRules
		mapped  bool
		format  string
		wantErr string
	}{
		{name: "WebSocket Lambda is strict", api: ws, in: config.Integration{IntegrationType: "AWS_PROXY", IntegrationURI: "http://h"}, format: "1.0"},
		{name: "HTTP API Lambda defaults to 2.0", api: httpAPI, in: config.Integration{IntegrationType: "AWS_PROXY"}, rules: ProxyResponseHTTPV2, format: "2.0"},
		{name: "HTTP API Lambda 1.0", api: httpAPI, in: config.Integration{IntegrationType: "AWS_PROXY", PayloadFormatVersion: "1.0"}, rules: ProxyResponseHTTPV1, format: "1.0"},
		{name: "HTTP API proxy is mapped by the mode", api: httpAPI, in: config.Integration{IntegrationType: "HTTP_PROXY", PayloadFormatVersion: "1.0"}, mapped: true, format: "1.0"},
		{name: "WebSocket proxy", api: ws, in: config.Integration{IntegrationType: "HTTP_PROXY"}, format: "1.0"},
		{name: "unknown payload format", api: httpAPI, in: config.Integration{IntegrationType: "AWS_PROXY", PayloadFormatVersion: "3.0"}, wantErr: "payloadFormatVersion"},
		{name: "payload format 2", api: httpAPI, in: config.Integration{IntegrationType: "AWS_PROXY", PayloadFormatVersion: "2"}, wantErr: "payloadFormatVersion"},
		{name: "2.0 on HTTP_PROXY", api: httpAPI, in: config.Integration{IntegrationType: "HTTP_PROXY", PayloadFormatVersion: "2.0"}, wantErr: "HTTP_PROXY takes 1.0"},
		{name: "2.0 on MOCK", api: ws, in: config.Integration{IntegrationType: "MOCK", PayloadFormatVersion: "2.0"}, wantErr: "MOCK takes 1.0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec, err := SpecFromConfig(tc.api, &tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if spec.ProxyResponse != tc.rules || spec.ModeMapsRequest != tc.mapped {
				t.Errorf("rules %d, mapped %v; want %d, %v", spec.ProxyResponse, spec.ModeMapsRequest, tc.rules, tc.mapped)
			}
			if got := PayloadFormat(tc.api, &tc.in); got != tc.format {
				t.Errorf("PayloadFormat = %q, want %q", got, tc.format)
			}
		})
	}
}

func TestSpecFromConfigCarriesEveryField(t *testing.T) {
	t.Parallel()
	in := config.Integration{
		IntegrationType: "HTTP", IntegrationURI: "http://h/x", IntegrationMethod: "PUT", TimeoutInMillis: 1500,
		RequestParameters:           map[string]string{"integration.request.header.a": "'b'"},
		RequestTemplates:            map[string]string{"$default": "t"},
		TemplateSelectionExpression: "$request.body.kind",
		PassthroughBehavior:         "NEVER",
		IntegrationResponses: []config.IntegrationResponse{{IntegrationResponseKey: "/2\\d\\d/",
			TemplateSelectionExpression: "$default", ResponseTemplates: map[string]string{"$default": "r"}}},
	}
	spec, err := SpecFromConfig(&config.API{ProtocolType: "WEBSOCKET"}, &in)
	if err != nil {
		t.Fatal(err)
	}
	if spec.Type != "HTTP" || spec.URI != "http://h/x" || spec.Method != "PUT" || spec.Timeout.Milliseconds() != 1500 ||
		spec.RequestParameters["integration.request.header.a"] != "'b'" || spec.RequestTemplates["$default"] != "t" ||
		spec.TemplateSelectionExpression != "$request.body.kind" || spec.PassthroughBehavior != "NEVER" ||
		len(spec.Responses) != 1 || spec.Responses[0].Key != "/2\\d\\d/" || spec.Responses[0].Templates["$default"] != "r" {
		t.Errorf("spec = %+v", spec)
	}
}
