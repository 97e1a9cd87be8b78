package template

import (
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/portico-gw/portico/config"
)

const usagePlanTemplate = `Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: .
      Events:
        A: {Type: Api, Properties: {Path: /a, Method: get, RestApiId: !Ref PetsApi}}
        B: {Type: Api, Properties: {Path: /b, Method: get, RestApiId: !Ref ShopApi}}
        C: {Type: Api, Properties: {Path: /c, Method: get, RestApiId: !Ref CartApi}}
        D: {Type: Api, Properties: {Path: /d, Method: get, RestApiId: !Ref FreeApi}}
  PetsApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Auth:
        ApiKeyRequired: true
        UsagePlan:
          CreateUsagePlan: PER_API
          UsagePlanName: pets-plan
          Quota: {Limit: 500, Period: DAY}
          Throttle: {BurstLimit: 20, RateLimit: 10}
  ShopApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      Auth:
        ApiKeyRequired: true
        UsagePlan: {CreateUsagePlan: SHARED, Description: shared plan, Quota: {Limit: 100, Period: WEEK}}
  CartApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v2
      Auth: {ApiKeyRequired: true, UsagePlan: {CreateUsagePlan: SHARED}}
  FreeApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: free
      Auth: {UsagePlan: {CreateUsagePlan: NONE}}
  LooseKey:
    Type: AWS::ApiGateway::ApiKey
    Properties: {Name: loose, Enabled: true}
`

var generatedValue = regexp.MustCompile(`^[A-Za-z0-9]{40}$`)

// SAM's Auth.UsagePlan generates a plan, a key and the key's membership:
// per API, or one shared by every API that asks for SHARED; NONE
// generates nothing. The keys' values, which AWS would generate, are
// 40 letters and digits, the same on every load with the same secret,
// and told in a warning.
func TestSAMUsagePlans(t *testing.T) {
	path := writeTemplate(t, "template.yaml", usagePlanTemplate)
	f, err := Load(path, Options{KeySecret: []byte("secret-1")})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{} // logical ID → API ID
	for _, a := range f.RestAPIs {
		ids[a.Name] = a.RestAPIID
	}
	plans := map[string]config.UsagePlan{}
	for _, p := range f.UsagePlans {
		plans[p.ID] = p
	}
	if len(plans) != 2 {
		t.Fatalf("usage plans %+v, want PetsApiUsagePlan and ServerlessUsagePlan", f.UsagePlans)
	}
	pets := plans["PetsApiUsagePlan"]
	if pets.Name != "pets-plan" || pets.Quota == nil || pets.Quota.Limit != 500 || pets.Quota.Period != "DAY" ||
		pets.Throttle == nil || pets.Throttle.RateLimit != 10 || pets.Throttle.BurstLimit != 20 ||
		len(pets.APIStages) != 1 || !reflect.DeepEqual(pets.APIStages, []config.UsagePlanStage{{APIID: ids["PetsApi"], Stage: "prod"}}) {
		t.Errorf("PetsApiUsagePlan = %+v", pets)
	}
	shared := plans["ServerlessUsagePlan"]
	want := []config.UsagePlanStage{{APIID: ids["ShopApi"], Stage: "v1"}, {APIID: ids["CartApi"], Stage: "v2"}}
	if shared.Description != "shared plan" || shared.Quota == nil || shared.Quota.Limit != 100 ||
		!reflect.DeepEqual(shared.APIStages, want) {
		t.Errorf("ServerlessUsagePlan = %+v, want stages %+v", shared, want)
	}
	keys := map[string]config.APIKey{}
	for _, k := range f.APIKeys {
		keys[k.ID] = k
		if !generatedValue.MatchString(k.Value) {
			t.Errorf("key %s value %q, want 40 letters and digits", k.ID, k.Value)
		}
	}
	for _, id := range []string{"PetsApiApiKey", "ServerlessApiKey", "LooseKey"} {
		if _, ok := keys[id]; !ok {
			t.Errorf("no API key %s in %+v", id, f.APIKeys)
		}
	}
	members := map[string]string{}
	for _, k := range f.UsagePlanKeys {
		members[k.KeyID] = k.UsagePlanID
	}
	if members["PetsApiApiKey"] != "PetsApiUsagePlan" || members["ServerlessApiKey"] != "ServerlessUsagePlan" || len(members) != 2 {
		t.Errorf("usage plan keys %+v", f.UsagePlanKeys)
	}
	var told int
	for _, w := range f.Warnings {
		for _, k := range f.APIKeys {
			if strings.Contains(w.Error(), k.Value) {
				told++
			}
		}
	}
	if told != 3 {
		t.Errorf("%d warnings tell a generated value, want 3: %v", told, f.Warnings)
	}

	again, err := Load(path, Options{KeySecret: []byte("secret-1")})
	if err != nil {
		t.Fatal(err)
	}
	other, err := Load(path, Options{KeySecret: []byte("secret-2")})
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range f.APIKeys {
		if again.APIKeys[i].Value != k.Value {
			t.Errorf("key %s: %q, then %q with the same secret", k.ID, k.Value, again.APIKeys[i].Value)
		}
		if other.APIKeys[i].Value == k.Value {
			t.Errorf("key %s: %q with another secret too", k.ID, k.Value)
		}
	}
	if f.APIKeys[0].Value == f.APIKeys[1].Value {
		t.Error("two keys have the same value")
	}
}
