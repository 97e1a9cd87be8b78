package portico_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// v1Client is the real aws-sdk-go-v2 apigateway client for the node's
// control plane.
func v1Client(gw *gateway) *apigateway.Client {
	return apigateway.New(apigateway.Options{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider(testAccessKey, testSecret, ""),
		BaseEndpoint:     aws.String(gw.adminURL()),
		RetryMaxAttempts: 1,
	})
}

// The AWS docs' REST walkthrough with the SDK: create-rest-api →
// get-resources → create-resource pets → put-method GET → put-integration
// HTTP_PROXY → create-deployment prod → GET /prod/pets; a new method is not
// served until the next deployment; each stage serves its own deployment;
// the MOCK CORS OPTIONS method answers the preflight.
func TestControlPlaneRESTWalkthroughSDK(t *testing.T) {
	ctx := context.Background()
	backend := textServer(t, "pets!")
	gw := startGateway(t, controlYAML)
	client := v1Client(gw)

	api, err := client.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("pets"), Description: aws.String("the pet store")})
	if err != nil {
		t.Fatal(err)
	}
	id := *api.Id
	if len(id) != 10 || api.CreatedDate == nil || api.CreatedDate.IsZero() || api.RootResourceId == nil || *api.Name != "pets" {
		t.Fatalf("create-rest-api: %+v", api)
	}
	res, err := client.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: &id})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != 1 || *res.Items[0].Path != "/" || *res.Items[0].Id != *api.RootResourceId {
		t.Fatalf("get-resources: %+v", res.Items)
	}
	root := *res.Items[0].Id
	pets, err := client.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: &id, ParentId: &root, PathPart: aws.String("pets")})
	if err != nil {
		t.Fatal(err)
	}
	if *pets.Path != "/pets" || *pets.ParentId != root || len(*pets.Id) != 6 {
		t.Fatalf("create-resource: %+v", pets)
	}
	// Not deployable yet: no methods.
	_, err = client.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &id, StageName: aws.String("prod")})
	wantV2Error(t, err, 400, "BadRequestException", "The REST API doesn't contain any methods")

	if _, err := client.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: &id, ResourceId: pets.Id, HttpMethod: aws.String("GET"),
		AuthorizationType: aws.String("NONE")}); err != nil {
		t.Fatal(err)
	}
	in, err := client.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: &id, ResourceId: pets.Id, HttpMethod: aws.String("GET"),
		Type: types.IntegrationTypeHttpProxy, IntegrationHttpMethod: aws.String("GET"), Uri: aws.String(backend.URL + "/pets")})
	if err != nil {
		t.Fatal(err)
	}
	if in.Type != types.IntegrationTypeHttpProxy || *in.HttpMethod != "GET" || *in.Uri != backend.URL+"/pets" || in.TimeoutInMillis != 29000 {
		t.Fatalf("put-integration: %+v", in)
	}
	got, err := client.GetIntegration(ctx, &apigateway.GetIntegrationInput{RestApiId: &id, ResourceId: pets.Id, HttpMethod: aws.String("GET")})
	if err != nil || *got.Uri != backend.URL+"/pets" {
		t.Fatalf("get-integration: %+v %v", got, err)
	}
	url := gw.URL + "/_aws/execute-api/" + id + "/prod/pets"
	if status, _ := getStatus(t, url); status == 200 {
		t.Fatal("served before create-deployment")
	}
	d1, err := client.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &id, StageName: aws.String("prod")})
	if err != nil {
		t.Fatal(err)
	}
	if status, body := getStatus(t, url); status != 200 || body != "pets!" {
		t.Fatalf("GET /prod/pets: %d %q", status, body)
	}

	// A change is not served until another deployment.
	if _, err := client.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: &id, ResourceId: pets.Id, HttpMethod: aws.String("POST"),
		AuthorizationType: aws.String("NONE")}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: &id, ResourceId: pets.Id, HttpMethod: aws.String("POST"),
		Type: types.IntegrationTypeHttpProxy, IntegrationHttpMethod: aws.String("POST"), Uri: aws.String(backend.URL + "/pets")}); err != nil {
		t.Fatal(err)
	}
	post := func(stage string) int {
		t.Helper()
		r, err := http.Post(gw.URL+"/_aws/execute-api/"+id+"/"+stage+"/pets", "application/json", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		return r.StatusCode
	}
	if s := post("prod"); s == 200 {
		t.Fatal("POST served before its deployment")
	}

	// The MOCK CORS OPTIONS method, as the docs write it.
	if _, err := client.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: &id, ResourceId: pets.Id, HttpMethod: aws.String("OPTIONS"),
		AuthorizationType: aws.String("NONE")}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: &id, ResourceId: pets.Id, HttpMethod: aws.String("OPTIONS"),
		StatusCode: aws.String("200"), ResponseParameters: map[string]bool{
			"method.response.header.Access-Control-Allow-Origin":  false,
			"method.response.header.Access-Control-Allow-Methods": false,
		}}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: &id, ResourceId: pets.Id, HttpMethod: aws.String("OPTIONS"),
		Type: types.IntegrationTypeMock, RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}}); err != nil {
		t.Fatal(err)
	}
	ir, err := client.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: &id, ResourceId: pets.Id,
		HttpMethod: aws.String("OPTIONS"), StatusCode: aws.String("200"), SelectionPattern: aws.String(""), ResponseParameters: map[string]string{
			"method.response.header.Access-Control-Allow-Origin":  "'*'",
			"method.response.header.Access-Control-Allow-Methods": "'GET,POST,OPTIONS'",
		}})
	if err != nil {
		t.Fatal(err)
	}
	if ir.ResponseParameters["method.response.header.Access-Control-Allow-Origin"] != "'*'" {
		t.Fatalf("put-integration-response: %+v", ir)
	}
	m, err := client.GetMethod(ctx, &apigateway.GetMethodInput{RestApiId: &id, ResourceId: pets.Id, HttpMethod: aws.String("OPTIONS")})
	if err != nil || m.MethodIntegration == nil || m.MethodIntegration.IntegrationResponses["200"].ResponseParameters == nil ||
		m.MethodResponses["200"].ResponseParameters["method.response.header.Access-Control-Allow-Origin"] {
		t.Fatalf("get-method: %+v %v", m, err)
	}

	// Deploy to a new stage, dev: dev serves POST and OPTIONS, prod still not.
	d2, err := client.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &id, StageName: aws.String("dev"),
		Variables: map[string]string{"color": "blue"}})
	if err != nil {
		t.Fatal(err)
	}
	if s := post("dev"); s != 200 {
		t.Fatalf("POST /dev/pets: %d", s)
	}
	if s := post("prod"); s == 200 {
		t.Fatal("prod serves dev's deployment")
	}
	req, _ := http.NewRequest("OPTIONS", gw.URL+"/_aws/execute-api/"+id+"/dev/pets", nil)
	req.Header.Set("Origin", "https://example.com")
	req.Header.Set("Access-Control-Request-Method", "POST")
	pre, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	pre.Body.Close()
	if pre.StatusCode != 200 || pre.Header.Get("Access-Control-Allow-Origin") != "*" || pre.Header.Get("Access-Control-Allow-Methods") != "GET,POST,OPTIONS" {
		t.Fatalf("preflight: %d %v", pre.StatusCode, pre.Header)
	}

	// update-stage: point prod at the new deployment, set a variable.
	st, err := client.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: &id, StageName: aws.String("prod"), PatchOperations: []types.PatchOperation{
		{Op: types.OpReplace, Path: aws.String("/deploymentId"), Value: d2.Id},
		{Op: types.OpReplace, Path: aws.String("/variables/color"), Value: aws.String("red")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if *st.DeploymentId != *d2.Id || st.Variables["color"] != "red" || st.LastUpdatedDate == nil {
		t.Fatalf("update-stage: %+v", st)
	}
	if s := post("prod"); s != 200 {
		t.Fatalf("POST /prod/pets after update-stage: %d", s)
	}
	// Method settings: throttle dev's GET /pets to a burst of 1.
	st, err = client.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: &id, StageName: aws.String("dev"), PatchOperations: []types.PatchOperation{
		{Op: types.OpReplace, Path: aws.String("/~1pets/GET/throttling/burstLimit"), Value: aws.String("1")},
		{Op: types.OpReplace, Path: aws.String("/~1pets/GET/throttling/rateLimit"), Value: aws.String("0.001")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if ms := st.MethodSettings["~1pets/GET"]; ms.ThrottlingBurstLimit != 1 || ms.ThrottlingRateLimit != 0.001 || ms.LoggingLevel == nil {
		t.Fatalf("update-stage methodSettings: %+v", st.MethodSettings)
	}
	devURL := gw.URL + "/_aws/execute-api/" + id + "/dev/pets"
	if s1, _ := getStatus(t, devURL); s1 != 200 {
		t.Fatalf("GET /dev/pets: %d", s1)
	}
	if s2, _ := getStatus(t, devURL); s2 != 429 {
		t.Fatalf("GET /dev/pets over the burst: %d, want 429", s2)
	}
	_, err = client.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: &id, StageName: aws.String("dev"), PatchOperations: []types.PatchOperation{
		{Op: types.OpReplace, Path: aws.String("/nothing"), Value: aws.String("1")}}})
	wantV2Error(t, err, 400, "BadRequestException", "Invalid patch path '/nothing' specified for op 'replace'")

	stages, err := client.GetStages(ctx, &apigateway.GetStagesInput{RestApiId: &id})
	if err != nil || len(stages.Item) != 2 {
		t.Fatalf("get-stages: %+v %v", stages, err)
	}
	deps, err := client.GetDeployments(ctx, &apigateway.GetDeploymentsInput{RestApiId: &id})
	if err != nil || len(deps.Items) < 2 || *deps.Items[0].Id != *d1.Id {
		t.Fatalf("get-deployments: %+v %v", deps, err)
	}
	// A stage made by create-stage serves the deployment it names.
	if _, err := client.CreateStage(ctx, &apigateway.CreateStageInput{RestApiId: &id, StageName: aws.String("old"), DeploymentId: d1.Id}); err != nil {
		t.Fatal(err)
	}
	if status, body := getStatus(t, gw.URL+"/_aws/execute-api/"+id+"/old/pets"); status != 200 || body != "pets!" {
		t.Fatalf("GET /old/pets: %d %q", status, body)
	}
	if s := post("old"); s == 200 {
		t.Fatal("old serves a later deployment")
	}
	_, err = client.CreateStage(ctx, &apigateway.CreateStageInput{RestApiId: &id, StageName: aws.String("old"), DeploymentId: d1.Id})
	wantV2Error(t, err, 409, "ConflictException", "")
	_, err = client.DeleteDeployment(ctx, &apigateway.DeleteDeploymentInput{RestApiId: &id, DeploymentId: d1.Id})
	wantV2Error(t, err, 400, "BadRequestException", "")
	if _, err := client.DeleteStage(ctx, &apigateway.DeleteStageInput{RestApiId: &id, StageName: aws.String("old")}); err != nil {
		t.Fatal(err)
	}
	if status, _ := getStatus(t, gw.URL+"/_aws/execute-api/"+id+"/old/pets"); status == 200 {
		t.Fatal("a deleted stage is served")
	}

	// A gateway response override is served from the next deployment on.
	if _, err := client.PutGatewayResponse(ctx, &apigateway.PutGatewayResponseInput{RestApiId: &id,
		ResponseType: types.GatewayResponseTypeMissingAuthenticationToken, StatusCode: aws.String("404"),
		ResponseParameters: map[string]string{"gatewayresponse.header.X-Gw": "'yes'"}}); err != nil {
		t.Fatal(err)
	}
	nothing := gw.URL + "/_aws/execute-api/" + id + "/prod/nothing"
	if status, _ := getStatus(t, nothing); status != 403 {
		t.Fatalf("GET /prod/nothing before the deployment: %d", status)
	}
	if _, err := client.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &id, StageName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	if resp, _ := get(t, nothing); resp.StatusCode != 404 || resp.Header.Get("X-Gw") != "yes" {
		t.Fatalf("GET /prod/nothing: %d %v", resp.StatusCode, resp.Header)
	}

	// Errors.
	_, err = client.GetRestApi(ctx, &apigateway.GetRestApiInput{RestApiId: aws.String("nosuchapi0")})
	wantV2Error(t, err, 404, "NotFoundException", "Invalid Rest API Id specified")
	_, err = client.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: aws.String("nosuchapi0")})
	wantV2Error(t, err, 404, "NotFoundException", "Invalid Rest API Id specified")
	_, err = client.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: &id, ParentId: &root, PathPart: aws.String("pets")})
	wantV2Error(t, err, 409, "ConflictException", "")
	_, err = client.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: &id, ParentId: &root, PathPart: aws.String("bad part")})
	wantV2Error(t, err, 400, "BadRequestException", "")
	_, err = client.GetMethod(ctx, &apigateway.GetMethodInput{RestApiId: &id, ResourceId: pets.Id, HttpMethod: aws.String("PUT")})
	wantV2Error(t, err, 404, "NotFoundException", "Invalid Method identifier specified")
	_, err = client.GetStage(ctx, &apigateway.GetStageInput{RestApiId: &id, StageName: aws.String("nope")})
	wantV2Error(t, err, 404, "NotFoundException", "Invalid stage identifier specified")

	apis, err := client.GetRestApis(ctx, &apigateway.GetRestApisInput{})
	if err != nil || len(apis.Items) != 1 || *apis.Items[0].Id != id {
		t.Fatalf("get-rest-apis: %+v %v", apis, err)
	}
	if _, err := client.DeleteRestApi(ctx, &apigateway.DeleteRestApiInput{RestApiId: &id}); err != nil {
		t.Fatal(err)
	}
	if status, _ := getStatus(t, url); status == 200 {
		t.Fatal("a deleted REST API is served")
	}
	_, err = client.GetRestApi(ctx, &apigateway.GetRestApiInput{RestApiId: &id})
	wantV2Error(t, err, 404, "NotFoundException", "Invalid Rest API Id specified")
}

