-- wrk script: signed ~5 KB orders/create webhooks, a unique X-Shopify-Webhook-Id per
-- request (the signature covers the body only, so one body serves every request).
-- Environment: BENCH_BODY_FILE, BENCH_SIGNATURE, BENCH_RUN_ID (unique per wrk run: ids
-- must not repeat across runs, or the ingress answers them as duplicates, unpublished);
-- BENCH_DELAY_MS paces each connection.
local counter = 0
local threads = {}
local body, signature, delay_ms, run_id

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  local f = assert(io.open(os.getenv("BENCH_BODY_FILE"), "rb"))
  body = f:read("*a")
  f:close()
  signature = os.getenv("BENCH_SIGNATURE")
  run_id = assert(os.getenv("BENCH_RUN_ID"), "BENCH_RUN_ID is not set")
  delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
end

function request()
  counter = counter + 1
  local headers = {
    ["Content-Type"] = "application/json",
    ["X-Shopify-Topic"] = "orders/create",
    ["X-Shopify-Shop-Domain"] = "bench.myshopify.com",
    ["X-Shopify-Webhook-Id"] = string.format("bench-%s-%d-%d", run_id, tid, counter),
    ["X-Shopify-Hmac-Sha256"] = signature,
    ["X-Shopify-API-Version"] = "2026-10",
  }
  return wrk.format("POST", "/webhooks/shopify", headers, body)
end

if (tonumber(os.getenv("BENCH_DELAY_MS") or "0") or 0) > 0 then
  function delay()
    return delay_ms
  end
end
