#!/usr/bin/env bash
# Projector benchmark: starts a throwaway Postgres (synchronous_commit on, the default)
# and a real Kafka broker, pre-produces ~5.8 KB orders/create events (3 line items) and
# reports events/s applied by `shopstream project`'s code beside a naive baseline (one
# event per transaction, single-row statements), medians of 3 runs.
# Usage: tools/bench/projector_bench.sh [--quick]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
events=50000; baseline=3000; runs=3
[ "${1:-}" = "--quick" ] && { events=5000; baseline=500; runs=1; }
bench_build --test projector_bench
work=$(mktemp -d)
trap '"$root/tools/kafka/broker.sh" destroy "$work/kafka" >/dev/null 2>&1 || true; "$root/tools/postgres/pg.sh" destroy "$work/pg" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
url=$("$root/tools/postgres/pg.sh" start "$work/pg")
brokers=$("$root/tools/kafka/broker.sh" start "$work/kafka")
"$root/tools/bench/make_order.sh" >"$work/order.json"
SHOPSTREAM_LOG_LEVEL=warn "$release/tools/bench/projector_bench" --database-url "$url" \
  --brokers "$brokers" --body "$work/order.json" --events "$events" --baseline-events "$baseline" \
  --runs "$runs" 2> >(grep -v '"level":"info"' >&2)
