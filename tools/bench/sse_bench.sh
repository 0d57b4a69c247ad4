#!/usr/bin/env bash
# SSE benchmark: `shopstream all` (embedded Kafka, no database) and tools/bench/sse_bench.
#  1. idle: 10,000 subscriptions; the server's RSS per subscriber beyond its RSS with none
#     (the baseline, read in the same run). Target: at most 2 KB.
#  2. latency: 1,000 subscriptions, signed webhooks POSTed at 100/s for 10 s; POST-to-
#     receipt latency over every (subscriber, event), beside the POST round trip.
#     Target: p99 at most 50 ms.
# Each is run 3 times on a fresh server; the script prints every run and the medians.
# Usage: tools/bench/sse_bench.sh [--quick]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
idle_subs=10000; live_subs=1000; rate=100; seconds=10; runs=3
[ "${1:-}" = "--quick" ] && { idle_subs=1000; live_subs=100; seconds=3; runs=1; }
bench_build shopstream sse_bench
ulimit -n "$(ulimit -Hn)"  # the client and the server each hold one descriptor per subscriber
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((idle_subs + 200)) ]; then
  echo "sse_bench: need $((idle_subs + 200)) open files, the hard limit is $(ulimit -n)" >&2
  exit 1
fi
bin="$release/shopstream"
bench="$release/tools/bench/sse_bench"
work=$(mktemp -d)
pid=""
stop() { [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; pid=""; }
trap 'stop; rm -rf "$work"' EXIT
export SHOPIFY_API_SECRET=bench-secret SHOPSTREAM_DASHBOARD_SECRET=bench-dashboard
export SHOPSTREAM_INGRESS_ADDR=127.0.0.1:0 SHOPSTREAM_DASHBOARD_ADDR=127.0.0.1:0 SHOPSTREAM_METRICS_ADDR=127.0.0.1:0
export SHOPSTREAM_MAX_CONNECTIONS=20000 SHOPSTREAM_LOG_LEVEL=warn
unset SHOPSTREAM_KAFKA_BROKERS SHOPSTREAM_DATABASE_URL
shop=bench.myshopify.com
token=$("$bin" token --shop "$shop")

start() {
  rm -f "$work/ready.json"
  "$bin" all --ready-file "$work/ready.json" 2>>"$work/server.log" &
  pid=$!
  wait_file "$work/ready.json" "$work/server.log"
  dash=$(ready_field "$work/ready.json" dashboard_url | sed 's|^http://||; s|/.*||')
  ingress=$(ready_field "$work/ready.json" webhook_url | sed 's|^http://||; s|/.*||')
}


echo "==> idle: $idle_subs subscribers, $runs runs" >&2
for r in $(seq 1 "$runs"); do
  start
  "$bench" idle --dashboard "$dash" --shop "$shop" --token "$token" --subscribers "$idle_subs" --pid "$pid" | tee -a "$work/idle.txt"
  stop
done
echo "==> latency: $live_subs subscribers x $rate events/s for ${seconds}s, $runs runs" >&2
for r in $(seq 1 "$runs"); do
  start
  "$bench" latency --dashboard "$dash" --ingress "$ingress" --secret "$SHOPIFY_API_SECRET" --shop "$shop" \
    --token "$token" --subscribers "$live_subs" --rate "$rate" --seconds "$seconds" | tee -a "$work/latency.txt"
  stop
done
echo "==> medians over $runs runs"
echo "idle: per_subscriber_bytes=$(sed -n 's/.*per_subscriber_bytes=\([0-9.]*\).*/\1/p' "$work/idle.txt" | median) (baseline RSS with no subscriber: $(sed -n 's/.*rss_before_kib=\([0-9]*\).*/\1/p' "$work/idle.txt" | median) KiB)"
echo "latency: p50=$(sed -n 's/.*latency_ms p50=\([0-9.]*\).*/\1/p' "$work/latency.txt" | median) ms p99=$(sed -n 's/.*latency_ms p50=[0-9.]* p99=\([0-9.]*\).*/\1/p' "$work/latency.txt" | median) ms (POST round trip p50=$(sed -n 's/.*post_round_trip_ms p50=\([0-9.]*\).*/\1/p' "$work/latency.txt" | median) ms p99=$(sed -n 's/.*post_round_trip_ms p50=[0-9.]* p99=\([0-9.]*\).*/\1/p' "$work/latency.txt" | median) ms)"
