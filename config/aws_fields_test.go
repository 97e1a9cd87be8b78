package config

import (
	"reflect"
	"strings"
	"testing"
)

// modelFields are the wire names of the apigatewayv2 models' fields, as
// the aws-sdk-go-v2 apigatewayv2 deserializers (v1.33.6) read them. Every
// one must be accepted where its model is written.
var modelFields = []struct {
	model  string
	schema reflect.Type
	keys   string
}{
	{"Api", reflect.TypeFor[API](), "apiEndpoint apiGatewayManaged apiId apiKeySelectionExpression corsConfiguration createdDate description disableExecuteApiEndpoint disableSchemaValidation importInfo ipAddressType name protocolType routeSelectionExpression tags version warnings"},
	{"ApiMapping", reflect.TypeFor[awsAPIMapping](), "apiId apiMappingId apiMappingKey stage"},
	{"Authorizer", reflect.TypeFor[Authorizer](), "authorizerCredentialsArn authorizerId authorizerPayloadFormatVersion authorizerResultTtlInSeconds authorizerType authorizerUri enableSimpleResponses identitySource identityValidationExpression jwtConfiguration name"},
	{"Cors", reflect.TypeFor[Cors](), "allowCredentials allowHeaders allowMethods allowOrigins exposeHeaders maxAge"},
	{"Deployment", reflect.TypeFor[awsDeployment](), "autoDeployed createdDate deploymentId deploymentStatus deploymentStatusMessage description"},
	{"DomainName", reflect.TypeFor[awsDomainName](), "apiMappingSelectionExpression domainName domainNameArn domainNameConfigurations mutualTlsAuthentication routingMode tags"},
	{"DomainNameConfiguration", reflect.TypeFor[awsDomainNameConfig](), "apiGatewayDomainName certificateArn certificateName certificateUploadDate domainNameStatus domainNameStatusMessage endpointType hostedZoneId ipAddressType ownershipVerificationCertificateArn securityPolicy"},
	{"Integration", reflect.TypeFor[Integration](), "apiGatewayManaged connectionId connectionType contentHandlingStrategy credentialsArn description integrationId integrationMethod integrationResponseSelectionExpression integrationSubtype integrationType integrationUri passthroughBehavior payloadFormatVersion requestParameters requestTemplates responseParameters templateSelectionExpression timeoutInMillis tlsConfig"},
	{"IntegrationResponse", reflect.TypeFor[IntegrationResponse](), "contentHandlingStrategy integrationResponseId integrationResponseKey responseParameters responseTemplates templateSelectionExpression"},
	{"JWTConfiguration", reflect.TypeFor[JWTConfiguration](), "audience issuer"},
	{"Model", reflect.TypeFor[awsModel](), "contentType description modelId name schema"},
	{"MutualTlsAuthentication", reflect.TypeFor[awsMutualTLSAuthentication](), "truststoreUri truststoreVersion truststoreWarnings"},
	{"Route", reflect.TypeFor[Route](), "apiGatewayManaged apiKeyRequired authorizationScopes authorizationType authorizerId modelSelectionExpression operationName requestModels requestParameters routeId routeKey routeResponseSelectionExpression target"},
	{"RouteResponse", reflect.TypeFor[RouteResponse](), "modelSelectionExpression responseModels responseParameters routeResponseId routeResponseKey"},
	{"RouteSettings", reflect.TypeFor[RouteSettings](), "dataTraceEnabled detailedMetricsEnabled loggingLevel throttlingBurstLimit throttlingRateLimit"},
	{"AccessLogSettings", reflect.TypeFor[AccessLogSettings](), "destinationArn format"},
	{"Stage", reflect.TypeFor[Stage](), "accessLogSettings apiGatewayManaged autoDeploy clientCertificateId createdDate defaultRouteSettings deploymentId description lastDeploymentStatusMessage lastUpdatedDate routeSettings stageName stageVariables tags"},
	{"TlsConfig", reflect.TypeFor[awsTLSConfig](), "serverNameToVerify"},
}

