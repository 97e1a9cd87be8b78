package openapi

import (
	"cmp"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/portico-gw/portico/config"
)

// Golden tests against the exports that AWS's docs show (their IDs kept;
// the documents are in testdata/export/aws-*.json, as the docs print them).

// expLambdaCalc is the LambdaCalc API of AWS's docs
// (api-as-lambda-proxy-export-swagger-with-extensions.md): three AWS
// (non-proxy) Lambda methods with mapping templates, query and path
// parameters, three models and two request validators.
func expLambdaCalc() config.RestAPI {
	const (
		role = "arn:aws:iam::123456789012:role/apigAwsProxyRole"
		calc = "arn:aws:apigateway:us-west-2:lambda:path/2015-03-31/functions/arn:aws:lambda:us-west-2:123456789012:function:Calc/invocations"
	)
	getCalc := &config.RestIntegration{Type: "AWS", HTTPMethod: "POST", URI: calc, Credentials: role,
		PassthroughBehavior: "WHEN_NO_MATCH",
		RequestTemplates:    map[string]string{"application/json": "{\n    \"a\":  \"$input.params('operand1')\",\n    \"b\":  \"$input.params('operand2')\", \n    \"op\": \"$input.params('operator')\"   \n}"},
		IntegrationResponses: map[string]config.RestIntegrationResponse{"200": {StatusCode: "200", ResponseParameters: map[string]string{"method.response.header.operator": "integration.response.body.op", "method.response.header.operand_2": "integration.response.body.b", "method.response.header.operand_1": "integration.response.body.a"},
			ResponseTemplates: map[string]string{"application/json": "#set($res = $input.path('$'))\n{\n    \"result\": \"$res.a, $res.b, $res.op => $res.c\",\n  \"a\" : \"$res.a\",\n  \"b\" : \"$res.b\",\n  \"op\" : \"$res.op\",\n  \"c\" : \"$res.c\"\n}"}}}}
	postCalc := &config.RestIntegration{Type: "AWS", HTTPMethod: "POST", URI: calc, Credentials: role,
		PassthroughBehavior: "WHEN_NO_TEMPLATES",
		IntegrationResponses: map[string]config.RestIntegrationResponse{"200": {StatusCode: "200",
			ResponseTemplates: map[string]string{"application/json": "#set($inputRoot = $input.path('$'))\n{\n  \"a\" : $inputRoot.a,\n  \"b\" : $inputRoot.b,\n  \"op\" : $inputRoot.op,\n  \"c\" : $inputRoot.c\n}"}}}}
	getPath := &config.RestIntegration{Type: "AWS", HTTPMethod: "POST", URI: calc, Credentials: role,
		PassthroughBehavior: "WHEN_NO_TEMPLATES",
		RequestTemplates:    map[string]string{"application/json": "{\n   \"a\": \"$input.params('operand1')\",\n   \"b\": \"$input.params('operand2')\",\n   \"op\": #if($input.params('operator')=='%2F')\"/\"#{else}\"$input.params('operator')\"#end\n   \n}"},
		ContentHandling:     "CONVERT_TO_TEXT",
		IntegrationResponses: map[string]config.RestIntegrationResponse{"200": {StatusCode: "200",
			ResponseTemplates: map[string]string{"application/json": "#set($inputRoot = $input.path('$'))\n{\n  \"input\" : {\n    \"a\" : $inputRoot.a,\n    \"b\" : $inputRoot.b,\n    \"op\" : \"$inputRoot.op\"\n  },\n  \"output\" : {\n    \"c\" : $inputRoot.c\n  }\n}"}}}}
	result := map[string]config.MethodResponse{"200": {StatusCode: "200", ResponseModels: map[string]string{"application/json": "Result"}}}
	return config.RestAPI{
		RestAPIID: "uojnr9hd57", Name: "LambdaCalc",
		Resources: []config.RestResource{
			{Path: "/"},
			{Path: "/calc", ResourceMethods: map[string]config.RestMethod{
				"GET": {AuthorizationType: "NONE", RequestValidatorID: "qs",
					RequestParameters: map[string]bool{"method.request.querystring.operand1": true,
						"method.request.querystring.operand2": true, "method.request.querystring.operator": true},
					MethodResponses: map[string]config.MethodResponse{"200": {StatusCode: "200",
						ResponseParameters: map[string]bool{"method.response.header.operand_1": false,
							"method.response.header.operand_2": false, "method.response.header.operator": false},
						ResponseModels: map[string]string{"application/json": "Result"}}},
					MethodIntegration: getCalc},
				"POST": {AuthorizationType: "NONE", RequestValidatorID: "body",
					RequestModels:   map[string]string{"application/json": "Input"},
					MethodResponses: result, MethodIntegration: postCalc},
			}},
			{Path: "/calc/{operand1}"},
			{Path: "/calc/{operand1}/{operand2}"},
			{Path: "/calc/{operand1}/{operand2}/{operator}", ResourceMethods: map[string]config.RestMethod{
				"GET": {AuthorizationType: "NONE",
					RequestParameters: map[string]bool{"method.request.path.operand1": true,
						"method.request.path.operand2": true, "method.request.path.operator": true},
					MethodResponses: result, MethodIntegration: getPath},
			}},
		},
		Models: []config.RestModel{
			{Name: "Input", ContentType: "application/json", Schema: `{"$schema":"http://json-schema.org/draft-04/schema#","type":"object","title":"Input",
				"required":["a","b","op"],"properties":{"a":{"type":"number"},"b":{"type":"number"},
				"op":{"type":"string","description":"binary op of ['+', 'add', '-', 'sub', '*', 'mul', '%2F', 'div']"}}}`},
			{Name: "Output", ContentType: "application/json", Schema: `{"$schema":"http://json-schema.org/draft-04/schema#","type":"object","title":"Output",
				"properties":{"c":{"type":"number"}}}`},
			{Name: "Result", ContentType: "application/json", Schema: `{"$schema":"http://json-schema.org/draft-04/schema#","type":"object","title":"Result",
				"properties":{"input":{"$ref":"https://apigateway.amazonaws.com/restapis/uojnr9hd57/models/Input"},
				"output":{"$ref":"https://apigateway.amazonaws.com/restapis/uojnr9hd57/models/Output"}}}`},
		},
		RequestValidators: []config.RequestValidator{
			{ID: "body", Name: "Validate body", ValidateRequestBody: true},
			{ID: "qs", Name: "Validate query string parameters and headers", ValidateRequestParameters: true},
		},
	}
}

