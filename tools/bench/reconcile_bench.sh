#!/usr/bin/env bash
# Reconciler benchmark: backfill a simulated store of 50,000 orders (plus 5,000 customers
# and 500 products) from the GraphQL Admin API at Shopify's Standard plan (a 2,000-point
# bucket restoring 100 points/s) into an empty deployment (`shopstream all`: embedded
# Kafka, a throwaway Postgres). The ceiling is what the rate limit allows with the cost
# the simulator charged for the items fetched: (bucket + 100/s × T) ÷ (points per item).
# Reported: items/s, the fraction of that ceiling (target ≥ 0.9) and THROTTLED replies
# (target ≤ 1 per pass). At Standard rates the whole store takes hours (about 40 points an
# order), so each run measures a window of WINDOW seconds (default 180) of the pass.
# Usage: tools/bench/reconcile_bench.sh [--quick] (RUNS, WINDOW and ORDERS override).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
runs=${RUNS:-3}; window=${WINDOW:-180}; orders=${ORDERS:-50000}
[ "${1:-}" = "--quick" ] && { runs=1; window=30; }
bench_build shopstream shopify-sim
bin="$release/shopstream"
sim="$release/tools/simulator/shopify-sim"
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  "$root/tools/postgres/pg.sh" destroy "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

db=$("$root/tools/postgres/pg.sh" start "$work/pg" | tail -1)
export SHOPIFY_API_SECRET=bench-secret SHOPSTREAM_LOG_LEVEL=warn
export SHOPSTREAM_INGRESS_ADDR=127.0.0.1:0 SHOPSTREAM_DASHBOARD_ADDR=127.0.0.1:0 SHOPSTREAM_METRICS_ADDR=127.0.0.1:0
export SHOPSTREAM_DASHBOARD_SECRET=bench-dashboard
unset SHOPSTREAM_KAFKA_BROKERS
printf 'run\twindow_s\titems\titems_per_s\tpoints\tceiling_items_per_s\tfraction\tthrottled\tmax_in_a_row\n'
results=()
for run in $(seq 1 "$runs"); do
  psql -q "$db" -c "DROP SCHEMA IF EXISTS shopstream CASCADE" 2>/dev/null
  rm -f "$work"/*.ready
  SHOPSTREAM_DATABASE_URL="$db" "$bin" all --ready-file "$work/all.ready" 2>>"$work/all.log" &
  pids+=($!)
  "$sim" --seed "$run" --orders "$orders" --customers 5000 --products 500 --bucket 2000 \
    --restore 100 --ready-file "$work/sim.ready" 2>>"$work/sim.log" &
  pids+=($!)
  wait_file "$work/all.ready" "$work/all.log"; wait_file "$work/sim.ready" "$work/sim.log"
  api=$(ready_field "$work/sim.ready" admin_api_url)
  SHOPSTREAM_KAFKA_BROKERS=$(ready_field "$work/all.ready" kafka_brokers) SHOPSTREAM_DATABASE_URL="$db" \
    SHOPIFY_SHOP_DOMAIN=sim-store-1.myshopify.com SHOPIFY_ACCESS_TOKEN=shpat_sim_1 \
    SHOPIFY_ADMIN_API_URL="$api" "$bin" reconcile --once 2>>"$work/reconcile.log" &
  rec=$!
  start=$(date +%s.%N)
  sleep "$window"  # the measurement window itself, not a wait for a condition
  stats=$(curl -s "$api/sim/stats")
  end=$(date +%s.%N)
  kill -TERM "$rec" 2>/dev/null; wait "$rec" 2>/dev/null || true
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pids=()
  line=$(python3 - "$stats" "$start" "$end" "$run" <<'PY'
import json, sys
s = json.loads(sys.argv[1])["api"]; t = float(sys.argv[3]) - float(sys.argv[2]); run = sys.argv[4]
items = sum(s["items"].values()); points = s["cost_used"]
per_item = points / items
ceiling = (2000 + 100 * t) / per_item / t
rate = items / t
print(f"{run}\t{t:.0f}\t{items}\t{rate:.2f}\t{points}\t{ceiling:.2f}\t{rate / ceiling:.3f}\t{s['throttled']}\t{s['max_throttled_streak']}")
PY
)
  echo "$line"
  results+=("$line")
done
printf '%s\n' "${results[@]}" | python3 -c '
import sys, statistics
rows = [l.split("\t") for l in sys.stdin.read().split("\n") if l]
med = lambda i: statistics.median(float(r[i]) for r in rows)
print(f"median: {med(3):.2f} items/s, ceiling {med(5):.2f} items/s, fraction {med(6):.3f}, THROTTLED max {max(int(r[7]) for r in rows)} per pass")'
