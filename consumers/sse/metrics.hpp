#pragma once
// Metrics of the SSE server and the read API. Thread-safe.
#include <string>
#include <string_view>

#include "common/metrics.hpp"

namespace shopstream::consumers::sse {

struct SseMetrics {
  static SseMetrics& get();
  prometheus::Gauge& subscribers;
  prometheus::Counter& events_sent;
  prometheus::Counter& dropped_slow;
  prometheus::Counter& rejected;  // over the subscriber cap
  prometheus::Counter& accept_errors;
  prometheus::Gauge& hub_paused;  // 1 while nobody subscribes and the hub reads nothing
  prometheus::Family<prometheus::Counter>& resumes;
  prometheus::Family<prometheus::Counter>& requests;
  prometheus::Family<prometheus::Histogram>& request_seconds;

  void resume(std::string_view result);
  void request(std::string_view route, unsigned status, double seconds);
};

}  // namespace shopstream::consumers::sse
