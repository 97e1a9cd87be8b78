package config

import (
	"strings"
	"testing"
)

// twoAPIs is minimal with a second, identical API on lines 14-26.
var twoAPIs = minimal + strings.TrimPrefix(minimal, "apis:\n")

// httpAPI is an HTTP API on the same lines as minimal.
var httpAPI = with(minimal,
	"protocolType: WEBSOCKET", "protocolType: HTTP",
	"    routeSelectionExpression: $request.body.action\n", "    description: items\n",
	"integrationType: AWS_PROXY", "integrationType: HTTP_PROXY")

func TestValidationErrors(t *testing.T) {
	integration := func(line string) string {
		return with(minimal, "        integrationUri: http://127.0.0.1:9000/events\n", "        integrationUri: http://127.0.0.1:9000/events\n"+line+"\n")
	}
	route := func(line string) string {
		return with(minimal, "        target: integrations/backend\n", "        target: integrations/backend\n"+line+"\n")
	}
	limits := func(lines string) string { return minimal + "    limits:\n" + lines }
	for _, tc := range []struct {
		name string
		doc  string
		want []string
	}{
		// The file.
		{"no apis key", "listen: 127.0.0.1:8080\n", []string{"f.yaml:1:1: apis: at least one API is required (or an admin listener, whose control plane creates them)"}},
		{"controlPlane without admin", "controlPlane: {allowUnsigned: true}\n" + minimal, []string{"f.yaml:1:31: controlPlane.allowUnsigned: requires admin (the listener that serves the control plane), e.g. admin: 127.0.0.1:9090"}},
		{"empty apis", "apis: []\n", []string{"f.yaml:1:7: apis: at least one API is required (or an admin listener, whose control plane creates them)"}},
		{"listen", "listen: 8080\n" + minimal, []string{`f.yaml:1:9: listen: "8080": want host:port, e.g. 127.0.0.1:8080`}},
		{"admin", "admin: localhost\n" + minimal, []string{`f.yaml:1:8: admin: "localhost": want host:port, e.g. 127.0.0.1:8080`}},
		{"publicUrl query", "publicUrl: https://ws.example.com/?x=1\n" + minimal,
			[]string{`f.yaml:1:12: publicUrl: "https://ws.example.com/?x=1": want an absolute http(s) or ws(s) URL without a query, e.g. https://ws.example.com`}},
		{"publicUrl relative", "publicUrl: ws.example.com\n" + minimal,
			[]string{`f.yaml:1:12: publicUrl: "ws.example.com": want an absolute http(s) or ws(s) URL without a query, e.g. https://ws.example.com`}},
		{"accountId", "accountId: 1234\n" + minimal, []string{`f.yaml:1:12: accountId: "1234": want 12 digits (quote it in YAML: "000000000000")`}},
		{"region", "region: US East\n" + minimal, []string{`f.yaml:1:9: region: "US East" is not a region name such as us-east-1`}},
		{"credentials", "credentials:\n  - accessKeyId: AK\n  - secretAccessKey: \"\"\n" + minimal, []string{
			"f.yaml:2:5: credentials[0].secretAccessKey: required",
			"f.yaml:3:5: credentials[1].accessKeyId: required",
			"f.yaml:3:22: credentials[1].secretAccessKey: required",
		}},
		{"lambda endpoint", "lambda: {endpoint: localhost:4566}\n" + minimal, []string{`f.yaml:1:20: lambda.endpoint: "localhost:4566": want an absolute http(s):// URL`}},
		{"nats url", "nats: {url: \"nats://a:4222, http://b:4222\"}\n" + minimal, []string{`f.yaml:1:13: nats.url: "http://b:4222" is not a nats://, tls:// or ws(s):// URL`}},
		{"nats listen", "nats: {listen: \":x:\"}\n" + minimal, []string{`f.yaml:1:16: nats.listen: ":x:": want host:port, e.g. 127.0.0.1:8080`}},
		{"subject prefix", "nats: {subjectPrefix: \"portico.>\"}\n" + minimal, []string{`f.yaml:1:23: nats.subjectPrefix: "portico.>" is not a NATS subject prefix (dot-separated tokens without spaces, * or >)`}},
		{"subject prefix empty token", "nats: {subjectPrefix: a..b}\n" + minimal, []string{`f.yaml:1:23: nats.subjectPrefix: "a..b" is not a NATS subject prefix (dot-separated tokens without spaces, * or >)`}},
		{"cluster", "nats:\n  url: nats://x:4222\n  cluster:\n    routes: [http://x]\n" + minimal, []string{
			"f.yaml:4:5: nats.cluster: clusters embedded servers; it cannot be used with nats.url",
			"f.yaml:4:5: nats.cluster.listen: required with routes: this node's route address, e.g. 127.0.0.1:6222",
			`f.yaml:4:14: nats.cluster.routes[0]: "http://x": want nats-route://host:port`,
		}},

		// APIs.
		{"protocolType missing", with(minimal, "    protocolType: WEBSOCKET\n", ""), []string{
			"f.yaml:2:5: apis[0].protocolType: required: WEBSOCKET or HTTP",
		}},
		{"protocolType unknown", with(minimal, "protocolType: WEBSOCKET", "protocolType: REST"), []string{
			`f.yaml:3:19: apis[0].protocolType: "REST": want WEBSOCKET or HTTP`,
		}},
		{"apiId", with(minimal, "apiId: chat", "apiId: chat room"), []string{`f.yaml:2:12: apis[0].apiId: "chat room": use 1-64 letters, digits, _ or -`}},
		{"apiId too long", with(minimal, "apiId: chat", "apiId: "+strings.Repeat("a", 65)), []string{`f.yaml:2:12: apis[0].apiId: "` + strings.Repeat("a", 65) + `": use 1-64 letters, digits, _ or -`}},
		{"duplicate apiId", twoAPIs, []string{`f.yaml:14:12: apis[1].apiId: duplicate apiId "chat" (also apis[0], line 2)`}},

		// Route selection.
		{"selection missing", with(minimal, "    routeSelectionExpression: $request.body.action\n", ""), []string{
			"f.yaml:2:5: apis[0].routeSelectionExpression: required for WEBSOCKET APIs, e.g. $request.body.action",
		}},
		{"selection header", with(minimal, "$request.body.action", "$request.header.x"), []string{
			`f.yaml:4:31: apis[0].routeSelectionExpression: "$request.header.x": only $request.body is supported in WebSocket route selection`,
		}},
		{"selection context var", with(minimal, "$request.body.action", "${context.routeKey}"), []string{
			`f.yaml:4:31: apis[0].routeSelectionExpression: "${context.routeKey}": ${context.routeKey}: only $request.body is supported in WebSocket route selection`,
		}},
		{"selection unterminated", with(minimal, "$request.body.action", "${request.body.action"), []string{
			`f.yaml:4:31: apis[0].routeSelectionExpression: "${request.body.action": unterminated ${`,
		}},
		{"selection empty path", with(minimal, "$request.body.action", "$request.body."), []string{
			`f.yaml:4:31: apis[0].routeSelectionExpression: "$request.body.": empty path after $request.body`,
		}},
		{"selection bad path", with(minimal, "$request.body.action", "$request.body.a..b"), []string{
			`f.yaml:4:31: apis[0].routeSelectionExpression: "$request.body.a..b": empty path segment (recursive descent, ..name, is not supported)`,
		}},
		{"selection unescaped $", with(minimal, "$request.body.action", "'cost$'"), []string{
			`f.yaml:4:31: apis[0].routeSelectionExpression: "cost$": unescaped "$" (write \$ for a literal)`,
		}},
		{"HTTP selection", with(httpAPI, "    description: items\n", "    routeSelectionExpression: $request.body.action\n"), []string{
			`f.yaml:4:31: apis[0].routeSelectionExpression: "$request.body.action": HTTP APIs always use ${request.method} ${request.path}; leave it out`,
		}},

		// Integrations.
		{"integrationId missing", with(minimal, "      - integrationId: backend\n        integrationType", "      - integrationType"), []string{
			"f.yaml:6:9: apis[0].integrations[0].integrationId: required",
			`f.yaml:10:17: apis[0].routes[0].target: integration "backend" not found (the API has no integrations)`,
		}},
		{"integrationId duplicate", with(minimal, "    routes:", "      - integrationId: backend\n        integrationType: MOCK\n    routes:"), []string{
			`f.yaml:9:24: apis[0].integrations[1].integrationId: duplicate integrationId "backend"`,
		}},
		{"integrationType missing", with(minimal, "        integrationType: AWS_PROXY\n", ""), []string{
			"f.yaml:6:9: apis[0].integrations[0].integrationType: required: AWS, AWS_PROXY, HTTP_PROXY, HTTP, MOCK or NATS",
		}},
		{"integrationType unknown", with(minimal, "integrationType: AWS_PROXY", "integrationType: LAMBDA"), []string{
			`f.yaml:7:26: apis[0].integrations[0].integrationType: "LAMBDA": want AWS, AWS_PROXY, HTTP_PROXY, HTTP, MOCK or NATS`,
		}},
		{"integrationType AWS, a service", with(with(minimal, "integrationType: AWS_PROXY", "integrationType: AWS"), "http://127.0.0.1:9000/events", "arn:aws:apigateway:us-east-1:sqs:path/123/q"), []string{
			`f.yaml:8:25: apis[0].integrations[0].integrationUri: "arn:aws:apigateway:us-east-1:sqs:path/123/q": AWS service integrations other than Lambda are not served: there is no AWS service here to call (use a Lambda function, HTTP or MOCK)`,
		}},
		{"integrationUri missing", with(minimal, "        integrationUri: http://127.0.0.1:9000/events\n", ""), []string{
			"f.yaml:6:9: apis[0].integrations[0].integrationUri: required for AWS_PROXY: a Lambda function ARN or an http(s):// URL",
		}},
		{"integrationUri not an ARN", with(minimal, "http://127.0.0.1:9000/events", "arn:aws:lambda:us-east-1:123:function:f"), []string{
			`f.yaml:8:25: apis[0].integrations[0].integrationUri: "arn:aws:lambda:us-east-1:123:function:f": want a Lambda function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]), arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/ARN/invocations, or an http(s):// URL`,
		}},
		{"integrationUri apigateway form", with(minimal, "http://127.0.0.1:9000/events", "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/f/invocations"), []string{
			`f.yaml:8:25: apis[0].integrations[0].integrationUri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/f/invocations": "f" is not a Lambda function ARN`,
		}},
		{"HTTP integrationUri", with(minimal, "integrationType: AWS_PROXY", "integrationType: HTTP", "http://127.0.0.1:9000/events", "/events"), []string{
			`f.yaml:8:25: apis[0].integrations[0].integrationUri: "/events": want an absolute http(s):// URL`,
		}},
		{"HTTP_PROXY integrationUri missing", with(minimal, "integrationType: AWS_PROXY", "integrationType: HTTP_PROXY", "        integrationUri: http://127.0.0.1:9000/events\n", ""), []string{
			"f.yaml:6:9: apis[0].integrations[0].integrationUri: required for HTTP_PROXY: an absolute http(s):// URL",
		}},
		{"NATS integrationUri", with(minimal, "integrationType: AWS_PROXY", "integrationType: NATS", "http://127.0.0.1:9000/events", "nats:chat.*"), []string{
			`f.yaml:8:25: apis[0].integrations[0].integrationUri: "nats:chat.*": want nats:SUBJECT or nats:SUBJECT?mode=publish (a subject without spaces, wildcards or empty tokens)`,
		}},
		{"timeout high", integration("        timeoutInMillis: 30000"), []string{
			"f.yaml:9:26: apis[0].integrations[0].timeoutInMillis: 30000: must be between 50 and 29000 (0 means the default, 29000)",
		}},
		{"timeout low", integration("        timeoutInMillis: 49"), []string{
			"f.yaml:9:26: apis[0].integrations[0].timeoutInMillis: 49: must be between 50 and 29000 (0 means the default, 29000)",
		}},
		{"integrationMethod", integration("        integrationMethod: FETCH"), []string{
			`f.yaml:9:28: apis[0].integrations[0].integrationMethod: "FETCH": want one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, ANY`,
		}},
		{"payloadFormatVersion", integration("        payloadFormatVersion: \"2.0\""), []string{
			`f.yaml:9:31: apis[0].integrations[0].payloadFormatVersion: "2.0": WEBSOCKET APIs use 1.0`,
		}},
		{"requestParameters", integration("        requestParameters:\n          integration.request.body.x: \"'1'\"\n          integration.request.header.x-id: route.request.cookie.id"), []string{
			`f.yaml:10:11: apis[0].integrations[0].requestParameters["integration.request.body.x"]: want integration.request.header.NAME, integration.request.querystring.NAME or integration.request.path.NAME`,
			`f.yaml:11:44: apis[0].integrations[0].requestParameters["integration.request.header.x-id"]: "route.request.cookie.id": want 'static', context.X, stageVariables.X, route.request.body.PATH or route.request.{header,querystring,multivalueheader,multivaluequerystring}.NAME`,
		}},
		{"integrationResponses", integration("        integrationResponses:\n          - integrationResponseKey: /5\\d\\d/\n          - integrationResponseKey: 404\n          - integrationResponseKey: /(/"), []string{
			`f.yaml:11:37: apis[0].integrations[0].integrationResponses[1].integrationResponseKey: "404": want $default or a /regex/ such as /4\d\d/`,
			"f.yaml:12:37: apis[0].integrations[0].integrationResponses[2].integrationResponseKey: \"/(/\": invalid regular expression: missing closing )",
		}},

		// Routes.
		{"routeKey missing", with(minimal, "      - routeKey: $default\n        target", "      - target"), []string{
			"f.yaml:10:9: apis[0].routes[0].routeKey: required",
		}},
		{"routeKey duplicate", route("      - routeKey: $default\n        target: integrations/backend"), []string{
			`f.yaml:12:19: apis[0].routes[1].routeKey: duplicate routeKey "$default" (also apis[0].routes[0], line 10)`,
		}},
		{"routeKey reserved", with(minimal, "routeKey: $default", "routeKey: $weird"), []string{
			`f.yaml:10:19: apis[0].routes[0].routeKey: "$weird": keys starting with $ are reserved; use $connect, $disconnect, $default or a key without $`,
		}},
		{"target missing", with(minimal, "        target: integrations/backend\n", ""), []string{
			"f.yaml:10:9: apis[0].routes[0].target: required: integrations/{integrationId}",
		}},
		{"target form", with(minimal, "target: integrations/backend", "target: backend"), []string{
			`f.yaml:11:17: apis[0].routes[0].target: "backend": want integrations/{integrationId}`,
		}},
		{"target dangling", with(minimal, "target: integrations/backend", "target: integrations/backnd"), []string{
			`f.yaml:11:17: apis[0].routes[0].target: integration "backnd" not found (known: backend)`,
		}},
		{"routeResponseSelectionExpression", route("        routeResponseSelectionExpression: $request.body.x"), []string{
			`f.yaml:12:43: apis[0].routes[0].routeResponseSelectionExpression: "$request.body.x": only $default is supported`,
		}},
		{"routeResponses", route("        routeResponses: [{routeResponseKey: ok}, {}]"), []string{
			`f.yaml:12:45: apis[0].routes[0].routeResponses[0].routeResponseKey: "ok": only $default is supported`,
			"f.yaml:12:50: apis[0].routes[0].routeResponses[1].routeResponseKey: required: $default",
		}},
		{"$disconnect answers", with(route("        routeResponseSelectionExpression: $default"), "routeKey: $default", "routeKey: $disconnect"), []string{
			"f.yaml:12:43: apis[0].routes[0].routeResponseSelectionExpression: $disconnect cannot answer: the client is gone",
		}},
		{"$disconnect route responses", with(route("        routeResponses: [{routeResponseKey: $default}]"), "routeKey: $default", "routeKey: $disconnect"), []string{
			"f.yaml:12:25: apis[0].routes[0].routeResponses: $disconnect cannot answer: the client is gone",
		}},
		{"authorizationType", route("        authorizationType: AWS_IAM"), []string{
			`f.yaml:12:28: apis[0].routes[0].authorizationType: WEBSOCKET APIs authorize only $connect`,
		}},
		{"HTTP route key", with(httpAPI, "routeKey: $default", "routeKey: /items"), []string{
			`f.yaml:10:19: apis[0].routes[0].routeKey: "/items": want "METHOD /path" (e.g. "GET /items/{id}", "ANY /{proxy+}") or $default`,
		}},
		{"HTTP route responses", with(httpAPI, "        target: integrations/backend\n", "        target: integrations/backend\n        routeResponseSelectionExpression: $default\n"), []string{
			"f.yaml:12:43: apis[0].routes[0].routeResponseSelectionExpression: only WEBSOCKET routes have route responses",
		}},

		{"HTTP parameter mapping", with(httpAPI, "        integrationType: HTTP_PROXY\n", `        integrationType: HTTP_PROXY
        requestParameters:
          append:header.x-a: $request.header.x
          overwrite:header.Authorization: x
          integration.request.header.x: context.y
        responseParameters:
          "200":
            overwrite:statuscode: "999"
            remove:header.x-amzn-trace: ""
          "2xx": {}
`), []string{
			`f.yaml:10:11: apis[0].integrations[0].requestParameters["overwrite:header.Authorization"]: header Authorization is reserved and cannot be mapped`,
			`f.yaml:11:11: apis[0].integrations[0].requestParameters["integration.request.header.x"]: want append|overwrite|remove:header.NAME, append|overwrite|remove:querystring.NAME or overwrite:path`,
			`f.yaml:14:35: apis[0].integrations[0].responseParameters["200"]["overwrite:statuscode"]: "999": want a status code from 100 to 599`,
			`f.yaml:15:13: apis[0].integrations[0].responseParameters["200"]["remove:header.x-amzn-trace"]: header x-amzn-trace is reserved and cannot be mapped`,
			`f.yaml:16:11: apis[0].integrations[0].responseParameters["2xx"]: want a status code from 100 to 599, e.g. "200"`,
		}},
		{"CORS", httpAPI + `    corsConfiguration:
      allowOrigins: ["*", "https://ok.example", "example.com", "https://x.example/"]
      allowMethods: [GET, FETCH]
      allowCredentials: true
      maxAge: 100000
`, []string{
			`f.yaml:15:49: apis[0].corsConfiguration.allowOrigins[2]: "example.com": want *, http://*, https://* or an origin such as https://example.com`,
			`f.yaml:15:64: apis[0].corsConfiguration.allowOrigins[3]: "https://x.example/": an origin has no path: remove the trailing /`,
			`f.yaml:16:27: apis[0].corsConfiguration.allowMethods[1]: "FETCH": want an HTTP method or *`,
			`f.yaml:17:25: apis[0].corsConfiguration.allowCredentials: cannot be true when allowOrigins holds *; list the origins`,
			`f.yaml:18:15: apis[0].corsConfiguration.maxAge: 100000: want seconds from 0 to 86400 (-1 disables caching)`,
		}},
		{"CORS on WebSocket", minimal + "    corsConfiguration: {allowOrigins: [\"*\"]}\n", []string{
			"f.yaml:14:24: apis[0].corsConfiguration: only HTTP APIs have a CORS configuration",
		}},
		{"route settings", with(httpAPI, "      - stageName: dev\n", `      - stageName: dev
        defaultRouteSettings: {throttlingBurstLimit: -1, throttlingRateLimit: fast}
        routeSettings:
          "GET /nope": {throttlingRateLimit: 0.5}
`), []string{
			// A setting that does not decode hides the others' checks.
			`f.yaml:14:79: apis[0].stages[0].defaultRouteSettings.throttlingRateLimit: want a number, got the string "fast"`,
			`f.yaml:16:11: apis[0].stages[0].routeSettings["GET /nope"]: no route has the key "GET /nope"`,
		}},
		{"burst limit", with(httpAPI, "      - stageName: dev\n", "      - stageName: dev\n        defaultRouteSettings: {throttlingBurstLimit: -1, throttlingRateLimit: 1e3}\n"), []string{
			"f.yaml:14:54: apis[0].stages[0].defaultRouteSettings.throttlingBurstLimit: -1: must not be negative",
		}},

		{"authorizers", httpAPI + `    authorizers:
      - {authorizerId: j, authorizerType: JWT, identitySource: [$request.header.Authorization, $request.querystring.t], jwtConfiguration: {issuer: "issuer.example"}}
      - {authorizerId: j, authorizerType: REQUEST, authorizerUri: "lambda:auth", authorizerPayloadFormatVersion: "3.0", enableSimpleResponses: true, identitySource: [$request.header.X, "route.request.header.Y"], authorizerResultTtlInSeconds: 7200}
      - {authorizerId: r, authorizerType: TOKEN}
      - {authorizerId: n, authorizerType: REQUEST, authorizerUri: "http://127.0.0.1:9/auth", authorizerPayloadFormatVersion: "2.0", authorizerResultTtlInSeconds: 60}
`, []string{
			`f.yaml:15:64: apis[0].authorizers[0].identitySource: a JWT authorizer has exactly one identity source, e.g. [$request.header.Authorization]`,
			`f.yaml:15:139: apis[0].authorizers[0].jwtConfiguration.audience: at least one audience is required`,
			`f.yaml:15:148: apis[0].authorizers[0].jwtConfiguration.issuer: "issuer.example": want an absolute http(s):// URL`,
			`f.yaml:16:24: apis[0].authorizers[1].authorizerId: duplicate authorizerId "j"`,
			`f.yaml:16:67: apis[0].authorizers[1].authorizerUri: "lambda:auth": want a Lambda function ARN, arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/ARN/invocations, or an http(s):// URL`,
			`f.yaml:16:114: apis[0].authorizers[1].authorizerPayloadFormatVersion: "3.0": want "1.0" or "2.0"`,
			`f.yaml:16:144: apis[0].authorizers[1].enableSimpleResponses: needs authorizerPayloadFormatVersion 2.0`,
			`f.yaml:16:186: apis[0].authorizers[1].identitySource[1]: "route.request.header.Y": want $request.header.NAME, $request.querystring.NAME, $context.NAME or $stageVariables.NAME`,
			`f.yaml:16:243: apis[0].authorizers[1].authorizerResultTtlInSeconds: 7200: want 0 to 3600`,
			`f.yaml:17:43: apis[0].authorizers[2].authorizerType: "TOKEN": want JWT or REQUEST`,
			`f.yaml:18:163: apis[0].authorizers[3].authorizerResultTtlInSeconds: caching needs at least one identity source (the cache key)`,
		}},
		{"route authorization", with(httpAPI, "        target: integrations/backend\n", `        target: integrations/backend
        authorizationType: JWT
        authorizerId: req
        authorizationScopes: ["a b"]
`) + `    authorizers:
      - {authorizerId: req, authorizerType: REQUEST, authorizerUri: "http://127.0.0.1:9/auth", authorizerPayloadFormatVersion: "2.0"}
`, []string{
			`f.yaml:13:23: apis[0].routes[0].authorizerId: authorizer "req" is REQUEST; authorizationType JWT needs a JWT authorizer`,
			`f.yaml:14:31: apis[0].routes[0].authorizationScopes[0]: "a b": a scope is one word`,
		}},
		{"WebSocket authorization", with(minimal, "        target: integrations/backend\n", `        target: integrations/backend
        authorizationType: CUSTOM
        authorizerId: missing
        apiKeyRequired: true
`) + `    apiKeySelectionExpression: $request.header.key
    authorizers:
      - {authorizerId: a, authorizerType: JWT}
`, []string{
			`f.yaml:12:28: apis[0].routes[0].authorizationType: WEBSOCKET APIs authorize only $connect`,
			`f.yaml:13:23: apis[0].routes[0].authorizerId: authorizer "missing" not found`,
			`f.yaml:14:25: apis[0].routes[0].apiKeyRequired: WEBSOCKET APIs check API keys on $connect`,
			`f.yaml:17:32: apis[0].apiKeySelectionExpression: "$request.header.key": want $request.header.x-api-key or $context.authorizer.usageIdentifierKey`,
			`f.yaml:19:43: apis[0].authorizers[0].authorizerType: JWT authorizers exist only for HTTP APIs; use REQUEST`,
		}},

		// Stages.
		{"no stages", with(minimal, "    stages:\n      - stageName: dev\n", ""), []string{
			"f.yaml:2:5: apis[0].stages: at least one stage is required, e.g. stages: [{stageName: dev}]",
		}},
		{"stageName missing", with(minimal, "stageName: dev", "description: x"), []string{
			"f.yaml:13:9: apis[0].stages[0].stageName: required",
		}},
		{"stageName invalid", with(minimal, "stageName: dev", "stageName: dev/1"), []string{
			`f.yaml:13:20: apis[0].stages[0].stageName: "dev/1": use letters, digits, _ or -`,
		}},
		{"stageName duplicate", minimal + "      - stageName: dev\n", []string{
			`f.yaml:14:20: apis[0].stages[1].stageName: duplicate stage "dev" (also apis[0].stages[0], line 13)`,
		}},
		{"$default stage on WebSocket", with(minimal, "stageName: dev", "stageName: $default"), []string{
			"f.yaml:13:20: apis[0].stages[0].stageName: $default stages exist only for HTTP APIs",
		}},
		{"stageVariables", minimal + "        stageVariables:\n          good_1: \"a-b.c:~/?#&=,\"\n          bad-name: x\n          ctl: \"a\\tb\"\n", []string{
			`f.yaml:16:11: apis[0].stages[0].stageVariables.bad-name: stage variable names use letters, digits and _`,
			`f.yaml:17:16: apis[0].stages[0].stageVariables.ctl: stage variable values cannot hold control characters`,
		}},

		// Limits.
		{"sizes positive", limits("      maxFrameBytes: 0\n      maxMessageBytes: -1\n"), []string{
			"f.yaml:15:22: apis[0].limits.maxFrameBytes: 0: must be positive",
			"f.yaml:16:24: apis[0].limits.maxMessageBytes: -1: must be positive",
		}},
		{"frame above message", limits("      maxFrameBytes: 200000\n"), []string{
			"f.yaml:15:22: apis[0].limits.maxFrameBytes: maxFrameBytes (200000) is larger than maxMessageBytes (131072)",
		}},
		{"message below default frame", limits("      maxMessageBytes: 1024\n"), []string{
			"f.yaml:15:24: apis[0].limits.maxMessageBytes: maxFrameBytes (32768) is larger than maxMessageBytes (1024)",
		}},
		{"negative durations", limits("      idleTimeout: -1s\n      maxConnectionDuration: -2h\n"), []string{
			"f.yaml:15:20: apis[0].limits.idleTimeout: -1s: must not be negative",
			"f.yaml:16:30: apis[0].limits.maxConnectionDuration: -2h0m0s: must not be negative",
		}},
		{"writeTimeout zero", limits("      writeTimeout: 0s\n"), []string{
			"f.yaml:15:21: apis[0].limits.writeTimeout: must be positive: 0 cannot disable it (leave it out for the 1s default)",
		}},
		{"origins", limits("      allowedOrigins: [example.com, \"https://a.*.example.com\", \"https://a.com/\", \"http://a:0\", \"https://*.\"]\n"), []string{
			`f.yaml:15:24: apis[0].limits.allowedOrigins[0]: "example.com": want scheme://host[:port], a wildcard such as https://*.example.com, or *`,
			`f.yaml:15:37: apis[0].limits.allowedOrigins[1]: "https://a.*.example.com": want scheme://host[:port], a wildcard such as https://*.example.com, or * (no path, query, user or other wildcard)`,
			`f.yaml:15:64: apis[0].limits.allowedOrigins[2]: "https://a.com/": want scheme://host[:port], a wildcard such as https://*.example.com, or * (no path, query, user or other wildcard)`,
			`f.yaml:15:82: apis[0].limits.allowedOrigins[3]: "http://a:0": bad port "0"`,
			`f.yaml:15:96: apis[0].limits.allowedOrigins[4]: "https://*.": want scheme://host[:port], a wildcard such as https://*.example.com, or *`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantErrors(t, tc.doc, nil, tc.want...)
		})
	}
}

