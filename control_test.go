package portico_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/aws/smithy-go"
	awshttp "github.com/aws/smithy-go/transport/http"

	"github.com/portico-gw/portico/config"
)

// controlYAML is a node with an admin listener, credentials and no APIs:
// it starts empty, and the control plane creates them.
const controlYAML = `
admin: 127.0.0.1:0
region: us-east-1
credentials:
  - accessKeyId: AKIDEXAMPLE
    secretAccessKey: wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
`

// awsCLI returns a function that runs `aws SERVICE ARGS...` against gw's
// control plane with the test credentials and decodes its JSON output
// (nil when it prints nothing); the test fails on a non-zero exit, with
// the CLI's stderr. It skips the test when the AWS CLI is not on PATH.
func awsCLI(t *testing.T, gw *gateway, service string) func(args ...string) map[string]any {
	t.Helper()
	bin, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("aws CLI not on PATH")
	}
	return func(args ...string) map[string]any {
		t.Helper()
		cmd := exec.Command(bin, append([]string{service, "--endpoint-url", gw.adminURL(), "--output", "json"}, args...)...)
		cmd.Env = append(os.Environ(), "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_PAGER=",
			"AWS_ACCESS_KEY_ID="+testAccessKey, "AWS_SECRET_ACCESS_KEY="+testSecret, "AWS_DEFAULT_REGION=us-east-1")
		out, err := cmd.Output()
		if err != nil {
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				t.Fatalf("aws %s: %v\n%s%s", strings.Join(args, " "), err, out, ee.Stderr)
			}
			t.Fatal(err)
		}
		var m map[string]any
		if len(out) > 0 {
			if err := json.Unmarshal(out, &m); err != nil {
				t.Fatalf("aws %s: %v\n%s", args[0], err, out)
			}
		}
		return m
	}
}

// adminURL is the node's admin listener.
func (gw *gateway) adminURL() string { return "http://" + gw.AdminAddr().String() }

// v2Client is the real aws-sdk-go-v2 apigatewayv2 client for the node's
// control plane.
func v2Client(gw *gateway) *apigatewayv2.Client {
	return apigatewayv2.New(apigatewayv2.Options{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider(testAccessKey, testSecret, ""),
		BaseEndpoint:     aws.String(gw.adminURL()),
		RetryMaxAttempts: 1,
	})
}

// textServer answers every request with its text.
func textServer(t testing.TB, text string) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, text) }))
	t.Cleanup(s.Close)
	return s
}

// get returns the status and body of a GET.
// getStatus GETs url and returns the status and the body.
func getStatus(t testing.TB, url string) (int, string) {
	t.Helper()
	resp, body := get(t, url)
	return resp.StatusCode, body
}

// A WebSocket chat API built with the AWS CLI, used by a real client and
// by @connections through the SDK.
func TestControlPlaneWebSocketChatByTheAWSCLI(t *testing.T) {
	b := newBackend(t, nil)
	gw := startGateway(t, controlYAML)
	cli := awsCLI(t, gw, "apigatewayv2")
	api := cli("create-api", "--name", "chat", "--protocol-type", "WEBSOCKET", "--route-selection-expression", "$request.body.action")
	apiID := api["ApiId"].(string)
	if len(apiID) != 10 || api["ApiEndpoint"] != "ws://"+gw.Host+"/_aws/execute-api/"+apiID {
		t.Fatalf("create-api: %v", api)
	}
	in := cli("create-integration", "--api-id", apiID, "--integration-type", "AWS_PROXY", "--integration-uri", b.URL)
	inID := in["IntegrationId"].(string)
	for _, key := range []string{"$connect", "$disconnect", "sendmessage", "$default"} {
		r := cli("create-route", "--api-id", apiID, "--route-key", key, "--target", "integrations/"+inID)
		if id, _ := r["RouteId"].(string); len(id) != 7 || r["RouteKey"] != key {
			t.Fatalf("create-route %s: %v", key, r)
		}
	}
	st := cli("create-stage", "--api-id", apiID, "--stage-name", "dev", "--auto-deploy")
	if st["AutoDeploy"] != true || st["DeploymentId"] == nil {
		t.Fatalf("create-stage: %v", st)
	}
	if apis := cli("get-apis"); len(apis["Items"].([]any)) != 1 {
		t.Fatalf("get-apis: %v", apis)
	}

	base := "/_aws/execute-api/" + apiID + "/dev"
	c := dial(t, gw.WS+base, nil)
	connect := b.next(t, "CONNECT").Ev
	if connect.RequestContext.APIID != apiID || connect.RequestContext.Stage != "dev" || connect.RequestContext.RouteKey != "$connect" {
		t.Fatalf("connect event: %+v", connect.RequestContext)
	}
	id := connect.RequestContext.ConnectionID
	if err := c.WriteMessage(1, []byte(`{"action":"sendmessage","data":"hi"}`)); err != nil {
		t.Fatal(err)
	}
	if ev := b.next(t, "MESSAGE").Ev; ev.RequestContext.RouteKey != "sendmessage" || ev.Body != `{"action":"sendmessage","data":"hi"}` {
		t.Fatalf("message event: %+v %q", ev.RequestContext, ev.Body)
	}
	mgmt := mgmtClient(gw.URL+base, testAccessKey, testSecret)
	if _, err := mgmt.PostToConnection(context.Background(), &apigatewaymanagementapi.PostToConnectionInput{
		ConnectionId: aws.String(id), Data: []byte(`{"from":"backend"}`)}); err != nil {
		t.Fatal(err)
	}
	if got := readText(t, c); got != `{"from":"backend"}` {
		t.Fatalf("client got %q", got)
	}
}

