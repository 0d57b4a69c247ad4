#include "ingress/reconcile/metrics.hpp"

#include "common/metrics.hpp"

namespace shopstream::ingress::reconcile {

Metrics& Metrics::get() {
  static Metrics m{
      metrics::counter("shopstream_reconcile_gaps_total",
                       "Entities the read models lacked (missing), held older (stale) or still "
                       "held after a deletion at the source (deleted), by entity."),
      metrics::counter("shopstream_reconcile_records_published_total",
                       "Records the reconciler made durable in Kafka, by Shopify topic."),
      metrics::counter("shopstream_reconcile_api_requests_total",
                       "Admin API calls by result: ok, throttled, http_429, http_5xx, network, "
                       "error."),
      metrics::counter("shopstream_reconcile_api_cost_points_total",
                       "Admin API cost points used (actualQueryCost).")
          .Add({}),
      metrics::counter("shopstream_reconcile_throttle_waits_total",
                       "Waits before a call so it stays inside the rate limit, or after THROTTLED.")
          .Add({}),
      metrics::counter("shopstream_reconcile_throttle_wait_seconds_total",
                       "Time spent in those waits.")
          .Add({}),
      metrics::gauge("shopstream_reconcile_last_success_timestamp_seconds",
                     "When the last pass of each shop finished without error (Unix time)."),
      metrics::counter("shopstream_reconcile_passes_total", "Reconcile passes by result."),
      metrics::counter("shopstream_reconcile_subscriptions_repaired_total",
                       "Webhook subscriptions re-created, by topic."),
      metrics::counter("shopstream_reconcile_skipped_total",
                       "Nodes not published, by entity and reason (invalid, truncated)."),
      metrics::counter("shopstream_reconcile_read_whole_total",
                       "Nodes a list page cut short (more line items, refund lines or variants "
                       "than it holds) whose nested lists were read on to their end, by entity."),
  };
  return m;
}

}  // namespace shopstream::ingress::reconcile