// The REST walkthrough with the AWS CLI (--endpoint-url), including the
// MOCK CORS method, then the data plane.
func TestControlPlaneRESTWalkthroughAWSCLI(t *testing.T) {
	backend := textServer(t, "pets!")
	gw := startGateway(t, controlYAML)
	cli := awsCLI(t, gw, "apigateway")
	api := cli("create-rest-api", "--name", "pets")
	id := api["id"].(string)
	items := cli("get-resources", "--rest-api-id", id)["items"].([]any)
	root := items[0].(map[string]any)["id"].(string)
	pets := cli("create-resource", "--rest-api-id", id, "--parent-id", root, "--path-part", "pets")["id"].(string)
	cli("put-method", "--rest-api-id", id, "--resource-id", pets, "--http-method", "GET", "--authorization-type", "NONE")
	cli("put-integration", "--rest-api-id", id, "--resource-id", pets, "--http-method", "GET", "--type", "HTTP_PROXY",
		"--integration-http-method", "GET", "--uri", backend.URL+"/pets")
	cli("put-method", "--rest-api-id", id, "--resource-id", pets, "--http-method", "OPTIONS", "--authorization-type", "NONE")
	cli("put-method-response", "--rest-api-id", id, "--resource-id", pets, "--http-method", "OPTIONS", "--status-code", "200",
		"--response-parameters", "method.response.header.Access-Control-Allow-Origin=false")
	cli("put-integration", "--rest-api-id", id, "--resource-id", pets, "--http-method", "OPTIONS", "--type", "MOCK",
		"--request-templates", `{"application/json": "{\"statusCode\": 200}"}`)
	cli("put-integration-response", "--rest-api-id", id, "--resource-id", pets, "--http-method", "OPTIONS", "--status-code", "200",
		"--response-parameters", `{"method.response.header.Access-Control-Allow-Origin": "'*'"}`)
	d := cli("create-deployment", "--rest-api-id", id, "--stage-name", "prod")
	if ts, ok := d["createdDate"].(float64); !ok || ts < 1e9 || d["id"] == nil { // epoch seconds (CLI v1 prints them raw)
		t.Fatalf("create-deployment: %v", d)
	}
	if status, body := getStatus(t, gw.URL+"/_aws/execute-api/"+id+"/prod/pets"); status != 200 || body != "pets!" {
		t.Fatalf("GET /prod/pets: %d %q", status, body)
	}
	req, _ := http.NewRequest("OPTIONS", gw.URL+"/_aws/execute-api/"+id+"/prod/pets", nil)
	pre, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	pre.Body.Close()
	if pre.StatusCode != 200 || pre.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("preflight: %d %v", pre.StatusCode, pre.Header)
	}
	st := cli("update-stage", "--rest-api-id", id, "--stage-name", "prod", "--patch-operations", "op=replace,path=/variables/color,value=red")
	if st["variables"].(map[string]any)["color"] != "red" {
		t.Fatalf("update-stage: %v", st)
	}
	if got := cli("get-stages", "--rest-api-id", id)["item"].([]any); len(got) != 1 {
		t.Fatalf("get-stages: %v", got)
	}
	cli("delete-rest-api", "--rest-api-id", id)
	if apis := cli("get-rest-apis")["items"].([]any); len(apis) != 0 {
		t.Fatalf("get-rest-apis: %v", apis)
	}
}

