#pragma once
// Turns a batch of events into what the read models need: per table, the newest version
// of each entity in the batch, the deletions and compliance actions, and the events that
// cannot be applied (with the reason). Pure; thread-safe. Applying a plan (writer.hpp) is
// order-independent by construction: newest wins by updated_at, deletions only ever set
// deleted_at, redactions only ever blank data and set redacted_at.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "projections/event.hpp"
#include "projections/payloads.hpp"

namespace shopstream::projections {

using EntityKey = std::pair<std::string, std::int64_t>;  // (shop_domain, id)

template <typename T>
struct Versioned {
  T value;
  std::string event_time;  // for rows without updated_at
  const Event* source = nullptr;
};

struct Deadletter {
  const Event* event;
  std::string reason;
};

// Events by (Shopify topic, outcome): applied, stale, duplicate, deadlettered, ignored.
struct Outcomes {
  std::map<std::pair<std::string, std::string>, std::size_t> counts;
  void add(const std::string& topic, const char* outcome, std::size_t n = 1) {
    counts[{topic, outcome}] += n;
  }
  std::size_t total(const char* outcome) const {
    std::size_t n = 0;
    for (const auto& [k, v] : counts) n += k.second == outcome ? v : 0;
    return n;
  }
};

struct Plan {
  std::map<EntityKey, Versioned<Order>> orders;
  std::map<EntityKey, Versioned<Product>> products;
  std::map<EntityKey, Versioned<Customer>> customers;
  std::map<EntityKey, Versioned<Refund>> refunds;
  std::map<EntityKey, std::string> order_deletes;  // → deleted_at (the delete's time)
  std::map<EntityKey, std::string> product_deletes;
  std::map<EntityKey, std::string> customer_deletes;
  std::vector<Versioned<CustomerRedact>> customer_redacts;
  std::vector<Versioned<DataRequest>> data_requests;
  std::map<std::string, std::string> shop_redacts;  // shop → time
  std::map<std::string, std::string> uninstalls;    // shop → time
  std::map<std::string, std::string> shops_seen;    // shop → earliest event time
  std::vector<Deadletter> deadletters;
  // What planning decided: deadlettered, ignored (routed topics no read model holds,
  // e.g. inventory), and versions superseded within the batch (duplicate: same time;
  // stale: older). The writer adds applied and stale for the rest.
  Outcomes outcomes;
  std::size_t events = 0;
};

// `events` must outlive the plan (it points into them).
Plan plan_batch(const std::vector<Event>& events);

}  // namespace shopstream::projections