// An HTTP API by quick create serves at once; SIGHUP's reload keeps it.
func TestControlPlaneHTTPQuickCreate(t *testing.T) {
	backend := textServer(t, "from the backend")
	gw := startGateway(t, controlYAML)
	ctx := context.Background()
	client := v2Client(gw)
	api, err := client.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("web"), ProtocolType: types.ProtocolTypeHttp,
		Target: aws.String(backend.URL)})
	if err != nil {
		t.Fatal(err)
	}
	if *api.ApiEndpoint != gw.URL+"/_aws/execute-api/"+*api.ApiId || *api.RouteSelectionExpression != "${request.method} ${request.path}" ||
		api.CreatedDate == nil || time.Since(*api.CreatedDate) > time.Minute {
		t.Fatalf("CreateApi: %+v", api)
	}
	if status, body := getStatus(t, *api.ApiEndpoint+"/anything"); status != 200 || body != "from the backend" {
		t.Fatalf("GET: %d %q", status, body)
	}
	stages, err := client.GetStages(ctx, &apigatewayv2.GetStagesInput{ApiId: api.ApiId})
	if err != nil || len(stages.Items) != 1 || *stages.Items[0].StageName != "$default" || !*stages.Items[0].AutoDeploy {
		t.Fatalf("GetStages: %+v, %v", stages, err)
	}

	f, err := config.Parse("test.yaml", []byte(controlYAML))
	if err != nil {
		t.Fatal(err)
	}
	if err := gw.Reload(f); err != nil {
		t.Fatal(err)
	}
	if status, body := getStatus(t, *api.ApiEndpoint+"/again"); status != 200 || body != "from the backend" {
		t.Fatalf("GET after Reload: %d %q", status, body)
	}
	if _, err := client.DeleteApi(ctx, &apigatewayv2.DeleteApiInput{ApiId: api.ApiId}); err != nil {
		t.Fatal(err)
	}
	if status, _ := getStatus(t, *api.ApiEndpoint+"/anything"); status == 200 {
		t.Fatal("the deleted API still serves")
	}
}

