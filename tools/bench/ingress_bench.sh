#!/usr/bin/env bash
# Ingress benchmark: wrk posts signed ~5 KB orders/create webhooks with unique ids over
# keep-alive connections to (1) nginx answering 200 (the machine's HTTP floor),
# (2) `shopstream all` on the embedded cluster, (3) `shopstream ingress` on a real Kafka
# broker, one after the other (each alone on the cores with wrk). Every 200 from
# shopstream is after the durable ack. Reports requests/s, p50/p99 latency, peak RSS,
# the server's own CPU time per request (user + system, wrk excluded),
# medians of $RUNS runs, and ratios to the nginx floor; then p50/p99 at a paced ~5,000
# webhooks/s. Last, (4) `shopstream ingress` with a local spool while the broker is
# stopped (every 200 after an fdatasync), and how long the spool takes to publish once
# the broker is back. Usage: [SWEEP="32 128 256"] tools/bench/ingress_bench.sh [--quick]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
here="$root/tools/bench"
RUNS=${RUNS:-5}
DURATION=${DURATION:-10s}
CONNS=${CONNS:-64}
[ "${1:-}" = "--quick" ] && { RUNS=1; DURATION=3s; }
for c in $CONNS ${SWEEP:-}; do
  [[ "$c" =~ ^[1-9][0-9]*$ ]] ||
    { echo "CONNS and SWEEP take connection counts (whole numbers above 0), not '$c'" >&2; exit 2; }
done

bench_build --test shopstream
bin="$release/shopstream"

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}" $(cat "$work/pids" 2>/dev/null); do kill "$p" 2>/dev/null || true; done
  [ -d "$work/kafka" ] && "$root/tools/kafka/broker.sh" destroy "$work/kafka" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

secret=bench-secret
"$here/make_order.sh" >"$work/body.json"
export BENCH_BODY_FILE="$work/body.json"
export BENCH_SIGNATURE=$(openssl dgst -sha256 -hmac "$secret" -binary <"$work/body.json" | base64 -w0)
echo "body: $(wc -c <"$work/body.json") bytes; $RUNS runs of $DURATION, $CONNS connections, 2 wrk threads" >&2

free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 40000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}

wait_http() {  # url
  for _ in $(seq 1 300); do curl -fs -o /dev/null "$1" && return 0; sleep 0.1; done
  echo "not answering: $1" >&2; return 1
}

# Runs wrk against $1 (base URL); prints "rps p50_ms p99_ms non2xx cpu_us": cpu_us is the
# CPU time (user + system) the processes in $SUT_PIDS spent per request answered.
run_wrk() {
  local out t0 t1
  t0=$(cpu_ticks)
  out=$(BENCH_RUN_ID="$(date +%s%N)" wrk -t2 -c"${2:-$CONNS}" -d"$DURATION" --latency \
    -s "$here/webhook.lua" "$1/webhooks/shopify")
  t1=$(cpu_ticks)
  echo "$out" >>"$work/wrk.log"
  local rps p50 p99 bad n us
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  bad=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  n=$(awk '/requests in/ {print $1}' <<<"$out")
  us=$(awk -v t=$((t1 - t0)) -v hz="$clk_tck" -v n="${n:-0}" \
    'BEGIN {if (n > 0) printf "%.1f", t / hz / n * 1e6; else print "nan"}')
  echo "$rps $(to_ms "$p50") $(to_ms "$p99") ${bad:-0} $us"
}

clk_tck=$(getconf CLK_TCK)
SUT_PIDS=""
cpu_ticks() {  # user + system clock ticks of $SUT_PIDS so far
  local p
  for p in $SUT_PIDS; do awk '{print $14 + $15}' "/proc/$p/stat"; done | awk '{s += $1} END {print s + 0}'
}

to_ms() {  # wrk prints 1.23ms, 850.00us, 1.02s
  local v=$1
  case "$v" in
    *us) awk -v x="${v%us}" 'BEGIN{printf "%.3f", x/1000}' ;;
    *ms) awk -v x="${v%ms}" 'BEGIN{printf "%.3f", x}' ;;
    *s) awk -v x="${v%s}" 'BEGIN{printf "%.3f", x*1000}' ;;
  esac
}

peak_rss_mb() { awk '/VmHWM/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }

# --- nginx floor -----------------------------------------------------------------
nport=$(free_port)
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<NGINX
worker_processes 2;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 10000000;
  client_max_body_size 2m;
  client_body_temp_path $work/nginx;
  server {
    listen 127.0.0.1:$nport;
    location /webhooks/shopify { default_type application/json; return 200 '{"status":"ok"}'; }
    location / { return 200; }
  }
}
NGINX
nginx -c "$work/nginx/nginx.conf" -g 'daemon off;' &
pids+=($!)
wait_http "http://127.0.0.1:$nport/"

