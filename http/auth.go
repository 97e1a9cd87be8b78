package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/portico-gw/portico/authorizer"
	"github.com/portico-gw/portico/config"
)

// Authorization (reference §3.2, §4). A route's authorizationType picks the
// check, run after route matching and throttling and before the
// integration:
//
//   - JWT: the token from the authorizer's identity source; a rejection is
//     401 {"message":"Unauthorized"} with www-authenticate, or 403
//     {"message":"Forbidden"} when no route scope matches. Claims and scopes
//     reach the function as requestContext.authorizer.jwt (2.0) or
//     requestContext.authorizer.{claims,scopes} (1.0).
//   - CUSTOM: a REQUEST Lambda authorizer. A missing identity source is 401
//     without invoking it; a deny is 403 {"message":"Forbidden"}; a function
//     that fails or answers garbage is 500 {"message":"Internal Server
//     Error"}, logged with the request ID. Its context reaches the function
//     as requestContext.authorizer.lambda (2.0) or flattened into
//     requestContext.authorizer with principalId (1.0).
//   - AWS_IAM: SigV4 with service execute-api against the file's
//     credentials; a failure is 403 with AWS's message for it. Portico has
//     no IAM users: callerId and userId are the access key ID and userArn is
//     arn:aws:iam::{accountId}:user/{accessKeyId} (Portico's choice).
type routeAuth struct {
	kind   string // JWT, CUSTOM, AWS_IAM; "" for none
	jwt    *authorizer.JWT
	source string // the JWT identity source
	scopes []string
	lambda *authorizer.Lambda
	format string // the Lambda authorizer's payload format
}

func newRouteAuth(r config.Route, built map[string]*authorizer.Configured) *routeAuth {
	ra := &routeAuth{kind: r.AuthorizationType}
	switch r.AuthorizationType {
	case "JWT":
		if au := built[r.AuthorizerID]; au != nil {
			ra.jwt, ra.source = au.JWT, au.TokenSource
		}
		ra.scopes = r.AuthorizationScopes
	case "CUSTOM":
		if au := built[r.AuthorizerID]; au != nil {
			ra.lambda, ra.format = au.Lambda, au.PayloadFormatVersion
		}
	case "", "NONE":
		ra.kind = ""
	}
	return ra
}

// authorize runs the route's check. It writes the answer and returns false
// when the request may not proceed; otherwise it fills q.auth.
func (a *API) authorize(ctx context.Context, w http.ResponseWriter, q *request, ra *routeAuth, log reqLog) (ok bool) {
	failed, cached := false, false // an error rather than a deny; a cached Lambda answer
	if ra.kind != "" {
		defer func() {
			result := "allow"
			switch {
			case failed:
				result = "error"
			case !ok:
				result = "deny"
			}
			a.metrics.Authorizer(a.id, ra.kind, result, cached)
		}()
	}
	switch ra.kind {
	case "JWT":
		res, err := ra.jwt.Authorize(ctx, identityValue(q, ra.source), ra.scopes)
		if err != nil {
			var d *authorizer.Deny
			if !errors.As(err, &d) {
				failed = true
				return false // the client left while keys were fetched
			}
			if d.WWWAuthenticate != "" {
				w.Header()["www-authenticate"] = []string{d.WWWAuthenticate} // AWS spells it in lower case
			}
			if d.Status == http.StatusForbidden {
				errForbidden.write(w, q.requestID)
			} else {
				errUnauthorized.write(w, q.requestID)
			}
			return false
		}
		claims := jwtClaims{res.Claims, res.ClaimsJSON}
		if q.format == "1.0" {
			q.auth = map[string]any{"claims": &claims, "scopes": res.Scopes}
		} else {
			q.jwt = jwtContext{claims, res.Scopes}
		}
	case "CUSTOM":
		start := time.Now()
		res, err := ra.lambda.Authorize(ctx, a.lambdaRequest(q, ra.format))
		if err != nil {
			var d *authorizer.Deny
			switch {
			case errors.As(err, &d) && d.Status == http.StatusUnauthorized:
				errUnauthorized.write(w, q.requestID)
			case errors.As(err, &d):
				errForbidden.write(w, q.requestID)
			case ctx.Err() != nil:
				failed = true
			default:
				failed = true
				log.Warn("authorizer failed", "error", err)
				errInternal.write(w, q.requestID)
			}
			return false
		}
		cached = res.Cached
		if q.format == "1.0" {
			q.auth = res.ContextV1(time.Since(start))
		} else {
			ctxMap := res.Context
			if ctxMap == nil {
				ctxMap = map[string]any{}
			}
			q.auth = map[string]any{"lambda": ctxMap}
		}
	case "AWS_IAM":
		id, err := a.verifier.Verify(q.r, q.body)
		if err != nil {
			msg := err.Error()
			if msg == "" {
				msg = "Forbidden"
			}
			gatewayError{http.StatusForbidden, `{"message":` + jsonString(msg) + `}`}.write(w, q.requestID)
			return false
		}
		arn := "arn:aws:iam::" + a.accountID + ":user/" + id.AccessKeyID
		q.iam = &iamIdentity{accessKey: id.AccessKeyID, userArn: arn}
		if q.format != "1.0" {
			q.auth = map[string]any{"iam": map[string]any{
				"accessKey": id.AccessKeyID, "accountId": a.accountID, "callerId": id.AccessKeyID,
				"cognitoIdentity": nil, "principalOrgId": nil, "userArn": arn, "userId": id.AccessKeyID,
			}}
		}
	}
	return true
}

