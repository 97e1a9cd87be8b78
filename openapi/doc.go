// Package openapi reads and writes OpenAPI documents with API Gateway's
// x-amazon-apigateway-* extensions, as the control plane's import and
// export operations, config files and SAM templates use them. It imports
// config (the model it produces and reads) and nothing of the modes.
//
// # Import
//
// ImportREST reads an OpenAPI 3.0.x or Swagger 2.0 document into a
// config.RestAPI; ImportHTTP reads an OpenAPI 3.0 document into an HTTP
// config.API. Both read JSON or YAML through yaml.v3 nodes, so every
// error carries the document's file:line:col (a JSON syntax error is
// placed by encoding/json), and both refuse YAML aliases (they can expand
// exponentially) and references outside the document.
//
// What a REST import reads: info.title/description; paths and their
// operations (get … patch, and x-amazon-apigateway-any-method → ANY),
// every ancestor of a path becoming a resource; parameters (path-item and
// operation level, $refs resolved; in: path is always required, as a
// {param} path part implies; query and header keep their required;
// Swagger's in: body and OpenAPI 3's requestBody name the method's
// requestModels, an inline schema becoming a model named after the method
// and path, e.g. PutPetsPetIdModel); responses (status codes only: other
// keys such as default are warnings) with their headers and $ref'd
// models; x-amazon-apigateway-integration (type, uri, httpMethod,
// passthroughBehavior, contentHandling, timeoutInMillis, requestParameters,
// requestTemplates, responses keyed by selection pattern or default,
// cacheKeyParameters, cacheNamespace, connectionType, connectionId,
// credentials, tlsConfig; AWS_PROXY forces POST); a method response for
// each status code the integration responses answer with, declaring the
// headers they set, when the document lists none (AWS's samples rely on
// it); security requirements → an authorizer (security schemes with
// x-amazon-apigateway-authorizer: token, request, cognito_user_pools,
// identitySource defaulting to the scheme's header), apiKeyRequired (a
// scheme type apiKey named x-api-key), AWS_IAM (x-amazon-apigateway-authtype
// awsSigv4) and x-amazon-apigateway-auth; definitions /
// components.schemas → models (the schema as JSON; a $ref to another
// model becomes the model's name, which resolves under AWS's model URL
// .../restapis/{id}/models/); x-amazon-apigateway-request-validators and
// -request-validator (API default, method override);
// -gateway-responses; -binary-media-types ("~1" read as "/");
// -api-key-source. Enum values may be lower case (aws_proxy,
// when_no_match). The base path (Swagger's basePath; OpenAPI 3's first
// basePath server variable or the path of servers[0].url) is ignored,
// prepended, or split (its first segment dropped, the rest prepended), as
// ImportOptions.BasePath says.
//
// The REST model has no place for x-amazon-apigateway-minimum-compression-size,
// -endpoint-configuration, -policy and info.version: the control plane
// reads them from the document itself. The policy is kept and not
// enforced (a warning says so).
//
// An HTTP import reads routes (method and path, x-amazon-apigateway-any-method
// → ANY, the path /$default → the $default route), integrations (aws_proxy
// and http_proxy; entries of components.x-amazon-apigateway-integrations
// are shared by the routes that $ref them; payloadFormatVersion defaults
// to 1.0), authorizers (jwt with jwtConfiguration, request), security
// requirements and x-amazon-apigateway-cors. IDs of integrations and
// authorizers are derived from what they are, the same on every import.
//
// Warnings are AWS's kind ("Unsupported ... ignored": unknown
// x-amazon-apigateway-* extensions and integration properties, methods
// such as trace, responses without a status code, non-string mapping
// values, security requirements naming no scheme), each prefixed by
// file:line:col; with ImportOptions.FailOnWarnings they are the error
// (*WarningsError).
//
// # Export
//
// ExportREST writes a REST API (the resources a stage's deployment froze)
// as OpenAPI 3.0.1 or Swagger 2.0, JSON or YAML, as apigateway GetExport
// does: paths with their methods (ANY as x-amazon-apigateway-any-method),
// parameters from the method's requestParameters, request and response
// models as $refs to components.schemas / definitions, method responses
// with their headers, security schemes from the authorizers and api_key
// for apiKeyRequired; with ExportOptions.Extensions the
// x-amazon-apigateway-integration, -authtype, -authorizer,
// -request-validator(s), -gateway-responses, -binary-media-types,
// -api-key-source, -minimum-compression-size, -endpoint-configuration and
// -policy. The layout follows the exports AWS's docs print (the
// LambdaCalc and Kinesis proxy samples, kept as golden tests):
// consumes/produces from models and templates, resources without methods
// left out, AWS's defaults (HEADER key source, EDGE) left out. ExportHTTP
// writes an HTTP API as OpenAPI 3.0.1 with its integrations, authorizers
// and CORS, as apigatewayv2 ExportApi does. Keys and paths are sorted, so
// an export is the same bytes every time, and an exported document
// imports back to the same tree (the round-trip tests).
//
// # Concurrency
//
// The functions of this package keep no state and are safe for
// concurrent use.
package openapi