# --- shopstream, embedded cluster ---------------------------------------------------
start_shopstream() {  # name command [extra env...]
  local name=$1 cmd=$2; shift 2
  local ready="$work/$name.ready"
  env "$@" SHOPIFY_API_SECRET=$secret SHOPSTREAM_INGRESS_ADDR=127.0.0.1:0 \
    SHOPSTREAM_METRICS_ADDR=127.0.0.1:0 SHOPSTREAM_LOG_LEVEL=warn \
    "$bin" "$cmd" --ready-file "$ready" 2>"$work/$name.log" &
  local pid=$!
  echo "$pid" >>"$work/pids"  # this runs in a subshell: the parent reads the file
  wait_file "$ready" "$work/$name.log"
  local url; url=$(ready_field "$ready" webhook_url)
  local metrics; metrics=$(ready_field "$ready" metrics_url)
  echo "$pid ${url%/webhooks/shopify} $metrics"
}

# Every request of the benchmark carries a new webhook id: none may have been answered as
# a duplicate (that path publishes nothing, and would flatter the figures).
check_no_duplicates() {  # name metrics_url
  local text n
  text=$(curl -fs "$2") || { echo "$1: cannot read $2 to check for duplicates" >&2; exit 1; }
  n=$(awk '/^shopstream_ingress_duplicates_suppressed_total/ {s+=$2; seen=1} END {print seen ? s : "missing"}' <<<"$text")
  [ "$n" = 0 ] || { echo "$1: duplicates answered: $n (must be 0): the figures are void" >&2; exit 1; }
}

declare -A rps p50 p99 bad cpu prps pp50 pp99 rss
stop_pid() {  # waits until the process is gone, so the next target has the cores
  kill "$1" 2>/dev/null || true
  while kill -0 "$1" 2>/dev/null; do sleep 0.1; done
}
# Full load: a warm-up run, then $RUNS runs; every connection posts again at once.
measure() {  # target url
  run_wrk "$2" >/dev/null
  : >"$work/$1.runs"
  for i in $(seq 1 "$RUNS"); do run_wrk "$2" >>"$work/$1.runs"; done
  rps[$1]=$(awk '{print $1}' "$work/$1.runs" | median)
  p50[$1]=$(awk '{print $2}' "$work/$1.runs" | median)
  p99[$1]=$(awk '{print $3}' "$work/$1.runs" | median)
  bad[$1]=$(awk '{s+=$4} END {print s+0}' "$work/$1.runs")
  cpu[$1]=$(awk '{print $5}' "$work/$1.runs" | median)
}
# Paced: 62 connections, each waiting 10 ms after every answer: about 5,000 webhooks/s
# when an answer takes ~2 ms (10 + 2 ms a cycle).
measure_paced() {  # target url
  : >"$work/$1.paced"
  for i in $(seq 1 "$RUNS"); do BENCH_DELAY_MS=10 run_wrk "$2" 62 >>"$work/$1.paced"; done
  prps[$1]=$(awk '{print $1}' "$work/$1.paced" | median)
  pp50[$1]=$(awk '{print $2}' "$work/$1.paced" | median)
  pp99[$1]=$(awk '{print $3}' "$work/$1.paced" | median)
}

# SWEEP="32 128 256": nginx and the embedded cluster at those connection counts too
# (medians of $RUNS runs): where each is bound by CPU, and where by waiting (the ingress
# by its durable acks).
declare -A sweep
measure_sweep() {  # target url
  local c i
  for c in ${SWEEP:-}; do
    : >"$work/$1.sweep$c"
    for i in $(seq 1 "$RUNS"); do run_wrk "$2" "$c" >>"$work/$1.sweep$c"; done
    sweep[$1,$c]=$(awk '{print $1}' "$work/$1.sweep$c" | median)
  done
}

# One system under test at a time: each runs alone on the two cores with wrk.
SUT_PIDS=$(ps -o pid= --ppid "$(cat "$work/nginx/nginx.pid")")  # its workers
measure nginx "http://127.0.0.1:$nport"
measure_sweep nginx "http://127.0.0.1:$nport"
rss[nginx]=$(ps -o rss= --ppid "$(cat "$work/nginx/nginx.pid")" | awk '{s+=$1} END {printf "%.1f", s/1024}')
stop_pid "${pids[0]}"

read -r emb_pid emb_url emb_metrics < <(start_shopstream embedded all SHOPSTREAM_DASHBOARD_ADDR=127.0.0.1:0)
SUT_PIDS=$emb_pid
measure embedded "$emb_url"
measure_sweep embedded "$emb_url"
measure_paced embedded "$emb_url"
check_no_duplicates embedded "$emb_metrics"
rss[embedded]=$(peak_rss_mb "$emb_pid")
stop_pid "$emb_pid"

bootstrap=$("$root/tools/kafka/broker.sh" start "$work/kafka")
read -r real_pid real_url real_metrics < <(start_shopstream real ingress SHOPSTREAM_KAFKA_BROKERS="$bootstrap" \
  SHOPSTREAM_TOPIC_REPLICATION=1)
