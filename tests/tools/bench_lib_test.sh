#!/usr/bin/env bash
# The helpers every benchmark script sources (tools/bench/lib.sh): medians, reading a
# --ready-file as shopstream writes it, and waiting for one (tools/lib/ready.sh, which
# tools/run-local.sh, the README's first command, sources too).
set -euo pipefail
source "$(dirname "$0")/../../tools/bench/lib.sh"
failures=0
expect() {  # name expected actual
  if [ "$2" != "$3" ]; then echo "FAIL $1: expected '$2', got '$3'" >&2; failures=$((failures + 1)); fi
}

expect "median of one" 7 "$(printf '7\n' | median)"
expect "median, odd count, unsorted" 3.5 "$(printf '10\n1\n3.5\n' | median)"
expect "median, even count: the middle two's mean" 2.5 "$(printf '4\n1\n2\n3\n' | median)"
expect "median sorts numbers, not text" 10 "$(printf '10\n9\n100\n' | median)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ready="$work/ready.json"
printf '%s\n' '{"webhook_url":"http://127.0.0.1:8080/webhooks/shopify","metrics_url":"http://127.0.0.1:9464/metrics","kafka_brokers":"127.0.0.1:39001","pid":42}' >"$ready"
expect "a field" "http://127.0.0.1:8080/webhooks/shopify" "$(ready_field "$ready" webhook_url)"
expect "the last field" "127.0.0.1:39001" "$(ready_field "$ready" kafka_brokers)"
expect "a missing field" "" "$(ready_field "$ready" dashboard_url)"

expect "a ready file already there" ok "$(wait_file "$ready" && echo ok)"
echo "the server's log" >"$work/log"
out=$(BENCH_WAIT_S=1 wait_file "$work/never" "$work/log" 2>&1) && status=0 || status=$?
expect "no ready file: exits non-zero" 1 "$status"
case "$out" in *"the server's log"*) ;; *) expect "no ready file: shows the log" "(the log)" "$out" ;; esac

out=$(BENCH_WAIT_S=soon wait_file "$work/never" 2>&1) && status=0 || status=$?
expect "BENCH_WAIT_S not a number: exits 2" 2 "$status"
case "$out" in *"BENCH_WAIT_S must be a whole number of seconds, got 'soon'"*) ;; *) expect "BENCH_WAIT_S not a number: says so" "(the line)" "$out" ;; esac

# wait_ready FILE SECONDS [PID]: the server exiting ends the wait at once, with 2.
sleep 0.2 &
gone=$!
wait "$gone"
wait_ready "$work/never" 30 "$gone" && status=0 || status=$?
expect "the server exited: 2" 2 "$status"
sleep 30 &
alive=$!
wait_ready "$ready" 30 "$alive" && status=0 || status=$?
kill "$alive"
expect "ready while the server runs: 0" 0 "$status"
wait_ready "$work/never" 1 && status=0 || status=$?
expect "not ready in time: 1" 1 "$status"

[ "$failures" = 0 ] && echo "bench lib: all checks passed"
exit "$failures"
