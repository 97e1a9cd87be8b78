package control_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/aws/smithy-go"

	"github.com/portico-gw/portico/config"
	"github.com/portico-gw/portico/control"
)

const (
	accessKey = "AKIDEXAMPLE"
	secret    = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
)

// node is one control plane over a Store, whose Apply validates the
// configuration as Server.Apply does and records what it was given.
type node struct {
	*control.Controller
	URL    string
	client *apigatewayv2.Client

	mu      sync.Mutex
	applied *config.File
}

const fileYAML = `
admin: 127.0.0.1:0
credentials: [{accessKeyId: AKIDEXAMPLE, secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}]
apis:
  - apiId: fromfile01
    name: fromfile
    protocolType: HTTP
    integrations: [{integrationId: backend, integrationType: HTTP_PROXY, integrationUri: "http://127.0.0.1:9/", payloadFormatVersion: "1.0"}]
    routes: [{routeKey: $default, target: integrations/backend}]
    stages: [{stageName: $default}]
`

func newNode(t testing.TB, store control.Store, opts ...func(*control.Config)) *node {
	t.Helper()
	f, err := config.Parse("test.yaml", []byte(fileYAML))
	if err != nil {
		t.Fatal(err)
	}
	n := &node{}
	cfg := control.Config{
		Apply: func(f *config.File) error {
			if err := config.Validate(f, "config"); err != nil {
				return err
			}
			n.mu.Lock()
			n.applied = f
			n.mu.Unlock()
			return nil
		},
		File:        f,
		Store:       store,
		Credentials: map[string]string{accessKey: secret},
	}
	for _, o := range opts {
		o(&cfg)
	}
	c, err := control.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	n.Controller, n.URL = c, srv.URL
	n.client = newClient(srv.URL, accessKey, secret)
	return n
}

func newClient(endpoint, ak, sk string) *apigatewayv2.Client {
	return apigatewayv2.New(apigatewayv2.Options{
		Region:           "eu-west-3",
		Credentials:      credentials.NewStaticCredentialsProvider(ak, sk, ""),
		BaseEndpoint:     aws.String(endpoint),
		RetryMaxAttempts: 1,
	})
}

// servedAPI returns the control plane's API id as last applied, or nil.
func (n *node) servedAPI(id string) *config.API {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.applied == nil {
		return nil
	}
	for i := range n.applied.APIs {
		if n.applied.APIs[i].APIID == id {
			return &n.applied.APIs[i]
		}
	}
	return nil
}

// wantAPIError checks err is the modelled error T with the message.
func wantAPIError[T smithy.APIError](t testing.TB, err error, code, message string) {
	t.Helper()
	var e T
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T), want %T", err, err, e)
	}
	if e.ErrorCode() != code || (message != "" && e.ErrorMessage() != message) {
		t.Fatalf("error %s %q, want %s %q", e.ErrorCode(), e.ErrorMessage(), code, message)
	}
}

