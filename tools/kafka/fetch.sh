#!/usr/bin/env bash
# Resolves the Apache Kafka broker (KRaft) and its runtime jars from Maven Central with
# the machine's Maven into $SHOPSTREAM_KAFKA_HOME (default ~/.cache/shopstream/kafka).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dest=${SHOPSTREAM_KAFKA_HOME:-$HOME/.cache/shopstream/kafka}
stamp="$dest/.complete-$(sha256sum "$here/pom.xml" | cut -c1-16)"
[ -f "$stamp" ] && exit 0
echo "kafka: fetching broker jars from Maven Central into $dest" >&2
mkdir -p "$dest/libs"
mvn -q -B -f "$here/pom.xml" dependency:copy-dependencies \
  -DincludeScope=runtime -DoutputDirectory="$dest/libs" >&2
touch "$stamp"
