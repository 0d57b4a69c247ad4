#!/usr/bin/env bash
# A single-node Apache Kafka broker in KRaft mode for tests and benchmarks.
#   broker.sh start DIR   format (first time) and start; prints the bootstrap address
#   broker.sh stop DIR    stop it (SIGTERM, then SIGKILL after 20 s); data is kept
#   broker.sh restart DIR start again on the same ports with the same data
#   broker.sh destroy DIR stop and remove DIR
# DIR/bootstrap holds "127.0.0.1:PORT" once the broker answers metadata requests.
set -euo pipefail
. "$(dirname "$0")/../lib/ports.sh"
here=$(cd "$(dirname "$0")" && pwd)
cmd=${1:?usage: broker.sh start|stop|restart|destroy DIR}
dir=${2:?usage: broker.sh start|stop|restart|destroy DIR}
home=${SHOPSTREAM_KAFKA_HOME:-$HOME/.cache/shopstream/kafka}


wait_ready() {
  local bootstrap=$1 deadline=$((SECONDS + 90))
  until kcat -L -b "$bootstrap" -m 2 >/dev/null 2>&1; do
    if ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
      echo "broker.sh: broker exited during start-up; log follows" >&2
      tail -40 "$dir/server.log" >&2; return 1
    fi
    if [ $SECONDS -ge $deadline ]; then echo "broker.sh: not ready after 90 s" >&2; return 1; fi
    sleep 0.2
  done
}

launch() {
  rm -f "$dir/bootstrap"
  # -XX:TieredStopAtLevel=1 starts faster; the heap is small on purpose (2-core test box).
  nohup java -Xms256m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -Dlog4j.configuration="file:$dir/log4j.properties" -cp "$home/libs/*" \
    kafka.Kafka "$dir/server.properties" >"$dir/server.log" 2>&1 &
  echo $! >"$dir/pid"
  local port; port=$(cat "$dir/port")
  wait_ready "127.0.0.1:$port" || return 1
  echo "127.0.0.1:$port" >"$dir/bootstrap"
  echo "127.0.0.1:$port"
}

stop() {
  [ -f "$dir/pid" ] || return 0
  local pid; pid=$(cat "$dir/pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/pid" "$dir/bootstrap"
}

configure() {
  local port cport
  port=$(free_port)
  # Nothing listens on either port yet, so free_port may well pick the same one twice.
  cport=$(free_port)
  while [ "$cport" = "$port" ]; do cport=$(free_port); done
  echo "$port" >"$dir/port"
  cat >"$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/data
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
group.min.session.timeout.ms=1000
PROPS
  cat >"$dir/log4j.properties" <<'PROPS'
log4j.rootLogger=WARN, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.server.KafkaServer=INFO
log4j.logger.kafka.server.BrokerServer=INFO
PROPS
  rm -rf "$dir/data"
  java -cp "$home/libs/*" -Dlog4j.configuration="file:$dir/log4j.properties" \
    kafka.tools.StorageTool format -t "$(java -cp "$home/libs/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)" \
    -c "$dir/server.properties" >"$dir/format.log" 2>&1 || { cat "$dir/format.log" >&2; return 1; }
}

case "$cmd" in
start)
  "$here/fetch.sh"
  mkdir -p "$dir"
  if [ -f "$dir/server.properties" ]; then launch; exit; fi
  # A first start may lose its ports to another process between the check and the bind:
  # then it tries again on fresh ports.
  for attempt in 1 2 3; do
    configure
    if launch; then exit 0; fi
    stop
    echo "broker.sh: start attempt $attempt failed; retrying on other ports" >&2
  done
  exit 1 ;;
restart) stop; launch ;;
stop) stop ;;
destroy) stop; rm -rf "$dir" ;;
*) echo "usage: broker.sh start|stop|restart|destroy DIR" >&2; exit 2 ;;
esac
