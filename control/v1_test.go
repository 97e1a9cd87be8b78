package control_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/smithy-go"

	"github.com/portico-gw/portico/config"
	"github.com/portico-gw/portico/control"
)

func newV1Client(endpoint string) *apigateway.Client {
	return apigateway.New(apigateway.Options{
		Region:           "eu-west-3",
		Credentials:      credentials.NewStaticCredentialsProvider(accessKey, secret, ""),
		BaseEndpoint:     aws.String(endpoint),
		RetryMaxAttempts: 1,
	})
}

// servedRest returns the control plane's REST API id as last applied, or nil.
func (n *node) servedRest(id string) *config.RestAPI {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.applied == nil {
		return nil
	}
	for i := range n.applied.RestAPIs {
		if n.applied.RestAPIs[i].RestAPIID == id {
			return &n.applied.RestAPIs[i]
		}
	}
	return nil
}

func wantV1Error(t testing.TB, err error, code, inMessage string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code || !strings.Contains(ae.ErrorMessage(), inMessage) {
		t.Fatalf("error %v, want %s with %q", err, code, inMessage)
	}
}

// walk creates a REST API with GET /pets (MOCK) and returns its id and the
// resource's.
func walk(t testing.TB, c *apigateway.Client) (string, string) {
	t.Helper()
	ctx := context.Background()
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("pets")})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: api.RootResourceId, PathPart: aws.String("pets")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("GET"),
		AuthorizationType: aws.String("NONE")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("GET"),
		Type: types.IntegrationTypeMock, RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}}); err != nil {
		t.Fatal(err)
	}
	return *api.Id, *res.Id
}

// A REST API is applied only once deployed, each stage with its own
// snapshot; another node that runs on the same Store follows.
func TestV1DeploymentsAreAppliedPerStage(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	store := control.NewMemStore()
	a, b := newNode(t, store), newNode(t, store)
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	defer func() {
		cancel()
		<-done
	}()
	c := newV1Client(a.URL)
	id, pets := walk(t, c)
	if a.servedRest(id) != nil {
		t.Fatal("applied before create-deployment")
	}
	d1, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &id, StageName: aws.String("prod"), Description: aws.String("one")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: &id, ResourceId: &pets, HttpMethod: aws.String("DELETE"),
		AuthorizationType: aws.String("NONE")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &id, StageName: aws.String("dev")}); err != nil {
		t.Fatal(err)
	}
	ra := a.servedRest(id)
	if ra == nil || len(ra.Stages) != 2 || ra.Stages[0].Deployment.DeploymentID != *d1.Id {
		t.Fatalf("served: %+v", ra)
	}
	methods := func(st config.RestStage) int {
		for _, r := range st.Deployment.Resources {
			if r.Path == "/pets" {
				return len(r.ResourceMethods)
			}
		}
		return -1
	}
	if methods(ra.Stages[0]) != 1 || methods(ra.Stages[1]) != 2 {
		t.Fatalf("snapshots: prod %d methods, dev %d", methods(ra.Stages[0]), methods(ra.Stages[1]))
	}
	waitFor(t, func() bool { rb := b.servedRest(id); return rb != nil && len(rb.Stages) == 2 })
	if _, err := c.DeleteRestApi(ctx, &apigateway.DeleteRestApiInput{RestApiId: &id}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return a.servedRest(id) == nil && b.servedRest(id) == nil })
}

// A deployment that the configuration's validation refuses answers 400
// with the message, and nothing is stored.
func TestV1ValidationRefusesTheDeployment(t *testing.T) {
	ctx := context.Background()
	n := newNode(t, nil)
	c := newV1Client(n.URL)
	id, pets := walk(t, c)
	if _, err := c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: &id, ResourceId: &pets, HttpMethod: aws.String("GET"),
		Type: types.IntegrationTypeHttpProxy, IntegrationHttpMethod: aws.String("GET"), Uri: aws.String("ftp://nowhere")}); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &id, StageName: aws.String("prod")})
	wantV1Error(t, err, "BadRequestException", "ftp://nowhere")
	var ae smithy.APIError
	if errors.As(err, &ae); !strings.HasPrefix(ae.ErrorMessage(), "resources") {
		t.Errorf("message keeps the file's list index: %v", err)
	}
	deps, err := c.GetDeployments(ctx, &apigateway.GetDeploymentsInput{RestApiId: &id})
	if err != nil || len(deps.Items) != 0 {
		t.Fatalf("get-deployments: %+v %v", deps, err)
	}
	stages, err := c.GetStages(ctx, &apigateway.GetStagesInput{RestApiId: &id})
	if err != nil || len(stages.Item) != 0 {
		t.Fatalf("get-stages: %+v %v", stages, err)
	}
}

