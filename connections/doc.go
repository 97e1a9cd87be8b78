// Package connections owns the live WebSocket connections of a node: the
// sharded registry that maps connection IDs to connections, and the
// @connections management API (PostToConnection, GetConnection,
// DeleteConnection) that backends call with the AWS SDKs.
//
// The management API answers exactly as Amazon API Gateway does: the statuses,
// JSON shapes and x-amzn-ErrorType headers of every response come from one
// table in errors.go, and requests are authenticated with SigV4 (service
// execute-api). Cross-node routing over NATS comes with the bus; until then an
// ID owned by another node is answered 410, like any unknown ID.
//
// Concurrency: Registry and Management are safe for concurrent use. A Conn's
// methods are called from any goroutine and must not block: Send queues, it
// never waits for the client.
package connections
