#include "consumers/projector_metrics.hpp"

#include "common/metrics.hpp"

namespace shopstream::consumers {

ProjectorMetrics& ProjectorMetrics::get() {
  static ProjectorMetrics m;
  return m;
}

ProjectorMetrics::ProjectorMetrics()
    : events(metrics::counter("shopstream_projector_events_total",
                              "Events consumed by the projector, by Shopify topic and outcome "
                              "(applied, stale, duplicate, deadlettered, ignored)")),
      batch_size(metrics::histogram("shopstream_projector_batch_size", "Events per batch")
                     .Add({}, prometheus::Histogram::BucketBoundaries{1, 10, 50, 100, 250, 500,
                                                                      1000, 2000, 5000})),
      transaction_seconds(metrics::histogram("shopstream_projector_transaction_seconds",
                                             "Time to apply one batch and commit it")
                              .Add({}, metrics::latency_buckets())),
      lag(metrics::gauge("shopstream_projector_consumer_lag",
                         "Records behind the end of each partition")),
      retries(metrics::counter("shopstream_projector_retries_total",
                               "Batches retried after a retryable error")
                  .Add({})),
      fetch_wakeups(metrics::counter("shopstream_projector_fetch_wakeups_total",
                                     "Times the Kafka fetcher was woken after its prefetch "
                                     "queue had filled and drained")
                        .Add({})) {}

}  // namespace shopstream::consumers
