#!/usr/bin/env bash
# The re-measure behind BENCHMARKS.md's results: every scenario, the sweeps,
# two CPU profiles and the Go micro-benchmarks, in this order, on a quiet
# machine (~45 minutes on 2 cores). OUT (default /tmp/portico-bench) gets the
# reports and a log with the load average before each step.
set -u
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/portico-bench}
rm -rf "$OUT" && mkdir -p "$OUT"
B=$OUT/portico
go build -o "$B" ./cmd/portico || exit 1
git rev-parse --short HEAD > "$OUT/commit"
step() { echo "== $(date -u +%T) $*" >> "$OUT/log"; uptime >> "$OUT/log"; }
step tails
"$B" bench post post-remote connect http-proxy http-jwt rest-proxy --pairs 5 --duration 10s --json > "$OUT/tails.json" 2> "$OUT/tails.err"
step broadcast
"$B" bench fanout broadcast-latency broadcast-stage --pairs 5 --json > "$OUT/bcast.json" 2> "$OUT/bcast.err"
step rest
"$B" bench idle capacity capacity-cluster slow-consumer lambda-local rest-lambda proxy-hop --json > "$OUT/rest.json" 2> "$OUT/rest.err"
step sweep
"$B" bench --sweep idle --sweep broadcast-latency --sweep post --pairs 3 --duration 5s --out "$OUT/sweep" > "$OUT/sweep.out" 2> "$OUT/sweep.err"
step profiles
"$B" bench fanout --pairs 1 --cpuprofile "$OUT/fanout.cpu" > "$OUT/fanout-prof.txt" 2>&1
"$B" bench post --pairs 1 --duration 5s --cpuprofile "$OUT/post.cpu" > "$OUT/post-prof.txt" 2>&1
step micro
go test -run '^$' -bench 'BenchmarkPostToConnection|BenchmarkConnect' -benchmem -benchtime 5000x -count 3 . > "$OUT/micro-root.txt" 2>&1
go test -run '^$' -bench . -benchmem -count 3 ./routing/ ./internal/sigv4/ ./connections/ > "$OUT/micro-pkgs.txt" 2>&1
go test -run '^$' -bench 'Proxy|JWT' -benchmem -count 3 ./http/ ./rest/ ./authorizer/ > "$OUT/micro-http.txt" 2>&1
go test -run '^$' -bench Render -benchmem -count 3 ./vtl/ > "$OUT/micro-vtl.txt" 2>&1
step done
