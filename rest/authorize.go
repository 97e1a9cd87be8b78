package rest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/portico-gw/portico/authorizer"
)

// authorize runs the authorizer of a CUSTOM (Lambda TOKEN or REQUEST) or
// COGNITO_USER_POOLS method, after routing and the body read and before
// the integration, as API Gateway does. An allowed request carries the
// result to its integration as requestContext.authorizer: principalId,
// integrationLatency and the function's context as strings (Lambda), or
// {"claims": {...}} (Cognito). A rejection or failure is the gateway
// response authorizer.RESTErrorFor names (UNAUTHORIZED 401,
// ACCESS_DENIED 403, AUTHORIZER_CONFIGURATION_ERROR 500), so that its
// overrides and DEFAULT_4XX/DEFAULT_5XX apply. It reports whether the
// request goes on.
func (a *API) authorize(w http.ResponseWriter, q *request) bool {
	au := q.m.authorizer
	ctx := q.r.Context()
	var err error
	if au.Cognito != nil {
		var res *authorizer.CognitoResult
		if res, err = au.Cognito.Authorize(ctx, q.r.Header.Get(au.TokenHeader), q.m.scopes); err == nil {
			q.authorizer = res.ContextREST()
			a.metrics.Authorizer(a.id, au.Type, "allow", false)
			return true
		}
	} else {
		start := time.Now()
		var res *authorizer.LambdaResult
		if res, err = au.Lambda.Authorize(ctx, a.lambdaRequest(q)); err == nil {
			q.authorizer = res.ContextREST(time.Since(start))
			q.usageIdentifierKey = res.UsageIdentifierKey // apiKeySource AUTHORIZER
			a.metrics.Authorizer(a.id, au.Type, "allow", res.Cached)
			return true
		}
	}
	var deny *authorizer.Deny
	if errors.As(err, &deny) {
		a.metrics.Authorizer(a.id, au.Type, "deny", false)
	} else {
		a.metrics.Authorizer(a.id, au.Type, "error", false)
	}
	if ctx.Err() != nil {
		return false // the client left; nothing to answer
	}
	if deny != nil {
		a.log.Debug("authorizer denied the request", "request_id", q.requestID, "authorizer", au.ID, "status", deny.Status, "reason", deny.Reason)
	} else {
		a.log.Warn("authorizer failed", "request_id", q.requestID, "authorizer", au.ID, "error", err)
	}
	re := authorizer.RESTErrorFor(err)
	a.fail(w, q, ResponseType(re.ResponseType), re.Message)
	return false
}

// lambdaRequest is what a Lambda authorizer knows of the request: its
// headers, query, $context variables and stage variables for the identity
// sources, the methodArn
// (arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path},
// the request's path, as AWS builds it) and, for a REQUEST authorizer, the
// REST event without body (type and methodArn are added by the
// authorizer; it decodes into aws-lambda-go's
// APIGatewayCustomAuthorizerRequestTypeRequest).
func (a *API) lambdaRequest(q *request) *authorizer.LambdaRequest {
	return &authorizer.LambdaRequest{
		Header: q.r.Header,
		Query:  q.r.URL.Query(),
		Context: map[string]string{
			"requestId": q.requestID, "extendedRequestId": q.apigwID, "apiId": a.id, "accountId": a.accountID,
			"stage": q.stage.name, "resourceId": q.m.resourceID, "resourcePath": q.match.ResourcePath,
			"httpMethod": q.r.Method, "path": "/" + q.stage.name + q.rest,
			"identity.sourceIp": sourceIPOf(q), "identity.userAgent": q.r.UserAgent(),
		},
		StageVariables: q.stage.vars,
		ARN:            fmt.Sprintf("arn:aws:execute-api:%s:%s:%s/%s/%s%s", a.region, a.accountID, a.id, q.stage.name, q.r.Method, q.rest),
		BuildEvent: func() map[string]any {
			raw, err := json.Marshal(a.event(q))
			if err != nil {
				return nil
			}
			var m map[string]any
			if json.Unmarshal(raw, &m) != nil {
				return nil
			}
			delete(m, "body") // authorizers do not see the body
			delete(m, "isBase64Encoded")
			return m
		},
	}
}
