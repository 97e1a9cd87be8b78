package authorizer_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/portico-gw/portico/authorizer"
)

// A REST API TOKEN authorizer: the function gets the Auth header's value
// and the method ARN, and answers with a policy; a token that does not
// match the identity validation expression never reaches it.
func ExampleLambda_Authorize_token() {
	identity, err := authorizer.ParseV1IdentitySource("method.request.header.Auth")
	if err != nil {
		panic(err)
	}
	fn := func(_ context.Context, event []byte) ([]byte, error) {
		var ev events.APIGatewayCustomAuthorizerRequest
		if err := json.Unmarshal(event, &ev); err != nil {
			return nil, err
		}
		effect := "Deny"
		if strings.HasSuffix(ev.AuthorizationToken, "good") {
			effect = "Allow"
		}
		return json.Marshal(events.APIGatewayCustomAuthorizerResponse{
			PrincipalID: "user-1",
			PolicyDocument: events.APIGatewayCustomAuthorizerPolicy{Version: "2012-10-17", Statement: []events.IAMPolicyStatement{
				{Action: []string{"execute-api:Invoke"}, Effect: effect, Resource: []string{ev.MethodArn}},
			}},
			Context: map[string]any{"tier": 3},
		})
	}
	l, err := authorizer.NewLambda(authorizer.LambdaConfig{
		Type:                         authorizer.TypeToken,
		Invoke:                       fn,
		IdentitySources:              identity,
		IdentityValidationExpression: `Bearer \w+`,
		TTL:                          authorizer.DefaultLambdaTTL,
	})
	if err != nil {
		panic(err)
	}
	const arn = "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET/pets"
	for _, token := range []string{"Bearer good", "Bearer bad", "Basic good"} {
		res, err := l.Authorize(context.Background(), &authorizer.LambdaRequest{Header: http.Header{"Auth": {token}}, ARN: arn})
		if err != nil {
			e := authorizer.RESTErrorFor(err)
			fmt.Println(token, "→", e.Status, e.Body)
			continue
		}
		fmt.Println(token, "→ allowed:", res.ContextREST(0)["tier"])
	}
	// Output:
	// Bearer good → allowed: 3
	// Bearer bad → 403 {"Message":"User is not authorized to access this resource with an explicit deny"}
	// Basic good → 401 {"message":"Unauthorized"}
}