func TestMemStoreRevisions(t *testing.T) {
	ctx := context.Background()
	s := control.NewMemStore()
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	events, err := s.Watch(wctx, "v2.")
	if err != nil {
		t.Fatal(err)
	}
	r1, err := s.Create(ctx, "v2.apis.a", []byte("1"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(ctx, "v2.apis.a", []byte("x")); !errors.Is(err, control.ErrExists) {
		t.Fatalf("second Create: %v, want ErrExists", err)
	}
	r2, err := s.Update(ctx, "v2.apis.a", []byte("2"), r1)
	if err != nil || r2 <= r1 {
		t.Fatalf("Update: %d, %v", r2, err)
	}
	if _, err := s.Update(ctx, "v2.apis.a", []byte("lost"), r1); !errors.Is(err, control.ErrRevision) {
		t.Fatalf("stale Update: %v, want ErrRevision", err)
	}
	if err := s.Delete(ctx, "v2.apis.a", r1); !errors.Is(err, control.ErrRevision) {
		t.Fatalf("stale Delete: %v, want ErrRevision", err)
	}
	if e, _ := s.Get(ctx, "v2.apis.a"); string(e.Value) != "2" || e.Revision != r2 {
		t.Fatalf("Get: %+v", e)
	}
	if err := s.Delete(ctx, "v2.apis.a", r2); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "v2.apis.a"); !errors.Is(err, control.ErrNotFound) {
		t.Fatalf("Get after Delete: %v", err)
	}
	var got []string
	for range 3 {
		ev := <-events
		got = append(got, fmt.Sprintf("%s=%s deleted=%v", ev.Key, ev.Value, ev.Deleted))
	}
	want := []string{"v2.apis.a=1 deleted=false", "v2.apis.a=2 deleted=false", "v2.apis.a= deleted=true"}
	if !slices.Equal(got, want) {
		t.Fatalf("events %q, want %q", got, want)
	}
}

// Two nodes share a Store and tag the same API at the same time: every
// TagResource that succeeded is in the result; those that met the other
// writer too often answer ConflictException, never a silent loss.
func TestConcurrentChangesAreNeverLost(t *testing.T) {
	ctx := context.Background()
	store := control.NewMemStore()
	a, b := newNode(t, store), newNode(t, store)
	created, err := a.client.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("shared"), ProtocolType: types.ProtocolTypeHttp})
	if err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:apigateway:eu-west-3::/apis/" + *created.ApiId
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		succeeded []string
	)
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := a
			if i%2 == 1 {
				n = b
			}
			key := fmt.Sprintf("k%02d", i)
			_, err := n.client.TagResource(ctx, &apigatewayv2.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{key: "v"}})
			var ce *types.ConflictException
			switch {
			case err == nil:
				mu.Lock()
				succeeded = append(succeeded, key)
				mu.Unlock()
			case errors.As(err, &ce):
			default:
				t.Errorf("TagResource %s: %v", key, err)
			}
		}()
	}
	wg.Wait()
	tags, err := b.client.GetTags(ctx, &apigatewayv2.GetTagsInput{ResourceArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range succeeded {
		if _, ok := tags.Tags[k]; !ok {
			t.Errorf("tag %s was acknowledged and lost", k)
		}
	}
	if len(succeeded) < 20 {
		t.Errorf("only %d of 40 changes succeeded", len(succeeded))
	}
}

// A node whose Store another node writes follows it with Run.
func TestRunFollowsTheStore(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	store := control.NewMemStore()
	a, b := newNode(t, store), newNode(t, store)
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Run: %v", err)
		}
	}()
	created, err := a.client.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("q"), ProtocolType: types.ProtocolTypeHttp,
		Target: aws.String("http://127.0.0.1:9/")})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return b.servedAPI(*created.ApiId) != nil })
}

func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	for range 500 {
		if cond() {
			return
		}
		sleep()
	}
	t.Fatal("condition not met within 5s")
}

func TestValidationRefusesAndStoresNothing(t *testing.T) {
	ctx := context.Background()
	n := newNode(t, nil)
	api, err := n.client.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("ws"), ProtocolType: types.ProtocolTypeWebsocket,
		RouteSelectionExpression: aws.String("$request.body.action")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.client.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: api.ApiId, StageName: aws.String("dev"), AutoDeploy: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	_, err = n.client.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: api.ApiId,
		IntegrationType: types.IntegrationTypeHttpProxy, IntegrationUri: aws.String("not a url")})
	wantAPIError[*types.BadRequestException](t, err, "BadRequestException", `integrations[0].integrationUri: "not a url": want an absolute http(s):// URL`)
	got, err := n.client.GetIntegrations(ctx, &apigatewayv2.GetIntegrationsInput{ApiId: api.ApiId})
	if err != nil || len(got.Items) != 0 {
		t.Fatalf("GetIntegrations after a refused change: %+v, %v", got, err)
	}
}

