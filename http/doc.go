// Package httpapi serves Amazon API Gateway HTTP APIs (protocolType HTTP,
// apigatewayv2): route matching with AWS's priority rules (package
// routing), stages, payload format 2.0 and 1.0 Lambda proxy events, the
// response rules of each format (package integration), streaming
// HTTP_PROXY integrations, CORS answered by the gateway, and throttling by
// token buckets. The folder is named http; the package is httpapi so that
// it never shadows net/http.
//
// # Stages and paths
//
// The server's resolver finds the API and stage: a "$default" stage is
// served at the root, a named stage under /{stage}. rawPath (2.0) and path
// (1.0) include the stage prefix for named stages and not for $default, as
// AWS reports them; routing ignores it. A path that names no stage of an API
// without a $default stage, and a request no route matches, get 404
// {"message":"Not Found"}.
//
// # Events
//
// Headers are lower-cased and repeated fields joined with ","; Cookie
// fields become the cookies array (2.0) and leave the headers.
// queryStringParameters are decoded and repeated keys joined with "," (2.0)
// or the last value kept (1.0, with every value in
// multiValueQueryStringParameters). A request body reaches the function as
// text only for text/*, application/json, application/xml and
// application/javascript; any other or missing Content-Type is base64 with
// isBase64Encoded true (measured on AWS). The request ID is 16 characters
// in AWS's look, sent back as apigw-requestid on every answer.
//
// # Errors
//
// Integration failures (function error, malformed response, unreachable
// backend) are 500 {"message":"Internal Server Error"}; an integration
// timeout is 503 {"message":"Service Unavailable"}; throttling is 429
// {"message":"Too Many Requests"}; a body over 10 MB is 413. Failures are
// logged with the request ID.
//
// # HTTP_PROXY
//
// The integration URI's ${stageVariables.name} are filled per stage and its
// {name} placeholders found at load; a request fills the path parameters
// (escaped as a path; a name the route lacks stays as written), appends the
// request path on the $default route and the client's query string. A URL
// whose parsing would change nothing is sent as built, any other is parsed
// and written back as before (tests hold the two to each other). The
// client's header goes to Forward as it is, with X-Forwarded-For, -Proto,
// -Port, X-Amzn-Trace-Id and Forwarded to set: one copy of the header per
// request. Path parameters are decoded only when something reads them. The
// allocations per request against a bare httputil.ReverseProxy:
// BenchmarkServeHTTPProxy and BenchmarkReverseProxy (BENCHMARKS.md).
//
// # Concurrency
//
// An API is immutable after New; ServeHTTP is safe for concurrent use.
// Throttling buckets are shared by the requests of a stage and route.
package httpapi