SUT_PIDS=$real_pid  # not the broker's JVM
measure real "$real_url"
measure_paced real "$real_url"
check_no_duplicates real "$real_metrics"
rss[real]=$(peak_rss_mb "$real_pid")
stop_pid "$real_pid"

# --- shopstream, real broker stopped, local spool --------------------------------------
# The runs spool 1-2 GB at ~6,000 webhooks/s: over the 1 GiB default of --spool-max.
read -r sp_pid sp_url sp_metrics < <(start_shopstream spool ingress SHOPSTREAM_KAFKA_BROKERS="$bootstrap" \
  SHOPSTREAM_TOPIC_REPLICATION=1 SHOPSTREAM_SPOOL_DIR="$work/spool" SHOPSTREAM_SPOOL_MAX=8GiB)
SUT_PIDS=$sp_pid
"$root/tools/kafka/broker.sh" stop "$work/kafka" >/dev/null
for _ in $(seq 1 300); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$sp_url/readyz")" = 503 ] && break
  sleep 0.1
done
measure spool "$sp_url"
check_no_duplicates spool "$sp_metrics"
rss[spool]=$(peak_rss_mb "$sp_pid")
metric() { curl -fs "$sp_metrics" | awk -v n="$1" '$1 == n {print $2}'; }
spooled=$(metric shopstream_ingress_spooled_total)
spool_mb=$(awk -v b="$(metric shopstream_ingress_spool_bytes)" 'BEGIN{printf "%.0f", b/1048576}')
"$root/tools/kafka/broker.sh" restart "$work/kafka" >/dev/null
drain_start=$(date +%s.%N)
for _ in $(seq 1 3000); do [ "$(metric shopstream_ingress_spool_bytes)" = 0 ] && break; sleep 0.2; done
[ "$(metric shopstream_ingress_spool_bytes)" = 0 ] || { echo "spool: not published within 600 s" >&2; exit 1; }
drain_s=$(awk -v a="$drain_start" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
published=$(metric shopstream_ingress_spool_published_total)

printf '\nIngress benchmark (medians of %s runs of %s, %s keep-alive connections)\n' "$RUNS" "$DURATION" "$CONNS"
printf '%-22s %10s %9s %9s %10s %9s %8s %11s %9s\n' target req/s p50_ms p99_ms vs_nginx rss_MB non2xx \
  cpu_us/req vs_nginx
for t in nginx embedded real spool; do
  ratio=$(awk -v a="${rps[$t]}" -v b="${rps[nginx]}" 'BEGIN{printf "%.3f", a/b}')
  cratio=$(awk -v a="${cpu[$t]}" -v b="${cpu[nginx]}" 'BEGIN{printf "%.1f", a/b}')
  printf '%-22s %10.0f %9.3f %9.3f %10s %9s %8s %11s %9s\n' "$t" "${rps[$t]}" "${p50[$t]}" "${p99[$t]}" \
    "$ratio" "${rss[$t]}" "${bad[$t]}" "${cpu[$t]}" "$cratio"
done
echo "(cpu_us/req: CPU time, user + system, of the server alone per request answered; wrk"
echo " shares the two cores, so req/s depends on its CPU too; this figure does not count it)"
if [ -n "${SWEEP:-}" ]; then
  printf '\nConnections (medians of %s runs): nginx req/s, embedded req/s, ratio\n' "$RUNS"
  for c in $CONNS $SWEEP; do
    n=${sweep[nginx,$c]:-${rps[nginx]}} e=${sweep[embedded,$c]:-${rps[embedded]}}
    printf '%6s %10.0f %10.0f %6.3f\n' "$c" "$n" "$e" "$(awk -v a="$e" -v b="$n" 'BEGIN{print a/b}')"
  done
fi
printf '\nPaced (62 connections, 10 ms between requests on each)\n'
printf '%-22s %10s %9s %9s\n' target req/s p50_ms p99_ms
for t in embedded real; do
  printf '%-22s %10.0f %9.3f %9.3f\n' "$t" "${prps[$t]}" "${pp50[$t]}" "${pp99[$t]}"
done
printf '\nspool: %s webhooks spooled (%s MiB) while the broker was down, %.2f of the real-broker rate;\n' \
  "$spooled" "$spool_mb" "$(awk -v a="${rps[spool]}" -v b="${rps[real]}" 'BEGIN{print a/b}')"
printf '       %s published in %s s once the broker answered again (%.0f records/s)\n' \
  "$published" "$drain_s" "$(awk -v n="$published" -v s="$drain_s" 'BEGIN{print n/s}')"
printf '\nPer-run figures (req/s p50 p99 non2xx cpu_us/req):\n'
for t in nginx embedded real spool; do echo "$t: $(tr '\n' ';' <"$work/$t.runs")"; done
for t in embedded real; do echo "$t paced: $(tr '\n' ';' <"$work/$t.paced")"; done
