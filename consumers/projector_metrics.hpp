#pragma once
// The projector's metrics, on the process registry. Thread-safe.
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>

#include <string>

namespace shopstream::consumers {

struct ProjectorMetrics {
  static ProjectorMetrics& get();
  // labels: topic (Shopify topic), outcome (applied, stale, duplicate, deadlettered, ignored)
  prometheus::Family<prometheus::Counter>& events;
  prometheus::Histogram& batch_size;
  prometheus::Histogram& transaction_seconds;
  prometheus::Family<prometheus::Gauge>& lag;
  prometheus::Counter& retries;
  prometheus::Counter& fetch_wakeups;

 private:
  ProjectorMetrics();
};

}  // namespace shopstream::consumers
