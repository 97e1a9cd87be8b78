// Package integration is the integration layer shared by the API modes: it
// calls what a route targets and hands back a Response. New turns a Spec
// (converted from the config's AWS-shaped integration) into an Invoker:
//
//   - AWS_PROXY with a Lambda ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER],
//     or API Gateway's arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/ARN/invocations):
//     Request.Event goes to the Lambda Invoke API (RequestResponse) through
//     Env.Lambda, typically built by NewLambdaClient.
//   - AWS_PROXY with an http(s) URL: Request.Event is POSTed as
//     application/json; a 2xx answer's body is the function's result.
//   - HTTP_PROXY: Request.Body goes to the URL; the answer comes back whole.
//   - HTTP: a request template (or the payload) goes to the URL; integration
//     responses shape the answer.
//   - MOCK: no I/O; the request template gives the status code, integration
//     responses the body.
//
// # Timeouts and errors
//
// Every Invoke runs under Spec.Timeout (zero means 29 s, API Gateway's
// maximum). When that timeout expires Invoke returns an error that wraps
// ErrTimeout; when the caller's context is cancelled or expires first,
// Invoke returns that context's Err() as is. Other failures are wrapped with
// the function name or URL and are told apart with errors.As and errors.Is:
//
//   - *FunctionError: the Lambda answered with X-Amz-Function-Error; or an
//     AWS_PROXY URL answered a non-2xx status, or a 2xx carrying
//     X-Amz-Function-Error (so an HTTP function host can report a failure
//     the way Lambda does).
//   - *MalformedResponseError: an AWS_PROXY result is not a proxy response.
//   - ErrUnsupportedMediaType: passthroughBehavior refused the request.
//   - anything else: the Lambda API refused the call (the SDK's error), or
//     an HTTP transport failure: refused or dropped connection, a reply that
//     is not HTTP, more than 10 MB of body.
//
// For HTTP and HTTP_PROXY any HTTP status is a result, not an error;
// redirects are not followed by the package's own client.
//
// # Lambda proxy responses
//
// An AWS_PROXY result is read as API Gateway's Lambda proxy response, as
// strictly as REST APIs read it, because on a WebSocket two-way route its
// body is exactly what the client receives:
//
//   - An empty result or JSON null (a function that returns nothing, common
//     on one-way WebSocket routes) is status 200 with an empty body.
//   - Anything else must be a JSON object whose keys are among statusCode,
//     headers, multiValueHeaders, body, isBase64Encoded and cookies. A bare
//     string, number, boolean or array, non-JSON text, or an object with any
//     other key is a *MalformedResponseError (AWS: "Malformed Lambda proxy
//     response"); the payload is never taken as the body.
//   - statusCode must be a JSON number holding an integer from 100 to 599;
//     missing means 200. A string such as "200" is malformed.
//   - headers maps names to strings, multiValueHeaders names to arrays of
//     strings; both are merged, and a name/value pair present in both
//     appears once. cookies (an array of strings) become Set-Cookie fields.
//     A header name that is not an HTTP token, or a value holding CR, LF or
//     NUL, is malformed.
//   - body must be a string; missing means empty. With isBase64Encoded true
//     (a JSON boolean) it is decoded with standard, padded base64, and bad
//     base64 is malformed.
//   - A key whose value is null counts as absent.
//
// # Non-proxy integrations
//
// Mapping templates (VTL) are a later feature: request and response
// templates are used verbatim, as static text.
//
// The request template is chosen by evaluating TemplateSelectionExpression:
// empty, "$default" or `\$default` give the key "$default"; a whole
// $request.body.PATH, or ${request.body.PATH} inside text, reads a dot path
// (a.b[0].c) of the payload as JSON (strings unquoted, other values as JSON
// text, absent or non-JSON as ""); `\$` is a literal $. When no template has
// the key, the "$default" template is used. When there is none, HTTP follows
// passthroughBehavior: WHEN_NO_MATCH (the default) sends the payload,
// WHEN_NO_TEMPLATES sends it only when no templates are configured, NEVER
// fails with ErrUnsupportedMediaType. MOCK ignores passthroughBehavior; its
// template must be a JSON object with an integer statusCode (a missing or
// blank template means 200; anything else fails the invocation, not New).
//
// The integration response is the first one, in configuration order, whose
// /regex/ key matches the whole status code, else $default. Its template is
// chosen like a request template, where ${integration.response.statuscode}
// and ${integration.response.header.NAME} may also be used. With no
// integration response, or one without a matching template, the backend's
// body passes through with its status and Content-Type (MOCK: an empty
// body); a template replaces the body and carries no header. The status of a
// non-proxy Response is always the backend's (MOCK: the template's).
//
// # Request parameters
//
// HTTP and HTTP_PROXY integrations map requestParameters, planned once in
// New: integration.request.header.NAME, integration.request.querystring.NAME
// and integration.request.path.NAME (which fills {NAME} in the URI, path
// escaped; every {NAME} needs a parameter and every parameter a {NAME}).
// A value is a 'static' literal or a source expression passed verbatim to
// Request.Params (for WebSocket APIs: context.connectionId,
// route.request.body.a, stageVariables.x, ...); a source that does not
// resolve leaves its parameter out. Query parameters are appended to any
// query the URI has. A body that is not empty is sent as application/json
// unless a Content-Type header is mapped. integrationMethod defaults to
// POST, and ANY also means POST since a WebSocket message has no method.
// AWS_PROXY and MOCK ignore requestParameters.
//
// # Lambda client
//
// NewLambdaClient makes one attempt per invocation (a gateway must not run a
// function twice for one request). With a custom endpoint and no credentials
// anywhere it signs with "test"/"test", as LocalStack expects.
//
// # Concurrency
//
// Invokers are immutable after New and safe for concurrent use. Invoke
// starts no goroutine that outlives it; the pooled connections of the HTTP
// client and the Lambda client are owned by those clients.
package integration
