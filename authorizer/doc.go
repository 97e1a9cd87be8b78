// Package authorizer holds the authorizers that decide, before a route's
// integration runs, whether a request may go on. It has the JWT authorizer
// of HTTP APIs (authorizerType JWT): NewJWT builds one from an authorizer's
// jwtConfiguration, and the HTTP API mode calls Authorize with the value of
// the identity source ($request.header.Authorization) and the route's
// authorizationScopes.
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
package authorizer
