package config

import "testing"

func TestOperationsValidation(t *testing.T) {
	accessLog := func(lines string) string { return minimal + "        accessLogSettings:\n" + lines }
	for _, tc := range []struct {
		name string
		doc  string
		want []string
	}{
		{"adminPprof without admin", "adminPprof: true\n" + minimal,
			[]string{`f.yaml:1:13: adminPprof: requires admin (the listener that serves /debug/pprof/), e.g. admin: 127.0.0.1:9090`}},
		{"adminPprof wrong type", "admin: 127.0.0.1:9090\nadminPprof: yes please\n" + minimal,
			[]string{`f.yaml:2:13: adminPprof: want true or false, got the string "yes please"`}},
		{"unknown variable", accessLog(`          format: '{"sub":"$context.authorizer.claims.sub"}'` + "\n"),
			[]string{`f.yaml:15:19: apis[0].stages[0].accessLogSettings.format: $context.authorizer.claims.sub (at byte 8): unknown variable; known: apiId, connectedAt, connectionId, disconnectReason, disconnectStatusCode, domainName, error.message, error.messageString, eventType, extendedRequestId, httpMethod, identity.sourceIp, identity.userAgent, integration.latency, integration.status, integrationErrorMessage, integrationLatency, integrationRequestLatency, integrationStatus, path, protocol, requestId, requestTime, requestTimeEpoch, responseLatency, responseLength, routeKey, stage, status`}},
		{"unknown key", accessLog("          formatt: x\n"),
			[]string{`f.yaml:15:11: apis[0].stages[0].accessLogSettings.formatt: unknown key; did you mean format?`}},
		{"destination spaces", accessLog("          destination: ' /tmp/x.log'\n"),
			[]string{`f.yaml:15:24: apis[0].stages[0].accessLogSettings.destination: " /tmp/x.log": want stdout, stderr or a file path without surrounding spaces`}},
	} {
		t.Run(tc.name, func(t *testing.T) { wantErrors(t, tc.doc, nil, tc.want...) })
	}
}

func TestOperationsValid(t *testing.T) {
	doc := "admin: 127.0.0.1:9090\nadminPprof: true\n" + minimal + `        accessLogSettings:
          format: '$context.identity.sourceIp [$context.requestTime] "$context.routeKey" $context.status $context.requestId'
          destination: /var/log/portico/access.log
          destinationArn: arn:aws:logs:us-east-1:000000000000:log-group:portico
`
	f := mustParse(t, doc, nil)
	if !f.AdminPprof || f.Admin != "127.0.0.1:9090" {
		t.Errorf("admin settings: %+v", f)
	}
	s := f.APIs[0].Stages[0].AccessLogSettings
	if s == nil || s.Destination != "/var/log/portico/access.log" || s.Format == "" {
		t.Fatalf("accessLogSettings: %+v", s)
	}
}
