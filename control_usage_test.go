package portico_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// restAPIWithKeyRequired creates, through the control plane, a REST API
// whose GET /pets requires an API key (a MOCK answering {"pets":[]}),
// deployed to prod; it returns the API's ID and the resource's.
func restAPIWithKeyRequired(t *testing.T, client *apigateway.Client) (apiID, petsID string) {
	t.Helper()
	ctx := context.Background()
	api, err := client.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("keyed")})
	if err != nil {
		t.Fatal(err)
	}
	pets, err := client.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: api.RootResourceId, PathPart: aws.String("pets")})
	if err != nil {
		t.Fatal(err)
	}
	m := func(in *apigateway.PutMethodInput) {
		if _, err := client.PutMethod(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	m(&apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: pets.Id, HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE"),
		ApiKeyRequired: true})
	if _, err := client.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: api.Id, ResourceId: pets.Id,
		HttpMethod: aws.String("GET"), StatusCode: aws.String("200")}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: pets.Id, HttpMethod: aws.String("GET"),
		Type: types.IntegrationTypeMock, RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: api.Id, ResourceId: pets.Id,
		HttpMethod: aws.String("GET"), StatusCode: aws.String("200"), ResponseTemplates: map[string]string{"application/json": `{"pets":[]}`}}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	return *api.Id, *pets.Id
}

