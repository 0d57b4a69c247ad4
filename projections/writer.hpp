#pragma once
// Applies a Plan to the read models inside the caller's transaction, a few set-based
// statements per table (arrays through unnest), so a batch of thousands of events costs
// a handful of round trips. Throws pqxx exceptions (the caller sorts them into retryable
// and not); on success `outcomes` says what happened to each event.
#include <pqxx/pqxx>

#include <optional>
#include <string>
#include <string_view>

#include "projections/plan.hpp"

namespace shopstream::projections {

// Adds to `outcomes`, by Shopify topic: applied (written) or stale (older than what the
// read model holds; duplicate for a refund already there), one per event the plan kept.
void apply_plan(pqxx::transaction_base& tx, const Plan& plan, Outcomes& outcomes);

// A Postgres array literal ("{...}") built in place: one append per value, no
// intermediate copies (a batch's columns hold tens of thousands of values).
class PgArray {
 public:
  void push_back(std::optional<std::string_view> v);  // nullopt: NULL
  void emplace_back(std::string_view v) { push_back(v); }
  void emplace_back(std::int64_t v);
  bool empty() const { return text_.size() <= 1; }
  std::string str() const { return text_ + "}"; }

 private:
  void sep() {
    if (text_.size() > 1) text_.push_back(',');
  }
  std::string text_ = "{";
};

}  // namespace shopstream::projections
