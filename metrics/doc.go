// Package metrics holds a node's Prometheus metrics: one private registry
// per Server (never the global default, so that tests running many servers
// in one process do not collide), and pre-resolved children for the hot
// paths, so that counting a WebSocket message is an atomic add and no label
// lookup.
//
// Every label set is bounded: API IDs, stage names and route keys come from
// the configuration, statuses and close codes are folded into small sets,
// and no connection ID, request path or client value becomes a label.
//
// The modes receive a *Metrics (nil means none) and hold *Stage and *Route
// values; every method is safe on a nil receiver, so that a mode built
// without metrics needs no checks.
//
// Concurrency: safe for concurrent use.
package metrics