// expNormalised decodes b and sorts every "parameters" list by in and
// name (AWS writes them in no order).
func expNormalised(t testing.TB, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if l, ok := e.([]any); ok && k == "parameters" {
					slices.SortStableFunc(l, func(a, b any) int {
						am, bm := a.(map[string]any), b.(map[string]any)
						return cmp.Or(cmp.Compare(am["in"].(string), bm["in"].(string)), cmp.Compare(am["name"].(string), bm["name"].(string)))
					})
				}
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return v
}

func TestExportMatchesAWSDocs(t *testing.T) {
	for _, tc := range []struct {
		file string
		api  config.RestAPI
		opt  ExportOptions
	}{
		{"aws-lambdacalc-swagger.json", expLambdaCalc(), ExportOptions{Spec: "swagger", Extensions: []string{"apigateway"}, Stage: "test",
			ServerURL: "https://uojnr9hd57.execute-api.us-east-1.amazonaws.com", Version: "2017-04-20T04:08:08Z"}},
		// AWS's page prints no host and no servers; both are left out of the comparison
		{"aws-kinesisproxy-swagger.json", expKinesisProxy(), ExportOptions{Spec: "swagger", Extensions: []string{"integrations"}, Stage: "test",
			Version: "2016-03-31T18:25:32Z"}},
		{"aws-kinesisproxy-oas30.json", expKinesisProxy(), ExportOptions{Spec: "oas30", Extensions: []string{"integrations"}, Stage: "test",
			Version: "2016-03-31T18:25:32Z"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			got, err := ExportREST(tc.api, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(filepath.Join("testdata", "export", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			g, w := expNormalised(t, got).(map[string]any), expNormalised(t, want).(map[string]any)
			for _, k := range []string{"host", "servers"} {
				if _, ok := w[k]; !ok {
					delete(g, k)
				}
			}
			if w["openapi"] == "3.0.0" { // the page's document says 3.0.0; AWS exports 3.0.1
				w["openapi"] = "3.0.1"
			}
			for _, d := range expDiff("", g, w) {
				t.Error(d)
			}
		})
	}
}

// expDiff lists where got and want differ, by key path.
func expDiff(path string, got, want any) []string {
	gm, gok := got.(map[string]any)
	wm, wok := want.(map[string]any)
	if gok && wok {
		var out []string
		for k, w := range wm {
			g, ok := gm[k]
			if !ok {
				out = append(out, path+"/"+k+": missing, AWS writes "+expShow(w))
				continue
			}
			out = append(out, expDiff(path+"/"+k, g, w)...)
		}
		for k, g := range gm {
			if _, ok := wm[k]; !ok {
				out = append(out, path+"/"+k+": "+expShow(g)+" is not in AWS's document")
			}
		}
		slices.Sort(out)
		return out
	}
	if !reflect.DeepEqual(got, want) {
		return []string{path + ": got " + expShow(got) + ", AWS writes " + expShow(want)}
	}
	return nil
}

func expShow(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

// expKinesisProxy is the Kinesis proxy API of AWS's docs
// (api-as-kinesis-proxy-export-swagger-with-extensions.md): AWS
// integrations to Kinesis actions, header and query parameters, a body
// model for two content types, and error responses by selection pattern.
func expKinesisProxy() config.RestAPI {
	const role = "arn:aws:iam::123456789012:role/apigAwsProxyRole"
	return config.RestAPI{
		RestAPIID: "wddh8iu94e", Name: "KinesisProxy",
		Resources: []config.RestResource{
			{Path: "/"},
			{Path: "/streams", ResourceMethods: map[string]config.RestMethod{
				"GET": {AuthorizationType: "NONE",
					MethodResponses: map[string]config.MethodResponse{"200": {StatusCode: "200", ResponseModels: map[string]string{"application/json": "Empty"}}},
					MethodIntegration: &config.RestIntegration{Type: "AWS",
						Credentials:          role,
						URI:                  "arn:aws:apigateway:us-east-1:kinesis:action/ListStreams",
						HTTPMethod:           "POST",
						PassthroughBehavior:  "WHEN_NO_MATCH",
						RequestParameters:    map[string]string{"integration.request.header.Content-Type": "'application/x-amz-json-1.1'"},
						RequestTemplates:     map[string]string{"application/json": "{\n}"},
						IntegrationResponses: map[string]config.RestIntegrationResponse{"200": {StatusCode: "200"}}}},
			}},
			{Path: "/streams/{stream-name}", ResourceMethods: map[string]config.RestMethod{
				"DELETE": {AuthorizationType: "NONE",
					RequestParameters: map[string]bool{"method.request.path.stream-name": true},
					MethodResponses:   map[string]config.MethodResponse{"200": {StatusCode: "200", ResponseParameters: map[string]bool{"method.response.header.Content-Type": false}, ResponseModels: map[string]string{"application/json": "Empty"}}, "400": {StatusCode: "400", ResponseParameters: map[string]bool{"method.response.header.Content-Type": false}}, "500": {StatusCode: "500", ResponseParameters: map[string]bool{"method.response.header.Content-Type": false}}},
					MethodIntegration: &config.RestIntegration{Type: "AWS",
						Credentials:          role,
						URI:                  "arn:aws:apigateway:us-east-1:kinesis:action/DeleteStream",
						HTTPMethod:           "POST",
						PassthroughBehavior:  "WHEN_NO_MATCH",
						RequestParameters:    map[string]string{"integration.request.header.Content-Type": "'application/x-amz-json-1.1'"},
						RequestTemplates:     map[string]string{"application/json": "{\n    \"StreamName\": \"$input.params('stream-name')\"\n}"},
						IntegrationResponses: map[string]config.RestIntegrationResponse{"400": {StatusCode: "400", SelectionPattern: "4\\d{2}", ResponseParameters: map[string]string{"method.response.header.Content-Type": "integration.response.header.Content-Type"}}, "500": {StatusCode: "500", SelectionPattern: "5\\d{2}", ResponseParameters: map[string]string{"method.response.header.Content-Type": "integration.response.header.Content-Type"}}, "200": {StatusCode: "200", ResponseParameters: map[string]string{"method.response.header.Content-Type": "integration.response.header.Content-Type"}}}}},
				"GET": {AuthorizationType: "NONE",
					RequestParameters: map[string]bool{"method.request.path.stream-name": true},
					MethodResponses:   map[string]config.MethodResponse{"200": {StatusCode: "200", ResponseModels: map[string]string{"application/json": "Empty"}}},
					MethodIntegration: &config.RestIntegration{Type: "AWS",
						Credentials:          role,
						URI:                  "arn:aws:apigateway:us-east-1:kinesis:action/DescribeStream",
						HTTPMethod:           "POST",
						PassthroughBehavior:  "WHEN_NO_MATCH",
						RequestTemplates:     map[string]string{"application/json": "{\n    \"StreamName\": \"$input.params('stream-name')\"\n}"},
						IntegrationResponses: map[string]config.RestIntegrationResponse{"200": {StatusCode: "200"}}}},
				"POST": {AuthorizationType: "NONE",
					RequestParameters: map[string]bool{"method.request.path.stream-name": true},
					MethodResponses:   map[string]config.MethodResponse{"200": {StatusCode: "200", ResponseModels: map[string]string{"application/json": "Empty"}}},
					MethodIntegration: &config.RestIntegration{Type: "AWS",
						Credentials:          role,
						URI:                  "arn:aws:apigateway:us-east-1:kinesis:action/CreateStream",
						HTTPMethod:           "POST",
						PassthroughBehavior:  "WHEN_NO_MATCH",
						RequestParameters:    map[string]string{"integration.request.header.Content-Type": "'application/x-amz-json-1.1'"},
						RequestTemplates:     map[string]string{"application/json": "{\n    \"ShardCount\": 5,\n    \"StreamName\": \"$input.params('stream-name')\"\n}"},
						IntegrationResponses: map[string]config.RestIntegrationResponse{"200": {StatusCode: "200"}}}},
			}},
			{Path: "/streams/{stream-name}/record", ResourceMethods: map[string]config.RestMethod{
				"PUT": {AuthorizationType: "NONE",
					RequestParameters: map[string]bool{"method.request.path.stream-name": true},
					MethodResponses:   map[string]config.MethodResponse{"200": {StatusCode: "200", ResponseModels: map[string]string{"application/json": "Empty"}}},
					MethodIntegration: &config.RestIntegration{Type: "AWS",
						Credentials:          role,
						URI:                  "arn:aws:apigateway:us-east-1:kinesis:action/PutRecord",
						HTTPMethod:           "POST",
						PassthroughBehavior:  "WHEN_NO_MATCH",
						RequestParameters:    map[string]string{"integration.request.header.Content-Type": "'application/x-amz-json-1.1'"},
						RequestTemplates:     map[string]string{"application/json": "{\n    \"StreamName\": \"$input.params('stream-name')\",\n    \"Data\": \"$util.base64Encode($input.json('$.Data'))\",\n    \"PartitionKey\": \"$input.path('$.PartitionKey')\"\n}"},
						IntegrationResponses: map[string]config.RestIntegrationResponse{"200": {StatusCode: "200"}}}},
			}},
			{Path: "/streams/{stream-name}/records", ResourceMethods: map[string]config.RestMethod{
				"GET": {AuthorizationType: "NONE",
					RequestParameters: map[string]bool{"method.request.header.Shard-Iterator": false, "method.request.path.stream-name": true},
					MethodResponses:   map[string]config.MethodResponse{"200": {StatusCode: "200", ResponseModels: map[string]string{"application/json": "Empty"}}},
					MethodIntegration: &config.RestIntegration{Type: "AWS",
						Credentials:          role,
						URI:                  "arn:aws:apigateway:us-east-1:kinesis:action/GetRecords",
						HTTPMethod:           "POST",
						PassthroughBehavior:  "WHEN_NO_MATCH",
						RequestParameters:    map[string]string{"integration.request.header.Content-Type": "'application/x-amz-json-1.1'"},
						RequestTemplates:     map[string]string{"application/json": "{\n    \"ShardIterator\": \"$input.params('Shard-Iterator')\"\n}"},
						IntegrationResponses: map[string]config.RestIntegrationResponse{"200": {StatusCode: "200"}}}},
				"PUT": {AuthorizationType: "NONE",
					RequestParameters: map[string]bool{"method.request.header.Content-Type": false, "method.request.path.stream-name": true},
					RequestModels:     map[string]string{"application/json": "PutRecordsMethodRequestPayload", "application/x-amz-json-1.1": "PutRecordsMethodRequestPayload"},
					MethodResponses:   map[string]config.MethodResponse{"200": {StatusCode: "200", ResponseModels: map[string]string{"application/json": "Empty"}}},
					MethodIntegration: &config.RestIntegration{Type: "AWS",
						Credentials:          role,
						URI:                  "arn:aws:apigateway:us-east-1:kinesis:action/PutRecords",
						HTTPMethod:           "POST",
						PassthroughBehavior:  "WHEN_NO_MATCH",
						RequestParameters:    map[string]string{"integration.request.header.Content-Type": "'application/x-amz-json-1.1'"},
						RequestTemplates:     map[string]string{"application/json": "{\n    \"StreamName\": \"$input.params('stream-name')\",\n    \"Records\": [\n          {\n            \"Data\": \"$util.base64Encode($elem.data)\",\n            \"PartitionKey\": \"$elem.partition-key\"\n          }#if($foreach.hasNext),#end\n    ]\n}", "application/x-amz-json-1.1": "{\n  \"StreamName\": \"$input.params('stream-name')\",\n  \"records\" : [\n    {\n        \"Data\" : \"$elem.data\",\n        \"PartitionKey\" : \"$elem.partition-key\"\n    }#if($foreach.hasNext),#end\n  ]\n}"},
						IntegrationResponses: map[string]config.RestIntegrationResponse{"200": {StatusCode: "200"}}}},
			}},
			{Path: "/streams/{stream-name}/sharditerator", ResourceMethods: map[string]config.RestMethod{
				"GET": {AuthorizationType: "NONE",
					RequestParameters: map[string]bool{"method.request.path.stream-name": true, "method.request.querystring.shard-id": false},
					MethodResponses:   map[string]config.MethodResponse{"200": {StatusCode: "200", ResponseModels: map[string]string{"application/json": "Empty"}}},
					MethodIntegration: &config.RestIntegration{Type: "AWS",
						Credentials:          role,
						URI:                  "arn:aws:apigateway:us-east-1:kinesis:action/GetShardIterator",
						HTTPMethod:           "POST",
						PassthroughBehavior:  "WHEN_NO_MATCH",
						RequestParameters:    map[string]string{"integration.request.header.Content-Type": "'application/x-amz-json-1.1'"},
						RequestTemplates:     map[string]string{"application/json": "{\n    \"ShardId\": \"$input.params('shard-id')\",\n    \"ShardIteratorType\": \"TRIM_HORIZON\",\n    \"StreamName\": \"$input.params('stream-name')\"\n}"},
						IntegrationResponses: map[string]config.RestIntegrationResponse{"200": {StatusCode: "200"}}}},
			}},
		},
		Models: []config.RestModel{
			{Name: "Empty", ContentType: "application/json", Schema: `{"type": "object"}`},
			{Name: "PutRecordsMethodRequestPayload", ContentType: "application/json", Schema: `{"type": "object", "properties": {"records": {"type": "array", "items": {"type": "object", "properties": {"data": {"type": "string"}, "partition-key": {"type": "string"}}}}}}`},
		},
	}
}
