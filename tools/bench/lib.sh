# Sourced by the benchmark scripts (tools/bench/*_bench.sh): what they all do alike.
# Sets $root (the checkout) and $release (the Release build folder).
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
release="$root/build-release"
. "$root/tools/lib/ready.sh"  # ready_field FILE KEY, wait_ready FILE SECONDS [PID]

# bench_build [--test] TARGET...: installs whatever is missing (--test: what the tests use
# too: the Kafka broker, wrk, nginx), then builds the TARGETs in $release (Release, no
# tests), printing the build's progress on stderr.
bench_build() {
  local deps=()
  if [ "${1:-}" = --test ]; then deps=(--test); shift; fi
  "$root/tools/install-deps.sh" "${deps[@]}"
  cmake -S "$root" -B "$release" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSHOPSTREAM_TESTS=OFF >/dev/null
  cmake --build "$release" --target "$@" >&2
}

# median: of the numbers on stdin, one a line (the mean of the middle two for an even count).
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# wait_file FILE [LOG]: returns once FILE exists and is not empty (a --ready-file); after
# $BENCH_WAIT_S seconds (60, a whole number) prints LOG (the process's stderr) and exits.
wait_file() {
  local limit=${BENCH_WAIT_S:-60}
  if ! [[ "$limit" =~ ^[1-9][0-9]*$ ]]; then
    echo "BENCH_WAIT_S must be a whole number of seconds, got '$limit'" >&2
    exit 2
  fi
  wait_ready "$1" "$limit" && return 0
  echo "not ready after $limit s: no $1" >&2
  [ -n "${2:-}" ] && cat "$2" >&2
  exit 1
}
