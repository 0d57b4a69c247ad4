#!/usr/bin/env bash
# Installs everything shopstream builds, runs and tests with, from Debian's packages
# (and, with --test, the Apache Kafka broker from Maven Central). Safe to run twice:
# it only installs what is missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

build_pkgs=(g++ cmake ninja-build pkg-config clang-format
  libboost1.81-dev libssl-dev librdkafka-dev libpqxx-dev libpq-dev
  libsimdjson-dev prometheus-cpp-dev doctest-dev
  postgresql openssl curl ca-certificates tzdata)
test_pkgs=(maven openjdk-17-jre-headless nodejs wrk nginx kcat procps xxd chromium)

want=("${build_pkgs[@]}")
[ "${1:-}" = "--test" ] && want+=("${test_pkgs[@]}")

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
sudo_cmd=""
[ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ "${1:-}" = "--test" ]; then
  "$here/kafka/fetch.sh"
  # Debian's nodejs comes without npm; NodeSource's carries its own.
  if ! command -v npm >/dev/null; then
    $sudo_cmd apt-get install -y -qq --no-install-recommends npm >/dev/null
  fi
  # playwright-core for the browser test, pinned by its lock file; it drives Debian's
  # chromium and downloads no browser of its own.
  (cd "$here/../tests/browser" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
