#pragma once
// One reconcile pass for one shop: for customers, products and orders, page through what
// changed since the watermark (minus the overlap), map each node to the webhook shape,
// compare with the read models and publish only what they lack or hold older; after
// each page's records are durable, advance the watermark. Entities it cannot publish are
// skipped, listed in Postgres and read again by id by the next passes until they are. With
// `full`, compare everything and publish deletes for rows whose entity no longer exists at
// the source.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "ingress/reconcile/admin_client.hpp"
#include "ingress/reconcile/publisher.hpp"
#include "ingress/reconcile/read_models.hpp"

namespace shopstream::ingress::reconcile {

struct PassOptions {
  bool full = false;
  std::optional<std::int64_t> since;  // overrides the watermark
  std::chrono::seconds overlap{300};
  const std::atomic<bool>* stop = nullptr;
  // Called after every page (for a progress line).
  std::function<void(std::string_view entity, std::uint64_t fetched, std::uint64_t published)>
      progress;
};

struct EntityTally {
  std::uint64_t fetched = 0, missing = 0, stale = 0, deleted = 0, published = 0, pages = 0,
                skipped = 0;
  std::uint64_t read_whole = 0;  // nodes a page cut short, their nested lists read on (nested.hpp)
  std::uint64_t retried = 0;     // skipped by an earlier pass, read again by id
};

struct PassSummary {
  bool ok = true;
  std::string error;
  std::map<std::string, EntityTally> entities;  // customers, products, orders, refunds
  CallStats api;
  double seconds = 0;
};

PassSummary run_pass(const std::string& shop, AdminClient& api, ReadModels& db,
                     Publisher& publisher, const PassOptions& options);

// One line of JSON fields for the log.
std::string summary_json(const PassSummary& s);

}  // namespace shopstream::ingress::reconcile
