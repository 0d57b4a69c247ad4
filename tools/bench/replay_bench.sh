#!/usr/bin/env bash
# Replay benchmark: a real Kafka broker and a throwaway Postgres; `shopstream ingress`
# takes wrk's signed ~5.8 KB orders/create webhooks for $LOAD (every record durable),
# then `shopstream replay` reads the orders topic $RUNS times each way: a dry run,
# re-projecting into a fresh database, and republishing to another topic (acks=all).
# Prints records/s and peak RSS, medians of the runs. The webhooks share one order (their
# ids differ), so re-projecting is mostly planning: the projector benchmark measures the
# SQL for distinct orders, which replay runs through the same code.
# Usage: tools/bench/replay_bench.sh [--quick]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
here="$root/tools/bench"
RUNS=${RUNS:-3}
LOAD=${LOAD:-10s}
[ "${1:-}" = "--quick" ] && { RUNS=1; LOAD=3s; }

bench_build --test shopstream
bin="$release/shopstream"

work=$(mktemp -d)
trap '"$root/tools/kafka/broker.sh" destroy "$work/kafka" >/dev/null 2>&1 || true; "$root/tools/postgres/pg.sh" destroy "$work/pg" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
url=$("$root/tools/postgres/pg.sh" start "$work/pg")
export SHOPSTREAM_KAFKA_BROKERS=$("$root/tools/kafka/broker.sh" start "$work/kafka")
export SHOPSTREAM_TOPIC_REPLICATION=1 SHOPSTREAM_LOG_LEVEL=warn SHOPIFY_API_SECRET=bench-secret

"$here/make_order.sh" >"$work/body.json"
export BENCH_BODY_FILE="$work/body.json"
export BENCH_SIGNATURE=$(openssl dgst -sha256 -hmac "$SHOPIFY_API_SECRET" -binary <"$work/body.json" | base64 -w0)

# Starts `shopstream ingress` with topic prefix $1 and waits until it serves; prints its
# pid and webhook URL. The topics of the prefix exist once it does.
start_ingress() {
  local ready="$work/$1.ready"
  SHOPSTREAM_TOPIC_PREFIX=$1 SHOPSTREAM_INGRESS_ADDR=127.0.0.1:0 SHOPSTREAM_METRICS_ADDR=127.0.0.1:0 \
    "$bin" ingress --ready-file "$ready" 2>>"$work/ingress.log" &
  local pid=$!
  wait_file "$ready" "$work/ingress.log"
  echo "$pid $(ready_field "$ready" webhook_url)"
}

read -r pid hook < <(start_ingress bench.)
BENCH_RUN_ID="$(date +%s%N)" wrk -t2 -c64 -d"$LOAD" -s "$here/webhook.lua" "$hook" >"$work/wrk.log"
kill "$pid"; wait "$pid" 2>/dev/null || true
for i in $(seq 1 "$RUNS"); do  # the republish targets
  read -r pid _ < <(start_ingress "copy$i.")
  kill "$pid"; wait "$pid" 2>/dev/null || true
done

# Runs one replay; appends "seconds peak_rss_kb records" to $work/$1.runs.
replay() {
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$bin" replay --topic bench.orders "$@" \
    >"$work/out" 2>>"$work/replay.log"
  local records; records=$(sed -n 's/^replay done: read \([0-9]*\) of.*/\1/p' "$work/out")
  [ -n "$records" ] || { cat "$work/out" "$work/replay.log" >&2; exit 1; }
  echo "$(cat "$work/time") $records" >>"$work/$name.runs"
}
for i in $(seq 1 "$RUNS"); do
  replay dry-run --dry-run
  db="replay_$i"
  psql -q "$url" -c "CREATE DATABASE $db"
  SHOPSTREAM_DATABASE_URL="${url%/*}/$db" replay re-project
  replay republish --republish-to "copy$i.orders"
done

echo "Replay benchmark: $(awk '{print $3; exit}' "$work/dry-run.runs") records of $(wc -c <"$work/body.json") bytes, medians of $RUNS runs"
printf '%-12s %10s %10s %12s\n' action seconds records/s peak_rss_MB
for a in dry-run re-project republish; do
  s=$(awk '{print $1}' "$work/$a.runs" | median)
  r=$(awk '{print $3 / ($1 > 0 ? $1 : 0.001)}' "$work/$a.runs" | median)
  m=$(awk '{print $2 / 1024}' "$work/$a.runs" | median)
  printf '%-12s %10.2f %10.0f %12.1f\n' "$a" "$s" "$r" "$m"
done