func TestErrors(t *testing.T) {
	ctx := context.Background()
	n := newNode(t, nil)
	_, err := n.client.GetApi(ctx, &apigatewayv2.GetApiInput{ApiId: aws.String("nosuchapi1")})
	wantAPIError[*types.NotFoundException](t, err, "NotFoundException", "Invalid API identifier specified nosuchapi1")
	_, err = n.client.UpdateApi(ctx, &apigatewayv2.UpdateApiInput{ApiId: aws.String("fromfile01"), Name: aws.String("x")})
	wantAPIError[*types.BadRequestException](t, err, "BadRequestException",
		"API fromfile01 is managed by the configuration file; change it there (the control plane changes only the APIs it created)")
	_, err = n.client.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("x"), ProtocolType: "REST"})
	wantAPIError[*types.BadRequestException](t, err, "BadRequestException", "Invalid protocol specified. Must be one of [HTTP, WEBSOCKET]")
	_, err = n.client.GetRoute(ctx, &apigatewayv2.GetRouteInput{ApiId: aws.String("fromfile01"), RouteId: aws.String("nope123")})
	wantAPIError[*types.NotFoundException](t, err, "NotFoundException", "Invalid Route identifier specified nope123")
	_, err = n.client.GetDomainNames(ctx, &apigatewayv2.GetDomainNamesInput{})
	wantAPIError[*types.BadRequestException](t, err, "BadRequestException", "Portico does not support the apigatewayv2 operation GetDomainNames")

	// The file's API is visible, with its routes.
	apis, err := n.client.GetApis(ctx, &apigatewayv2.GetApisInput{})
	if err != nil || len(apis.Items) != 1 || *apis.Items[0].ApiId != "fromfile01" {
		t.Fatalf("GetApis: %+v, %v", apis, err)
	}
	routes, err := n.client.GetRoutes(ctx, &apigatewayv2.GetRoutesInput{ApiId: aws.String("fromfile01")})
	if err != nil || len(routes.Items) != 1 || *routes.Items[0].RouteKey != "$default" || len(*routes.Items[0].RouteId) != 7 {
		t.Fatalf("GetRoutes: %+v, %v", routes, err)
	}

	// Raw requests: unsigned, a wrong secret, a path in no model.
	for _, tc := range []struct {
		name, method, path string
		signed             bool
		status             int
		errType, body      string
	}{
		{"unsigned", "GET", "/v2/apis", false, 403, "MissingAuthenticationTokenException", `{"message":"Missing Authentication Token"}`},
		{"unknown path", "GET", "/v2/nothing", true, 400, "BadRequestException", `{"message":"No apigatewayv2 operation is GET /v2/nothing"}`},
		{"unsupported", "GET", "/v2/vpclinks", true, 400, "BadRequestException", `{"message":"Portico does not support the apigatewayv2 operation GetVpcLinks"}`},
		{"v1 unsupported", "GET", "/domainnames", true, 400, "BadRequestException",
			`{"message":"Portico does not support the apigateway (v1) operation GetDomainNames yet"}`},
		{"v1 import", "POST", "/restapis?mode=import", true, 400, "BadRequestException",
			`{"message":"Errors found during import:\n\tbody: Invalid OpenAPI input: the document is empty"}`},
		{"v1 unknown api", "GET", "/restapis/nope", true, 404, "NotFoundException", `{"message":"Invalid Rest API Id specified"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, n.URL+tc.path, nil)
			if tc.signed {
				signRequest(t, req)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != tc.status || res.Header.Get("x-amzn-ErrorType") != tc.errType || string(body) != tc.body {
				t.Fatalf("%d %s %s, want %d %s %s", res.StatusCode, res.Header.Get("x-amzn-ErrorType"), body, tc.status, tc.errType, tc.body)
			}
		})
	}
	_, err = newClient(n.URL, accessKey, "wrong").GetApis(ctx, &apigatewayv2.GetApisInput{})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidSignatureException" {
		t.Fatalf("wrong secret: %v", err)
	}
}

func TestAllowUnsignedFromLoopback(t *testing.T) {
	n := newNode(t, nil, func(c *control.Config) { c.AllowUnsigned = true })
	res, err := http.Get(n.URL + "/v2/apis")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), `"apiId":"fromfile01"`) {
		t.Fatalf("%d %s", res.StatusCode, body)
	}
}

// The README's list of operations is the route table's.
func TestREADMEListsTheOperations(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)<!-- control-plane-operations -->\n(.*?)<!-- /control-plane-operations -->`).FindSubmatch(readme)
	if m == nil {
		t.Fatal("README.md has no <!-- control-plane-operations --> block")
	}
	var want strings.Builder
	for _, op := range control.Operations() {
		fmt.Fprintf(&want, "| `%s` | `%s %s` |\n", op.Name, op.Method, op.Path)
	}
	table := "| Operation | HTTP |\n|---|---|\n" + want.String()
	if string(m[1]) != table {
		t.Errorf("README.md's operation list is stale; between the markers write:\n%s", table)
	}
}

