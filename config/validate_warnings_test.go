package config

import "testing"

func TestValidationWarnings(t *testing.T) {
	const lambdaMsg = "a Lambda ARN, and the file sets neither lambda.endpoint nor lambda.accessKeyId: every call will need AWS credentials from the environment (AWS_ACCESS_KEY_ID, AWS_PROFILE) or the instance metadata service (IMDS), which validate cannot check"
	const arn = "arn:aws:lambda:us-east-1:123456789012:function:chat"
	lambda := with(minimal, "integrationUri: http://127.0.0.1:9000/events", "integrationUri: "+arn)
	withRoute := func(doc, key string) string {
		return with(doc, "    stages:\n", "      - routeKey: "+key+"\n        target: integrations/backend\n    stages:\n")
	}
	for _, tc := range []struct {
		name string
		doc  string
		want []string
	}{
		{"selection without $", withRoute(with(minimal, "$request.body.action", "request.body.action"), "sendmessage"), []string{
			`f.yaml:4:31: apis[0].routeSelectionExpression: "request.body.action" reads nothing from the message (did you mean $request.body.action?): every message selects the route keyed "request.body.action", or $default`,
			`f.yaml:12:19: apis[0].routes[1].routeKey: "sendmessage" is never selected: the routeSelectionExpression is the constant "request.body.action"`,
		}},
		{"constant selecting one route", withRoute(with(minimal, "$request.body.action", "echo"), "echo"), []string{
			`f.yaml:4:31: apis[0].routeSelectionExpression: "echo" reads nothing from the message: every message selects the route keyed "echo", or $default`,
		}},
		{"a template reads the message", withRoute(with(minimal, "$request.body.action", `"${request.body.service}/${request.body.action}"`), "chat/send"), nil},
		{"HTTP APIs have no selection expression", httpAPI, []string{"f.yaml:4:5: apis[0].description: accepted but not acted on by Portico"}},
		{"Lambda ARN without a way to reach Lambda", lambda, []string{"f.yaml:8:25: apis[0].integrations[0].integrationUri: " + lambdaMsg}},
		{"API Gateway's Lambda ARN form", with(minimal, "integrationUri: http://127.0.0.1:9000/events", "integrationUri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"+arn+"/invocations"),
			[]string{"f.yaml:8:25: apis[0].integrations[0].integrationUri: " + lambdaMsg}},
		{"Lambda authorizer", minimal + "    authorizers:\n      - {authorizerId: a, authorizerType: REQUEST, authorizerUri: " + arn + "}\n",
			[]string{"f.yaml:15:67: apis[0].authorizers[0].authorizerUri: " + lambdaMsg}},
		{"with lambda.endpoint", "lambda: {endpoint: http://127.0.0.1:3001}\n" + lambda, nil},
		{"with lambda.accessKeyId", "lambda: {accessKeyId: AK, secretAccessKey: SK}\n" + lambda, nil},
	} {
		t.Run(tc.name, func(t *testing.T) { wantWarnings(t, tc.doc, tc.want...) })
	}
}
