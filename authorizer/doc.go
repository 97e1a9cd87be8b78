// Package authorizer holds the authorizers that decide, before a route's
// integration runs, whether a request may go on. It has the JWT authorizer
// of HTTP APIs (authorizerType JWT): NewJWT builds one from an authorizer's
// jwtConfiguration, and the HTTP API mode calls Authorize with the value of
// the identity source ($request.header.Authorization) and the route's
// authorizationScopes. It has the Lambda authorizers (REQUEST for every
// mode, TOKEN for REST APIs, see "Lambda authorizers" and "TOKEN
// authorizers"), the REST COGNITO_USER_POOLS authorizer (Cognito) and what
// REST APIs answer when an authorizer refuses (RESTErrorFor). API keys and
// usage plans are package usage's. It writes no response: each mode owns its answers.
//
// # Concurrency
//
// A *JWT is safe for concurrent use by any number of goroutines, and it owns
// no goroutine: there is nothing to close. The issuer's keys are fetched on
// the goroutine of the Authorize call that first needs them; other calls
// needing keys at the same time wait for that fetch (or for their ctx)
// rather than fetching too. The fetch is detached from the fetching call's
// cancellation, so that call may return up to 3 s (two 1.5 s requests) after
// its ctx ends.
//
// # What is checked
//
// Authorize follows API Gateway's published order:
//
//  1. The token is the identity source value, raw or after a "Bearer "
//     prefix (any case); surrounding blanks are ignored. An empty value is a
//     401 whose www-authenticate is just "Bearer": RFC 6750 §3.1 says a
//     request without credentials gets no error code, and AWS publishes no
//     header for that case.
//  2. The token is decoded and its signature verified with the key of the
//     issuer's JWKS whose kid equals the token's kid header (required). The
//     JWKS is found through OIDC discovery, GET
//     {issuer}/.well-known/openid-configuration (a trailing slash of the
//     issuer is not doubled), whose jwks_uri must be an absolute http(s)
//     URL. The discovery document's own issuer field is not compared: some
//     identity providers publish a templated one. Only RS256, RS384 and
//     RS512 are accepted. AWS documents "only RSA-based algorithms"; RSASSA-PSS
//     (PS256/384/512) is RSA-based too but AWS names no algorithm, and every
//     mainstream issuer (Cognito, Auth0, Okta, Entra ID, Keycloak by
//     default) signs RS256, so PS* is refused rather than risk accepting
//     locally a token AWS would refuse. A JWK that names an alg must match the
//     token's. JWKs that are not RSA signing keys (EC keys, use "enc") are
//     skipped.
//  3. iss must equal the configured issuer exactly (a trailing slash
//     matters, as on AWS).
//  4. aud, a string or an array, must contain one configured audience. Only
//     when aud is absent (or null) must client_id equal one instead; a
//     present but wrong aud is refused whatever client_id says.
//  5. exp is required and must be after now, with no leeway. nbf and iat,
//     when present, may be at most 5 s in the future, for issuers whose
//     clock runs slightly ahead (AWS publishes no skew). All three must be
//     JSON numbers; fractions are allowed.
//  6. When the route has scopes, the token's scopes must include one: the
//     space-separated scope string, then scp as a space-separated string or
//     an array of strings. Otherwise Authorize returns a 403 *Deny (the mode
//     answers 403 {"message":"Forbidden"}, with no www-authenticate).
//
// # Denies and errors
//
// Every rejection is a *Deny, returned as Authorize's error. A 401 carries
// www-authenticate in AWS's form, without commas:
//
//	Bearer scope="" error="invalid_token" error_description="the token has expired"
//
// AWS publishes one description, "the token does not have a valid
// audience"; the others are ours, in the same style (the table is in
// jwt.go): "the token is malformed"; "signing method HS256 is invalid" (the
// alg is quoted only when it is a short run of letters and digits, else "the
// token does not have a valid signing method"); "the token does not have a
// valid key id"; "the issuer's signing keys could not be retrieved"; "the
// token signature is invalid"; "the token does not have a valid issuer";
// "the token does not have a valid expiration time"; "the token has
// expired"; "the token does not have a valid not-before time"; "the token
// is not valid yet"; "the token does not have a valid issued-at time"; "the
// token was issued in the future".
// Deny.Reason says more, for logs only.
//
// An issuer that cannot be reached (connection refused, a non-200 answer,
// more than 1.5 s, or a document that is not JSON) is a 401 *Deny with
// "the issuer's signing keys could not be retrieved", as AWS answers 401
// rather than 500 when it cannot reach the issuer. The only error that is
// not a *Deny is ctx ending while Authorize waits for another call's fetch:
// no decision was made, and the caller's request is gone.
//
// # Key cache
//
// The JWKS is used for up to an hour, then fetched again by the next call
// that needs a key. A token whose kid is unknown makes the authorizer fetch
// again at once (key rotation). Whatever triggers them, fetches start at
// most once every 10 s per authorizer, so bad tokens or an issuer that is
// down cannot make it hammer the issuer; within those 10 s an unknown kid is
// refused without a fetch. When a fetch fails, the keys of the last good
// fetch stay in use, even past the hour.
//
// # Token cache
//
// A token that passed (signature and claims; not the route's scopes, which
// are checked on every request) is remembered, keyed by the raw token, so
// that a client sending it again costs a map lookup instead of an RSA
// verification and a JSON decode. A remembered token is used until its exp
// (a request at or after exp gets "the token has expired", as without the
// cache), for at most 5 minutes, and only while the issuer's keys are those
// of the fetch that verified it: any refetch (an unknown kid, the hour)
// makes every token verify again, so a key rotated out stops accepting its
// tokens exactly as it would without the cache. Rejections are not
// remembered. The cache holds at most 4,096 tokens per authorizer; when it
// is full, expired entries are dropped, then arbitrary ones. The claims of
// a result served from it are shared between requests: read-only. AWS
// documents no such cache, and none is observable but the cost.
//
// # Claims
//
// JWTResult.Claims holds every claim as a string, as API Gateway passes
// requestContext.authorizer.jwt.claims: strings as they are; numbers in
// plain decimal, as written when they have no exponent (so "1787996002",
// and large integers keep every digit) and through float64 when they have
// one ("1.5e3" becomes "1500"); booleans as "true" and "false"; arrays as
// "[a b]", Go fmt style, elements rendered the same way; null as "null".
// Objects become compact JSON text with keys sorted, numbers as written and
// no HTML escaping ({"a":1,"b":"x<y"}): AWS's rendering of objects is not
// published, and JSON text is the one a function can parse back.
//
// # Library
//
// Tokens are decoded and their signatures verified by
// github.com/golang-jwt/jwt/v5 (the most used Go JWT library, maintained, no
// dependencies of its own). It is run with an algorithm allow-list,
// json.Number claims (for exact number rendering) and its claim validation
// off, because AWS's rules (any of several audiences, client_id only when
// aud is absent, AWS's wording) are not its rules. Discovery and the JWKS
// cache are this package's own, about a hundred lines: lestrrat-go/jwx v3
// would bring half a dozen modules and a JWKS cache refreshed by background
// goroutines that need a Close, and neither it nor MicahParks/keyfunc does
// OIDC discovery or this rate-limited refetch on an unknown kid.
//
// # Lambda authorizers
//
// The package also has the Lambda authorizers of HTTP, WebSocket and REST
// APIs (type REQUEST, and TOKEN for REST APIs): NewLambda builds one from an
// authorizer's configuration and a function to call, and the mode calls
// Authorize with what it knows of the request. The HTTP API mode uses
// payload format 1.0 or 2.0; a WebSocket API's $connect and REST APIs use
// 1.0, the REST format.
//
// # Identity sources
//
// IdentitySources name the request values the authorizer needs:
// $request.header.NAME (case-insensitive), $request.querystring.NAME
// (case-sensitive), $context.NAME and $stageVariables.NAME for HTTP APIs,
// route.request.header.NAME, route.request.querystring.NAME,
// context.NAME and stageVariables.NAME for WebSocket APIs, and
// method.request.header.NAME, method.request.querystring.NAME,
// context.NAME and stageVariables.NAME for REST APIs, whose configuration
// holds them in one comma-separated string that ParseV1IdentitySource
// splits and checks. Surrounding blanks are ignored. A header or query parameter given more than once has
// its non-empty values joined with commas, as HTTP API 2.0 events join
// them. When any value is absent or empty, Authorize returns a 401 *Deny
// without invoking the function (API Gateway: "present, not null and
// non-empty"; the client gets 401 {"message":"Unauthorized"}, with no
// www-authenticate).
//
// # The event
//
// The mode builds the request event in the authorizer's format: for 2.0 the
// HTTP API 2.0 request (version, routeKey, rawPath, headers, ...,
// requestContext); for 1.0 the REQUEST authorizer event (headers,
// multiValueHeaders, queryStringParameters, ..., requestContext, plus
// version "1.0" for an HTTP API, none for WebSocket, as AWS sends them).
// Authorize sends a copy with these keys set, and the mode's own keys
// untouched:
//
//   - type: "REQUEST".
//   - 2.0: routeArn, and identitySource, the array of identity values in
//     configuration order.
//   - 1.0: methodArn, and identitySource and authorizationToken, both the
//     identity values joined with commas, as in AWS's published HTTP API
//     1.0 event ("user1,123" for both). AWS's published WebSocket event has
//     neither key; sending them there too costs a function nothing.
//
// With no identity source configured, identitySource (and
// authorizationToken) are null. The event is JSON without HTML escaping.
// A REST REQUEST authorizer's event is the 1.0 one without version (what
// aws-lambda-go's APIGatewayCustomAuthorizerRequestTypeRequest decodes);
// AWS's has no identitySource or authorizationToken, and sending them costs
// a function nothing.
//
// # TOKEN authorizers
//
// A REST API TOKEN authorizer (LambdaConfig.Type TypeToken) has exactly one
// identity source, a header (method.request.header.NAME), whose value is
// the token, passed as it is (no "Bearer " is removed). Its event is
// exactly {"type":"TOKEN","authorizationToken":TOKEN,"methodArn":ARN}
// (aws-lambda-go's APIGatewayCustomAuthorizerRequest); the mode's event is
// not used or built. A missing or empty header is a 401 without invoking.
// IdentityValidationExpression, when set, is a regular expression the whole
// token must match, else a 401 without invoking: AWS runs the expression
// with Java's java.util.regex, and whole-string matching is the semantics
// of its Pattern.matches (the same as REST selection patterns, which AWS
// documents as whole-string), so "Bearer .*" refuses "xBearer y" and a|b
// refuses "ab". The expression is compiled once, by NewLambda, with Go's
// RE2 syntax: the common expressions (classes, repetitions, anchors)
// behave as in Java, while back-references and lookarounds, which RE2
// lacks, are refused by Validate. Answers are cached per token, for the
// TTL (the mode passes DefaultLambdaTTL when authorizerResultTtlInSeconds
// is absent; 0 disables), and the policy of a cached answer is evaluated
// again against each request's methodArn, as for REQUEST.
//
// # The answer
//
// With payload format 2.0 and EnableSimpleResponses, the function answers
// {"isAuthorized": bool, "context": {...}}; isAuthorized must be a JSON
// boolean. Otherwise it answers with an IAM policy:
//
//	{"principalId": "user", "policyDocument": {"Version": "2012-10-17",
//	 "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke",
//	 "Resource": "arn:aws:execute-api:us-east-1:123456789012:api/prod/GET/pets/*"}]},
//	 "context": {...}}
//
// principalId must be a string. Statement is an array of statements or a
// single one, as IAM accepts. Each has Effect "Allow" or "Deny" (exact
// case), Action or NotAction and Resource or NotResource, each a string or
// an array of strings; Sid, Version and unknown keys are ignored, and an
// empty Statement array allows nothing. An action applies when it matches
// execute-api:Invoke, case-insensitively and with wildcards
// ("execute-api:Invoke", "execute-api:*", "*"). A resource applies when it
// matches the request's ARN (LambdaRequest.ARN), with * for any run of
// characters, "/" included, and ? for one character, case-sensitively; the
// pattern spans the whole ARN, so "arn:aws:*" or "*" match everything.
// Evaluation is IAM's: an applicable Deny wins, else an applicable Allow
// allows, else the request is denied implicitly. A Condition cannot be
// evaluated here, so it fails closed: a conditional Deny applies as if its
// condition held, a conditional Allow never allows.
//
// A denied request (isAuthorized false, an explicit or an implicit deny) is
// a 403 *Deny: the HTTP API and WebSocket modes answer 403
// {"message":"Forbidden"}. Deny.Explicit tells an explicit deny (an
// applicable Deny statement) from an implicit one, as REST APIs word the
// two differently (see "REST answers").
//
// context is optional (absent or null means none) and must be an object.
// In payload format 1.0 its values must be strings, numbers or booleans:
// an object, an array or null makes the answer invalid, as API Gateway
// refuses "a JSON object or array as a valid value of any key in the
// context map" (null is not one of the three types AWS lists). In 2.0 any
// JSON value is accepted. Numbers arrive in LambdaResult.Context as
// json.Number, so that they keep their digits when the mode writes them
// back out; nested 2.0 values are map[string]any and []any, shared between
// the results of one cached answer: treat them as read-only.
//
// # Failures
//
// In payload format 1.0, a function that fails with the message
// "Unauthorized", exactly, is a 401 *Deny (REST semantics: the client gets
// 401 {"message":"Unauthorized"}). The message is the errorMessage of the
// payload of an *integration.FunctionError in Invoke's error chain (what
// Lambda and a Lambda-event-over-HTTP host send), or the text of Invoke's
// error itself (an in-process function). In 2.0 that is a failure like any
// other: AWS documents only 500 for HTTP API authorizers that fail.
//
// Every other failure of the function (Invoke's error, an answer that is
// not JSON, not an object, or not a valid simple or policy response) is an
// error that wraps ErrLambdaFailure (and Invoke's error); the mode answers
// 500. When ctx ends first, the error wraps ctx.Err() instead.
//
// # Cache
//
// With a TTL (authorizerResultTtlInSeconds, at most an hour; caching needs
// at least one identity source), the function's valid answers are cached
// by the identity values, in order, and nothing else. What is cached is the
// answer, not the decision: a cached policy is evaluated again against each
// request's ARN, and no decision made for one ARN is ever applied to
// another. A policy that allows only .../GET/pets/1, served from the cache
// to a request for .../GET/pets/2 with the same token, denies it, as on AWS
// (where functions that return a policy for event.methodArn alone make a
// {proxy+} route fail on its second path); one that allows .../GET/pets/*
// allows both. A simple response, having no ARN to check, applies to every
// route that uses the authorizer until it expires, unless $context.routeKey
// is one of the identity sources, as on AWS. Denies (isAuthorized false, a
// policy that denies) are answers and are cached; failures, including
// "Unauthorized", are not.
//
// Requests with the same identity values that arrive while the function is
// being invoked for them wait for that invocation instead of invoking it
// again, and share its outcome, failures included; if the invoking
// request's ctx ends before the function answers, they try again rather
// than fail. Results served from the cache or from another request's
// invocation have LambdaResult.Cached set. Without a TTL every request
// invokes the function with its own event.
//
// An answer expires TTL after it arrived, by LambdaConfig.Now. Expired
// answers are dropped as new ones arrive, and beyond 10,000 answers the
// oldest are dropped too (with one TTL per authorizer, the oldest are the
// first to expire). Invocations under way are not answers yet: they are
// not counted and never dropped. The cache belongs to the *Lambda; a mode
// that wants stages or APIs not to share answers builds one *Lambda for
// each.
//
// For REST APIs the context reaches the integration as
// LambdaResult.ContextREST renders it in requestContext.authorizer:
// principalId and integrationLatency next to the context keys, whose
// values are all strings (numbers as written, without exponent; booleans
// as "true" and "false"), as API Gateway passes them on.
//
// # Cognito user pool authorizers
//
// A REST API COGNITO_USER_POOLS authorizer is a *Cognito, built by
// NewCognito from the issuers of its user pools: CognitoIssuer turns each
// of the providerARNs (arn:aws:cognito-idp:REGION:ACCOUNT:userpool/POOL_ID)
// into https://cognito-idp.REGION.amazonaws.com/POOL_ID. Portico has no
// Cognito, so a mode configures a local OIDC issuer in their place. The
// mode calls Authorize with the value of the identity source (by default
// method.request.header.Authorization) and the method's
// authorizationScopes. The token is checked with the JWT authorizer's
// machinery (discovery, JWKS cache, RS256/384/512, exp, nbf, iat) with
// these differences, which are Cognito's:
//
//   - iss must equal one of the issuers; the token's keys are that
//     issuer's. A token of another issuer is refused without a fetch.
//   - aud is not checked: any app client of the pool is accepted. When the
//     authorizer has an identityValidationExpression
//     (CognitoConfig.AudienceExpression), aud (or client_id when there is
//     no aud) must match it whole, as AWS documents for this type.
//   - Without authorization scopes the method takes ID tokens (token_use
//     "id"); with scopes it takes access tokens (token_use "access") whose
//     scope claim holds one of them. AWS documents "leave OAuth Scopes
//     blank" for ID tokens and "configure OAuth Scopes" for access tokens,
//     and an access token sent to a method without scopes is refused on
//     AWS (measured in awslabs/nx-plugin-for-aws#828).
//   - The token may come raw, as AWS documents, or after "Bearer ": the
//     prefix is accepted as by the JWT authorizer, since clients commonly
//     send it and whether AWS refuses it is not established.
//
// Every rejection is a 401 *Deny with no WWWAuthenticate (REST APIs answer
// 401 {"message":"Unauthorized"} for a missing, invalid, expired or
// unscoped token, AWS: "Otherwise, the call fails with a 401 Unauthorized
// response"). The claims reach the integration as
// requestContext.authorizer.claims (CognitoResult.ContextREST), every value
// a string rendered as JWT claims are; AWS's REST rendering of dates and
// arrays in claims is not published, and may differ.
//
// # REST answers
//
// RESTErrorFor maps what Lambda.Authorize and Cognito.Authorize return to
// the gateway response a REST API answers with (the mode applies its
// customisations of the type). The defaults (http-and-rest-apis.md §3.1
// and §4.2, rest-apis.md §1.4):
//
//   - a 401 *Deny: UNAUTHORIZED, 401 {"message":"Unauthorized"},
//     x-amzn-ErrorType UnauthorizedException;
//   - a 403 *Deny with Explicit: ACCESS_DENIED, 403
//     {"Message":"User is not authorized to access this resource with an explicit deny"}
//     (capital M, as AWS writes AccessDenied bodies), AccessDeniedException;
//   - a 403 *Deny without: ACCESS_DENIED, 403
//     {"Message":"User is not authorized to access this resource"};
//   - anything else (the function failed, answered something invalid, or
//     ctx ended): AUTHORIZER_CONFIGURATION_ERROR, 500 {"message":null},
//     AuthorizerConfigurationException, which is what AWS answers for a
//     failing or malformed authorizer function (AUTHORIZER_FAILURE, also
//     500, is not what AWS is seen to send for these).
//
// # Concurrency
//
// A *Lambda and a *Cognito are safe for concurrent use and own no
// goroutine: Invoke runs on the goroutine of the Authorize call that needs
// it, and a Cognito issuer's keys are fetched as a JWT authorizer's are.
package authorizer