// A model and a request validator made by the control plane validate
// request bodies on the data plane once deployed.
func TestControlPlaneRESTModelsAndValidators(t *testing.T) {
	ctx := context.Background()
	gw := startGateway(t, controlYAML)
	client := v1Client(gw)
	api, err := client.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("pets")})
	if err != nil {
		t.Fatal(err)
	}
	id := *api.Id
	pets, err := client.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: &id, ParentId: api.RootResourceId, PathPart: aws.String("pets")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.CreateModel(ctx, &apigateway.CreateModelInput{RestApiId: &id, Name: aws.String("Pet"), ContentType: aws.String("application/json"),
		Schema: aws.String(`{"type":"object","required":["name"],"properties":{"name":{"type":"string"}}}`)}); err != nil {
		t.Fatal(err)
	}
	v, err := client.CreateRequestValidator(ctx, &apigateway.CreateRequestValidatorInput{RestApiId: &id, Name: aws.String("body"), ValidateRequestBody: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: &id, ResourceId: pets.Id, HttpMethod: aws.String("POST"),
		AuthorizationType: aws.String("NONE"), RequestModels: map[string]string{"application/json": "Pet"}, RequestValidatorId: v.Id}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: &id, ResourceId: pets.Id, HttpMethod: aws.String("POST"),
		Type: types.IntegrationTypeMock, RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: &id, ResourceId: pets.Id, HttpMethod: aws.String("POST"),
		StatusCode: aws.String("200")}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: &id, ResourceId: pets.Id, HttpMethod: aws.String("POST"),
		StatusCode: aws.String("200")}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &id, StageName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	post := func(body string) int {
		t.Helper()
		r, err := http.Post(gw.URL+"/_aws/execute-api/"+id+"/prod/pets", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		return r.StatusCode
	}
	if s := post(`{"name":"Rex"}`); s != 200 {
		t.Fatalf("valid body: %d", s)
	}
	if s := post(`{"age":3}`); s != 400 {
		t.Fatalf("invalid body: %d, want 400", s)
	}
	_, err = client.DeleteModel(ctx, &apigateway.DeleteModelInput{RestApiId: &id, ModelName: aws.String("Pet")})
	wantV2Error(t, err, 409, "ConflictException", "")
}

