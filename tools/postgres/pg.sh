#!/usr/bin/env bash
# A throwaway Postgres server from Debian's packages, for tests and the local demo.
#   pg.sh start DIR    initdb (first time) and start on a free port; prints the URL
#   pg.sh stop DIR     stop it (data kept)      pg.sh restart DIR   start it again
#   pg.sh destroy DIR  stop and remove it
# DIR/url holds the libpq URI once the server accepts connections. As root, the server
# runs as the `postgres` user (Postgres refuses to run as root); when that user cannot
# reach DIR (a clone under a private home, say), the cluster lives in a fresh folder
# under /tmp, named in DIR/cluster.
set -euo pipefail
. "$(dirname "$0")/../lib/ports.sh"
cmd=${1:?usage: pg.sh start|stop|restart|destroy DIR}
dir=${2:?usage: pg.sh start|stop|restart|destroy DIR}
dir=$(realpath -m "$dir")  # the server runs elsewhere: relative paths would break
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/initdb" ] || { echo "pg.sh: Postgres server binaries not found (apt-get install postgresql)" >&2; exit 1; }
as_root=0
[ "$(id -u)" -eq 0 ] && as_root=1

as_owner() {
  if [ $as_root -eq 1 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}


cluster() { cat "$dir/cluster"; }

launch() {
  local port c; port=$(cat "$dir/port"); c=$(cluster)
  # Already running (a second `start`): its URL again, not a failed start that drops it.
  if as_owner "$bin/pg_ctl" -D "$c/data" status >/dev/null 2>&1; then
    echo "postgresql://shopstream@127.0.0.1:$port/shopstream" | tee "$dir/url"
    return 0
  fi
  rm -f "$dir/url"
  as_owner "$bin/pg_ctl" -D "$c/data" -l "$c/server.log" -w -t 60 \
    -o "-p $port -k $c -c listen_addresses=127.0.0.1" start >/dev/null ||
    { tail -20 "$c/server.log" >&2; return 1; }
  echo "postgresql://shopstream@127.0.0.1:$port/shopstream" >"$dir/url"
  cat "$dir/url"
}

stop() {
  [ -f "$dir/cluster" ] || return 0
  local c; c=$(cluster)
  [ -f "$c/data/postmaster.pid" ] || return 0
  as_owner "$bin/pg_ctl" -D "$c/data" -m fast -w -t 60 stop >/dev/null || true
  rm -f "$dir/url"
}

case "$cmd" in
start)
  mkdir -p "$dir"
  if [ ! -f "$dir/cluster" ]; then
    c="$dir/cluster.d"
    mkdir -p "$c"
    if [ $as_root -eq 1 ]; then
      chown postgres "$c"
      runuser -u postgres -- test -w "$c" 2>/dev/null || { rmdir "$c"; c=$(mktemp -d /tmp/shopstream-pg.XXXXXX); chown postgres "$c"; }
    fi
    echo "$c" >"$dir/cluster"
    as_owner "$bin/initdb" -D "$c/data" -U shopstream -A trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    # A first start may lose its port to another process between the check and the
    # bind: then it tries again on another port.
    for attempt in 1 2 3; do
      free_port >"$dir/port"
      if launch >/dev/null; then break; fi
      [ "$attempt" -eq 3 ] && exit 1
      echo "pg.sh: start attempt $attempt failed; retrying on another port" >&2
    done
    as_owner "$bin/createdb" -h 127.0.0.1 -p "$(cat "$dir/port")" -U shopstream shopstream
    cat "$dir/url"
  else
    launch
  fi ;;
restart) stop; launch ;;
stop) stop ;;
destroy)
  stop
  [ -f "$dir/cluster" ] && rm -rf "$(cluster)"
  rm -rf "$dir" ;;
*) echo "usage: pg.sh start|stop|restart|destroy DIR" >&2; exit 2 ;;
esac
