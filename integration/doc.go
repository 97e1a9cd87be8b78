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
//   - HTTP_PROXY: Invoke sends Request.Body to the URL and the answer comes
//     back whole; the Invoker also implements Forwarder, which sends a whole
//     HTTP request and streams the answer (HTTP APIs).
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
// Spec.ProxyResponse picks how an AWS_PROXY result is read:
// ProxyResponseStrict (the zero value; WebSocket APIs) as below,
// ProxyResponseHTTPV2 and ProxyResponseHTTPV1 by the HTTP API rules of
// payload formats 2.0 and 1.0, and ProxyResponseREST by the REST API rules,
// in the sections after it. Function errors are found out of band whatever the format
// (X-Amz-Function-Error, or a non-2xx answer of an AWS_PROXY URL), so a 2.0
// function that throws is a *FunctionError, not a body.
//
// With ProxyResponseStrict, the result is read as API Gateway's Lambda
// proxy response, as strictly as REST APIs read it, because on a WebSocket
// two-way route its body is exactly what the client receives:
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
// # HTTP API proxy responses (payload format 2.0 and 1.0)
//
// HTTP APIs answer every *MalformedResponseError with 500
// {"message":"Internal Server Error"}. With ProxyResponseHTTPV2 (payload format 2.0):
//
//   - A result that is valid JSON but not an object with a statusCode is the
//     body of a 200 answer with Content-Type application/json: a JSON string
//     gives its content ("Hello" gives Hello); an object without statusCode,
//     an array, a number, true, false and null give their JSON text as
//     returned (whitespace around it trimmed). A statusCode whose value is
//     null counts as absent.
//   - An object with a statusCode is a structured response: statusCode, a
//     JSON number holding an integer from 100 to 599 (a string such as
//     "200", a fraction or 0 is malformed); headers, an object whose values
//     are strings, or numbers and booleans written as their JSON text (true
//     gives "true"), a null value meaning no field; cookies, an array of
//     strings, one Set-Cookie field each; body, a string; isBase64Encoded,
//     a boolean. Other keys are ignored, multiValueHeaders included: the
//     2.0 format has none (AWS documents the 2.0 response without it, and
//     ignores unknown keys).
//   - With isBase64Encoded true the body is always decoded (HTTP APIs have
//     no binaryMediaTypes); standard base64, padded or not; bad base64 is
//     malformed.
//   - A structured response without a Content-Type header gets
//     "text/plain; charset=utf-8", as AWS sends (measured by AWS's own
//     Lambda test tool, aws-lambda-dotnet, against API Gateway).
//   - A result that is not JSON, or empty, is malformed. AWS states the
//     rule for valid JSON only, and a Lambda runtime always returns JSON (a
//     function that returns nothing returns null, which, being valid JSON,
//     gives a 200 with the body null); an empty result can only come from
//     a custom runtime or an AWS_PROXY URL, and is taken as an error rather
//     than guessed at.
//
// With ProxyResponseHTTPV1 (payload format 1.0 on an HTTP API, not REST):
//
//   - The result must be a JSON object with a statusCode (AWS: "doesn't
//     make assumptions ... returns a 500 error"); its value follows the 2.0
//     rule.
//   - headers as for 2.0; multiValueHeaders maps names to arrays of such
//     values (a value that is not an array is malformed). Both are merged,
//     multiValueHeaders first, and a pair present in both appears once.
//   - body, isBase64Encoded and the default Content-Type as for 2.0.
//   - Other keys are ignored, as HTTP APIs ignore them for 2.0 (and as SAM
//     does for 1.0), unlike REST APIs; cookies is one of them, since 1.0 has
//     no cookies.
//
// In both formats a header name that is not an HTTP token, or a value
// holding CR, LF or NUL, is malformed, and a key whose value is null counts
// as absent.
//
// # REST API proxy responses
//
// With ProxyResponseREST the result is read by the matrix measured on AWS
// (reference http-and-rest-apis.md §1.1); REST APIs answer every
// *MalformedResponseError with 502 {"message": "Internal server error"}. It
// differs from ProxyResponseStrict, which WebSocket APIs keep, where AWS's
// REST measurements differ:
//
//   - The result must be a JSON object with at least one key: an empty
//     result, JSON null and {} are malformed (Strict: 200, empty body).
//   - Its keys are among statusCode, headers, multiValueHeaders, body and
//     isBase64Encoded; any other, cookies and SAM's legacy base64Encoded
//     included, is malformed.
//   - statusCode is a JSON number holding an integer, or a string of
//     decimal digits ("201"; Strict: malformed), from 100 to 599; missing
//     or null means 200. "test" is malformed.
//   - headers maps names to strings, or to numbers and booleans written as
//     their JSON text (true gives "true"; Strict: malformed); a null value
//     is no field, an object or array value is malformed. multiValueHeaders
//     maps names to arrays of such values; a value that is not an array is
//     malformed. Both are merged, multiValueHeaders first, and a pair in
//     both appears once.
//   - Without a Content-Type header the answer gets application/json (Strict
//     adds none).
//   - body must be a string; isBase64Encoded a boolean. With
//     isBase64Encoded true the body is left as the base64 text and
//     Response.Base64Encoded is set, since whether it is decoded depends on
//     the request: Response.DecodeForREST decodes it when the first media
//     type of the Accept header matches the API's binaryMediaTypes
//     (AcceptsBinary), and otherwise the client gets the base64 text, as
//     AWS measured. Bad base64 is malformed only when it is to be decoded.
//
// # Forwarding (HTTP_PROXY on HTTP APIs)
//
// Forward sends one HTTP request to the backend and returns the backend's
// answer as soon as its header has arrived; the request body is streamed
// while the answer may already be coming back, and the answer's body is
// streamed to the caller, who must close it. The integration's timeout
// bounds the whole exchange: when the answer's header has not arrived in
// time Forward returns ErrTimeout (wrapped), and a body still being read
// when it expires fails the same way. Closing the body releases the
// exchange.
//
// What is sent: ForwardRequest.URL (the mode has filled path parameters and
// stage variables and applied parameter mappings; empty means the Spec's
// URI), the method (a named integrationMethod, else the client's method,
// else POST), the client's header without hop-by-hop fields, and the body
// with its length, or chunked when the length is unknown. Forward adds no
// field beyond HTTP's framing (Host, Content-Length or Transfer-Encoding):
// no X-Forwarded-* (the mode adds them, as ForwardRequest.Set, which
// replaces the header's fields of those names in Forward's one copy of the
// header), no User-Agent, and, with the
// package's client, no Accept-Encoding (compressed answers pass through as
// they are). Redirects are returned, never followed, and
// hop-by-hop fields are removed from the answer's header too. Spec's
// requestParameters do not apply to Forward.
//
// With ModeMapsRequest an HTTP_PROXY integration belongs to an
// HTTP API: New accepts {proxy}, {name+} and ${stageVariables.name}
// placeholders in its URI and ignores its requestParameters (the mode
// applies HTTP API parameter mappings), and Invoke, which has no client
// request to forward, sends Request.Body to the URI with the
// integrationMethod (ANY is POST) and reads the answer whole.
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
// AWS_PROXY and MOCK ignore requestParameters, and so does Forward.
//
// # Lambda client
//
// NewLambdaClient makes one attempt per invocation (a gateway must not run a
// function twice for one request). With a custom endpoint and no credentials
// anywhere it signs with "test"/"test", as LocalStack expects.
//
// # Concurrency
//
// Invokers are immutable after New and safe for concurrent use, Forward
// included. Invoke starts no goroutine that outlives it; Forward starts none
// of its own, and what net/http runs for one exchange (writing the request
// body) ends with the exchange, at the latest when the caller closes the
// answer's body or the timeout expires. The pooled connections of the HTTP
// clients and the Lambda client are owned by those clients.
package integration