func TestValidConfigs(t *testing.T) {
	uri := func(u string) string { return with(minimal, "http://127.0.0.1:9000/events", u) }
	for _, tc := range []struct{ name, doc string }{
		{"minimal", minimal},
		{"admin without apis (the control plane creates them)", "admin: 127.0.0.1:9090\ncredentials: [{accessKeyId: AK, secretAccessKey: S}]\n"},
		{"HTTP API", httpAPI},
		{"HTTP API with everything", with(httpAPI,
			"routeKey: $default", `routeKey: "ANY /{proxy+}"`,
			"stageName: dev", "stageName: $default\n        autoDeploy: true",
			"        integrationUri: http://127.0.0.1:9000/events\n", "        integrationUri: http://127.0.0.1:9000/events\n        payloadFormatVersion: \"2.0\"\n")},
		{"HTTP API mapping, CORS, throttling", with(httpAPI,
			"        integrationType: HTTP_PROXY\n", `        integrationType: HTTP_PROXY
        requestParameters:
          append:header.x-from: $context.requestId
          overwrite:querystring.page: "1"
          remove:header.x-secret: ""
          overwrite:path: /v2$request.path
        responseParameters:
          "500": {overwrite:statuscode: "503", append:header.x-note: failed}
`,
			"      - stageName: dev\n", `      - stageName: dev
        defaultRouteSettings: {throttlingBurstLimit: 10, throttlingRateLimit: 2.5}
        routeSettings:
          $default: {throttlingBurstLimit: 0, throttlingRateLimit: 0}
`) + `    corsConfiguration:
      allowOrigins: ["https://app.example", "http://*"]
      allowMethods: [GET, "*"]
      allowHeaders: [content-type]
      exposeHeaders: [x-total]
      allowCredentials: true
      maxAge: 600
`},
		{"lambda ARN", uri("arn:aws:lambda:us-east-1:123456789012:function:chat")},
		{"lambda ARN with alias", uri("arn:aws:lambda:eu-west-3:123456789012:function:chat:live")},
		{"lambda ARN $LATEST", uri("arn:aws:lambda:us-east-1:123456789012:function:chat:$LATEST")},
		{"apigateway ARN", uri("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:chat/invocations")},
		{"https URL", uri("https://backend.internal/events")},
		{"MOCK", with(minimal, "        integrationType: AWS_PROXY\n        integrationUri: http://127.0.0.1:9000/events\n", "        integrationType: MOCK\n")},
		{"NATS", with(minimal, "integrationType: AWS_PROXY", "integrationType: NATS", "http://127.0.0.1:9000/events", "nats:chat.events?mode=publish")},
		{"integration options", with(minimal, "        integrationUri: http://127.0.0.1:9000/events\n", `        integrationUri: http://127.0.0.1:9000/events
        integrationMethod: POST
        timeoutInMillis: 0
        requestParameters:
          integration.request.header.x-connection: context.connectionId
          integration.request.querystring.stage: stageVariables.version
          integration.request.path.id: route.request.body.item.id
          integration.request.header.x-static: "'v1'"
          integration.request.header.x-auth: route.request.header.Authorization
          integration.request.querystring.tags: route.request.multivaluequerystring.tag
        integrationResponses:
          - integrationResponseKey: $default
          - integrationResponseKey: /4\d\d/
`)},
		{"timeout bounds", with(minimal, "        integrationUri: http://127.0.0.1:9000/events\n", "        integrationUri: http://127.0.0.1:9000/events\n        timeoutInMillis: 50\n")},
		{"route options", with(minimal, "        target: integrations/backend\n", `        target: integrations/backend
        authorizationType: NONE
        routeResponseSelectionExpression: $default
        routeResponses: [{routeResponseKey: $default}]
      - routeKey: $connect
        target: integrations/backend
      - routeKey: $disconnect
        target: integrations/backend
      - routeKey: sendmessage
        target: integrations/backend
`)},
		{"selection template", with(minimal, "$request.body.action", `"${request.body.service}:${request.body.items[0].action}"`)},
		{"selection static", with(minimal, "$request.body.action", `'\$default'`)},
		{"limits", minimal + `    limits:
      maxFrameBytes: 131072
      maxMessageBytes: 131072
      sendQueueBytes: 1
      idleTimeout: 0
      maxConnectionDuration: "0"
      writeTimeout: 250ms
      allowedOrigins: ["*", "https://app.example.com", "https://*.example.org", "http://localhost:3000", "chrome-extension://abcdef"]
`},
		{"top level", `listen: "[::1]:8080"
admin: :9090
region: eu-central-1
accountId: "123456789012"
publicUrl: wss://ws.example.com
credentials: [{accessKeyId: AK, secretAccessKey: SK}]
managementApi: {allowUnsigned: true}
lambda: {endpoint: "http://localhost:4566", region: us-west-2}
nats:
  url: nats://a:4222, tls://b:4222
  listen: 127.0.0.1:4222
  subjectPrefix: acme.portico
` + minimal},
		{"cluster", "nats:\n  cluster:\n    name: c\n    listen: 127.0.0.1:6222\n    routes: [nats-route://127.0.0.1:6223]\n" + minimal},
		{"two APIs", minimal + with(strings.TrimPrefix(minimal, "apis:\n"), "apiId: chat", "apiId: chat2")},
		{"generated apiIds", with(twoAPIs, "  - apiId: chat\n", "  - name: a\n", "  - apiId: chat\n", "  - name: b\n")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mustParse(t, tc.doc, nil)
		})
	}
}

