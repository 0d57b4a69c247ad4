#!/usr/bin/env bash
# `tools/postgres/pg.sh start DIR` on a server it already started: the same URL again, and
# DIR/url kept (a second start used to fail and drop it, and every later reader with it).
# Usage: pg_start_again_test.sh DIR (a running server's directory: the ctest fixture's).
set -euo pipefail
dir=$1
before=$(cat "$dir/url")
again=$("$(dirname "$0")/../../tools/postgres/pg.sh" start "$dir")
[ "$again" = "$before" ] || { echo "FAIL: second start printed '$again', expected '$before'" >&2; exit 1; }
[ "$(cat "$dir/url" 2>/dev/null)" = "$before" ] || { echo "FAIL: $dir/url lost" >&2; exit 1; }
echo "pg.sh: a second start kept $before"
