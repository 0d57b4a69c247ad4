#!/usr/bin/env bash
# Fresh machine to running product in one command: installs what is missing, builds,
# starts a throwaway local Postgres and runs `shopstream all` on the embedded
# (non-durable) Kafka cluster, then prints the URLs (dashboard with a token, live event
# stream, webhooks, metrics) and a signed curl to try.
# Ctrl-C stops everything. Override any SHOPSTREAM_* / SHOPIFY_* variable to taste.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
state="$root/.local"
mkdir -p "$state"

"$root/tools/install-deps.sh"
echo "==> building (Release) in build-release/" >&2
cmake -S "$root" -B "$root/build-release" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DSHOPSTREAM_TESTS=OFF >/dev/null
cmake --build "$root/build-release" --target shopstream shopify-sim >&2

echo "==> starting a local Postgres in .local/pg" >&2
db_url=$("$root/tools/postgres/pg.sh" start "$state/pg")

export SHOPIFY_API_SECRET=${SHOPIFY_API_SECRET:-local-dev-secret}
export SHOPSTREAM_DATABASE_URL=${SHOPSTREAM_DATABASE_URL:-$db_url}
export SHOPSTREAM_INGRESS_ADDR=${SHOPSTREAM_INGRESS_ADDR:-127.0.0.1:8080}
export SHOPSTREAM_METRICS_ADDR=${SHOPSTREAM_METRICS_ADDR:-127.0.0.1:9464}
export SHOPSTREAM_DASHBOARD_ADDR=${SHOPSTREAM_DASHBOARD_ADDR:-127.0.0.1:8081}
if [ -z "${SHOPSTREAM_DASHBOARD_SECRET:-}" ]; then
  [ -f "$state/dashboard-secret" ] || openssl rand -hex 32 >"$state/dashboard-secret"
  SHOPSTREAM_DASHBOARD_SECRET=$(cat "$state/dashboard-secret")
fi
export SHOPSTREAM_DASHBOARD_SECRET
ready="$state/ready.json"
rm -f "$ready"

"$root/build-release/shopstream" all --ready-file "$ready" &
pid=$!
cleanup() {
  kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  "$root/tools/postgres/pg.sh" stop "$state/pg" || true
}
trap cleanup EXIT INT TERM

. "$root/tools/lib/ready.sh"
wait_ready "$ready" 30 "$pid" && status=0 || status=$?
case $status in
  0) ;;
  2) echo "shopstream all exited during start-up (see the log above)" >&2; exit 1 ;;
  *) echo "shopstream all did not become ready in 30 s" >&2; exit 1 ;;
esac

webhook_url=$(ready_field "$ready" webhook_url)
metrics_url=$(ready_field "$ready" metrics_url)
brokers=$(ready_field "$ready" kafka_brokers)
dashboard_url=$(ready_field "$ready" dashboard_url)
token=$("$root/build-release/shopstream" token --shop demo.myshopify.com --ttl 24h)
body='{"id":820982911946154508,"name":"#1001","email":"jon@example.com","currency":"USD","total_price":"404.95","created_at":"2026-11-20T21:15:03-05:00","updated_at":"2026-11-20T21:15:03-05:00","line_items":[{"id":1,"title":"Tee","quantity":2,"price":"199.00"}]}'
sig=$(printf '%s' "$body" | openssl dgst -sha256 -hmac "$SHOPIFY_API_SECRET" -binary | base64 -w0)

cat <<MSG

shopstream is running (Ctrl-C stops it and the local Postgres).
  Webhook URL   $webhook_url
  Dashboard     ${dashboard_url}?shop=demo.myshopify.com&access_token=$token
  Live events   curl -N '${dashboard_url}events?shop=demo.myshopify.com&access_token=$token'
  Metrics       $metrics_url
  Health        ${webhook_url%/webhooks/shopify}/healthz   ${webhook_url%/webhooks/shopify}/readyz
  Kafka         $brokers   (embedded, NOT durable)
  Postgres      $SHOPSTREAM_DATABASE_URL

Send a signed orders/create webhook (secret: \$SHOPIFY_API_SECRET):

curl -i -X POST '$webhook_url' \\
  -H 'Content-Type: application/json' \\
  -H 'X-Shopify-Topic: orders/create' \\
  -H 'X-Shopify-Shop-Domain: demo.myshopify.com' \\
  -H 'X-Shopify-Webhook-Id: demo-$(date +%s)' \\
  -H 'X-Shopify-Hmac-Sha256: $sig' \\
  --data-binary '$body'

See it in Kafka:  kcat -C -b $brokers -t shopify.orders -e -f '%k %h\\n%s\\n'

A simulated store: 1,000 orders delivered with 20% of the webhooks lost, then one
reconcile pass that backfills them from its GraphQL Admin API (see README, Reconciler):

$root/build-release/tools/simulator/shopify-sim --webhook-url '$webhook_url' \\
  --secret '$SHOPIFY_API_SECRET' --drop 0.2 --restore 1000 --listen 127.0.0.1:8099 &
SHOPSTREAM_KAFKA_BROKERS=$brokers SHOPSTREAM_DATABASE_URL='$SHOPSTREAM_DATABASE_URL' \\
SHOPSTREAM_METRICS_ADDR=127.0.0.1:0 SHOPIFY_SHOP_DOMAIN=sim-store-1.myshopify.com \\
SHOPIFY_ACCESS_TOKEN=shpat_sim_1 SHOPIFY_ADMIN_API_URL=http://127.0.0.1:8099 \\
  $root/build-release/shopstream reconcile --once --full

MSG
wait "$pid"