func TestEveryModelFieldIsAccepted(t *testing.T) {
	for _, m := range modelFields {
		t.Run(m.model, func(t *testing.T) {
			sf := fieldsOf(m.schema)
			for _, k := range strings.Fields(m.keys) {
				if !sf.has(k) {
					t.Errorf("%s: %s is not accepted", m.schema, k)
				}
				pascal := strings.ToUpper(k[:1]) + k[1:]
				if c, ok := sf.canonicalName(pascal); !ok || c != k {
					t.Errorf("%s: %s is not accepted as %s", m.schema, pascal, k)
				}
			}
		})
	}
	for _, name := range []string{"apis", "integrations", "routes", "stages", "authorizers", "models", "deployments", "domainNames", "apiMappings"} {
		found := false
		for t := range awsOnlyFields {
			if fieldsOf(t).has(name) {
				found = true
			}
		}
		if !found {
			t.Errorf("no type accepts the collection %s", name)
		}
	}
}

// wantWarnings parses doc, which must load, and checks its warnings.
func wantWarnings(t testing.TB, doc string, want ...string) {
	t.Helper()
	f := mustParse(t, doc, nil)
	var got []string
	for _, w := range f.Warnings {
		got = append(got, w.Error())
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestAWSOnlyFieldsWarn(t *testing.T) {
	const ignored = "accepted but not acted on by Portico"
	api := func(lines string) string {
		return with(minimal, "    protocolType: WEBSOCKET\n", "    protocolType: WEBSOCKET\n"+lines)
	}
	integration := func(lines string) string {
		return with(minimal, "        integrationUri: http://127.0.0.1:9000/events\n", "        integrationUri: http://127.0.0.1:9000/events\n"+lines)
	}
	route := func(lines string) string {
		return with(minimal, "        target: integrations/backend\n", "        target: integrations/backend\n"+lines)
	}
	stage := func(lines string) string { return minimal + lines }
	for _, tc := range []struct {
		name string
		doc  string
		want []string
	}{
		{"api tags", api("    tags: {team: chat}\n"), []string{"f.yaml:4:5: apis[0].tags: " + ignored}},
		{"api read-only fields", api("    version: \"1\"\n    disableExecuteApiEndpoint: true\n    apiEndpoint: wss://x\n    createdDate: 2024-05-01T10:00:00Z\n    apiGatewayManaged: true\n    importInfo: [a]\n    warnings: [b]\n    disableSchemaValidation: true\n"), []string{
			"f.yaml:4:5: apis[0].version: " + ignored,
			"f.yaml:5:5: apis[0].disableExecuteApiEndpoint: " + ignored,
			"f.yaml:6:5: apis[0].apiEndpoint: " + ignored,
			"f.yaml:7:5: apis[0].createdDate: " + ignored,
			"f.yaml:8:5: apis[0].apiGatewayManaged: " + ignored,
			"f.yaml:9:5: apis[0].importInfo: " + ignored,
			"f.yaml:10:5: apis[0].warnings: " + ignored,
			"f.yaml:11:5: apis[0].disableSchemaValidation: " + ignored,
		}},
		{"api description", api("    description: the chat\n"), []string{"f.yaml:4:5: apis[0].description: " + ignored}},
		{"api models and deployments", api("    models: [{name: M, schema: '{}'}]\n    deployments: [{deploymentId: d1}]\n"), []string{
			"f.yaml:4:5: apis[0].models: " + ignored,
			"f.yaml:5:5: apis[0].deployments: " + ignored,
		}},
		{"integration", integration("        connectionType: INTERNET\n        connectionId: c\n        contentHandlingStrategy: CONVERT_TO_TEXT\n        credentialsArn: arn:aws:iam::123456789012:role/x\n        integrationSubtype: SQS-SendMessage\n        tlsConfig: {serverNameToVerify: x.example.com}\n        description: d\n"), []string{
			"f.yaml:9:9: apis[0].integrations[0].connectionType: " + ignored,
			"f.yaml:10:9: apis[0].integrations[0].connectionId: " + ignored,
			"f.yaml:11:9: apis[0].integrations[0].contentHandlingStrategy: " + ignored,
			"f.yaml:12:9: apis[0].integrations[0].credentialsArn: " + ignored,
			"f.yaml:13:9: apis[0].integrations[0].integrationSubtype: " + ignored,
			"f.yaml:14:9: apis[0].integrations[0].tlsConfig: " + ignored,
			"f.yaml:15:9: apis[0].integrations[0].description: " + ignored,
		}},
		{"route", route("        routeId: r1\n        requestModels: {application/json: M}\n        modelSelectionExpression: $request.body.type\n        operationName: Send\n        requestParameters: {route.request.header.x: {required: true}}\n"), []string{
			"f.yaml:12:9: apis[0].routes[0].routeId: " + ignored,
			"f.yaml:13:9: apis[0].routes[0].requestModels: " + ignored,
			"f.yaml:14:9: apis[0].routes[0].modelSelectionExpression: " + ignored,
			"f.yaml:15:9: apis[0].routes[0].operationName: " + ignored,
			"f.yaml:16:9: apis[0].routes[0].requestParameters: " + ignored,
		}},
		{"stage", stage("        deploymentId: d1\n        clientCertificateId: c\n        lastUpdatedDate: x\n        lastDeploymentStatusMessage: ok\n        tags: {a: b}\n        defaultRouteSettings: {dataTraceEnabled: true, loggingLevel: INFO, detailedMetricsEnabled: true}\n"), []string{
			"f.yaml:14:9: apis[0].stages[0].deploymentId: " + ignored,
			"f.yaml:15:9: apis[0].stages[0].clientCertificateId: " + ignored,
			"f.yaml:16:9: apis[0].stages[0].lastUpdatedDate: " + ignored,
			"f.yaml:17:9: apis[0].stages[0].lastDeploymentStatusMessage: " + ignored,
			"f.yaml:18:9: apis[0].stages[0].tags: " + ignored,
			"f.yaml:19:32: apis[0].stages[0].defaultRouteSettings.dataTraceEnabled: " + ignored,
			"f.yaml:19:56: apis[0].stages[0].defaultRouteSettings.loggingLevel: " + ignored,
			"f.yaml:19:76: apis[0].stages[0].defaultRouteSettings.detailedMetricsEnabled: " + ignored,
		}},
		{"top level domains", "domainNames: [{domainName: ws.example.com, domainNameConfigurations: [{endpointType: REGIONAL}]}]\napiMappings: [{apiId: chat, stage: dev}]\n" + minimal, []string{
			"f.yaml:1:1: domainNames: " + ignored,
			"f.yaml:2:1: apiMappings: " + ignored,
		}},
		{"empty values say nothing", api("    tags: {}\n    apiGatewayManaged: false\n    version: \"\"\n    importInfo: []\n    warnings: ~\n"), nil},
	} {
		t.Run(tc.name, func(t *testing.T) { wantWarnings(t, tc.doc, tc.want...) })
	}
}

func TestAWSOnlyFieldsStayStrict(t *testing.T) {
	api := func(lines string) string {
		return with(minimal, "    protocolType: WEBSOCKET\n", "    protocolType: WEBSOCKET\n"+lines)
	}
	for _, tc := range []struct {
		name string
		doc  string
		want []string
	}{
		{"wrong type", api("    tags: [a, b]\n"), []string{"f.yaml:4:11: apis[0].tags: want a mapping, got a list"}},
		{"wrong type nested", api("    models: [{name: [x]}]\n"), []string{"f.yaml:4:21: apis[0].models[0].name: want a string, got a list"}},
		{"unknown key inside", with(minimal, "        integrationUri: http://127.0.0.1:9000/events\n", "        integrationUri: http://127.0.0.1:9000/events\n        tlsConfig: {serverName: x}\n"),
			[]string{"f.yaml:9:21: apis[0].integrations[0].tlsConfig.serverName: unknown key; valid keys: serverNameToVerify"}},
		{"key in no model", api("    tagz: {a: b}\n"), []string{"f.yaml:4:5: apis[0].tagz: unknown key; did you mean tags?"}},
		{"tags is no longer stages", api("    tags: [x]\n"), []string{"f.yaml:4:11: apis[0].tags: want a mapping, got a list"}},
		{"no suggestion of a key already set", api("    stagess: []\n"), []string{"f.yaml:4:5: apis[0].stagess: unknown key; valid keys: apiId, name, description, protocolType, openapi, routeSelectionExpression, integrations, routes, stages, authorizers, apiKeySelectionExpression, apiKeys, corsConfiguration, limits"}},
	} {
		t.Run(tc.name, func(t *testing.T) { wantErrors(t, tc.doc, nil, tc.want...) })
	}
}
