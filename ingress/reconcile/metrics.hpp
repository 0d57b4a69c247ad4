#pragma once
// The reconciler's Prometheus metrics. Created once per process; thread-safe.
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>

#include <string>

namespace shopstream::ingress::reconcile {

struct Metrics {
  static Metrics& get();
  prometheus::Family<prometheus::Counter>& gaps;       // {entity, kind=missing|stale|deleted}
  prometheus::Family<prometheus::Counter>& published;  // {topic}
  prometheus::Family<prometheus::Counter>& requests;   // {result}
  prometheus::Counter& cost_points;
  prometheus::Counter& throttle_waits;
  prometheus::Counter& throttle_wait_seconds;
  prometheus::Family<prometheus::Gauge>& last_success;  // {shop}
  prometheus::Family<prometheus::Counter>& passes;      // {result}
  prometheus::Family<prometheus::Counter>& repaired;    // {topic}
  prometheus::Family<prometheus::Counter>& skipped;     // {entity, reason}
  prometheus::Family<prometheus::Counter>& read_whole;  // {entity}
};

}  // namespace shopstream::ingress::reconcile
