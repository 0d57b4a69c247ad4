# Sourced by tools/run-local.sh and the benchmark scripts: the --ready-file shopstream
# writes (one flat JSON object: webhook_url, metrics_url, kafka_brokers, ...) once it serves.

# ready_field FILE KEY: the value of a string field ("" when there is none).
ready_field() { sed -n "s/.*\"$2\":\"\([^\"]*\)\".*/\1/p" "$1"; }

# wait_ready FILE SECONDS [PID]: 0 once FILE exists and is not empty; 1 after SECONDS
# without it; 2 as soon as process PID (the server writing it) has exited.
wait_ready() {
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    [ -s "$1" ] && return 0
    if [ -n "${3:-}" ] && ! kill -0 "$3" 2>/dev/null; then return 2; fi
    sleep 0.1
  done
  [ -s "$1" ]
}
