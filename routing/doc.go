// Package routing is pure matching: which API and stage a data-plane request
// addresses, and which route a WebSocket message selects. It does no I/O and
// holds no mutable state; everything here is safe for concurrent use.
//
// # Addressing (Resolver)
//
// In order: custom domains (a later addition; they will be tried first),
// then a Host of the form {apiId}.execute-api.{anything} with the stage as
// the first path segment, then the path style
// /_aws/execute-api/{apiId}/{stage}/..., then /{stage}/... when exactly one
// API is configured. A Host of the execute-api form always decides the API.
// Stage names are compared case-sensitively after percent-decoding. A stage
// named "$default" (HTTP APIs) takes every path whose first segment is not
// another stage; its BasePath is "".
//
// # Route selection (Expression, SelectRoute)
//
// Expressions are $request.body.PATH, templates mixing static text with
// ${request.body.PATH} variables (evaluated once, never recursively), or
// static keys, where \$ writes a literal $. PATH is dot-separated with [N]
// indexes; every other character is literal. A path that is not found
// yields "". Selected values are stringified: strings as they are, numbers
// and booleans as written, null as "", objects as compact JSON, and arrays
// as "[item1, item2]", as AWS's documentation shows.
//
// SelectRoute: the selected key when such a route exists (exact,
// case-sensitive), else $default when it exists, else no route. Non-JSON
// messages go to $default, except under a static expression, whose key
// applies to every message. $connect and $disconnect are never selected by
// a message.
package routing