// callWithKey calls the data plane with the x-api-key header (none when
// key is empty).
func callWithKey(t *testing.T, url, key string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if key != "" {
		req.Header.Set("x-api-key", key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// API keys, usage plans and usage plan keys made through the control
// plane with the SDK, then the data plane: 403 without a key, 200 three
// times with it (quota 3 a day), then 429 Limit Exceeded; a disabled key
// is refused.
func TestControlPlaneUsagePlansSDK(t *testing.T) {
	ctx := context.Background()
	gw := startGateway(t, controlYAML)
	client := v1Client(gw)
	apiID, _ := restAPIWithKeyRequired(t, client)
	url := gw.URL + "/_aws/execute-api/" + apiID + "/prod/pets"

	// API keys.
	_, err := client.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Name: aws.String("short"), Value: aws.String("too-short")})
	wantV2Error(t, err, 400, "BadRequestException", "API Key value should be at least 20 characters")
	key, err := client.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Name: aws.String("alice"), Enabled: true, CustomerId: aws.String("c-1"),
		Tags: map[string]string{"team": "a"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(*key.Id) != 10 || len(*key.Value) != 40 || !key.Enabled || *key.Name != "alice" || key.CreatedDate == nil || *key.CustomerId != "c-1" {
		t.Fatalf("create-api-key: %+v", key)
	}
	_, err = client.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Name: aws.String("again"), Value: key.Value})
	wantV2Error(t, err, 409, "ConflictException", "API Key already exists")
	bob, err := client.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Name: aws.String("bob"), Value: aws.String("bob-key-bob-key-bob-key-0123")})
	if err != nil {
		t.Fatal(err)
	}
	if bob.Enabled || *bob.Value != "bob-key-bob-key-bob-key-0123" {
		t.Fatalf("create-api-key bob (AWS's default is disabled): %+v", bob)
	}
	got, err := client.GetApiKey(ctx, &apigateway.GetApiKeyInput{ApiKey: key.Id})
	if err != nil || got.Value != nil || *got.Name != "alice" {
		t.Fatalf("get-api-key without includeValue: %+v %v", got, err)
	}
	got, err = client.GetApiKey(ctx, &apigateway.GetApiKeyInput{ApiKey: key.Id, IncludeValue: aws.Bool(true)})
	if err != nil || *got.Value != *key.Value {
		t.Fatalf("get-api-key includeValue: %+v %v", got, err)
	}
	_, err = client.GetApiKey(ctx, &apigateway.GetApiKeyInput{ApiKey: aws.String("nope")})
	wantV2Error(t, err, 404, "NotFoundException", "Invalid API Key identifier specified")
	list, err := client.GetApiKeys(ctx, &apigateway.GetApiKeysInput{NameQuery: aws.String("al"), IncludeValues: aws.Bool(true)})
	if err != nil || len(list.Items) != 1 || *list.Items[0].Value != *key.Value {
		t.Fatalf("get-api-keys name=al: %+v %v", list, err)
	}
	list, err = client.GetApiKeys(ctx, &apigateway.GetApiKeysInput{CustomerId: aws.String("c-1")})
	if err != nil || len(list.Items) != 1 || list.Items[0].Value != nil {
		t.Fatalf("get-api-keys customerId: %+v %v", list, err)
	}
	list, err = client.GetApiKeys(ctx, &apigateway.GetApiKeysInput{})
	if err != nil || len(list.Items) != 2 {
		t.Fatalf("get-api-keys: %+v %v", list, err)
	}

	// A usage plan on prod, 3 requests a day.
	_, err = client.CreateUsagePlan(ctx, &apigateway.CreateUsagePlanInput{Name: aws.String("bad"),
		ApiStages: []types.ApiStage{{ApiId: aws.String("nope"), Stage: aws.String("prod")}}})
	wantV2Error(t, err, 400, "BadRequestException", "Invalid API Stage {api: nope, stage: prod} specified for usageplan bad")
	_, err = client.CreateUsagePlan(ctx, &apigateway.CreateUsagePlanInput{Name: aws.String("bad"),
		ApiStages: []types.ApiStage{{ApiId: &apiID, Stage: aws.String("test")}}})
	wantV2Error(t, err, 400, "BadRequestException", "API Stage not found: "+apiID+":test")
	plan, err := client.CreateUsagePlan(ctx, &apigateway.CreateUsagePlanInput{Name: aws.String("basic"), Description: aws.String("three a day"),
		ApiStages: []types.ApiStage{{ApiId: &apiID, Stage: aws.String("prod")}},
		Quota:     &types.QuotaSettings{Limit: 3, Period: types.QuotaPeriodTypeDay},
		Throttle:  &types.ThrottleSettings{RateLimit: 100, BurstLimit: 200}})
	if err != nil {
		t.Fatal(err)
	}
	if len(*plan.Id) != 10 || *plan.Name != "basic" || plan.Quota.Limit != 3 || plan.Throttle.BurstLimit != 200 || len(plan.ApiStages) != 1 {
		t.Fatalf("create-usage-plan: %+v", plan)
	}
	_, err = client.GetUsagePlan(ctx, &apigateway.GetUsagePlanInput{UsagePlanId: aws.String("nope")})
	wantV2Error(t, err, 404, "NotFoundException", "Invalid Usage Plan ID specified")

	// Not in a plan yet: refused.
	if status, body := callWithKey(t, url, *key.Value); status != 403 || body != `{"message":"Forbidden"}` {
		t.Fatalf("a key in no plan: %d %s", status, body)
	}
	_, err = client.CreateUsagePlanKey(ctx, &apigateway.CreateUsagePlanKeyInput{UsagePlanId: plan.Id, KeyId: aws.String("nope"), KeyType: aws.String("API_KEY")})
	wantV2Error(t, err, 404, "NotFoundException", "Invalid API Key identifier specified")
	pk, err := client.CreateUsagePlanKey(ctx, &apigateway.CreateUsagePlanKeyInput{UsagePlanId: plan.Id, KeyId: key.Id, KeyType: aws.String("API_KEY")})
	if err != nil {
		t.Fatal(err)
	}
	if *pk.Id != *key.Id || *pk.Type != "API_KEY" || *pk.Value != *key.Value || *pk.Name != "alice" {
		t.Fatalf("create-usage-plan-key: %+v", pk)
	}
	if _, err := client.CreateUsagePlanKey(ctx, &apigateway.CreateUsagePlanKeyInput{UsagePlanId: plan.Id, KeyId: bob.Id, KeyType: aws.String("API_KEY")}); err != nil {
		t.Fatal(err)
	}
	pks, err := client.GetUsagePlanKeys(ctx, &apigateway.GetUsagePlanKeysInput{UsagePlanId: plan.Id})
	if err != nil || len(pks.Items) != 2 {
		t.Fatalf("get-usage-plan-keys: %+v %v", pks, err)
	}
	plans, err := client.GetUsagePlans(ctx, &apigateway.GetUsagePlansInput{KeyId: key.Id})
	if err != nil || len(plans.Items) != 1 || *plans.Items[0].Id != *plan.Id {
		t.Fatalf("get-usage-plans keyId: %+v %v", plans, err)
	}

	// The data plane.
	if status, body := callWithKey(t, url, ""); status != 403 || body != `{"message":"Forbidden"}` {
		t.Fatalf("no key: %d %s", status, body)
	}
	for i := range 3 {
		if status, body := callWithKey(t, url, *key.Value); status != 200 || body != `{"pets":[]}` {
			t.Fatalf("call %d: %d %s", i+1, status, body)
		}
	}
	if status, body := callWithKey(t, url, *key.Value); status != 429 || body != `{"message":"Limit Exceeded"}` {
		t.Fatalf("fourth call: %d %s", status, body)
	}
	// bob's key is disabled: refused until enabled.
	if status, _ := callWithKey(t, url, *bob.Value); status != 403 {
		t.Fatalf("disabled key: %d", status)
	}
	upd, err := client.UpdateApiKey(ctx, &apigateway.UpdateApiKeyInput{ApiKey: bob.Id, PatchOperations: []types.PatchOperation{
		{Op: types.OpReplace, Path: aws.String("/enabled"), Value: aws.String("true")},
		{Op: types.OpReplace, Path: aws.String("/description"), Value: aws.String("now on")}}})
	if err != nil || !upd.Enabled || *upd.Description != "now on" || upd.Value != nil {
		t.Fatalf("update-api-key: %+v %v", upd, err)
	}
	if status, _ := callWithKey(t, url, *bob.Value); status != 200 {
		t.Fatalf("enabled key: %d", status)
	}
	_, err = client.UpdateApiKey(ctx, &apigateway.UpdateApiKeyInput{ApiKey: bob.Id, PatchOperations: []types.PatchOperation{
		{Op: types.OpReplace, Path: aws.String("/value"), Value: aws.String("x")}}})
	wantV2Error(t, err, 400, "BadRequestException", "Invalid patch path '/value' specified for op 'replace'")

	// A higher quota through update-usage-plan admits alice again.
	up, err := client.UpdateUsagePlan(ctx, &apigateway.UpdateUsagePlanInput{UsagePlanId: plan.Id, PatchOperations: []types.PatchOperation{
		{Op: types.OpReplace, Path: aws.String("/quota/limit"), Value: aws.String("4")},
		{Op: types.OpReplace, Path: aws.String("/name"), Value: aws.String("basic+")},
		{Op: types.OpReplace, Path: aws.String("/apiStages/" + apiID + ":prod/throttle/~1pets/GET/rateLimit"), Value: aws.String("50")},
		{Op: types.OpReplace, Path: aws.String("/apiStages/" + apiID + ":prod/throttle/~1pets/GET/burstLimit"), Value: aws.String("60")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if up.Quota.Limit != 4 || *up.Name != "basic+" || up.ApiStages[0].Throttle["/pets/GET"].BurstLimit != 60 {
		t.Fatalf("update-usage-plan: %+v", up)
	}
	if status, _ := callWithKey(t, url, *key.Value); status != 200 {
		t.Fatalf("after the quota went up: %d", status)
	}
	if status, _ := callWithKey(t, url, *key.Value); status != 429 {
		t.Fatalf("over the new quota: %d", status)
	}

	// Removing the plan key, then deleting the key.
	if _, err := client.DeleteUsagePlanKey(ctx, &apigateway.DeleteUsagePlanKeyInput{UsagePlanId: plan.Id, KeyId: bob.Id}); err != nil {
		t.Fatal(err)
	}
	if status, _ := callWithKey(t, url, *bob.Value); status != 403 {
		t.Fatalf("a key out of the plan: %d", status)
	}
	_, err = client.GetUsagePlanKey(ctx, &apigateway.GetUsagePlanKeyInput{UsagePlanId: plan.Id, KeyId: bob.Id})
	wantV2Error(t, err, 404, "NotFoundException", "Invalid API Key identifier specified")
	if _, err := client.DeleteApiKey(ctx, &apigateway.DeleteApiKeyInput{ApiKey: key.Id}); err != nil {
		t.Fatal(err)
	}
	if status, _ := callWithKey(t, url, *key.Value); status != 403 {
		t.Fatalf("a deleted key: %d", status)
	}
	pks, err = client.GetUsagePlanKeys(ctx, &apigateway.GetUsagePlanKeysInput{UsagePlanId: plan.Id})
	if err != nil || len(pks.Items) != 0 {
		t.Fatalf("get-usage-plan-keys after deletions: %+v %v", pks, err)
	}
	if _, err := client.DeleteUsagePlan(ctx, &apigateway.DeleteUsagePlanInput{UsagePlanId: plan.Id}); err != nil {
		t.Fatal(err)
	}
	_, err = client.DeleteUsagePlan(ctx, &apigateway.DeleteUsagePlanInput{UsagePlanId: plan.Id})
	wantV2Error(t, err, 404, "NotFoundException", "Invalid Usage Plan ID specified")
}

// The file's keys and plans are shown and not changed; ImportApiKeys
// with the AWS CLI (a CSV file) creates keys in a plan.
func TestControlPlaneAPIKeysFileAndImportAWSCLI(t *testing.T) {
	awsCLI, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("aws CLI not on PATH")
	}
	gw := startGateway(t, controlYAML+`
apiKeys:
  - id: filekey
    name: from-the-file
    value: file-key-file-key-file-key
usagePlans:
  - id: fileplan
    name: file plan
usagePlanKeys:
  - usagePlanId: fileplan
    keyId: filekey
`)
	client := v1Client(gw)
	ctx := context.Background()
	apiID, _ := restAPIWithKeyRequired(t, client)
	url := gw.URL + "/_aws/execute-api/" + apiID + "/prod/pets"

	cli := func(want int, args ...string) map[string]any {
		t.Helper()
		cmd := exec.Command(awsCLI, append([]string{"apigateway", "--endpoint-url", gw.adminURL(), "--output", "json"}, args...)...)
		cmd.Env = append(os.Environ(), "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_PAGER=",
			"AWS_ACCESS_KEY_ID="+testAccessKey, "AWS_SECRET_ACCESS_KEY="+testSecret, "AWS_DEFAULT_REGION=us-east-1")
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if code := cmd.ProcessState.ExitCode(); code != want {
			t.Fatalf("aws apigateway %s: exit %d (want %d) %v\n%s%s", strings.Join(args, " "), code, want, err, out, stderr.String())
		}
		var m map[string]any
		if want == 0 && len(out) > 0 {
			if err := json.Unmarshal(out, &m); err != nil {
				t.Fatalf("aws apigateway %s: %v\n%s", strings.Join(args, " "), err, out)
			}
		}
		return m
	}
	keys := cli(0, "get-api-keys", "--include-values")
	items, _ := keys["items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["id"] != "filekey" || items[0].(map[string]any)["value"] != "file-key-file-key-file-key" {
		t.Fatalf("get-api-keys: %v", keys)
	}
	cli(255, "update-api-key", "--api-key", "filekey", "--patch-operations", "op=replace,path=/enabled,value=false")
	cli(255, "delete-usage-plan", "--usage-plan-id", "fileplan")

	plan := cli(0, "create-usage-plan", "--name", "imported", "--api-stages", "apiId="+apiID+",stage=prod")
	planID := plan["id"].(string)
	csvFile := filepath.Join(t.TempDir(), "keys.csv")
	csv := "Name,key,description,Enabled,usageplanIds\n" +
		"first,imported-key-0000000000001,one,TRUE," + planID + "\n" +
		"second,imported-key-0000000000002,two,false," + planID + "\n" +
		"short,tooshort,three,true,\n"
	if err := os.WriteFile(csvFile, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	res := cli(0, "import-api-keys", "--format", "csv", "--body", "fileb://"+csvFile)
	ids, _ := res["ids"].([]any)
	warnings, _ := res["warnings"].([]any)
	if len(ids) != 2 || len(warnings) != 1 || !strings.Contains(warnings[0].(string), "at least 20 characters") {
		t.Fatalf("import-api-keys: %v", res)
	}
	if status, _ := callWithKey(t, url, "imported-key-0000000000001"); status != 200 {
		t.Fatalf("an imported key: %d", status)
	}
	if status, _ := callWithKey(t, url, "imported-key-0000000000002"); status != 403 {
		t.Fatalf("an imported disabled key: %d", status)
	}
	// Importing the same value again overwrites the key.
	if err := os.WriteFile(csvFile, []byte("key,name,enabled\nimported-key-0000000000002,second again,true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	res = cli(0, "import-api-keys", "--format", "csv", "--body", "fileb://"+csvFile)
	if again, _ := res["ids"].([]any); len(again) != 1 || again[0] != ids[1] {
		t.Fatalf("re-import: %v, want the id %v", res, ids[1])
	}
	if status, _ := callWithKey(t, url, "imported-key-0000000000002"); status != 200 {
		t.Fatalf("a re-imported enabled key: %d", status)
	}
	list, err := client.GetApiKeys(ctx, &apigateway.GetApiKeysInput{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, k := range list.Items {
		names = append(names, *k.Name)
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"first", "from-the-file", "second again"}) {
		t.Fatalf("get-api-keys names: %v", names)
	}
}

// GetUsage after real data-plane calls, and UpdateUsage granting more of
// the quota, with the SDK.
func TestControlPlaneGetAndUpdateUsageSDK(t *testing.T) {
	ctx := context.Background()
	gw := startGateway(t, controlYAML)
	client := v1Client(gw)
	apiID, _ := restAPIWithKeyRequired(t, client)
	url := gw.URL + "/_aws/execute-api/" + apiID + "/prod/pets"
	key, err := client.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Name: aws.String("k"), Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	other, err := client.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Name: aws.String("other"), Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := client.CreateUsagePlan(ctx, &apigateway.CreateUsagePlanInput{Name: aws.String("five"),
		ApiStages: []types.ApiStage{{ApiId: &apiID, Stage: aws.String("prod")}},
		Quota:     &types.QuotaSettings{Limit: 5, Period: types.QuotaPeriodTypeMonth}})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []*string{key.Id, other.Id} {
		if _, err := client.CreateUsagePlanKey(ctx, &apigateway.CreateUsagePlanKeyInput{UsagePlanId: plan.Id, KeyId: k, KeyType: aws.String("API_KEY")}); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		if status, _ := callWithKey(t, url, *key.Value); status != 200 {
			t.Fatalf("call: %d", status)
		}
	}
	today := time.Now().UTC()
	yesterday := today.AddDate(0, 0, -1)
	u, err := client.GetUsage(ctx, &apigateway.GetUsageInput{UsagePlanId: plan.Id,
		StartDate: aws.String(yesterday.Format(time.DateOnly)), EndDate: aws.String(today.Format(time.DateOnly))})
	if err != nil {
		t.Fatal(err)
	}
	if *u.UsagePlanId != *plan.Id || *u.StartDate != yesterday.Format(time.DateOnly) || *u.EndDate != today.Format(time.DateOnly) {
		t.Fatalf("get-usage: %+v", u)
	}
	// Yesterday nothing, all 5 left; today 3 used, 2 left.
	want := [][]int64{{0, 5}, {3, 2}}
	if got := u.Items[*key.Id]; !reflect.DeepEqual(got, want) {
		t.Fatalf("get-usage of the key: %v, want %v (all: %v)", got, want, u.Items)
	}
	if got := u.Items[*other.Id]; !reflect.DeepEqual(got, [][]int64{{0, 5}, {0, 5}}) {
		t.Fatalf("get-usage of the other key: %v", got)
	}
	u, err = client.GetUsage(ctx, &apigateway.GetUsageInput{UsagePlanId: plan.Id, KeyId: other.Id,
		StartDate: aws.String(today.Format(time.DateOnly)), EndDate: aws.String(today.Format(time.DateOnly))})
	if err != nil || len(u.Items) != 1 || u.Items[*other.Id] == nil {
		t.Fatalf("get-usage keyId: %+v %v", u, err)
	}
	_, err = client.GetUsage(ctx, &apigateway.GetUsageInput{UsagePlanId: plan.Id, StartDate: aws.String("yesterday"), EndDate: aws.String("2026-01-01")})
	wantV2Error(t, err, 400, "BadRequestException", `Invalid startDate specified: "yesterday"; want YYYY-MM-DD`)
	_, err = client.GetUsage(ctx, &apigateway.GetUsageInput{UsagePlanId: aws.String("nope"), StartDate: aws.String("2026-01-01"), EndDate: aws.String("2026-01-01")})
	wantV2Error(t, err, 404, "NotFoundException", "Invalid Usage Plan ID specified")

	// Two more, then the quota is spent.
	for range 2 {
		if status, _ := callWithKey(t, url, *key.Value); status != 200 {
			t.Fatalf("call: %d", status)
		}
	}
	if status, body := callWithKey(t, url, *key.Value); status != 429 || body != `{"message":"Limit Exceeded"}` {
		t.Fatalf("over the quota: %d %s", status, body)
	}
	// UpdateUsage grants 2 more.
	upd, err := client.UpdateUsage(ctx, &apigateway.UpdateUsageInput{UsagePlanId: plan.Id, KeyId: key.Id, PatchOperations: []types.PatchOperation{
		{Op: types.OpReplace, Path: aws.String("/remaining"), Value: aws.String("2")}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := upd.Items[*key.Id]; !reflect.DeepEqual(got, [][]int64{{5, 2}}) {
		t.Fatalf("update-usage: %v", upd.Items)
	}
	for i := range 2 {
		if status, _ := callWithKey(t, url, *key.Value); status != 200 {
			t.Fatalf("granted call %d: %d", i+1, status)
		}
	}
	if status, _ := callWithKey(t, url, *key.Value); status != 429 {
		t.Fatalf("over the granted quota: %d", status)
	}
	u, err = client.GetUsage(ctx, &apigateway.GetUsageInput{UsagePlanId: plan.Id, KeyId: key.Id,
		StartDate: aws.String(today.Format(time.DateOnly)), EndDate: aws.String(today.Format(time.DateOnly))})
	if err != nil || !reflect.DeepEqual(u.Items[*key.Id], [][]int64{{7, 0}}) {
		t.Fatalf("get-usage after the grant: %+v %v", u, err)
	}
	_, err = client.UpdateUsage(ctx, &apigateway.UpdateUsageInput{UsagePlanId: plan.Id, KeyId: aws.String("nope"), PatchOperations: []types.PatchOperation{
		{Op: types.OpReplace, Path: aws.String("/remaining"), Value: aws.String("2")}}})
	wantV2Error(t, err, 404, "NotFoundException", "Invalid API Key identifier specified")
}
