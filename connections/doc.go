// Package connections owns the live WebSocket connections of a node: the
// sharded registry that maps connection IDs to connections, the
// @connections management API (PostToConnection, GetConnection,
// DeleteConnection) that backends call with the AWS SDKs, Portico's
// @broadcast and connection listing, and the NATS bus that makes a cluster.
//
// The management API answers exactly as Amazon API Gateway does: the statuses,
// JSON shapes and x-amzn-ErrorType headers of every response come from one
// table in errors.go, and requests are authenticated with SigV4 (service
// execute-api).
//
// Bus carries a node's cluster traffic over NATS with three wildcard
// subscriptions, whatever the number of connections: a management call for
// another node's connection is one NATS request to the owner, whose answer
// (status, error type, body) is written unchanged, so it reads exactly as a
// local answer. Bus also delivers broadcasts (each frame encoded once per
// node), answers listings, and publishes lifecycle events. When NATS is
// down, cross-node calls fail at once with 503.
//
// Concurrency: Registry, Management and Bus are safe for concurrent use. NATS
// handlers run on nats.go's subscription goroutines and never block on a
// client. A Conn's methods are called from any goroutine and must not block:
// Send queues, it never waits for the client.
package connections
