#pragma once
// `shopstream reconcile`: wiring only.
#include <functional>
#include <memory>
#include <string_view>
#include <thread>
#include <vector>

#include "common/config.hpp"
#include "common/result.hpp"

namespace shopstream::ingress::reconcile {

// Passes over the configured shops. `create` checks the configuration and connects;
// run() loops (daemon) or passes once; stop() ends the loop after the current page, from
// any thread. Used by `reconcile` and, when a shop is configured, by `all`.
class Reconciler {
 public:
  // `need_kafka`: false for the subscription keeper alone (Admin API only).
  static Result<std::unique_ptr<Reconciler>> create(const Settings& settings, bool need_kafka);
  ~Reconciler();
  int run(bool once);  // 0, or 1 when a pass failed
  void run_in_background();
  int keep_subscriptions_once();
  void stop();
  // stop() for a thread that may outlive the reconciler: it holds no part of it.
  std::function<void()> stopper() const;

 private:
  Reconciler() = default;
  struct Parts;
  std::unique_ptr<Parts> parts_;
  std::thread thread_;
};

// Whether the settings name a shop to reconcile (SHOPIFY_SHOP_DOMAIN or a shops file).
bool reconcile_configured(const Settings& settings);

int run_reconcile(const Settings& settings);
const std::vector<std::string_view>& reconcile_option_names();

}  // namespace shopstream::ingress::reconcile
