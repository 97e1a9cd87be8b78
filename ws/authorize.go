package ws

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/portico-gw/portico/authorizer"
	"github.com/portico-gw/portico/config"
	"github.com/portico-gw/portico/internal/sigv4"
	"github.com/portico-gw/portico/metrics"
	"github.com/portico-gw/portico/usage"
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
//   - apiKeyRequired, after the authorizer: the key from
//     apiKeySelectionExpression (the x-api-key header by default, or the
//     authorizer's usageIdentifierKey) must be enabled and in a usage
//     plan whose apiStages has this API and stage (package usage), or be
//     in the API's flat apiKeys list (Portico's older stand-in, which
//     admits to every stage with no throttle or quota); else 403
//     {"message":"Forbidden"}. Then the plan's throttle (429 {"message":
//     "Too Many Requests"}) and quota (429 {"message":"Limit Exceeded"}).
//     Only $connect takes a key (config validation), so a connection
//     counts once against the quota, when its key is accepted, whatever
//     its $connect integration answers then; its messages do not count.
type connectAuthorizer struct {
	kind     string // CUSTOM, AWS_IAM or ""
	lambda   *authorizer.Lambda
	verifier *sigv4.Verifier
	grants   *usage.Grants // nil unless $connect has apiKeyRequired
	meter    *usage.Meter
	// keyFromAuthorizer: the key is the Lambda authorizer's
	// usageIdentifierKey, not the x-api-key header.
	keyFromAuthorizer bool
	region            string
	accountID         string
	apiID             string
	metrics           *metrics.Metrics
}

var _ Authorizer = (*connectAuthorizer)(nil)

// newConnectAuthorizer returns nil when $connect needs no authorization.
func newConnectAuthorizer(api *config.API, region, accountID string, cfg BuildConfig) (*connectAuthorizer, error) {
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
		kind:      route.AuthorizationType,
		region:    region,
		accountID: accountID,
		apiID:     api.APIID,
		metrics:   cfg.Server.metrics,
	}
	if ca.kind == "NONE" {
		ca.kind = ""
	}
	if route.APIKeyRequired {
		ca.grants = usage.NewGrants(api.APIID, cfg.Usage, api.APIKeys)
		ca.meter = cfg.Meter
		if ca.meter == nil {
			ca.meter = usage.NewMeter(usage.MeterConfig{})
		}
		ca.keyFromAuthorizer = api.APIKeySelectionExpression == "$context.authorizer.usageIdentifierKey"
	}
	switch ca.kind {
	case "CUSTOM":
		built, err := authorizer.FromConfig(api, cfg.Env)
		if err != nil {
			return nil, err
		}
		au := built[route.AuthorizerID]
		if au == nil || au.Lambda == nil {
			return nil, fmt.Errorf("$connect authorizer %q not found", route.AuthorizerID)
		}
		ca.lambda = au.Lambda
	case "AWS_IAM":
		ca.verifier = authorizer.NewIAMVerifier(cfg.Credentials)
	}
	if ca.kind == "" && ca.grants == nil {
		return nil, nil
	}
	return ca, nil
}

// Authorize implements Authorizer.
func (ca *connectAuthorizer) Authorize(ctx context.Context, req *ConnectRequest) (Decision, error) {
	r := req.Request
	decision := Decision{Allow: true}
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
				_ = json.Unmarshal(req.Event, &ev) // built with encoding/json
				return ev
			},
		})
		if err != nil {
			var d *authorizer.Deny
			if errors.As(err, &d) {
				ca.metrics.Authorizer(ca.apiID, "CUSTOM", "deny", false)
				return Decision{Status: d.Status}, nil
			}
			ca.metrics.Authorizer(ca.apiID, "CUSTOM", "error", false)
			return Decision{}, err
		}
		ca.metrics.Authorizer(ca.apiID, "CUSTOM", "allow", res.Cached)
		decision.Context = res.ContextV1(time.Since(start))
		usageKey = res.UsageIdentifierKey
	case "AWS_IAM":
		if _, err := ca.verifier.Verify(r, nil); err != nil {
			ca.metrics.Authorizer(ca.apiID, "AWS_IAM", "deny", false)
			return Decision{Status: http.StatusForbidden}, nil
		}
		ca.metrics.Authorizer(ca.apiID, "AWS_IAM", "allow", false)
	}
	if ca.grants != nil {
		return ca.meterKey(r, req.Stage, usageKey, decision), nil
	}
	return decision, nil
}

// meterKey checks the connection's API key and applies its usage plan's
// throttle and quota; it returns allow when they admit the connection.
func (ca *connectAuthorizer) meterKey(r *http.Request, stage, usageKey string, allow Decision) Decision {
	value := r.Header.Get("X-Api-Key")
	if ca.keyFromAuthorizer {
		value = usageKey
	}
	g, ok := ca.grants.Lookup(stage, value)
	switch {
	case !ok:
		return Decision{Status: http.StatusForbidden}
	case !ca.meter.Throttle(g, ""):
		return Decision{Status: http.StatusTooManyRequests}
	case !ca.meter.Count(g, time.Now()):
		return Decision{Status: http.StatusTooManyRequests, QuotaExceeded: true}
	}
	return allow
}