func sleep() { time.Sleep(10 * time.Millisecond) }

// signRequest signs a body-less request as the SDKs do.
func signRequest(t testing.TB, r *http.Request) {
	t.Helper()
	const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: secret},
		r, emptySHA256, "apigateway", "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
}

func TestQuickCreateUpdateAndStages(t *testing.T) {
	ctx := context.Background()
	n := newNode(t, nil)
	api, err := n.client.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("q"), ProtocolType: types.ProtocolTypeHttp,
		Target: aws.String("http://127.0.0.1:9001/"), RouteKey: aws.String("GET /a")})
	if err != nil {
		t.Fatal(err)
	}
	served := func() *config.Deployment {
		t.Helper()
		a := n.servedAPI(*api.ApiId)
		if a == nil || len(a.Stages) != 1 || a.Stages[0].Deployment == nil {
			t.Fatalf("served: %+v", a)
		}
		return a.Stages[0].Deployment
	}
	if d := served(); d.Routes[0].RouteKey != "GET /a" || d.Integrations[0].IntegrationURI != "http://127.0.0.1:9001/" ||
		d.Integrations[0].IntegrationType != "HTTP_PROXY" {
		t.Fatalf("quick create serves %+v", d)
	}
	upd, err := n.client.UpdateApi(ctx, &apigatewayv2.UpdateApiInput{ApiId: api.ApiId, Target: aws.String("http://127.0.0.1:9002/"),
		RouteKey: aws.String("GET /b"), Description: aws.String("changed")})
	if err != nil {
		t.Fatal(err)
	}
	if *upd.Name != "q" || *upd.Description != "changed" || !upd.CreatedDate.Equal(*api.CreatedDate) {
		t.Fatalf("UpdateApi: %+v", upd)
	}
	if d := served(); d.Routes[0].RouteKey != "GET /b" || d.Integrations[0].IntegrationURI != "http://127.0.0.1:9002/" {
		t.Fatalf("after UpdateApi serves %+v", d)
	}
	// Every change made one autoDeployed deployment; those no stage serves are dropped.
	deps, err := n.client.GetDeployments(ctx, &apigatewayv2.GetDeploymentsInput{ApiId: api.ApiId})
	if err != nil || len(deps.Items) != 1 || !*deps.Items[0].AutoDeployed || *deps.Items[0].DeploymentId != served().DeploymentID {
		t.Fatalf("GetDeployments: %+v, %v", deps, err)
	}
	_, err = n.client.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: api.ApiId, StageName: aws.String("bad name")})
	wantAPIError[*types.BadRequestException](t, err, "BadRequestException", "Invalid stage name bad name: use letters, digits, _ or - ($default only for HTTP APIs)")
	_, err = n.client.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: api.ApiId, StageName: aws.String("$default")})
	wantAPIError[*types.ConflictException](t, err, "ConflictException", "Stage $default already exists")
	_, err = n.client.GetStage(ctx, &apigatewayv2.GetStageInput{ApiId: api.ApiId, StageName: aws.String("nope")})
	wantAPIError[*types.NotFoundException](t, err, "NotFoundException", "Invalid stage identifier specified nope")
	if _, err := n.client.DeleteStage(ctx, &apigatewayv2.DeleteStageInput{ApiId: api.ApiId, StageName: aws.String("$default")}); err != nil {
		t.Fatal(err)
	}
	if a := n.servedAPI(*api.ApiId); a != nil {
		t.Fatalf("an API without stages is served: %+v", a)
	}
}

