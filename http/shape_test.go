package httpapi_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/golang-jwt/jwt/v5"
)

// The events Portico sends have the key structure of the events AWS sends,
// as recorded in aws-lambda-go's testdata (events/testdata/apigw-*.json):
// every key AWS sends is present and no key is invented. Maps whose keys
// are the request's own (headers, claims, context, ...) are compared by
// presence only. Ignored: requestContext.authentication (mutual TLS, which
// Portico does not terminate) and the Cognito identity of the IAM sample
// (Portico's signers are access keys: cognitoIdentity is null).
func TestEventShapesMatchAWSLambdaGoTestdata(t *testing.T) {
	dir := lambdaGoTestdata(t)
	iss := newIssuer(t)
	lambdaAuth := newFunction(t, answer(`{"isAuthorized":true,"context":{"k":"v"}}`))
	fn := newFunction(t, answer(`"ok"`))
	fnV1 := newFunction(t, answer(`{"statusCode":200}`))
	base := startGateway(t, `
credentials:
  - {accessKeyId: AKIDSHAPE, secretAccessKey: shape-secret}
`+httpAPI(fnIntegration(fn.URL, "2.0")+"\n"+strings.Replace(fnIntegration(fnV1.URL, "1.0"), "integrationId: fn", "integrationId: v1", 1), `
- {routeKey: "POST /none/{id}", target: integrations/fn}
- {routeKey: "POST /jwt/{id}", target: integrations/fn, authorizationType: JWT, authorizerId: jwt}
- {routeKey: "POST /lambda/{id}", target: integrations/fn, authorizationType: CUSTOM, authorizerId: lambda}
- {routeKey: "POST /iam/{id}", target: integrations/fn, authorizationType: AWS_IAM}
- {routeKey: "POST /v1/{id}", target: integrations/v1}`,
		"- {stageName: $default, stageVariables: {s: v}}", `
authorizers:
  - {authorizerId: jwt, authorizerType: JWT, identitySource: [$request.header.Authorization], jwtConfiguration: {issuer: "`+iss.URL+`", audience: [app]}}
  - {authorizerId: lambda, authorizerType: REQUEST, authorizerUri: `+lambdaAuth.URL+`, authorizerPayloadFormatVersion: "2.0", enableSimpleResponses: true, identitySource: [$request.header.X-Token]}`))
	token := iss.token(t, jwt.MapClaims{"iss": iss.URL, "aud": "app", "exp": time.Now().Add(time.Hour).Unix(), "sub": "s"})

	send := func(path string, sign bool) {
		t.Helper()
		body := `{"a":1}`
		req, _ := http.NewRequest("POST", base+path+"?q=1", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Cookie", "c=1")
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("X-Token", "t")
		if sign {
			req.Header.Del("Authorization")
			sum := sha256.Sum256([]byte(body))
			if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AKIDSHAPE", SecretAccessKey: "shape-secret"}, req, hex.EncodeToString(sum[:]), "execute-api", "us-east-1", time.Now()); err != nil {
				t.Fatal(err)
			}
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s: %v %v", path, resp, err)
		}
		resp.Body.Close()
	}
	for _, tc := range []struct{ path, file string }{
		{"/none/1", "apigw-v2-request-no-authorizer.json"},
		{"/jwt/1", "apigw-v2-request-jwt-authorizer.json"},
		{"/lambda/1", "apigw-v2-request-lambda-authorizer.json"},
		{"/iam/1", "apigw-v2-request-iam.json"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			send(tc.path, strings.HasPrefix(tc.path, "/iam"))
			compareShapes(t, filepath.Join(dir, tc.file), fn.last(t), map[string]bool{
				// The no-authorizer sample is a GET without body, cookies or parameters.
				"body": tc.path == "/none/1", "cookies": tc.path == "/none/1", "pathParameters": tc.path == "/none/1",
				"queryStringParameters": tc.path == "/none/1", "stageVariables": tc.path == "/none/1",
			})
		})
	}
	t.Run("apigw-request.json (1.0)", func(t *testing.T) {
		send("/v1/1", false)
		// HTTP APIs send version in 1.0 events; REST APIs (the sample) do
		// not. The sample is older than AWS's current events, which the
		// reference recorded (LocalStack snapshots measured on AWS):
		// isBase64Encoded and identity.principalOrgId are sent, and
		// identity.apiKey/apiKeyId exist only for REST API keys. The sample's
		// authorizer ran; this route has none.
		compareShapes(t, filepath.Join(dir, "apigw-request.json"), fnV1.last(t), map[string]bool{
			"version": true, "isBase64Encoded": true,
			"requestContext.authorizer": true, "requestContext.identity.apiKey": true, "requestContext.identity.apiKeyId": true,
			"requestContext.identity.principalOrgId": true,
		})
	})
}

func lambdaGoTestdata(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/aws/aws-lambda-go").Output()
	if err != nil {
		t.Fatalf("locating aws-lambda-go: %v", err)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "events", "testdata")
	if _, err := os.Stat(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

// opaque maps hold the request's own keys: compared by presence only.
var opaque = map[string]bool{
	"headers": true, "multiValueHeaders": true, "queryStringParameters": true, "multiValueQueryStringParameters": true,
	"pathParameters": true, "stageVariables": true, "claims": true, "lambda": true, "authorizer": false,
}

func keyPaths(v any, prefix string, out map[string]bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return
	}
	for k, child := range m {
		p := k
		if prefix != "" {
			p = prefix + "." + k
		}
		out[p] = true
		if opaque[k] || (prefix == "requestContext" && k == "authorizer" && isFlat(child)) {
			continue
		}
		keyPaths(child, p, out)
	}
}

// isFlat reports a 1.0 authorizer map: the function's context keys.
func isFlat(v any) bool {
	m, _ := v.(map[string]any)
	_, jwt := m["jwt"]
	_, lambda := m["lambda"]
	_, iam := m["iam"]
	return !jwt && !lambda && !iam
}

func compareShapes(t *testing.T, file string, ours []byte, ignoreTop map[string]bool) {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var theirs, mine any
	if err := json.Unmarshal(raw, &theirs); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(ours, &mine); err != nil {
		t.Fatal(err)
	}
	want, got := map[string]bool{}, map[string]bool{}
	keyPaths(theirs, "", want)
	keyPaths(mine, "", got)
	ignored := func(p string) bool {
		top, _, _ := strings.Cut(p, ".")
		return ignoreTop[top] || ignoreTop[p] || strings.HasPrefix(p, "requestContext.authentication") ||
			strings.HasPrefix(p, "requestContext.authorizer.iam.cognitoIdentity.") ||
			strings.HasPrefix(p, "requestContext.identity.clientCert") // mTLS
	}
	var missing, extra []string
	for p := range want {
		if !got[p] && !ignored(p) {
			missing = append(missing, p)
		}
	}
	for p := range got {
		if !want[p] && !ignored(p) {
			extra = append(extra, p)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 {
		t.Errorf("against %s:\nmissing %v\nextra   %v", filepath.Base(file), missing, extra)
	}
}
