// Package expr is API Gateway's expression language in one place:
// references, ${} templates, JSON body paths and selection expressions.
// Every mode parses with it when an API is built and evaluates the compiled
// value per request; config validates by calling the same parsers.
//
// # References
//
// A reference names a value of the request (or response): Root and Name
// in a Ref. Each root has one spelling per context:
//
//   - HTTP API mapping values (ParseMapping): $request.header.NAME,
//     $request.querystring.NAME, $request.path, $request.path.NAME,
//     $request.body, $request.body.PATH, $response.header.NAME,
//     $response.body[.PATH], $context.NAME, $stageVariables.NAME, braced
//     (${request.header.x}) or not;
//   - WebSocket requestParameters values (ParseParam, RouteRequest):
//     route.request.header|querystring|multivalueheader|
//     multivaluequerystring.NAME, route.request.body.PATH, context.NAME,
//     stageVariables.NAME, 'static';
//   - REST requestParameters values (ParseParam, MethodRequest):
//     method.request.header|querystring|multivalueheader|
//     multivaluequerystring|path.NAME, method.request.body[.PATH];
//   - selection expressions (ParseRouteSelection, ParseTemplateSelection):
//     $request.body.PATH, ${request.body.PATH},
//     ${integration.response.statuscode|header.NAME|multivalueheader.NAME}.
//
// Keys are parsed too: ParseMappingKey (append|overwrite|remove:header.NAME,
// ...) and ParseParamKey (integration.request.header|querystring|path.NAME).
//
// # JSON body paths
//
// A path (ParsePath) is ".name" and "[N]" steps ("items[0].id",
// "$request.body[1]"), the subset of JSONPath (Goessner; Jayway for REST)
// that AWS's examples use (reference websocket-api.md §2.1,
// http-and-rest-apis.md §0). Escaping rule: member names are literal. A
// name is any run of characters but '.', '[', ']', '{', '}', '$',
// whitespace and control characters, in valid UTF-8; '*', '?', '#', '|',
// '@', '-' and non-ASCII letters in a name are themselves (Portico escapes
// them for its JSON library, so "a|b" never runs a query). There is no
// quoting ("['a.b']"): a name holding '.' cannot be reached, as in AWS's
// documented forms. A name that is only "*" (a wildcard), "..name"
// (recursive descent) and [?(...)] filters are rejected, as AWS documents
// for mapping. A name applies only to an object and an index only to an
// array; when an object holds a name twice, the first wins.
//
// Null rule: JSON null is absent, exactly like a member that is not there
// (Value.Present). AWS documents that a path that is not found resolves to
// "" in selection expressions (websocket-api.md §2.1: "join-"); it
// documents nothing for null, and treating null as "not there" is the one
// reading on which every caller already agreed but the WebSocket parameter
// source (which sent the text "null"). What absent then means is the
// caller's: selection expressions render it as "" (Template.Render),
// mapping values drop the whole value (Template.Eval).
//
// Scalar text rule (Value.Text): a string is its unescaped text, a number
// or boolean as written in the body ("1.50", "1e3"), an object its JSON
// text without insignificant whitespace (escapes kept as written). Arrays
// are the one place AWS differs by context: route selection documents
// "[item1, item2]" (ListArrays), everywhere else an array is its compact
// JSON (CompactJSON), as objects are.
//
// JSON string escaping is not part of the language: internal/jsonstr is
// the one escaper, for management API bodies and access logs alike.
//
// # Errors
//
// Parsers return *SyntaxError with the byte offset of the problem, so that
// config can report file:line:col.
//
// # Concurrency
//
// Parsed values (*Template, *Ref, *Path, Key) are immutable and safe for
// concurrent use; evaluate them as often as needed. A Scope is used only
// for the duration of one Eval call.
package expr
