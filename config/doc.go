// Package config owns Portico's configuration file: its schema (AWS
// control-plane shapes and field names, lower camelCase as
// `aws apigatewayv2 get-routes` prints them, plus a few marked Portico
// extensions), loading from YAML or JSON, environment expansion, and
// validation.
//
// Loading is strict. Unknown keys, wrong types, duplicate keys, dangling
// route targets, duplicate route keys, malformed route selection
// expressions and out-of-range values are all reported, each as
// "file:line:col: key.path: what is wrong", in file order, in one ErrorList.
//
// Environment expansion replaces only ${NAME} where NAME matches
// [A-Z_][A-Z0-9_]*; it runs on scalar values after parsing, so line numbers
// stay right and a variable cannot inject YAML structure. $connect,
// $request.body.x, ${request.body.x} and ${stageVariables.x} pass through
// untouched; $${ writes a literal ${. An unset variable is an error; a set
// but empty one is not.
//
// No defaults are applied here: a zero value means "the default", and the
// packages that use a field say what that default is.
//
// Concurrency: Load and Parse are safe to call concurrently; a File is plain
// data.
package config
