#pragma once
// Cost-aware pacing for Shopify's GraphQL rate limit (a leaky bucket per app and store):
// from the last `throttleStatus`, estimate what is available now and wait just long
// enough for the next query's requested cost, so THROTTLED is the exception. Pure (time
// is passed in); not thread-safe: one Pacer per shop.
#include <chrono>
#include <optional>
#include <string_view>

namespace shopstream::ingress::reconcile {

struct ThrottleStatus {
  double maximum = 0, available = 0, restore = 0;
};

struct QueryCost {
  double requested = 0;
  std::optional<double> actual;  // absent when throttled or failed
  std::optional<ThrottleStatus> status;
};

// extensions.cost of a GraphQL answer; nullopt if absent or malformed.
std::optional<QueryCost> parse_cost(std::string_view body);

class Pacer {
 public:
  using Clock = std::chrono::steady_clock;
  void observe(const ThrottleStatus& status, Clock::time_point at);
  // How long to wait before a query of `requested` points; zero when nothing is known yet.
  Clock::duration wait_for(double requested, Clock::time_point now) const;
  std::optional<ThrottleStatus> last() const { return last_; }

 private:
  std::optional<ThrottleStatus> last_;
  Clock::time_point at_;
};

// Items per page: the most whose requested cost (fixed + n × per_item) fits both the
// single-query limit and the bucket; at least 1, at most 250.
int page_size(double per_item, double fixed, double single_query_limit, double bucket);

// Wait before retry `attempt` (0-based) after a 429, 5xx or network error: 1 s doubling
// to 60 s, or the server's Retry-After when it says more.
std::chrono::milliseconds backoff(int attempt, std::optional<double> retry_after_seconds);

}  // namespace shopstream::ingress::reconcile
