// Package portico is a self-hosted, WebSocket-first API gateway that speaks
// Amazon API Gateway's language. A Server owns one node's listeners (data
// plane and admin), its NATS connection (embedded or external), the
// @connections management API (package connections) and dispatch; the API
// modes build themselves: WebSocket APIs (package ws) and HTTP APIs
// (package httpapi), on the shared integration and authorizer layers.
//
// Every API a node serves goes through the registry in apis.go and its one
// funnel, Server.Apply: validate the config.File, build each API with its
// mode's constructor, swap the set atomically; applies are serialised, the
// old set stays on any error, and the caller's File is never changed. An
// API's identity is the model's (config.File.AssignAPIIDs derives a missing
// apiId from the name), so reloads keep open connections addressable.
// SIGHUP (Reload) uses Apply; so will the control plane and templates.
//
// A request finds its API and stage through package routing (Host
// {apiId}.execute-api.*, the path style /_aws/execute-api/{apiId}/{stage},
// or /{stage} when the configuration holds a single API); then the API's
// mode answers it, WebSocket APIs handing {base}/@connections/... and
// {base}/@broadcast to the management API.
//
// Concurrency: a Server's methods are safe for concurrent use. Start it
// once; Shutdown is idempotent. Apply and Reload are serialised by
// Server.reloadMu; readers load the API set atomically and never block.
package portico