const fileRestYAML = `
admin: 127.0.0.1:0
credentials: [{accessKeyId: AKIDEXAMPLE, secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}]
restApis:
  - restApiId: restfile01
    name: fromfile
    resources:
      /pets:
        resourceMethods:
          GET:
            methodIntegration: {type: MOCK, requestTemplates: {application/json: '{"statusCode": 200}'}}
    stages: [{stageName: prod}]
`

// The file's REST APIs are shown and not changed; lists page by limit and
// position.
func TestV1FileRESTAPIsAreReadOnly(t *testing.T) {
	ctx := context.Background()
	f, err := config.Parse("test.yaml", []byte(fileRestYAML))
	if err != nil {
		t.Fatal(err)
	}
	n := newNode(t, nil, func(cfg *control.Config) { cfg.File = f })
	c := newV1Client(n.URL)
	mine, _ := walk(t, c)
	first, err := c.GetRestApis(ctx, &apigateway.GetRestApisInput{Limit: aws.Int32(1)})
	if err != nil || len(first.Items) != 1 || *first.Items[0].Id != "restfile01" || first.Position == nil {
		t.Fatalf("get-rest-apis page 1: %+v %v", first, err)
	}
	second, err := c.GetRestApis(ctx, &apigateway.GetRestApisInput{Limit: aws.Int32(1), Position: first.Position})
	if err != nil || len(second.Items) != 1 || *second.Items[0].Id != mine || second.Position != nil {
		t.Fatalf("get-rest-apis page 2: %+v %v", second, err)
	}
	res, err := c.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: aws.String("restfile01")})
	if err != nil || len(res.Items) != 2 || *res.Items[1].Path != "/pets" || res.Items[1].ResourceMethods["GET"].MethodIntegration == nil {
		t.Fatalf("get-resources: %+v %v", res, err)
	}
	_, err = c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: aws.String("restfile01"), ResourceId: res.Items[1].Id,
		HttpMethod: aws.String("POST"), AuthorizationType: aws.String("NONE")})
	wantV1Error(t, err, "BadRequestException", "managed by the configuration file")
	_, err = c.DeleteRestApi(ctx, &apigateway.DeleteRestApiInput{RestApiId: aws.String("restfile01")})
	wantV1Error(t, err, "BadRequestException", "managed by the configuration file")
}

