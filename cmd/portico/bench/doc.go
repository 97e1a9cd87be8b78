// Package bench is the measuring instrument behind `portico bench`: each
// scenario drives the gateway and, in the same run, a bare baseline (a lean
// gorilla/websocket server, reference performance.md §4.3), alternating
// baseline and gateway for several pairs, and reports medians and the ratio
// against the scenario's budget.
//
// Both servers run in the bench process, so the idle scenario's memory and
// goroutine counts are the server's: its clients live in separate
// `portico bench-client` processes (at most 9,000 connections each, one
// 127.0.0.x source address each), since one process here holds at most
// ~19,900 sockets. capacity, broadcast-latency and broadcast-stage's idle
// connections of another stage do the same; the other clients live in
// process.
// Latency comes from send timestamps carried in each payload, recorded in
// an HDR histogram.
//
// The REST and HTTP API scenarios (rest-proxy, rest-lambda, http-proxy,
// http-jwt) and lambda-local run o.Conns clients each in a closed loop of
// requests (closedLoop). lambda-local's function is this executable run
// as `portico bench-function` by the local Lambda runtime (package
// functions). A sweep (RunSweep) runs a scenario once per size and draws
// its metric by size with gonum.org/v1/plot (Sweep.WriteSVG).
//
// Concurrency: Run is not meant to be called concurrently; it uses the
// machine.
package bench
