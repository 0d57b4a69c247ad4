#!/usr/bin/env bash
# Re-derives every vector in hmac_sha256.tsv with the openssl command line tool, a second
# independent implementation, so the vectors our unit tests use are known to be right.
set -euo pipefail
file=${1:-$(dirname "$0")/hmac_sha256.tsv}
n=0
while IFS= read -r line; do
  # cut, not read: read would merge the two tabs around an empty body.
  name=$(cut -f1 <<<"$line"); secret_hex=$(cut -f2 <<<"$line")
  body_hex=$(cut -f3 <<<"$line"); expected=$(cut -f4 <<<"$line")
  got=$(printf '%s' "$body_hex" | xxd -r -p | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$secret_hex" -binary | base64 -w0)
  if [ "$got" != "$expected" ]; then echo "FAIL $name: openssl $got, file $expected"; exit 1; fi
  n=$((n + 1))
done <"$file"
[ "$n" -gt 0 ] || { echo "no vectors read from $file"; exit 1; }
echo "$n passed, 0 failed"
