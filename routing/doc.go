// Package routing is pure matching: which API and stage a data-plane
// request addresses (resolve.go), which route an HTTP API request matches
// (httproutes.go), which resource and method a REST API request matches
// (restroutes.go), and which route a WebSocket message selects
// (selection.go). It does no I/O, imports no other Portico package and
// holds no mutable state: a Resolver, an HTTPRoutes, a RESTRoutes or an
// Expression, once built, is safe for concurrent use.
//
// # Addressing (Resolver.Resolve)
//
// A request names its API by the first of these that applies; the first
// that applies decides, even when it then fails:
//
//  1. a custom domain (domainNames, API mappings, base paths): a later
//     addition, which goes at the head of the addressing list in resolve.go;
//  2. the Host {apiId}.execute-api.{anything}, matched case-insensitively
//     with the port ignored; the stage is the first path segment. A Host of
//     this form always decides the API: an unknown apiId is ErrUnknownAPI
//     even when the path looks path-style or only one API is configured, and
//     a path-style path under such a Host is read as /{stage}/...;
//  3. the path /_aws/execute-api/{apiId}/{stage}/... on any host (the
//     prefix and the apiId are case-sensitive; an unknown apiId is
//     ErrUnknownAPI, even when only one API is configured);
//  4. when exactly one API is configured, /{stage}/... on any host.
//
// When none applies (several APIs, or none, and the request names none),
// the error is ErrUnknownAPI with no API ID.
//
// The API ID from the Host is looked up exactly, then case-insensitively;
// the one from the path style exactly, after percent-decoding.
//
// Stages: the stage segment is percent-decoded and compared with the
// configured stage names exactly (case-sensitive). "/dev" and "/dev/"
// both address stage dev, with Rest "" and "/". A stage named "$default"
// (HTTP APIs) is never addressed by a path segment: it takes every path
// whose first segment names no other stage of the API (including "/",
// "" and "/$default/..."), with BasePath "" (the path-style prefix
// "/_aws/execute-api/{apiId}" in that style) and Rest the whole remaining
// path. Without a "$default" stage, a missing segment ("", "/", "//x") is
// ErrNoStage and an unknown one ErrUnknownStage. BasePath+Rest is always the
// raw path; both stay escaped as in the request.
//
// # HTTP API routes (NewHTTPRoutes, HTTPRoutes.Match)
//
// Route keys are "$default" or "METHOD /path" (ANY GET POST PUT PATCH
// DELETE HEAD OPTIONS; segments literal, {name} or a last {name+}). Match
// takes the path after the stage, escaped as received, and picks: a full
// match, the most specific path first (compared segment by segment from the
// left, a literal before a {param}), the exact method before ANY on the same
// template, so "ANY /pets/dog" beats "GET /pets/{id}" for GET /pets/dog;
// then a greedy match, ranked the same way; then "$default"; else no match
// (404 {"message":"Not Found"}). HEAD does not fall back to GET routes.
// {name+} takes one or more segments and never its parent ("/a/{p+}"
// matches neither /a nor /a/). A trailing slash is significant, a choice
// (AWS's behaviour is unverified): "GET /items" does not match /items/, and
// only the root key "GET /" may end in "/". Empty segments match only a
// greedy segment or $default. Literals and parameter values are
// percent-decoded; the greedy value is the rest of the path without its
// leading slash. httproutes.go has the complete rules.
//
// # REST API resources (NewRESTRoutes, RESTRoutes.Match)
//
// A REST API is a tree of resources ("/", "/pets", "/pets/{petId}",
// "/files/{proxy+}"), each declaring methods (ANY DELETE GET HEAD OPTIONS
// PATCH POST PUT); every prefix of a resource path is a resource too, with
// no methods unless listed. Path parts are literals of a-zA-Z0-9._-,
// {name} or a last {name+}; a parent has at most one variable child.
// Match takes the path after the stage, escaped as received, and tries the
// resources that match it from the most specific: at each level from the
// left a literal, then {name}, then {name+}. Resolution is on the
// (resource, method) pair: the first of these that declares the method or
// ANY wins, its explicit method before its ANY; a resource without the
// method falls back to the next ("/users/me" with PATCH only lets GET
// /users/me reach "/users/{userId}"; "/jobs" without GET lets it reach
// "/{proxy+}"). The result is RESTMatched, RESTNoMethod (a resource matches
// the path, none has the method) or RESTNoResource; AWS answers both misses
// with 403 {"message":"Missing Authentication Token"}. ANY stands for the
// seven methods only, and HEAD does not fall back to GET. Trailing slashes
// are ignored ("/pets/" is "/pets"); {name+} takes one or more segments,
// never its parent ("/{proxy+}" does not match "/"), and its value is the
// rest of the path without its leading slash and trailing slashes, empty
// segments kept. Nothing is percent-decoded, as AWS passes path parameters
// (test%2Balias stays encoded; %2F never splits a segment). restroutes.go
// has the complete rules and the reference sections they follow.
//
// # Route selection (ParseSelectionExpression, Expression.Evaluate, SelectRoute)
//
// An expression is one of:
//   - $request.body.PATH, the whole expression;
//   - a template of static text and ${request.body.PATH} variables, in any
//     number; each variable is evaluated once and its value is never
//     expanded again (a value containing "${...}" stays literal);
//   - a static key ("action"). "\$" writes a literal "$" anywhere outside
//     a variable ("\$default" is the key "$default"); a backslash before
//     anything else is itself literal. The bare "$default" is accepted as
//     the key "$default", as route response selection expressions write it.
//
// Any other root ($request.header, $context, ...) is an error ("only
// $request.body is supported in WebSocket route selection"), as are an
// empty expression, an unterminated or empty ${}, an empty path or path
// segment, a malformed index, and the characters '{', '}', '$', ']',
// whitespace and control characters in a member name.
//
// PATH is dot-separated member names, each optionally followed by [N]
// indexes ("items[0].name", "$request.body[1]" for a top-level array).
// Names are literal, including '-', '_', '*', '?', '#', '|', '@' and
// non-ASCII letters. A name applies only to an object and an index only to
// an array. When an object holds a name twice, the first wins. A path that
// is not found yields "".
//
// A selected value becomes key text as: a string as it is (unescaped);
// a number as written in the message ("1", "1.5", "1e3"); true and false;
// null as ""; an object as its JSON text without insignificant whitespace
// (escapes kept as written); an array as "[item1, item2]" (", "-separated,
// the form AWS's documentation shows), each element by these same rules,
// so strings appear unquoted, nested arrays as "[...]", objects as JSON and
// null elements as nothing ("[a, , b]").
//
// SelectRoute, in order:
//  1. a static expression selects its key whatever the message, JSON or
//     not;
//  2. otherwise a message that is not valid JSON selects "$default";
//  3. the key selects the route of that exact (case-sensitive) key, unless
//     the key is "" or "$connect" or "$disconnect", which a message never
//     selects;
//  4. otherwise "$default", when the API has that route;
//  5. otherwise no route (ok false): the caller sends the Forbidden error
//     frame.
package routing
