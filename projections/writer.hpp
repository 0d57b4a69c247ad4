#pragma once
// Applies a Plan to the read models inside the caller's transaction, a few set-based
// statements per table (arrays through unnest), so a batch of thousands of events costs
// a handful of round trips. Throws pqxx exceptions (the caller sorts them into retryable
// and not); on success the counts say what happened.
#include <pqxx/pqxx>

#include "projections/plan.hpp"

namespace shopstream::projections {

struct ApplyCounts {
  std::size_t applied = 0;  // entity versions written
  std::size_t stale = 0;    // older than what the read model already holds
};

ApplyCounts apply_plan(pqxx::transaction_base& tx, const Plan& plan);

// A Postgres array literal ("{...}") of the given elements; nullopt elements are NULL.
std::string pg_array(const std::vector<std::optional<std::string>>& items);

}  // namespace shopstream::projections
