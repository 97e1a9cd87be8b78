// Package usage is the mode-independent part of API keys and usage plans,
// shared by REST APIs (package rest) and WebSocket APIs (package ws):
// which key values an API's stage admits and under which plan (Grants),
// and the node's token buckets and quota counts (Meter), with the quota
// periods' arithmetic (PeriodStart). What a mode does with them (where it
// finds the key, which gateway response it writes) stays in the mode.
//
// # Grants
//
// A key is admitted to a stage when it is enabled and in a usage plan
// (usagePlanKeys) whose apiStages has the API's ID and the stage; a key
// may be in one plan per stage. WebSocket APIs' older flat apiKeys list
// still works: each listed value is an enabled key admitted to every stage
// of its API, with no throttle and no quota.
//
// # Throttles
//
// Plan throttles are token buckets per (plan, key), or per (plan, key,
// API, stage, method) for a REST plan stage's per-method throttle. They
// are per node: a cluster of n nodes admits up to n times a plan's rate
// and burst at worst. AWS documents its own throttles as best effort too.
//
// # Quotas across a cluster
//
// A quota counts requests per (plan, key, period), across the plan's
// stages, REST and WebSocket alike. A Meter counts what its node admits;
// after Join it shares the counts over NATS on {prefix}.usage.quota with a
// best-effort scheme (no JetStream needed, so it works on any NATS):
//
//   - every node publishes its own absolute count of each (plan, key,
//     period start) that changed, at most every PublishInterval (100ms);
//   - every node publishes every count it knows, its own and those heard
//     from others, every SnapshotInterval (5s), and at once when a node
//     that has just joined asks for it, so a late node learns the counts;
//   - a node admits a request when its own count plus the latest count of
//     every other node is below the limit.
//
// Counts are absolute and only grow within a period, and a receiver keeps
// the largest it has seen, so lost, repeated or reordered messages are
// harmless. The error bound: once the cluster's true count reaches the
// limit, every node learns it within one publish interval plus the NATS
// latency, so the over-admission is at most the requests admitted on the
// other nodes within that window (with an aggregate rate R and a 100ms
// interval: about R × (100ms + latency)). The root package's
// TestClusterQuota measures it: three nodes, a limit of 200, 100
// requests/s round-robin: 203 to 205 admitted. A node never under-admits
// because of the scheme. While NATS is away a node counts its own
// requests against what it last heard (logged once) and sends everything
// when NATS returns; requests never wait for NATS. A restarted node gets a
// new name, so the counts the cluster remembers of its previous life
// still count and its own start again from zero.
//
// # Usage reports
//
// A Meter also keeps, for the control plane's GetUsage, the requests of
// each (plan, key) per UTC day for the last HistoryDays (90) days, as far
// as the node knows across the cluster (a count heard from another node
// is counted on the day it is heard), and UpdateUsage's credits (SetCredit:
// extra requests beyond a quota's limit in one period).
//
// Counts live in the Meter, which the node owns, so they survive a reload
// (a changed throttle starts a new bucket; a changed quota limit applies
// to the count so far).
//
// Concurrency: Grants is immutable; a Meter is safe for concurrent use,
// and its one goroutine (started by Join) is stopped by Close.
package usage
