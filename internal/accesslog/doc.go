// Package accesslog writes access-log lines in the spirit of API Gateway's
// access logging: a stage's accessLogSettings.format is a template of
// $context.* variables, parsed once when the configuration is loaded and
// rendered once per HTTP request, WebSocket connect, message and disconnect.
//
// Values are substituted as JSON string contents (quotes, backslashes and
// control characters escaped), so that a JSON format stays valid JSON
// whatever a client sends; a value that is unknown or empty renders as "-",
// as in AWS. Records carry no bodies, headers, tokens or query strings.
//
// Concurrency: a Format is immutable; a Logger and a Sink are safe for
// concurrent use, and a Sink writes each line with one Write.
package accesslog
