package portico_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	v1types "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	awshttp "github.com/aws/smithy-go/transport/http"
	"github.com/nats-io/nats-server/v2/server"
)

// createQuickAPI quick-creates an HTTP API going to target through gw's
// control plane, retrying while the control plane answers 503 (a JetStream
// cluster that has no leader yet).
func createQuickAPI(t *testing.T, gw *gateway, name, target string) *apigatewayv2.CreateApiOutput {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(30 * time.Second)
	for {
		api, err := v2Client(gw).CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String(name), ProtocolType: types.ProtocolTypeHttp,
			Target: aws.String(target)})
		if err == nil {
			return api
		}
		var re *awshttp.ResponseError
		if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusServiceUnavailable || time.Now().After(deadline) {
			t.Fatalf("CreateApi: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// waitServed polls url until it answers want (or, with want "", anything
// but 200) before the deadline.
func waitServed(t *testing.T, url, want string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		status, body := getStatus(t, url)
		if (want != "" && status == 200 && body == want) || (want == "" && status != 200) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: %d %q after %v, want %q", url, status, body, within, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// An API created through node A's control plane serves on nodes B and C
// (the JetStream bucket, replicated on the embedded clustered NATS), and
// its deletion through B stops it on A.
func TestControlPlaneReplicatedAcrossCluster(t *testing.T) {
	backend := textServer(t, "replicated")
	t0 := time.Now()
	nodes := startClusterYAML(t, 3, controlYAML)
	t.Logf("cluster formed in %v", time.Since(t0))
	t0 = time.Now()
	api := createQuickAPI(t, nodes[0].gateway, "everywhere", backend.URL)
	t.Logf("CreateApi answered in %v (JetStream leader, bucket)", time.Since(t0))
	for i, n := range nodes {
		url := n.URL + "/_aws/execute-api/" + *api.ApiId + "/x"
		within := 5 * time.Second
		if i == 0 {
			within = 0 // applied before CreateApi answered
		}
		t0 = time.Now()
		waitServed(t, url, "replicated", within)
		t.Logf("node %d serves the API after %v", i, time.Since(t0))
	}
	// Node B sees the API in its control plane too, and deletes it.
	t0 = time.Now()
	got, err := v2Client(nodes[1].gateway).GetApi(context.Background(), &apigatewayv2.GetApiInput{ApiId: api.ApiId})
	if err != nil || *got.Name != "everywhere" {
		t.Fatalf("GetApi on node B: %+v, %v", got, err)
	}
	if _, err := v2Client(nodes[1].gateway).DeleteApi(context.Background(), &apigatewayv2.DeleteApiInput{ApiId: api.ApiId}); err != nil {
		t.Fatal(err)
	}
	t.Logf("GetApi and DeleteApi on node B in %v", time.Since(t0))
	t0 = time.Now()
	waitServed(t, nodes[0].URL+"/_aws/execute-api/"+*api.ApiId+"/x", "", 5*time.Second)
	t.Logf("node 0 stopped serving the API after %v", time.Since(t0))
}

// The control plane's APIs survive a restart: a new node with the same
// dataDir (the embedded NATS's JetStream store) serves them at start.
func TestControlPlaneSurvivesRestart(t *testing.T) {
	backend := textServer(t, "persisted")
	yaml := controlYAML + fmt.Sprintf("dataDir: %s\n", t.TempDir())
	gw := startGateway(t, yaml)
	api := createQuickAPI(t, gw, "kept", backend.URL)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := gw.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	gw2 := startGateway(t, yaml)
	// Applied before Start returned: no polling.
	if status, body := getStatus(t, gw2.URL+"/_aws/execute-api/"+*api.ApiId+"/x"); status != 200 || body != "persisted" {
		t.Fatalf("after restart: %d %q", status, body)
	}
	apis, err := v2Client(gw2).GetApis(ctx, &apigatewayv2.GetApisInput{})
	if err != nil || len(apis.Items) != 1 || *apis.Items[0].ApiId != *api.ApiId {
		t.Fatalf("GetApis after restart: %+v, %v", apis, err)
	}
}

// On an external NATS without JetStream the control plane answers 503
// saying JetStream is needed, and the file's APIs are served.
func TestControlPlaneWithoutJetStream(t *testing.T) {
	port := freePort(t)
	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: port, NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server did not start")
	}
	t.Cleanup(ns.Shutdown)
	b := newBackend(t, nil)
	gw := startGateway(t, chatConfig(b.URL, fmt.Sprintf("admin: 127.0.0.1:0\nnats:\n  url: nats://127.0.0.1:%d\n", port)))
	_, err = v2Client(gw).CreateApi(context.Background(), &apigatewayv2.CreateApiInput{Name: aws.String("x"), ProtocolType: types.ProtocolTypeHttp,
		Target: aws.String(b.URL)})
	wantV2Error(t, err, 503, "ServiceUnavailableException", "")
	if !strings.Contains(err.Error(), "JetStream") {
		t.Fatalf("503 without the reason: %v", err)
	}
	c := dial(t, gw.WS+"/dev", nil) // the file's chat API
	c.Close()
}

// The control plane's APIs survive a restart of every node of a cluster:
// each node keeps its JetStream store (and its JetStream identity) in its
// own dataDir.
func TestControlPlaneClusterSurvivesFullRestart(t *testing.T) {
	backend := textServer(t, "cluster-persisted")
	const n = 3
	routePorts, dirs := make([]int, n), make([]string, n)
	for i := range n {
		routePorts[i], dirs[i] = freePort(t), t.TempDir()
	}
	start := func() []node {
		nodes := make([]node, n)
		for i := range n {
			var peers []int
			for j, p := range routePorts {
				if j != i {
					peers = append(peers, p)
				}
			}
			nodes[i] = startClusterNode(t, controlYAML+"dataDir: "+dirs[i]+"\n", routePorts[i], peers)
		}
		return nodes
	}
	nodes := start()
	api := createQuickAPI(t, nodes[0].gateway, "kept", backend.URL)
	waitServed(t, nodes[2].URL+"/_aws/execute-api/"+*api.ApiId+"/x", "cluster-persisted", 5*time.Second)
	for _, nd := range nodes {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := nd.Shutdown(ctx); err != nil {
			t.Fatal(err)
		}
		cancel()
	}
	nodes = start()
	for i, nd := range nodes {
		// JetStream elects its leaders again before the nodes can read.
		waitServed(t, nd.URL+"/_aws/execute-api/"+*api.ApiId+"/x", "cluster-persisted", 30*time.Second)
		t.Logf("node %d serves the API again", i)
	}
}

// A REST API of about 3 MB (ten resources whose integrations carry
// 300 KB mapping templates), more than one NATS message, made through
// node A's control plane, is stored in chunks and read whole on node C,
// which serves its deployment.
func TestControlPlaneLargeRecordAcrossCluster(t *testing.T) {
	ctx := context.Background()
	nodes := startClusterYAML(t, 3, controlYAML)
	a := apigateway.New(apigateway.Options{Region: "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(testAccessKey, testSecret, ""),
		BaseEndpoint: aws.String(nodes[0].adminURL()), RetryMaxAttempts: 1})
	var api *apigateway.CreateRestApiOutput
	deadline := time.Now().Add(30 * time.Second)
	for { // 503 until the JetStream cluster has a leader
		var err error
		api, err = a.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("large")})
		if err == nil {
			break
		}
		var re *awshttp.ResponseError
		if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusServiceUnavailable || time.Now().After(deadline) {
			t.Fatalf("CreateRestApi: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	template := func(i int) string {
		return fmt.Sprintf("#* resource %d: %s *#{\"statusCode\": 200}", i, strings.Repeat(fmt.Sprintf("filler %d ", i), 30000))
	}
	const resources = 10
	for i := range resources {
		r, err := a.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: api.RootResourceId,
			PathPart: aws.String(fmt.Sprintf("r%d", i))})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: r.Id, HttpMethod: aws.String("GET"),
			AuthorizationType: aws.String("NONE")}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: api.Id, ResourceId: r.Id,
			HttpMethod: aws.String("GET"), StatusCode: aws.String("200")}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: r.Id, HttpMethod: aws.String("GET"),
			Type: v1types.IntegrationTypeMock, RequestTemplates: map[string]string{"application/json": template(i)}}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: api.Id, ResourceId: r.Id,
			HttpMethod: aws.String("GET"), StatusCode: aws.String("200"),
			ResponseTemplates: map[string]string{"application/json": fmt.Sprintf(`{"resource": %d}`, i)}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	// Node C reads the whole record (its control plane) and serves it.
	c := apigateway.New(apigateway.Options{Region: "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(testAccessKey, testSecret, ""),
		BaseEndpoint: aws.String(nodes[2].adminURL()), RetryMaxAttempts: 1})
	res, err := c.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: api.Id})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != resources+1 {
		t.Fatalf("node C: %d resources, want %d", len(res.Items), resources+1)
	}
	for _, r := range res.Items {
		if *r.Path == "/" {
			continue
		}
		var i int
		fmt.Sscanf(*r.PathPart, "r%d", &i)
		in, err := c.GetIntegration(ctx, &apigateway.GetIntegrationInput{RestApiId: api.Id, ResourceId: r.Id, HttpMethod: aws.String("GET")})
		if err != nil {
			t.Fatal(err)
		}
		if got := in.RequestTemplates["application/json"]; got != template(i) {
			t.Fatalf("node C: the template of %s has %d bytes, want the %d written", *r.Path, len(got), len(template(i)))
		}
	}
	waitServed(t, nodes[2].URL+"/_aws/execute-api/"+*api.Id+"/prod/r7", `{"resource": 7}`, 10*time.Second)

	// An API key and a usage plan made through node A are enforced on
	// node C: r0 requires a key from now on.
	r0 := res.Items[slices.IndexFunc(res.Items, func(r v1types.Resource) bool { return *r.Path == "/r0" })]
	if _, err := a.UpdateMethod(ctx, &apigateway.UpdateMethodInput{RestApiId: api.Id, ResourceId: r0.Id, HttpMethod: aws.String("GET"),
		PatchOperations: []v1types.PatchOperation{{Op: v1types.OpReplace, Path: aws.String("/apiKeyRequired"), Value: aws.String("true")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	key, err := a.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Name: aws.String("k"), Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := a.CreateUsagePlan(ctx, &apigateway.CreateUsagePlanInput{Name: aws.String("p"),
		ApiStages: []v1types.ApiStage{{ApiId: api.Id, Stage: aws.String("prod")}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.CreateUsagePlanKey(ctx, &apigateway.CreateUsagePlanKeyInput{UsagePlanId: plan.Id, KeyId: key.Id, KeyType: aws.String("API_KEY")}); err != nil {
		t.Fatal(err)
	}
	url := nodes[2].URL + "/_aws/execute-api/" + *api.Id + "/prod/r0"
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		withKey, _ := callWithKey(t, url, *key.Value)
		without, _ := callWithKey(t, url, "")
		if withKey == 200 && without == 403 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("node C: %d with the key, %d without, want 200 and 403", withKey, without)
		}
	}
}
