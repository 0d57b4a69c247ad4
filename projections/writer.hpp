#pragma once
// Applies a Plan to the read models inside the caller's transaction, a few set-based
// statements per table (arrays through unnest), so a batch of thousands of events costs
// a handful of round trips. Throws pqxx exceptions (the caller sorts them into retryable
// and not); on success the counts say what happened.
#include <pqxx/pqxx>

#include <optional>
#include <string>
#include <string_view>

#include "projections/plan.hpp"

namespace shopstream::projections {

struct ApplyCounts {
  std::size_t applied = 0;  // entity versions written
  std::size_t stale = 0;    // older than what the read model already holds
};

ApplyCounts apply_plan(pqxx::transaction_base& tx, const Plan& plan);

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