// Every resource through its Create, Get, list, Update and Delete, with
// the SDK, and what the API serves after.
func TestResourcesRoundTrip(t *testing.T) {
	ctx := context.Background()
	n := newNode(t, nil)
	c := n.client
	api, err := c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("ws"), ProtocolType: types.ProtocolTypeWebsocket,
		RouteSelectionExpression: aws.String("$request.body.action"), Tags: map[string]string{"team": "a"}})
	if err != nil {
		t.Fatal(err)
	}
	id := api.ApiId
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	// Integrations and integration responses.
	in, err := c.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: id, IntegrationType: types.IntegrationTypeMock,
		RequestTemplates: map[string]string{"$default": `{"statusCode":200}`}, TemplateSelectionExpression: aws.String(`\$default`)})
	must(err)
	if len(*in.IntegrationId) != 7 || *in.PayloadFormatVersion != "1.0" || in.ConnectionType != types.ConnectionTypeInternet {
		t.Fatalf("CreateIntegration: %+v", in)
	}
	ir, err := c.CreateIntegrationResponse(ctx, &apigatewayv2.CreateIntegrationResponseInput{ApiId: id, IntegrationId: in.IntegrationId,
		IntegrationResponseKey: aws.String("$default"), ResponseTemplates: map[string]string{"$default": `{"ok":true}`}})
	must(err)
	_, err = c.CreateIntegrationResponse(ctx, &apigatewayv2.CreateIntegrationResponseInput{ApiId: id, IntegrationId: in.IntegrationId,
		IntegrationResponseKey: aws.String("$default")})
	wantAPIError[*types.ConflictException](t, err, "ConflictException", "IntegrationResponse with key $default already exists for this Integration")
	uir, err := c.UpdateIntegrationResponse(ctx, &apigatewayv2.UpdateIntegrationResponseInput{ApiId: id, IntegrationId: in.IntegrationId,
		IntegrationResponseId: ir.IntegrationResponseId, TemplateSelectionExpression: aws.String("$default")})
	must(err)
	if uir.ResponseTemplates["$default"] != `{"ok":true}` || *uir.TemplateSelectionExpression != "$default" {
		t.Fatalf("UpdateIntegrationResponse: %+v", uir)
	}
	irs, err := c.GetIntegrationResponses(ctx, &apigatewayv2.GetIntegrationResponsesInput{ApiId: id, IntegrationId: in.IntegrationId})
	if err != nil || len(irs.Items) != 1 {
		t.Fatalf("GetIntegrationResponses: %+v, %v", irs, err)
	}

	// Authorizers.
	au, err := c.CreateAuthorizer(ctx, &apigatewayv2.CreateAuthorizerInput{ApiId: id, Name: aws.String("auth"), AuthorizerType: types.AuthorizerTypeRequest,
		AuthorizerUri: aws.String("http://127.0.0.1:9/authorize"), IdentitySource: []string{"route.request.header.Auth"}})
	must(err)
	uau, err := c.UpdateAuthorizer(ctx, &apigatewayv2.UpdateAuthorizerInput{ApiId: id, AuthorizerId: au.AuthorizerId, Name: aws.String("renamed")})
	must(err)
	if *uau.Name != "renamed" || *uau.AuthorizerUri != "http://127.0.0.1:9/authorize" || len(*au.AuthorizerId) != 6 {
		t.Fatalf("UpdateAuthorizer: %+v", uau)
	}

	// Routes and route responses.
	rt, err := c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: id, RouteKey: aws.String("$connect"), Target: aws.String("integrations/" + *in.IntegrationId),
		AuthorizationType: types.AuthorizationTypeCustom, AuthorizerId: au.AuthorizerId})
	must(err)
	_, err = c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: id, RouteKey: aws.String("$connect")})
	wantAPIError[*types.ConflictException](t, err, "ConflictException", "Route with key $connect already exists for this API")
	echo, err := c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: id, RouteKey: aws.String("echo"), Target: aws.String("integrations/" + *in.IntegrationId)})
	must(err)
	uecho, err := c.UpdateRoute(ctx, &apigatewayv2.UpdateRouteInput{ApiId: id, RouteId: echo.RouteId, RouteResponseSelectionExpression: aws.String("$default")})
	must(err)
	if *uecho.RouteKey != "echo" || *uecho.Target != "integrations/"+*in.IntegrationId || *uecho.RouteResponseSelectionExpression != "$default" {
		t.Fatalf("UpdateRoute: %+v", uecho)
	}
	rr, err := c.CreateRouteResponse(ctx, &apigatewayv2.CreateRouteResponseInput{ApiId: id, RouteId: echo.RouteId, RouteResponseKey: aws.String("$default")})
	must(err)
	if got, err := c.GetRouteResponse(ctx, &apigatewayv2.GetRouteResponseInput{ApiId: id, RouteId: echo.RouteId, RouteResponseId: rr.RouteResponseId}); err != nil || *got.RouteResponseKey != "$default" {
		t.Fatalf("GetRouteResponse: %+v, %v", got, err)
	}
	_, err = c.DeleteAuthorizer(ctx, &apigatewayv2.DeleteAuthorizerInput{ApiId: id, AuthorizerId: au.AuthorizerId})
	// Delete operations model only NotFoundException: others arrive as
	// generic API errors, as AWS's own do.
	wantAPIError[smithy.APIError](t, err, "BadRequestException", "Authorizer "+*au.AuthorizerId+" is used by route "+*rt.RouteId+"; change the route first")
	_, err = c.DeleteIntegration(ctx, &apigatewayv2.DeleteIntegrationInput{ApiId: id, IntegrationId: in.IntegrationId})
	wantAPIError[smithy.APIError](t, err, "BadRequestException", "Integration "+*in.IntegrationId+" is the target of route "+*rt.RouteId+"; change the route first")

	// A stage: what it serves is all of the above.
	st, err := c.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: id, StageName: aws.String("dev"), AutoDeploy: aws.Bool(true),
		StageVariables: map[string]string{"a": "1", "b": "2"}})
	must(err)
	ust, err := c.UpdateStage(ctx, &apigatewayv2.UpdateStageInput{ApiId: id, StageName: aws.String("dev"), StageVariables: map[string]string{"c": "3"}})
	must(err)
	if len(ust.StageVariables) != 1 || ust.StageVariables["c"] != "3" || !*ust.AutoDeploy || *ust.DeploymentId != *st.DeploymentId {
		t.Fatalf("UpdateStage replaces stageVariables, keeps the rest: %+v", ust)
	}
	served := n.servedAPI(*id)
	if served == nil || len(served.Stages) != 1 {
		t.Fatalf("served: %+v", served)
	}
	d := served.Stages[0].Deployment
	if len(d.Routes) != 2 || len(d.Integrations) != 1 || len(d.Authorizers) != 1 || d.Routes[1].RouteResponses[0].RouteResponseKey != "$default" ||
		d.Integrations[0].IntegrationResponses[0].ResponseTemplates["$default"] != `{"ok":true}` || served.Stages[0].StageVariables["c"] != "3" {
		t.Fatalf("served deployment: %+v", d)
	}

	// Tags on the API and the stage.
	stageARN := "arn:aws:apigateway:eu-west-3::/apis/" + *id + "/stages/dev"
	_, err = c.TagResource(ctx, &apigatewayv2.TagResourceInput{ResourceArn: aws.String(stageARN), Tags: map[string]string{"env": "dev", "x": "y"}})
	must(err)
	_, err = c.UntagResource(ctx, &apigatewayv2.UntagResourceInput{ResourceArn: aws.String(stageARN), TagKeys: []string{"x"}})
	must(err)
	tags, err := c.GetTags(ctx, &apigatewayv2.GetTagsInput{ResourceArn: aws.String(stageARN)})
	if err != nil || len(tags.Tags) != 1 || tags.Tags["env"] != "dev" {
		t.Fatalf("GetTags: %+v, %v", tags, err)
	}
	got, err := c.GetApi(ctx, &apigatewayv2.GetApiInput{ApiId: id})
	if err != nil || got.Tags["team"] != "a" {
		t.Fatalf("GetApi: %+v, %v", got, err)
	}

	// Deletes, and their not-founds.
	must2 := func(_ any, err error) { t.Helper(); must(err) }
	must2(c.DeleteRouteResponse(ctx, &apigatewayv2.DeleteRouteResponseInput{ApiId: id, RouteId: echo.RouteId, RouteResponseId: rr.RouteResponseId}))
	_, err = c.GetRouteResponse(ctx, &apigatewayv2.GetRouteResponseInput{ApiId: id, RouteId: echo.RouteId, RouteResponseId: rr.RouteResponseId})
	wantAPIError[*types.NotFoundException](t, err, "NotFoundException", "Invalid RouteResponse identifier specified "+*rr.RouteResponseId)
	must2(c.DeleteIntegrationResponse(ctx, &apigatewayv2.DeleteIntegrationResponseInput{ApiId: id, IntegrationId: in.IntegrationId, IntegrationResponseId: ir.IntegrationResponseId}))
	_, err = c.GetIntegrationResponse(ctx, &apigatewayv2.GetIntegrationResponseInput{ApiId: id, IntegrationId: in.IntegrationId, IntegrationResponseId: ir.IntegrationResponseId})
	wantAPIError[*types.NotFoundException](t, err, "NotFoundException", "Invalid IntegrationResponse identifier specified "+*ir.IntegrationResponseId)
	must2(c.DeleteRoute(ctx, &apigatewayv2.DeleteRouteInput{ApiId: id, RouteId: rt.RouteId}))
	must2(c.DeleteRoute(ctx, &apigatewayv2.DeleteRouteInput{ApiId: id, RouteId: echo.RouteId}))
	_, err = c.GetRoute(ctx, &apigatewayv2.GetRouteInput{ApiId: id, RouteId: rt.RouteId})
	wantAPIError[*types.NotFoundException](t, err, "NotFoundException", "Invalid Route identifier specified "+*rt.RouteId)
	must2(c.DeleteAuthorizer(ctx, &apigatewayv2.DeleteAuthorizerInput{ApiId: id, AuthorizerId: au.AuthorizerId}))
	_, err = c.GetAuthorizer(ctx, &apigatewayv2.GetAuthorizerInput{ApiId: id, AuthorizerId: au.AuthorizerId})
	wantAPIError[*types.NotFoundException](t, err, "NotFoundException", "Invalid Authorizer identifier specified "+*au.AuthorizerId)
	must2(c.DeleteIntegration(ctx, &apigatewayv2.DeleteIntegrationInput{ApiId: id, IntegrationId: in.IntegrationId}))
	_, err = c.GetIntegration(ctx, &apigatewayv2.GetIntegrationInput{ApiId: id, IntegrationId: in.IntegrationId})
	wantAPIError[*types.NotFoundException](t, err, "NotFoundException", "Invalid Integration identifier specified "+*in.IntegrationId)
	_, err = c.GetDeployment(ctx, &apigatewayv2.GetDeploymentInput{ApiId: id, DeploymentId: aws.String("nope00")})
	wantAPIError[*types.NotFoundException](t, err, "NotFoundException", "Invalid Deployment identifier specified nope00")
	if d := n.servedAPI(*id).Stages[0].Deployment; len(d.Routes)+len(d.Integrations)+len(d.Authorizers) != 0 {
		t.Fatalf("after the deletes, dev serves %+v", d)
	}
	must2(c.DeleteApi(ctx, &apigatewayv2.DeleteApiInput{ApiId: id}))
	_, err = c.DeleteApi(ctx, &apigatewayv2.DeleteApiInput{ApiId: id})
	wantAPIError[*types.NotFoundException](t, err, "NotFoundException", "Invalid API identifier specified "+*id)
	if n.servedAPI(*id) != nil {
		t.Fatal("the deleted API is served")
	}
}