func TestAllErrorsReported(t *testing.T) {
	doc := "listn: x\n" + with(minimal,
		"integrationType: AWS_PROXY", "integrationType: LAMBDA",
		"target: integrations/backend", "target: integrations/nope",
		"stageName: dev", "stageName: dev\n        autoDeploy: \"yes\"") +
		"    limits:\n      idleTimeout: 10\n"
	wantErrors(t, doc, nil,
		"f.yaml:1:1: listn: unknown key; did you mean listen?",
		`f.yaml:8:26: apis[0].integrations[0].integrationType: "LAMBDA": want AWS, AWS_PROXY, HTTP_PROXY, HTTP, MOCK or NATS`,
		`f.yaml:12:17: apis[0].routes[0].target: integration "nope" not found (known: backend)`,
		`f.yaml:15:21: apis[0].stages[0].autoDeploy: want true or false, got the string "yes"`,
		"f.yaml:17:20: apis[0].limits.idleTimeout: 10 has no unit: write a unit, e.g. 30s or 10m",
	)
}

func TestCheckOrigin(t *testing.T) {
	for _, tc := range []struct {
		origin string
		ok     bool
	}{
		{"*", true},
		{"https://app.example.com", true},
		{"http://localhost:3000", true},
		{"https://*.example.com", true},
		{"https://*.example.com:8443", true},
		{"http://[::1]:8080", true},
		{"app://local", true},
		{"example.com", false},
		{"https://", false},
		{"https://*.", false},
		{"https://*", false},
		{"https://a.*.com", false},
		{"*.example.com", false},
		{"https://app.example.com/", false},
		{"https://app.example.com?x", false},
		{"https://user@app.example.com", false},
		{"https://a:99999", false},
		{"https://a:x", false},
		{"HTTPS://a", false},
	} {
		t.Run(tc.origin, func(t *testing.T) {
			if msg := checkOrigin(tc.origin); (msg == "") != tc.ok {
				t.Errorf("checkOrigin(%q) = %q, want ok=%v", tc.origin, msg, tc.ok)
			}
		})
	}
}
