#pragma once
// Delivers the store's history as signed webhooks to each subscription's callback URL,
// the way Shopify does: at a configurable rate, with configurable probabilities of
// dropped, duplicated (same webhook id), reordered and delayed deliveries, retrying
// non-2xx answers and timeouts with exponential back-off, and deleting a subscription
// whose delivery failed every retry. Thread-safe.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <queue>
#include <string>
#include <thread>
#include <vector>

#include "tools/simulator/admin_api.hpp"
#include "tools/simulator/store.hpp"

namespace shopstream::sim {

struct DeliveryOptions {
  double rate = 500;  // deliveries per second, all workers together
  double drop = 0, duplicate = 0, reorder = 0, delay = 0;
  int concurrency = 4;
  int max_retries = 8;
  std::chrono::milliseconds retry_base{1000};  // Shopify's back-off, scaled down for tests
  std::chrono::milliseconds timeout{5000};     // Shopify gives up after 5 s
  std::string secret;
  std::string api_version = "2026-10";
  std::uint64_t seed = 1;
};

// Which webhooks go out, in which order: drops removed, duplicates added, neighbours
// swapped, delayed ones moved to the end. Pure; deterministic for a seed.
struct Plan {
  std::vector<std::size_t> order;  // indices into Store::history
  std::uint64_t dropped = 0, duplicated = 0, reordered = 0, delayed = 0;
};
Plan plan_deliveries(std::size_t count, const DeliveryOptions& options);

class Deliverer {
 public:
  Deliverer(const Store& store, AdminApi& api, DeliveryOptions options);
  ~Deliverer();
  void start();
  bool done() const { return remaining_.load() == 0; }
  std::string stats_json() const;

 private:
  struct Job {
    std::chrono::steady_clock::time_point not_before;
    std::size_t webhook;
    int attempt;
    bool operator>(const Job& o) const { return not_before > o.not_before; }
  };
  void work();

  const Store& store_;
  AdminApi& api_;
  DeliveryOptions options_;
  Plan plan_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::priority_queue<Job, std::vector<Job>, std::greater<Job>> jobs_;
  std::chrono::steady_clock::time_point next_send_;
  std::atomic<std::uint64_t> remaining_{0}, delivered_{0}, failed_attempts_{0}, gave_up_{0},
      unsubscribed_{0};
  std::atomic<bool> stop_{false};
  std::vector<std::thread> workers_;
};

}  // namespace shopstream::sim