// interferingStore lets a test act as another writer: before each Update
// it runs the next function of before (on the store itself).
type interferingStore struct {
	*control.MemStore
	mu     sync.Mutex
	before []func(s *control.MemStore)
}

func (s *interferingStore) Update(ctx context.Context, key string, value []byte, rev uint64) (uint64, error) {
	s.mu.Lock()
	var fn func(*control.MemStore)
	if len(s.before) > 0 {
		fn, s.before = s.before[0], s.before[1:]
	}
	s.mu.Unlock()
	if fn != nil {
		fn(s.MemStore)
	}
	return s.MemStore.Update(ctx, key, value, rev)
}

func TestConflictsRetryThenAnswer(t *testing.T) {
	ctx := context.Background()
	store := &interferingStore{MemStore: control.NewMemStore()}
	n := newNode(t, store)
	api, err := n.client.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("q"), ProtocolType: types.ProtocolTypeHttp,
		Target: aws.String("http://127.0.0.1:9001/")})
	if err != nil {
		t.Fatal(err)
	}
	key := "v2.apis." + *api.ApiId
	touch := func(s *control.MemStore) { // another writer rewrites the API as it is
		e, _ := s.Get(ctx, key)
		if _, err := s.Update(ctx, key, e.Value, e.Revision); err != nil {
			t.Error(err)
		}
	}

	// One conflict: the change runs again on the other writer's state and succeeds.
	store.before = []func(*control.MemStore){touch}
	if _, err := n.client.UpdateApi(ctx, &apigatewayv2.UpdateApiInput{ApiId: api.ApiId, Description: aws.String("one")}); err != nil {
		t.Fatal(err)
	}

	// Conflicts every time: 409, and the node serves what the store holds.
	store.before = []func(*control.MemStore){touch, touch, touch, touch, touch}
	_, err = n.client.UpdateApi(ctx, &apigatewayv2.UpdateApiInput{ApiId: api.ApiId, Target: aws.String("http://127.0.0.1:9002/")})
	wantAPIError[*types.ConflictException](t, err, "ConflictException", "The API was changed by another request at the same time; retry")
	if uri := n.servedAPI(*api.ApiId).Stages[0].Deployment.Integrations[0].IntegrationURI; uri != "http://127.0.0.1:9001/" {
		t.Fatalf("after the conflict the node serves %s, not the store's state", uri)
	}

	// The other writer deletes the API in between: the retry answers 404
	// and the node stops serving what it applied on the first attempt.
	store.before = []func(*control.MemStore){func(s *control.MemStore) {
		e, _ := s.Get(ctx, key)
		if err := s.Delete(ctx, key, e.Revision); err != nil {
			t.Error(err)
		}
	}}
	_, err = n.client.UpdateApi(ctx, &apigatewayv2.UpdateApiInput{ApiId: api.ApiId, Target: aws.String("http://127.0.0.1:9003/")})
	wantAPIError[*types.NotFoundException](t, err, "NotFoundException", "Invalid API identifier specified "+*api.ApiId)
	if a := n.servedAPI(*api.ApiId); a != nil {
		t.Fatalf("the node serves an API the store no longer has: %+v", a)
	}
	got, err := n.client.GetApi(ctx, &apigatewayv2.GetApiInput{ApiId: api.ApiId})
	if err == nil {
		t.Fatalf("GetApi after the other writer's delete: %+v", got)
	}
}
