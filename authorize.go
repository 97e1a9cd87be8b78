package portico

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/portico-gw/portico/authorizer"
	"github.com/portico-gw/portico/config"
	"github.com/portico-gw/portico/integration"
	"github.com/portico-gw/portico/internal/sigv4"
	"github.com/portico-gw/portico/metrics"
	"github.com/portico-gw/portico/ws"
)

// connectAuthorizer guards a WebSocket API's $connect with the shared
// authorizer layer (reference websocket-api.md §3.2, http-and-rest-apis.md
// §4.3):
//
//   - authorizationType CUSTOM: a REQUEST Lambda authorizer (payload 1.0)
//     whose event is the CONNECT event plus type, methodArn
//     (arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/$connect) and
//     identitySource; identity sources route.request.header.X,
//     route.request.querystring.X, stageVariables.X, context.X. Its
//     principalId and context become requestContext.authorizer in every
//     later event of the connection and in the connect event published
//     over NATS. A missing identity source is 401 without invoking it.
//   - AWS_IAM: the upgrade request is SigV4-signed (service execute-api)
//     with one of the file's credentials; anything else is 403.
//   - apiKeyRequired: the key from apiKeySelectionExpression
//     ($request.header.x-api-key by default) must be one of the API's
//     apiKeys (Portico's stand-in for usage plans); else 403.
type connectAuthorizer struct {
	kind         string // CUSTOM, AWS_IAM or ""
	lambda       *authorizer.Lambda
	verifier     *sigv4.Verifier
	region       string
	accountID    string
	keyRequired  bool
	keys         map[string]bool
	keyFromAuthz bool // apiKeySelectionExpression is $context.authorizer.usageIdentifierKey
	apiID        string
	metrics      *metrics.Metrics
}

var _ ws.Authorizer = (*connectAuthorizer)(nil)

// newConnectAuthorizer returns nil when $connect needs no authorization.
func (s *Server) newConnectAuthorizer(f *config.File, api *config.API, env integration.Env) (*connectAuthorizer, error) {
	var route *config.Route
	for i := range api.Routes {
		if api.Routes[i].RouteKey == "$connect" {
			route = &api.Routes[i]
		}
	}
	if route == nil {
		return nil, nil
	}
	ca := &connectAuthorizer{
		kind:         route.AuthorizationType,
		region:       firstNonEmpty(f.Region, "us-east-1"),
		accountID:    firstNonEmpty(f.AccountID, "000000000000"),
		keyRequired:  route.APIKeyRequired,
		keyFromAuthz: api.APIKeySelectionExpression == "$context.authorizer.usageIdentifierKey",
		apiID:        api.APIID,
		metrics:      s.metrics,
	}
	if ca.kind == "NONE" {
		ca.kind = ""
	}
	if ca.keyRequired {
		ca.keys = make(map[string]bool, len(api.APIKeys))
		for _, k := range api.APIKeys {
			ca.keys[k] = true
		}
	}
	switch ca.kind {
	case "CUSTOM":
		var au *config.Authorizer
		for i := range api.Authorizers {
			if api.Authorizers[i].AuthorizerID == route.AuthorizerID {
				au = &api.Authorizers[i]
			}
		}
		if au == nil {
			return nil, fmt.Errorf("portico: API %s: $connect authorizer %q not found", api.APIID, route.AuthorizerID)
		}
		fn, err := integration.NewFunction(au.AuthorizerURI, 10*time.Second, env)
		if err != nil {
			return nil, fmt.Errorf("portico: API %s: authorizer %s: %w", api.APIID, au.AuthorizerID, err)
		}
		ttl := 300 * time.Second
		if au.AuthorizerResultTTLInSeconds != nil {
			ttl = time.Duration(*au.AuthorizerResultTTLInSeconds) * time.Second
		}
		if len(au.IdentitySource) == 0 {
			ttl = 0
		}
		ca.lambda, err = authorizer.NewLambda(authorizer.LambdaConfig{
			Invoke: fn.Call, PayloadFormatVersion: "1.0", IdentitySources: au.IdentitySource, TTL: ttl,
		})
		if err != nil {
			return nil, fmt.Errorf("portico: API %s: authorizer %s: %w", api.APIID, au.AuthorizerID, err)
		}
	case "AWS_IAM":
		creds := credentialMap(f)
		ca.verifier = &sigv4.Verifier{Service: "execute-api", Lookup: func(ak string) (string, bool) {
			secret, ok := creds[ak]
			return secret, ok
		}}
	}
	if ca.kind == "" && !ca.keyRequired {
		return nil, nil
	}
	return ca, nil
}

// Authorize implements ws.Authorizer.
func (ca *connectAuthorizer) Authorize(ctx context.Context, req *ws.ConnectRequest) (ws.Decision, error) {
	r := req.Request
	decision := ws.Decision{Allow: true}
	var usageKey string
	switch ca.kind {
	case "CUSTOM":
		start := time.Now()
		res, err := ca.lambda.Authorize(ctx, &authorizer.LambdaRequest{
			Header: r.Header,
			Query:  r.URL.Query(),
			Context: map[string]string{
				"connectionId": req.ConnectionID, "routeKey": "$connect", "eventType": "CONNECT",
				"requestId": req.RequestID, "stage": req.Stage, "apiId": req.APIID,
			},
			StageVariables: req.StageVariables,
			ARN:            fmt.Sprintf("arn:aws:execute-api:%s:%s:%s/%s/$connect", ca.region, ca.accountID, req.APIID, req.Stage),
			BuildEvent: func() map[string]any {
				var ev map[string]any
				_ = json.Unmarshal(req.Event, &ev) // ws built it with encoding/json
				return ev
			},
		})
		if err != nil {
			var d *authorizer.Deny
			if errors.As(err, &d) {
				ca.metrics.Authorizer(ca.apiID, "CUSTOM", "deny", false)
				return ws.Decision{Status: d.Status}, nil
			}
			ca.metrics.Authorizer(ca.apiID, "CUSTOM", "error", false)
			return ws.Decision{}, err
		}
		ca.metrics.Authorizer(ca.apiID, "CUSTOM", "allow", res.Cached)
		m := map[string]any{"integrationLatency": time.Since(start).Milliseconds()}
		if res.PrincipalID != "" {
			m["principalId"] = res.PrincipalID
		}
		for k, v := range res.Context {
			m[k] = v
		}
		decision.Context = m
		usageKey = res.UsageIdentifierKey
	case "AWS_IAM":
		if _, err := ca.verifier.Verify(r, nil); err != nil {
			ca.metrics.Authorizer(ca.apiID, "AWS_IAM", "deny", false)
			return ws.Decision{Status: http.StatusForbidden}, nil
		}
		ca.metrics.Authorizer(ca.apiID, "AWS_IAM", "allow", false)
	}
	if ca.keyRequired {
		key := r.Header.Get("X-Api-Key")
		if ca.keyFromAuthz {
			key = usageKey
		}
		if key == "" || !ca.keys[key] {
			return ws.Decision{Status: http.StatusForbidden}, nil
		}
	}
	return decision, nil
}
