#pragma once
// The simulated GraphQL Admin API: `shop`, `orders`, `products`, `customers` (search by
// `updated_at:>=`, sortKey UPDATED_AT or ID, cursor pagination with first/after),
// `webhookSubscriptions` and the create/delete mutations, under Shopify's cost model: a
// leaky bucket per shop, extensions.cost on every answer, THROTTLED when a query's
// requested cost exceeds what is available, MAX_COST_EXCEEDED over the single-query
// limit, and injectable 429/5xx answers. Thread-safe.
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "tools/simulator/store.hpp"

namespace shopstream::sim {

struct ApiOptions {
  double bucket_size = 2000;          // maximumAvailable
  double restore_rate = 100;          // points per second (Standard plan)
  int max_query_cost = 1000;          // a single query's requested cost limit
  double fail_429 = 0, fail_5xx = 0;  // probabilities per request
  std::uint64_t seed = 1;
};

struct ApiAnswer {
  unsigned status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct Subscription {
  std::string id, topic, callback_url;  // topic as the GraphQL enum: ORDERS_CREATE
};

class AdminApi {
 public:
  using SteadyClock = std::chrono::steady_clock;
  AdminApi(const Store& store, ApiOptions options);

  // POST /admin/api/{version}/graphql.json with X-Shopify-Access-Token `token`.
  ApiAnswer graphql(std::string_view token, std::string_view body);

  // The next `count` requests answer `status` (429 or 5xx) before anything else.
  void inject_failures(unsigned status, int count);
  // The next `count` answers of one node by id (order, product, refund) hold the node
  // without its fields, `{}`: a malformed answer. 0 clears what is left.
  void inject_malformed(int count);
  // Subscriptions: every webhook topic of `topics` for every shop, to `callback_url`.
  void subscribe_all(const std::string& callback_url, const std::vector<std::string>& topics);
  // Where a shop's webhooks of a REST topic ("orders/create") go, if subscribed.
  std::optional<std::string> callback_for(std::size_t shop, std::string_view rest_topic);
  // Shopify deletes a subscription after repeated delivery failures.
  void delete_subscription(std::size_t shop, std::string_view rest_topic);
  std::string stats_json();

 private:
  struct ShopState {
    double available = 0;
    SteadyClock::time_point last;
    int throttled_streak = 0;
    std::vector<Subscription> subscriptions;
  };
  struct Stats {
    std::uint64_t requests = 0, ok = 0, throttled = 0, max_throttled_streak = 0, injected_429 = 0,
                  injected_5xx = 0, cost_used = 0, duplicate_pages = 0, subscriptions_created = 0,
                  subscriptions_deleted = 0, injected_malformed = 0, max_cost_exceeded = 0,
                  bad_requests = 0;
    std::map<std::string, std::uint64_t> pages, items;
  };

  std::string answer_data(std::size_t shop, const struct Operation& op, std::string& error);

  const Store& store_;
  ApiOptions options_;
  std::mutex mu_;
  std::vector<ShopState> shops_;
  std::deque<unsigned> injected_;
  int malformed_ = 0;  // inject_malformed
  std::mt19937_64 rng_;
  std::set<std::string> pages_seen_;
  std::uint64_t next_subscription_ = 1;
  Stats stats_;
};

// "ORDERS_CREATE" for "orders/create", and back.
std::string topic_enum(std::string_view rest_topic);
std::string rest_topic(std::string_view topic_enum);

}  // namespace shopstream::sim
