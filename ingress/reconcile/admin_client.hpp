#pragma once
// One shop's GraphQL Admin API client: POST {base}/admin/api/{version}/graphql.json with
// the shop's access token, paced by the cost model (throttle.hpp), retrying THROTTLED,
// 429, 5xx and network errors with back-off, so a caller only ever sees a page's data or
// a final error; the caller's place (its cursor) is never lost. Not thread-safe.
#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/http_client.hpp"
#include "common/result.hpp"
#include "ingress/reconcile/throttle.hpp"

namespace shopstream::ingress::reconcile {

struct ShopAccess {
  std::string domain;
  std::string token;  // never logged
};

struct CallStats {
  std::uint64_t calls = 0, throttled = 0, retries = 0;
  double cost = 0, waited_seconds = 0;
};

class AdminClient {
 public:
  // `base_url` may hold "{shop}" (default "https://{shop}").
  static Result<std::unique_ptr<AdminClient>> create(const ShopAccess& shop,
                                                     const std::string& base_url,
                                                     const std::string& api_version,
                                                     const std::atomic<bool>* stop = nullptr);

  // The answer's body (with `data`, without errors). `requested_estimate`: what the query
  // is expected to cost, for pacing. Non-retryable Error: the API refused the query
  // (bad token, GraphQL errors); retryable: attempts exhausted or stopping.
  Result<std::string> query(std::string_view document, const std::string& variables_json,
                            double requested_estimate);

  // From the last answer: its requested cost and the bucket.
  double last_requested() const { return last_requested_; }
  std::optional<ThrottleStatus> bucket() const { return pacer_.last(); }
  const CallStats& stats() const { return stats_; }

 private:
  AdminClient(ShopAccess shop, BaseUrl base, std::string path, const std::atomic<bool>* stop);
  bool sleep_for(std::chrono::steady_clock::duration d);  // false when stopping

  ShopAccess shop_;
  HttpClient http_;
  std::string path_;
  const std::atomic<bool>* stop_;
  Pacer pacer_;
  double last_requested_ = 0;
  CallStats stats_;
};

}  // namespace shopstream::ingress::reconcile