// The update operations take patchOperations on their members.
func TestV1UpdateOperations(t *testing.T) {
	ctx := context.Background()
	n := newNode(t, nil)
	c := newV1Client(n.URL)
	id, pets := walk(t, c)
	get := aws.String("GET")
	op := func(o types.Op, path, value string) types.PatchOperation {
		return types.PatchOperation{Op: o, Path: aws.String(path), Value: aws.String(value)}
	}
	api, err := c.UpdateRestApi(ctx, &apigateway.UpdateRestApiInput{RestApiId: &id, PatchOperations: []types.PatchOperation{
		op(types.OpReplace, "/name", "cats"), op(types.OpAdd, "/binaryMediaTypes/image~1png", ""),
	}})
	if err != nil || *api.Name != "cats" || len(api.BinaryMediaTypes) != 1 || api.BinaryMediaTypes[0] != "image/png" || *api.Id != id {
		t.Fatalf("update-rest-api: %+v %v", api, err)
	}
	m, err := c.UpdateMethod(ctx, &apigateway.UpdateMethodInput{RestApiId: &id, ResourceId: &pets, HttpMethod: get, PatchOperations: []types.PatchOperation{
		op(types.OpReplace, "/apiKeyRequired", "true"), op(types.OpAdd, "/requestParameters/method.request.header.x-id", "true"),
	}})
	if err != nil || !*m.ApiKeyRequired || !m.RequestParameters["method.request.header.x-id"] || *m.HttpMethod != "GET" || m.MethodIntegration == nil {
		t.Fatalf("update-method: %+v %v", m, err)
	}
	in, err := c.UpdateIntegration(ctx, &apigateway.UpdateIntegrationInput{RestApiId: &id, ResourceId: &pets, HttpMethod: get, PatchOperations: []types.PatchOperation{
		op(types.OpReplace, "/requestTemplates/application~1json", `{"statusCode": 201}`), op(types.OpReplace, "/timeoutInMillis", "1000"),
	}})
	if err != nil || in.RequestTemplates["application/json"] != `{"statusCode": 201}` || in.TimeoutInMillis != 1000 {
		t.Fatalf("update-integration: %+v %v", in, err)
	}
	if _, err := c.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: &id, ResourceId: &pets, HttpMethod: get, StatusCode: aws.String("201")}); err != nil {
		t.Fatal(err)
	}
	mr, err := c.UpdateMethodResponse(ctx, &apigateway.UpdateMethodResponseInput{RestApiId: &id, ResourceId: &pets, HttpMethod: get, StatusCode: aws.String("201"),
		PatchOperations: []types.PatchOperation{op(types.OpAdd, "/responseParameters/method.response.header.X-Id", "false")}})
	if err != nil || *mr.StatusCode != "201" || mr.ResponseParameters["method.response.header.X-Id"] {
		t.Fatalf("update-method-response: %+v %v", mr, err)
	}
	if _, err := c.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: &id, ResourceId: &pets, HttpMethod: get, StatusCode: aws.String("201")}); err != nil {
		t.Fatal(err)
	}
	ir, err := c.UpdateIntegrationResponse(ctx, &apigateway.UpdateIntegrationResponseInput{RestApiId: &id, ResourceId: &pets, HttpMethod: get, StatusCode: aws.String("201"),
		PatchOperations: []types.PatchOperation{op(types.OpReplace, "/selectionPattern", "2\\d{2}"),
			op(types.OpAdd, "/responseParameters/method.response.header.X-Id", "'7'")}})
	if err != nil || *ir.SelectionPattern != `2\d{2}` || ir.ResponseParameters["method.response.header.X-Id"] != "'7'" {
		t.Fatalf("update-integration-response: %+v %v", ir, err)
	}
	d, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &id, StageName: aws.String("prod")})
	if err != nil {
		t.Fatal(err)
	}
	ud, err := c.UpdateDeployment(ctx, &apigateway.UpdateDeploymentInput{RestApiId: &id, DeploymentId: d.Id,
		PatchOperations: []types.PatchOperation{op(types.OpReplace, "/description", "first")}})
	if err != nil || *ud.Description != "first" {
		t.Fatalf("update-deployment: %+v %v", ud, err)
	}
	_, err = c.UpdateMethod(ctx, &apigateway.UpdateMethodInput{RestApiId: &id, ResourceId: &pets, HttpMethod: get,
		PatchOperations: []types.PatchOperation{op(types.OpReplace, "/httpMethod", "POST")}})
	wantV1Error(t, err, "BadRequestException", "Invalid patch path '/httpMethod' specified for op 'replace'")
	_, err = c.UpdateIntegration(ctx, &apigateway.UpdateIntegrationInput{RestApiId: &id, ResourceId: &pets, HttpMethod: get,
		PatchOperations: []types.PatchOperation{op(types.OpReplace, "/type", "SOAP")}})
	wantV1Error(t, err, "BadRequestException", "Invalid integration type")
}

// Concurrent changes of one REST API are never lost.
func TestV1ConcurrentChangesAreNeverLost(t *testing.T) {
	ctx := context.Background()
	n := newNode(t, nil)
	c := newV1Client(n.URL)
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("pets")})
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 10)
	for i := range 10 {
		go func() {
			_, err := c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: api.RootResourceId,
				PathPart: aws.String("r" + string(rune('a'+i)))})
			errs <- err
		}()
	}
	for range 10 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	res, err := c.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: api.Id, Limit: aws.Int32(500)})
	if err != nil || len(res.Items) != 11 {
		t.Fatalf("get-resources: %d %v", len(res.Items), err)
	}
}