// A TOKEN authorizer made by the control plane guards a method on the data
// plane once deployed.
func TestControlPlaneRESTTokenAuthorizer(t *testing.T) {
	ctx := context.Background()
	_, authURL := newRESTAuthorizerFunction(t)
	gw := startGateway(t, controlYAML)
	client := v1Client(gw)
	api, err := client.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("guarded")})
	if err != nil {
		t.Fatal(err)
	}
	id := *api.Id
	au, err := client.CreateAuthorizer(ctx, &apigateway.CreateAuthorizerInput{RestApiId: &id, Name: aws.String("tok"), Type: types.AuthorizerTypeToken,
		AuthorizerUri: aws.String(authURL), IdentitySource: aws.String("method.request.header.Authorization")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: &id, ResourceId: api.RootResourceId, HttpMethod: aws.String("GET"),
		AuthorizationType: aws.String("CUSTOM"), AuthorizerId: au.Id}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: &id, ResourceId: api.RootResourceId, HttpMethod: aws.String("GET"),
		Type: types.IntegrationTypeMock, RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: &id, ResourceId: api.RootResourceId, HttpMethod: aws.String("GET"),
		StatusCode: aws.String("200")}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: &id, ResourceId: api.RootResourceId,
		HttpMethod: aws.String("GET"), StatusCode: aws.String("200")}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &id, StageName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	call := func(token string) int {
		t.Helper()
		req, _ := http.NewRequest("GET", gw.URL+"/_aws/execute-api/"+id+"/prod/", nil)
		if token != "" {
			req.Header.Set("Authorization", token)
		}
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		return r.StatusCode
	}
	if s := call(""); s != 401 {
		t.Errorf("no token: %d, want 401", s)
	}
	if s := call("allow-1"); s != 200 {
		t.Errorf("allow-1: %d, want 200", s)
	}
	if s := call("deny-1"); s != 403 {
		t.Errorf("deny-1: %d, want 403", s)
	}
}
