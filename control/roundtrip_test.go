package control_test

import (
	"context"
	"encoding/json"
	"os"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
)

// get-export of an imported OpenAPI document re-imports to the same
// resource/method/integration tree (issue #16's round trip), for both
// export types; export-api of an imported HTTP API likewise.
func TestExportImportRoundTrip(t *testing.T) {
	ctx := context.Background()
	n := newNode(t, nil)
	c := newV1Client(n.URL)
	tree := func(id string) map[string]any {
		t.Helper()
		res, err := c.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: &id, Embed: []string{"methods"}})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]any{}
		for _, r := range res.Items {
			b, err := json.Marshal(r.ResourceMethods)
			if err != nil {
				t.Fatal(err)
			}
			var v any
			if err := json.Unmarshal(b, &v); err != nil {
				t.Fatal(err)
			}
			out[*r.Path] = v
		}
		return out
	}
	for _, file := range []string{"simplecalc.json", "reqvalidators.json"} {
		doc, err := os.ReadFile("../openapi/testdata/" + file)
		if err != nil {
			t.Fatal(err)
		}
		api, err := c.ImportRestApi(ctx, &apigateway.ImportRestApiInput{Body: doc})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod")}); err != nil {
			t.Fatal(err)
		}
		for _, typ := range []string{"oas30", "swagger"} {
			out, err := c.GetExport(ctx, &apigateway.GetExportInput{RestApiId: api.Id, StageName: aws.String("prod"), ExportType: &typ,
				Parameters: map[string]string{"extensions": "apigateway"}})
			if err != nil {
				t.Fatal(err)
			}
			again, err := c.ImportRestApi(ctx, &apigateway.ImportRestApiInput{Body: out.Body})
			if err != nil {
				t.Fatalf("%s %s: re-import: %v\n%s", file, typ, err, out.Body)
			}
			got, want := tree(*again.Id), tree(*api.Id)
			if len(want) < 2 {
				t.Fatalf("%s: the imported tree is %v", file, want)
			}
			if !reflectEqualIgnoringIDs(got, want) {
				g, _ := json.MarshalIndent(got, "", " ")
				w, _ := json.MarshalIndent(want, "", " ")
				t.Errorf("%s %s: the re-imported tree differs:\n got %s\nwant %s", file, typ, g, w)
			}
		}
	}

	h, err := n.client.ImportApi(ctx, &apigatewayv2.ImportApiInput{Body: aws.String(`{"openapi":"3.0.1","info":{"title":"h","version":"1"},
		"paths":{"/items/{id}":{"get":{"x-amazon-apigateway-integration":{"type":"http_proxy","httpMethod":"GET","uri":"http://example.com/{id}","payloadFormatVersion":"1.0"}}},
		"/$default":{"x-amazon-apigateway-any-method":{"isDefaultRoute":true,"x-amazon-apigateway-integration":{"type":"aws_proxy","httpMethod":"POST","uri":"arn:aws:lambda:us-east-1:123456789012:function:f","payloadFormatVersion":"2.0"}}}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	ex, err := n.client.ExportApi(ctx, &apigatewayv2.ExportApiInput{ApiId: h.ApiId, Specification: aws.String("OAS30"), OutputType: aws.String("YAML")})
	if err != nil {
		t.Fatal(err)
	}
	h2, err := n.client.ImportApi(ctx, &apigatewayv2.ImportApiInput{Body: aws.String(string(ex.Body))})
	if err != nil {
		t.Fatalf("re-import: %v\n%s", err, ex.Body)
	}
	routes := func(id *string) map[string]string {
		rs, err := n.client.GetRoutes(ctx, &apigatewayv2.GetRoutesInput{ApiId: id})
		if err != nil {
			t.Fatal(err)
		}
		ins, err := n.client.GetIntegrations(ctx, &apigatewayv2.GetIntegrationsInput{ApiId: id})
		if err != nil {
			t.Fatal(err)
		}
		uri := map[string]string{}
		for _, in := range ins.Items {
			uri["integrations/"+*in.IntegrationId] = string(in.IntegrationType) + " " + aws.ToString(in.IntegrationUri) + " " + aws.ToString(in.PayloadFormatVersion)
		}
		out := map[string]string{}
		for _, r := range rs.Items {
			out[*r.RouteKey] = uri[aws.ToString(r.Target)]
		}
		return out
	}
	if got, want := routes(h2.ApiId), routes(h.ApiId); !reflect.DeepEqual(got, want) {
		t.Errorf("HTTP API: re-imported routes %v, want %v", got, want)
	}
}

// reflectEqualIgnoringIDs compares two trees whose values name no IDs
// (authorizer and validator IDs differ between imports).
func reflectEqualIgnoringIDs(a, b map[string]any) bool {
	strip := func(m map[string]any) map[string]any {
		b, _ := json.Marshal(m)
		var v map[string]any
		_ = json.Unmarshal(b, &v)
		for _, ms := range v {
			mm, _ := ms.(map[string]any)
			for _, m := range mm {
				if x, ok := m.(map[string]any); ok {
					delete(x, "AuthorizerId")
					delete(x, "RequestValidatorId")
				}
			}
		}
		return v
	}
	return reflect.DeepEqual(strip(a), strip(b))
}
