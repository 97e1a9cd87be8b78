// Package rest is the REST API mode (apigateway v1). New builds an API
// from a config.RestAPI; ServeHTTP runs AWS's pipeline for one request:
// route (stage, resource, method; routing.RESTRoutes) → authorization
// (AWS_IAM, Lambda TOKEN/REQUEST, Cognito; authorize.go) → API key, usage-plan throttle and quota, stage throttling
// (usage.go) → request validation (validate.go) → integration (AWS_PROXY
// and NATS with the REST proxy event and integration.ProxyResponseREST,
// HTTP_PROXY; the non-proxy AWS, HTTP and MOCK with mapping templates,
// nonproxy.go) → response. Every failure is a gateway response
// (GatewayResponses), the mode's one table of what a client sees when the
// gateway answers by itself. What the model holds but Portico cannot serve
// (AWS service integrations other than Lambda) is refused with an error
// naming it.
//
// An API is immutable once built and safe for concurrent use; a reload
// builds a new one (a stage serves the API as loaded).
//
// # Gateway responses
//
// There are 21 types (ResponseType), each with AWS's default status,
// message and x-amzn-ErrorType (reference http-and-rest-apis.md §3.1,
// rest-apis.md §1.4) and the body {"message":$context.error.messageString},
// where messageString is the message as a quoted JSON string;
// BAD_REQUEST_PARAMETERS and BAD_REQUEST_BODY write
// {"message": $context.error.messageString}, with the space AWS's
// validation answers have. An API may
// override any type (GatewayResponseSpec, compiled once by
// NewGatewayResponses): its status, headers (gatewayresponse.header.NAME
// from 'static', method.request.header|querystring|path.NAME,
// stageVariables.NAME or context.NAME) and body templates by media type.
//
// Which override applies: the type's own, whole; else the override of
// DEFAULT_4XX or DEFAULT_5XX, whole, by the type's default status class;
// else none. An override's missing parts are the type's defaults: no status
// keeps the type's status, no templates keep the type's default body, no
// parameters add no header. So DEFAULT_4XX with
// gatewayresponse.header.Access-Control-Allow-Origin '*' puts that header
// on a 403 Missing Authentication Token, and a MISSING_AUTHENTICATION_TOKEN
// override without that header hides DEFAULT_4XX's header from that type
// (AWS, rest-apis.md §1.4: the specific response is used instead of the
// fallback, not merged with it).
//
// Every gateway response carries x-amzn-RequestId ($context.requestId),
// x-amzn-ErrorType (the type's, even when DEFAULT_4XX/5XX's override
// applies) and x-amz-apigw-id ($context.extendedRequestId), which a
// response parameter cannot replace, and a Content-Type.
//
// # Choices where AWS is silent
//
//   - UNAUTHORIZED (401) falls back to DEFAULT_4XX, as its status says; AWS's
//     table does not state its fallback.
//   - DEFAULT_4XX and DEFAULT_5XX have a null status in AWS; written
//     themselves (a 4xx or 5xx with no better type) they answer 400 "Bad
//     Request" (BadRequestException) and 500 "Internal server error"
//     (InternalServerErrorException).
//   - Messages AWS's reference does not give: API_CONFIGURATION_ERROR and
//     INTEGRATION_FAILURE "Internal server error"
//     (InternalServerErrorException); BAD_REQUEST_PARAMETERS "Invalid
//     request parameters" (a validator passes AWS's measured "Missing
//     required request parameters: [q1]" as ErrorContext.Message);
//     EXPIRED_TOKEN "The security token included in the request is
//     expired" and INVALID_SIGNATURE "The request signature we calculated
//     does not match the signature you provided. ..." (AWS's SigV4 texts
//     elsewhere; the verifier passes its own detail as the message);
//     REQUEST_TOO_LARGE "Request Too Long" (RequestTooLongException);
//     RESOURCE_NOT_FOUND "Not Found" (NotFoundException); WAF_FILTERED
//     "Forbidden" (ForbiddenException).
//   - AUTHORIZER_FAILURE's message is null like AUTHORIZER_CONFIGURATION_ERROR's
//     (AWS measured the latter): {"message":null}.
//   - ACCESS_DENIED's default body spells its key "Message", as AWS's
//     authorizer denies do (reference §3.1, LocalStack's note); its default
//     message is the explicit deny's. An override's templates apply as
//     written.
//   - A failed Lambda proxy integration answers 502 in AWS although
//     INTEGRATION_FAILURE's status is 504: the mode writes DEFAULT_5XX with
//     ErrorContext.StatusCode 502, so a DEFAULT_5XX status override still
//     applies to it, as to every 5xx.
//   - Template choice: the first media type of the request's Accept header
//     (parameters dropped, case-insensitive), else application/json, else
//     the first media type in sorted order (AWS says "first"; a map has no
//     order). Content-Type is the chosen template's media type unless a
//     response parameter sets Content-Type; the default body is
//     application/json.
//   - A source that is absent (no such header, query parameter, path
//     parameter, stage or context variable) leaves its header out; in a
//     template it renders as "". A repeated header or query parameter gives
//     its last value, as the proxy event's single-value maps do.
//   - statusCode must be three digits from 100 to 599; an unknown type, a
//     type given twice, and an unknown source are errors when the API is
//     built, not when a response is written.
//   - A missing requestId is made up as a UUID, a missing extendedRequestId
//     in the 16-character look of AWS's (internal/ids).
//
// # Templates
//
// An API's gateway response templates, like its integrations' request and
// response templates, are mapping templates (package vtl), parsed at load:
// they read $context.error.messageString, $context.error.message,
// $context.error.responseType, $context.error.validationErrorString, the
// rest of $context, $input.params() and $stageVariables, and may set
// $context.responseOverride.status. The built-in bodies use plain variable
// substitution (BodyTemplate), cheaper on the gateway's most frequent
// answers.
//
// # Authorizers
//
// A method's authorization runs after routing and the body read and before
// the integration, in AWS's order. AWS_IAM checks SigV4. CUSTOM runs the
// method's TOKEN or REQUEST Lambda authorizer and COGNITO_USER_POOLS its
// user pool authorizer, both built by authorizer.RESTFromConfig. A Lambda
// authorizer gets the methodArn
// arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path},
// with the request's path (pets/7, not the resource template), and a
// REQUEST authorizer the REST proxy event without body (type REQUEST,
// methodArn, resource, path, httpMethod, headers, multiValueHeaders,
// queryStringParameters, multiValueQueryStringParameters, pathParameters,
// stageVariables, requestContext); its identity sources read
// method.request.header.X, method.request.querystring.X, stageVariables.X
// and context.X (requestId, extendedRequestId, apiId, accountId, stage,
// resourceId, resourcePath, httpMethod, path, identity.sourceIp,
// identity.userAgent). A Cognito authorizer reads its identitySource
// header (Authorization by default) and checks the method's
// authorizationScopes. An allowed request's integration event carries
// requestContext.authorizer: principalId, integrationLatency and the
// context's values as strings (Lambda), or {"claims": {...}} (Cognito).
// A rejection is the gateway response authorizer.RESTErrorFor names, with
// its message, so an API's overrides apply: UNAUTHORIZED 401
// {"message":"Unauthorized"}, ACCESS_DENIED 403 with AWS's explicit or
// implicit deny message under "Message", AUTHORIZER_CONFIGURATION_ERROR 500
// {"message":null}. A client that left gets no answer.
//
// # API keys, usage plans and throttling
//
// After authorization, a request passes the usage step (usage.go): the API
// key of an apiKeyRequired method (403 INVALID_API_KEY), the key's usage
// plan throttle (429 THROTTLED), the stage's methodSettings throttle (429
// THROTTLED) and the plan's quota (429 QUOTA_EXCEEDED). Keys, plans, plan
// buckets and quota counts are package usage's, shared with WebSocket
// APIs; they live in a usage.Meter the node owns (Config.Meter), so that a
// reload keeps them. Buckets are per node; quota counts hold across the
// cluster, best effort (package usage states the bound).
//
// # Request validation
//
// After the usage step, a method with a requestValidatorId runs its
// validator (validate.go): required parameters present and not blank (400
// BAD_REQUEST_PARAMETERS "Missing required request parameters: [h1, q2]",
// names in the order of their sorted method.request keys), then the body
// against the model of its Content-Type (400 BAD_REQUEST_BODY "Invalid
// request body"). Models are JSON Schema draft 4, compiled once by New
// under https://apigateway.amazonaws.com/restapis/{apiId}/models/{name} so
// that they refer to each other; nothing else is loaded. Choices where AWS
// is silent: a Content-Type without a model falls back to the "$default"
// model, else the body is not checked; an empty body is validated as {};
// $context.error.validationErrorString is
// "[at 'POINTER': MESSAGE; ...]" (the schema library's English messages,
// at most 10), "[the request body is not JSON]", or the parameters
// message, escaped as the inside of a JSON string.
//
// # Concurrency
//
// An *API is immutable after New and safe for concurrent use.
// A *GatewayResponses is immutable once built and safe for concurrent use;
// Write does not modify its ErrorContext. An *API is immutable after New
// apart from its stages' token buckets (golang.org/x/time/rate, safe for
// concurrent use). A *Meter guards its maps with one mutex, taken alone
// and never while calling out.
package rest