// A stage without autoDeploy serves only what create-deployment froze;
// an autoDeploy stage of the same API serves every change at once.
func TestControlPlaneDeployments(t *testing.T) {
	one, two := textServer(t, "one"), textServer(t, "two")
	gw := startGateway(t, controlYAML)
	ctx := context.Background()
	client := v2Client(gw)
	api, err := client.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("deploy"), ProtocolType: types.ProtocolTypeHttp})
	if err != nil {
		t.Fatal(err)
	}
	in, err := client.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: api.ApiId, IntegrationType: types.IntegrationTypeHttpProxy,
		IntegrationUri: aws.String(one.URL), IntegrationMethod: aws.String("ANY"), PayloadFormatVersion: aws.String("1.0")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String("GET /hello"),
		Target: aws.String("integrations/" + *in.IntegrationId)}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: api.ApiId, StageName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: api.ApiId, StageName: aws.String("dev"), AutoDeploy: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	base := gw.URL + "/_aws/execute-api/" + *api.ApiId
	want := func(stage string, status int, body string) {
		t.Helper()
		got, gotBody := getStatus(t, base+"/"+stage+"/hello")
		if got != status || (body != "" && gotBody != body) {
			t.Fatalf("%s: %d %q, want %d %q", stage, got, gotBody, status, body)
		}
	}
	want("dev", 200, "one")
	if got, _ := getStatus(t, base+"/prod/hello"); got == 200 {
		t.Fatal("prod serves before any deployment")
	}
	d1, err := client.CreateDeployment(ctx, &apigatewayv2.CreateDeploymentInput{ApiId: api.ApiId, StageName: aws.String("prod"), Description: aws.String("first")})
	if err != nil {
		t.Fatal(err)
	}
	if len(*d1.DeploymentId) != 6 || d1.DeploymentStatus != types.DeploymentStatusDeployed || d1.AutoDeployed == nil || *d1.AutoDeployed {
		t.Fatalf("CreateDeployment: %+v", d1)
	}
	want("prod", 200, "one")

	if _, err := client.UpdateIntegration(ctx, &apigatewayv2.UpdateIntegrationInput{ApiId: api.ApiId, IntegrationId: in.IntegrationId,
		IntegrationUri: aws.String(two.URL)}); err != nil {
		t.Fatal(err)
	}
	want("dev", 200, "two")
	want("prod", 200, "one")
	got, err := client.GetIntegration(ctx, &apigatewayv2.GetIntegrationInput{ApiId: api.ApiId, IntegrationId: in.IntegrationId})
	if err != nil || *got.IntegrationUri != two.URL || *got.IntegrationMethod != "ANY" {
		t.Fatalf("GetIntegration after a partial update: %+v, %v", got, err)
	}

	_, err = client.DeleteDeployment(ctx, &apigatewayv2.DeleteDeploymentInput{ApiId: api.ApiId, DeploymentId: d1.DeploymentId})
	wantV2Error(t, err, 400, "BadRequestException", "Active stages pointing to this deployment must be moved or deleted")
	if _, err := client.CreateDeployment(ctx, &apigatewayv2.CreateDeploymentInput{ApiId: api.ApiId, StageName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	want("prod", 200, "two")
	if _, err := client.DeleteDeployment(ctx, &apigatewayv2.DeleteDeploymentInput{ApiId: api.ApiId, DeploymentId: d1.DeploymentId}); err != nil {
		t.Fatal(err)
	}
	deps, err := client.GetDeployments(ctx, &apigatewayv2.GetDeploymentsInput{ApiId: api.ApiId, MaxResults: aws.String("1")})
	if err != nil || len(deps.Items) != 1 || deps.NextToken == nil {
		t.Fatalf("GetDeployments page 1: %+v, %v", deps, err)
	}
	deps2, err := client.GetDeployments(ctx, &apigatewayv2.GetDeploymentsInput{ApiId: api.ApiId, NextToken: deps.NextToken})
	if err != nil || len(deps2.Items) != 1 || deps2.NextToken != nil {
		t.Fatalf("GetDeployments page 2: %+v, %v", deps2, err)
	}
}

// An open WebSocket connection follows its stage's new deployments.
func TestControlPlaneChangesReachOpenConnections(t *testing.T) {
	b := newBackend(t, nil)
	pong := newBackend(t, func(events.APIGatewayWebsocketProxyRequest) (int, string) {
		return 200, `{"statusCode":200,"body":"pong"}`
	})
	gw := startGateway(t, controlYAML)
	ctx := context.Background()
	client := v2Client(gw)
	api, err := client.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("ws"), ProtocolType: types.ProtocolTypeWebsocket,
		RouteSelectionExpression: aws.String("$request.body.action")})
	if err != nil {
		t.Fatal(err)
	}
	in, err := client.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: api.ApiId, IntegrationType: types.IntegrationTypeAwsProxy,
		IntegrationUri: aws.String(b.URL)})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"$connect", "$default"} {
		if _, err := client.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String(k), Target: aws.String("integrations/" + *in.IntegrationId)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := client.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: api.ApiId, StageName: aws.String("dev"), AutoDeploy: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	c := dial(t, gw.WS+"/_aws/execute-api/"+*api.ApiId+"/dev", nil)
	b.next(t, "CONNECT")

	in2, err := client.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: api.ApiId, IntegrationType: types.IntegrationTypeAwsProxy,
		IntegrationUri: aws.String(pong.URL)})
	if err != nil {
		t.Fatal(err)
	}
	route, err := client.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String("ping"),
		Target: aws.String("integrations/" + *in2.IntegrationId), RouteResponseSelectionExpression: aws.String("$default")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.CreateRouteResponse(ctx, &apigatewayv2.CreateRouteResponseInput{ApiId: api.ApiId, RouteId: route.RouteId,
		RouteResponseKey: aws.String("$default")}); err != nil {
		t.Fatal(err)
	}
	if err := c.WriteMessage(1, []byte(`{"action":"ping"}`)); err != nil {
		t.Fatal(err)
	}
	if ev := pong.next(t, "MESSAGE").Ev; ev.RequestContext.RouteKey != "ping" {
		t.Fatalf("ping event: %+v", ev.RequestContext)
	}
	if got := readText(t, c); got != "pong" {
		t.Fatalf("client got %q", got)
	}
}

