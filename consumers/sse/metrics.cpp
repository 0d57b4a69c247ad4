#include "consumers/sse/metrics.hpp"

namespace shopstream::consumers::sse {

SseMetrics& SseMetrics::get() {
  static SseMetrics m{
      metrics::gauge("shopstream_sse_subscribers", "Connected SSE subscribers.").Add({}),
      metrics::counter("shopstream_sse_events_sent_total",
                       "Events written to SSE subscribers (one per subscriber and event).")
          .Add({}),
      metrics::counter("shopstream_sse_subscribers_dropped_total",
                       "SSE subscribers disconnected because their buffer overflowed.")
          .Add({{"reason", "slow"}}),
      metrics::counter("shopstream_sse_subscribers_rejected_total",
                       "SSE subscriptions refused because the server was at its cap.")
          .Add({}),
      metrics::counter("shopstream_sse_accept_errors_total",
                       "accept() failures on the dashboard port (no file descriptor or memory "
                       "left); each pauses accepting for 100 ms.")
          .Add({}),
      metrics::gauge("shopstream_sse_hub_paused",
                     "1 while the SSE hub reads nothing from Kafka because nobody subscribes.")
          .Add({}),
      metrics::counter("shopstream_sse_resumes_total",
                       "SSE subscriptions resumed from a cursor, by result "
                       "(ok, truncated: older than retention, failed)."),
      metrics::counter("shopstream_api_requests_total",
                       "Dashboard-port requests (SSE, read API, page) by route and status."),
      metrics::histogram("shopstream_api_request_seconds",
                         "Time to answer a dashboard-port request, by route."),
  };
  return m;
}

void SseMetrics::resume(std::string_view result) {
  resumes.Add({{"result", std::string(result)}}).Increment();
}

void SseMetrics::request(std::string_view route, unsigned status, double seconds) {
  requests.Add({{"route", std::string(route)}, {"status", std::to_string(status)}}).Increment();
  request_seconds.Add({{"route", std::string(route)}}, metrics::latency_buckets()).Observe(seconds);
}

}  // namespace shopstream::consumers::sse
