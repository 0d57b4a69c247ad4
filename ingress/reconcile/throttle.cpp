#include "ingress/reconcile/throttle.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cmath>

namespace shopstream::ingress::reconcile {

std::optional<QueryCost> parse_cost(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body.data(), body.size()).get(doc) != simdjson::SUCCESS) return std::nullopt;
  simdjson::dom::object cost;
  if (doc["extensions"]["cost"].get(cost) != simdjson::SUCCESS) return std::nullopt;
  auto number = [](simdjson::dom::element e) -> std::optional<double> {
    double d;
    if (e.get(d) == simdjson::SUCCESS) return d;
    std::int64_t i;
    if (e.get(i) == simdjson::SUCCESS) return static_cast<double>(i);
    std::uint64_t u;
    if (e.get(u) == simdjson::SUCCESS) return static_cast<double>(u);
    return std::nullopt;
  };
  QueryCost out;
  simdjson::dom::element e;
  if (cost["requestedQueryCost"].get(e) == simdjson::SUCCESS) out.requested = number(e).value_or(0);
  if (cost["actualQueryCost"].get(e) == simdjson::SUCCESS) out.actual = number(e);
  simdjson::dom::object ts;
  if (cost["throttleStatus"].get(ts) == simdjson::SUCCESS) {
    simdjson::dom::element m, a, r;
    if (ts["maximumAvailable"].get(m) == simdjson::SUCCESS &&
        ts["currentlyAvailable"].get(a) == simdjson::SUCCESS &&
        ts["restoreRate"].get(r) == simdjson::SUCCESS && number(m) && number(a) && number(r) &&
        *number(r) > 0)
      out.status = ThrottleStatus{*number(m), *number(a), *number(r)};
  }
  return out;
}

void Pacer::observe(const ThrottleStatus& status, Clock::time_point at) {
  last_ = status;
  at_ = at;
}

Pacer::Clock::duration Pacer::wait_for(double requested, Clock::time_point now) const {
  if (!last_) return Clock::duration::zero();
  const double elapsed = std::chrono::duration<double>(now - at_).count();
  const double available =
      std::min(last_->maximum, last_->available + std::max(0.0, elapsed) * last_->restore);
  // Aim a little above the requested cost: the server's clock and ours drift apart.
  const double target = std::min(last_->maximum, requested + last_->restore * 0.05);
  if (available >= target) return Clock::duration::zero();
  return std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>((target - available) / last_->restore));
}

int page_size(double per_item, double fixed, double single_query_limit, double bucket) {
  const double limit = std::min(single_query_limit, bucket > 0 ? bucket : single_query_limit);
  if (per_item <= 0) return 250;
  const double n = std::floor((limit - fixed) / per_item);
  return static_cast<int>(std::clamp(n, 1.0, 250.0));
}

std::chrono::milliseconds backoff(int attempt, std::optional<double> retry_after_seconds) {
  const auto base = std::chrono::milliseconds(1000LL << std::min(attempt, 6));
  const auto capped = std::min<std::chrono::milliseconds>(base, std::chrono::seconds(60));
  if (retry_after_seconds && *retry_after_seconds > 0) {
    auto server = std::chrono::milliseconds(static_cast<long long>(*retry_after_seconds * 1000));
    return std::max(capped, std::min<std::chrono::milliseconds>(server, std::chrono::minutes(5)));
  }
  return capped;
}

}  // namespace shopstream::ingress::reconcile