func TestControlPlaneErrors(t *testing.T) {
	b := newBackend(t, nil)
	gw := startGateway(t, chatConfig(b.URL, "")+"admin: 127.0.0.1:0\n")
	ctx := context.Background()
	client := v2Client(gw)
	_, err := client.GetApi(ctx, &apigatewayv2.GetApiInput{ApiId: aws.String("abcdefghij")})
	wantV2Error(t, err, 404, "NotFoundException", "Invalid API identifier specified abcdefghij")
	_, err = client.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: aws.String("chatapi001"), RouteKey: aws.String("x")})
	wantV2Error(t, err, 400, "BadRequestException",
		"API chatapi001 is managed by the configuration file; change it there (the control plane changes only the APIs it created)")
	apis, err := client.GetApis(ctx, &apigatewayv2.GetApisInput{})
	if err != nil || len(apis.Items) != 1 || *apis.Items[0].ApiId != "chatapi001" || apis.Items[0].ProtocolType != types.ProtocolTypeWebsocket {
		t.Fatalf("GetApis: %+v, %v", apis, err)
	}
	// A change the configuration refuses is answered with the validation's message.
	api, err := client.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("bad"), ProtocolType: types.ProtocolTypeHttp,
		Target: aws.String("http://127.0.0.1:9/")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String("FETCH /x"), Target: aws.String("integrations/nosuch")})
	wantV2Error(t, err, 400, "BadRequestException", "")
	if !strings.Contains(err.Error(), `"FETCH /x": want "METHOD /path"`) {
		t.Fatalf("validation message: %v", err)
	}
	// The admin listener answers every control-plane path as AWS would
	// (here: unsigned), never with a 404 page.
	for _, path := range []string{"/v2/apis", "/v2/domainnames", "/restapis", "/restapis/x/resources"} {
		res, err := http.Get(gw.adminURL() + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 403 || res.Header.Get("x-amzn-ErrorType") != "MissingAuthenticationTokenException" ||
			string(body) != `{"message":"Missing Authentication Token"}` {
			t.Errorf("GET %s: %d %s %s", path, res.StatusCode, res.Header.Get("x-amzn-ErrorType"), body)
		}
	}
}

// wantV2Error checks an apigatewayv2 error's status, code and message ("" : any).
func wantV2Error(t testing.TB, err error, status int, code, message string) {
	t.Helper()
	var ae smithy.APIError
	var re *awshttp.ResponseError
	if !errors.As(err, &ae) || !errors.As(err, &re) {
		t.Fatalf("error %v, want %s", err, code)
	}
	if re.HTTPStatusCode() != status || ae.ErrorCode() != code || (message != "" && ae.ErrorMessage() != message) {
		t.Fatalf("error %d %s %q, want %d %s %q", re.HTTPStatusCode(), ae.ErrorCode(), ae.ErrorMessage(), status, code, message)
	}
}

// SIGHUP's reload and control-plane changes, at the same time, never undo
// each other (and never deadlock): both end up served.
func TestControlPlaneConcurrentWithReload(t *testing.T) {
	b := newBackend(t, nil)
	yaml := chatConfig(b.URL, "") + "admin: 127.0.0.1:0\n"
	gw := startGateway(t, yaml)
	f, err := config.Parse("test.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	backend := textServer(t, "ok")
	ctx := context.Background()
	client := v2Client(gw)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 20 {
			if err := gw.Reload(f); err != nil {
				t.Errorf("Reload: %v", err)
				return
			}
		}
	}()
	var ids []string
	for range 10 {
		api, err := client.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("q"), ProtocolType: types.ProtocolTypeHttp, Target: aws.String(backend.URL)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, *api.ApiId)
	}
	<-done
	for _, id := range ids {
		if status, body := getStatus(t, gw.URL+"/_aws/execute-api/"+id+"/x"); status != 200 || body != "ok" {
			t.Errorf("API %s: %d %q", id, status, body)
		}
	}
	c := dial(t, gw.WS+"/_aws/execute-api/chatapi001/dev", nil) // the file's API
	b.next(t, "CONNECT")
	c.Close()
}
