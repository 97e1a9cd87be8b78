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
// down, cross-node calls fail at once with 503; @broadcast still delivers
// to this node's connections, publishes nothing, and answers 503 with the
// number of local deliveries in its body.
//
// Bodies. Management.Serve refuses what it can before reading a body: an
// unsigned request (unless allowed), and any signature whose header fails a
// check that needs no body (sigv4.Verifier.CheckHeader: form, known key,
// date within skew, service and region of the scope). It then reads at most
// what the operation takes (the API's message size limit for
// PostToConnection and @broadcast, nothing for GET, DELETE and the listing),
// answers 413 to a larger body without reading more than one byte past the
// limit (nothing when Content-Length announces it), and gives the body
// ManagementConfig.BodyReadTimeout (10 s) to arrive, else 408. A request
// that cannot succeed never holds more than the limit of gateway memory,
// nor for longer than the timeout. Management.ServeStatus is Serve that also
// returns the status it answered, for callers that count it.
//
// Ownership: the Registry is the node's; Management and Bus are each given it
// at construction and run operations on one connection through the same
// function over it, so a remote call answers exactly as a local one.
// Management reaches other nodes through the Bus it is given
// (ManagementConfig.Bus); Bus never reaches Management.
//
// Concurrency: Registry, Management and Bus are safe for concurrent use. NATS
// handlers run on nats.go's subscription goroutines and never block on a
// client. A Conn's methods are called from any goroutine and must not block:
// Send queues, it never waits for the client.
//
// Lock order. The Registry has two kinds of locks: the ID shards' (one per
// 64th of the connection IDs) and the stage-index shards' (one per 64th of
// the (API ID, stage) pairs). A goroutine holds at most one of each, and
// takes an ID shard's lock before a stage-index shard's:
//
//	ID shard  →  stage-index shard
//
// Add and Remove take the ID shard of the connection, then, while holding
// it, one stage-index shard at a time (Add replacing a Conn of another stage
// takes the old stage's and releases it before the new one's), so every
// change to an ID's index entry is ordered by its ID shard. Get, Len, Each
// and Snapshot take ID shards only, one after the other; AppendStage and
// StageLen take one stage-index shard only. No Conn method is called under
// a registry lock, except by Each, whose f must not call Add or Remove;
// DeliverLocal and ListLocal copy the stage with AppendStage and call Send
// and Info with no lock held.
package connections
