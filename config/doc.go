// Package config owns Portico's configuration file: its schema (the shapes
// and lower-camelCase field names of the AWS control-plane APIs, as the
// REST-JSON wire carries them, plus a few marked Portico extensions),
// loading it from YAML or JSON, environment expansion, and validation.
// Packages that serve APIs never see the file: they take their own Config
// structs, converted from a File.
//
// # Loading
//
// Load and Parse read one YAML document; JSON is read by the same YAML
// parser, so both give line numbers, after encoding/json has checked a
// .json file (its syntax errors are reported at their line and column). A
// file is at most 16 MiB and 2,000,000 values, and its aliases may add at
// most 100,000 more; each limit is reported as itself. The result is plain
// data: no defaults are applied, a zero value (or a nil pointer in Limits)
// means "the default", and the field's consumer documents what that
// default is.
//
// LoadWith also reads the OpenAPI documents that restApis and apis
// entries name (openapi: FILE, a Portico extension), through the
// importer its caller gives (OpenAPIImporter: package openapi imports
// config, so config cannot call it). Each such entry becomes the API its
// document describes, completed by the entry's own keys, before the file
// is validated; the document's errors carry its own file:line:col.
// cmd/portico loads through LoadWith at startup, in validate and on
// SIGHUP, so all three read the documents.
//
// # Configurations written for AWS
//
// Every key may also be written in PascalCase, as the AWS CLI prints it
// (RouteKey, ApiId, JwtConfiguration): the key with its first letter
// lowered is the schema's. Both spellings of one key in one mapping are an
// error. Where a list of resources goes (apis, integrations, routes,
// stages, authorizers, routeResponses, integrationResponses), the output of
// the matching `aws apigatewayv2 get-*` listing, {Items: [...]}, is
// accepted as it is printed. Every field of the apigatewayv2 models is
// accepted; those Portico does not act on (tags, createdDate, routeId,
// credentialsArn, description, ...; see aws_fields.go) give one warning
// each, when they hold a value, in File.Warnings.
//
// # REST APIs
//
// REST APIs (apigateway v1) are File.RestAPIs, under restApis, with
// apigateway's field names (rest.go); the account-level API keys, usage
// plans and usage plan keys are File.APIKeys, UsagePlans and
// UsagePlanKeys; packages rest and ws serve them through package usage
// (usage plans' apiStages may name REST and WebSocket APIs). Some parts may be written several ways, and Load normalises them:
// resources as a list (as `aws apigateway get-resources` prints it), a
// mapping keyed by path or a tree, into one list sorted by path holding
// every implied ancestor, with IDs derived from the paths where the file
// gives none (rest_resources.go); gateway responses as a list or a
// mapping keyed by type; an authorizer's identitySource as a list or one
// comma-separated string; a v1 listing's {items: [...]} ({item: [...]}
// for get-stages) with its position. A REST API's restApiId may be written
// as the wire's id. A REST API without one gets a stable ID like apis do,
// from the same namespace (AssignAPIIDs). Validate runs the same checks
// (validate_rest.go) on a File built in code, and changes nothing: the
// normalised resources and derived IDs come from Load and Parse.
//
// # Strictness
//
// Keys in no model (with a suggestion or the list of valid keys), wrong
// types, duplicate keys, quoted numbers and booleans, durations without a
// unit, custom YAML tags and merge keys are errors, as are the validation
// rules: required fields, allowed values, dangling route targets,
// duplicate route keys, IDs and stage names, malformed route selection
// expressions, URIs, parameter mappings, origins and addresses. Every
// problem is reported, in file order, in one ErrorList; each Error reads
//
//	file:line:col: key.path: what is wrong
//
// for example
//
//	portico.yaml:14:9: apis[0].routes[1].target: integration "backnd" not found (known: backend)
//
// with the key path spelt as the file spells it (apis[0].Routes.Items[1].Target).
// A problem with a key that is absent is reported at its nearest parent.
//
// Warnings, in File.Warnings with the same form, never stop a file
// loading: besides the fields above, a route selection expression that
// reads nothing from the message (request.body.action without its $), the
// routes such a constant expression can never select, and Lambda ARNs
// with neither lambda.endpoint nor lambda.accessKeyId (every call then
// needs credentials from the environment, which only the running gateway
// can find).
//
// # Environment expansion
//
// Expansion replaces only ${NAME} where NAME matches [A-Z_][A-Z0-9_]*, with
// the variable's value, and $${ with a literal ${. Everything else passes
// through untouched: $connect, $default, $request.body.action,
// ${request.body.x}, ${stageVariables.x}. It runs on scalar values after the
// YAML is parsed, never on keys or raw text, so line numbers stay right and a
// value cannot inject YAML structure. An unset variable is an error; a
// variable set to "" is not. Numbers, booleans and durations can come from
// the environment too (maxFrameBytes: ${MAX_FRAME}).
//
// # Concurrency
//
// Load and Parse keep no state between calls and are safe to call
// concurrently. A File is plain data: safe to read from many goroutines,
// and owned by the caller.
package config
