// Package portico is a self-hosted, WebSocket-first API gateway that speaks
// Amazon API Gateway's language. A Server wires a configuration file
// (package config) to the data-plane listener, the embedded or external NATS
// connection, and the API modes: WebSocket APIs (package ws) with the
// @connections management API (package connections), on the shared
// integration layer (package integration).
//
// A request finds its API and stage through package routing (Host
// {apiId}.execute-api.*, the path style /_aws/execute-api/{apiId}/{stage},
// or /{stage} when the configuration holds a single API); then
// {base}/@connections/... goes to the management API and everything else to
// the API's mode.
//
// Concurrency: a Server's methods are safe for concurrent use. Start it once;
// Shutdown is idempotent.
package portico