// update-resource renames a resource or moves it, with its descendants.
func TestV1UpdateResource(t *testing.T) {
	ctx := context.Background()
	n := newNode(t, nil)
	c := newV1Client(n.URL)
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("pets")})
	if err != nil {
		t.Fatal(err)
	}
	a, err := c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: api.RootResourceId, PathPart: aws.String("a")})
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: a.Id, PathPart: aws.String("{id}")})
	if err != nil {
		t.Fatal(err)
	}
	up, err := c.UpdateResource(ctx, &apigateway.UpdateResourceInput{RestApiId: api.Id, ResourceId: a.Id,
		PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/pathPart"), Value: aws.String("z")}}})
	if err != nil || *up.Path != "/z" {
		t.Fatalf("update-resource: %+v %v", up, err)
	}
	got, err := c.GetResource(ctx, &apigateway.GetResourceInput{RestApiId: api.Id, ResourceId: b.Id})
	if err != nil || *got.Path != "/z/{id}" {
		t.Fatalf("get-resource: %+v %v", got, err)
	}
	_, err = c.UpdateResource(ctx, &apigateway.UpdateResourceInput{RestApiId: api.Id, ResourceId: a.Id,
		PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/parentId"), Value: b.Id}}})
	wantV1Error(t, err, "BadRequestException", "under itself")
	up, err = c.UpdateResource(ctx, &apigateway.UpdateResourceInput{RestApiId: api.Id, ResourceId: b.Id,
		PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/parentId"), Value: api.RootResourceId}}})
	if err != nil || *up.Path != "/{id}" || *up.ParentId != *api.RootResourceId {
		t.Fatalf("update-resource move: %+v %v", up, err)
	}
}

// get-gateway-responses shows the 21 defaults; an override is served
// from the next deployment on.
func TestV1GatewayResponses(t *testing.T) {
	ctx := context.Background()
	n := newNode(t, nil)
	c := newV1Client(n.URL)
	id, _ := walk(t, c)
	all, err := c.GetGatewayResponses(ctx, &apigateway.GetGatewayResponsesInput{RestApiId: &id, Limit: aws.Int32(500)})
	if err != nil || len(all.Items) != 21 || !all.Items[0].DefaultResponse {
		t.Fatalf("get-gateway-responses: %+v %v", all, err)
	}
	if _, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &id, StageName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	g, err := c.PutGatewayResponse(ctx, &apigateway.PutGatewayResponseInput{RestApiId: &id, ResponseType: types.GatewayResponseTypeDefault4xx,
		StatusCode: aws.String("418"), ResponseParameters: map[string]string{"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"}})
	if err != nil || g.DefaultResponse || *g.StatusCode != "418" {
		t.Fatalf("put-gateway-response: %+v %v", g, err)
	}
	if got := n.servedRest(id).Stages[0].Deployment.GatewayResponses; len(got) != 0 {
		t.Fatalf("served before the deployment: %+v", got)
	}
	if _, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &id, StageName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	got := n.servedRest(id).Stages[0].Deployment.GatewayResponses
	if len(got) != 1 || got[0].ResponseType != "DEFAULT_4XX" || got[0].StatusCode != "418" {
		t.Fatalf("served: %+v", got)
	}
	ug, err := c.UpdateGatewayResponse(ctx, &apigateway.UpdateGatewayResponseInput{RestApiId: &id, ResponseType: types.GatewayResponseTypeThrottled,
		PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/statusCode"), Value: aws.String("503")}}})
	if err != nil || *ug.StatusCode != "503" || ug.DefaultResponse {
		t.Fatalf("update-gateway-response: %+v %v", ug, err)
	}
	if _, err := c.DeleteGatewayResponse(ctx, &apigateway.DeleteGatewayResponseInput{RestApiId: &id, ResponseType: types.GatewayResponseTypeDefault4xx}); err != nil {
		t.Fatal(err)
	}
	gg, err := c.GetGatewayResponse(ctx, &apigateway.GetGatewayResponseInput{RestApiId: &id, ResponseType: types.GatewayResponseTypeDefault4xx})
	if err != nil || !gg.DefaultResponse || gg.StatusCode != nil {
		t.Fatalf("get-gateway-response after delete: %+v %v", gg, err)
	}
	_, err = c.GetGatewayResponse(ctx, &apigateway.GetGatewayResponseInput{RestApiId: &id, ResponseType: "NOPE"})
	wantV1Error(t, err, "BadRequestException", "Invalid response type")
}

// Authorizers are created, used by a method, frozen by a deployment, and
// not deleted while a method uses them.
func TestV1Authorizers(t *testing.T) {
	ctx := context.Background()
	n := newNode(t, nil)
	c := newV1Client(n.URL)
	id, pets := walk(t, c)
	au, err := c.CreateAuthorizer(ctx, &apigateway.CreateAuthorizerInput{RestApiId: &id, Name: aws.String("tok"), Type: types.AuthorizerTypeToken,
		AuthorizerUri: aws.String("http://127.0.0.1:9/auth"), IdentitySource: aws.String("method.request.header.Authorization")})
	if err != nil || len(*au.Id) != 6 || *au.AuthorizerResultTtlInSeconds != 300 {
		t.Fatalf("create-authorizer: %+v %v", au, err)
	}
	_, err = c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: &id, ResourceId: &pets, HttpMethod: aws.String("POST"),
		AuthorizationType: aws.String("CUSTOM"), AuthorizerId: aws.String("nope00")})
	wantV1Error(t, err, "BadRequestException", "Invalid authorizer ID specified")
	if _, err := c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: &id, ResourceId: &pets, HttpMethod: aws.String("POST"),
		AuthorizationType: aws.String("CUSTOM"), AuthorizerId: au.Id}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: &id, ResourceId: &pets, HttpMethod: aws.String("POST"),
		Type: types.IntegrationTypeMock, RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &id, StageName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	got := n.servedRest(id).Stages[0].Deployment.Authorizers
	if len(got) != 1 || got[0].ID != *au.Id || got[0].Type != "TOKEN" || got[0].IdentitySource.String() != "method.request.header.Authorization" {
		t.Fatalf("served authorizers: %+v", got)
	}
	up, err := c.UpdateAuthorizer(ctx, &apigateway.UpdateAuthorizerInput{RestApiId: &id, AuthorizerId: au.Id,
		PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/authorizerResultTtlInSeconds"), Value: aws.String("0")}}})
	if err != nil || *up.AuthorizerResultTtlInSeconds != 0 {
		t.Fatalf("update-authorizer: %+v %v", up, err)
	}
	list, err := c.GetAuthorizers(ctx, &apigateway.GetAuthorizersInput{RestApiId: &id})
	if err != nil || len(list.Items) != 1 {
		t.Fatalf("get-authorizers: %+v %v", list, err)
	}
	_, err = c.DeleteAuthorizer(ctx, &apigateway.DeleteAuthorizerInput{RestApiId: &id, AuthorizerId: au.Id})
	wantV1Error(t, err, "ConflictException", "is referenced in method")
	_, err = c.GetAuthorizer(ctx, &apigateway.GetAuthorizerInput{RestApiId: &id, AuthorizerId: aws.String("nope00")})
	wantV1Error(t, err, "NotFoundException", "Invalid Authorizer identifier specified")
}

// Tags of a REST API and of its stages, by ARN.
func TestV1Tags(t *testing.T) {
	ctx := context.Background()
	n := newNode(t, nil)
	c := newV1Client(n.URL)
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("pets"), Tags: map[string]string{"team": "a"}})
	if err != nil || api.Tags["team"] != "a" {
		t.Fatalf("create-rest-api: %+v %v", api, err)
	}
	arn := "arn:aws:apigateway:eu-west-3::/restapis/" + *api.Id
	if _, err := c.TagResource(ctx, &apigateway.TagResourceInput{ResourceArn: &arn, Tags: map[string]string{"env": "dev"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx, &apigateway.UntagResourceInput{ResourceArn: &arn, TagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetTags(ctx, &apigateway.GetTagsInput{ResourceArn: &arn})
	if err != nil || len(got.Tags) != 1 || got.Tags["env"] != "dev" {
		t.Fatalf("get-tags: %+v %v", got, err)
	}
	_, err = c.GetTags(ctx, &apigateway.GetTagsInput{ResourceArn: aws.String(arn + "/stages/nope")})
	wantV1Error(t, err, "NotFoundException", "Invalid stage identifier specified")
}