type iamIdentity struct{ accessKey, userArn string }

// jwtClaims are a JWT authorizer's claims in requestContext.authorizer.
// Encoding the map by reflection cost some 25 allocations per request; the
// authorizer encodes it once per verified token and the event splices
// those bytes, which are the map's encoding exactly.
type jwtClaims struct {
	m    map[string]string // for $context.authorizer.claims.NAME
	json json.RawMessage   // m encoded; read-only, shared with the token cache
}

func (c *jwtClaims) MarshalJSON() ([]byte, error) {
	if c.json == nil {
		return json.Marshal(c.m)
	}
	return c.json, nil
}

// jwtContext is requestContext.authorizer of a JWT-authorized 2.0 request,
// held in the request rather than in maps {"jwt":{"claims","scopes"}}
// whose making and encoding cost some ten allocations per request.
type jwtContext struct {
	claims jwtClaims // claims.m is nil when no JWT authorizer ran
	scopes []string
}

// MarshalJSON writes what the maps it replaces encoded to (keys sorted).
func (c *jwtContext) MarshalJSON() ([]byte, error) {
	claims, err := c.claims.MarshalJSON()
	if err != nil {
		return nil, err
	}
	scopes := []byte("null")
	if c.scopes != nil {
		if scopes, err = json.Marshal(c.scopes); err != nil {
			return nil, err
		}
	}
	b := make([]byte, 0, len(`{"jwt":{"claims":,"scopes":}}`)+len(claims)+len(scopes))
	b = append(b, `{"jwt":{"claims":`...)
	b = append(b, claims...)
	b = append(b, `,"scopes":`...)
	b = append(b, scopes...)
	return append(b, "}}"...), nil
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// identityValue reads $request.header.X or $request.querystring.X.
func identityValue(q *request, source string) string {
	if name, ok := strings.CutPrefix(source, "$request.header."); ok {
		return q.r.Header.Get(name)
	}
	if name, ok := strings.CutPrefix(source, "$request.querystring."); ok {
		return q.r.URL.Query().Get(name)
	}
	return ""
}

// lambdaRequest is what a Lambda authorizer sees: the request event in its
// payload format (2.0: the 2.0 request; 1.0: the REQUEST authorizer shape,
// the 1.0 request without body), and the routeArn/methodArn.
func (a *API) lambdaRequest(q *request, format string) *authorizer.LambdaRequest {
	return &authorizer.LambdaRequest{
		Header:         q.r.Header,
		Query:          q.r.URL.Query(),
		Context:        map[string]string{"routeKey": q.routeKey, "requestId": q.requestID, "stage": q.stage, "apiId": a.id, "httpMethod": q.r.Method, "path": q.rawPath()},
		StageVariables: q.stageVars,
		ARN:            fmt.Sprintf("arn:aws:execute-api:%s:%s:%s/%s/%s%s", a.region, a.accountID, a.id, q.stage, q.r.Method, q.rest),
		BuildEvent: func() map[string]any {
			var ev any = q.eventV2()
			if format == "1.0" {
				ev = q.eventV1()
			}
			raw, _ := json.Marshal(ev)
			var m map[string]any
			_ = json.Unmarshal(raw, &m)
			delete(m, "body") // authorizers do not see the body
			delete(m, "isBase64Encoded")
			return m
		},
	}
}
