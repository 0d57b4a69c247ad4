#pragma once
// Applying a batch of events to the read models in Postgres: the one way the projector
// and `shopstream replay` write them.
#include <functional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "projections/plan.hpp"

namespace shopstream::consumers {

// SQLSTATEs worth retrying: serialisation failures, deadlocks, connection and resource
// classes.
bool retryable_sql_state(const std::string& state);

using SetAside = std::function<bool(const std::vector<projections::Deadletter>&)>;
using InTransaction = std::function<void(pqxx::transaction_base&)>;

// Applies `plan` (made from `events`; its own deadletters are the caller's) in one
// transaction, running `in_transaction` in it before the commit. If Postgres refuses the
// batch for a reason retrying cannot fix, applies it again one event at a time under
// savepoints, and hands the events Postgres refuses to `set_aside` before the commit:
// false from it abandons the transaction, and so does this function. Adds what happened
// to `outcomes` (starting from the plan's). Throws the pqxx errors retrying can fix.
bool apply_events(pqxx::connection& db, const std::vector<projections::Event>& events,
                  const projections::Plan& plan, projections::Outcomes& outcomes,
                  const SetAside& set_aside, const InTransaction& in_transaction);

}  // namespace shopstream::consumers
