#include "consumers/apply.hpp"

#include "common/log.hpp"
#include "projections/writer.hpp"

namespace shopstream::consumers {
namespace {

using projections::Event;

// One event at a time under savepoints, so that only the events that cannot be applied
// are set aside.
void apply_one_by_one(pqxx::work& tx, const std::vector<Event>& events,
                      projections::Outcomes& outcomes, std::vector<projections::Deadletter>& dead) {
  for (const auto& e : events) {
    std::vector<Event> one{e};
    auto plan = projections::plan_batch(one);
    if (!plan.deadletters.empty()) continue;  // already set aside by the batch's plan
    // Plain savepoints: libpqxx 6's subtransaction left the transaction aborted here.
    tx.exec("SAVEPOINT shopstream_event");
    try {
      projections::Outcomes one_outcome;
      projections::apply_plan(tx, plan, one_outcome);
      tx.exec("RELEASE SAVEPOINT shopstream_event");
      for (const auto& [k, n] : one_outcome.counts) outcomes.counts[k] += n;
    } catch (const pqxx::sql_error& err) {
      // Back to the savepoint, so the events after this one still apply.
      tx.exec("ROLLBACK TO SAVEPOINT shopstream_event");
      if (retryable_sql_state(err.sqlstate())) throw;
      dead.push_back({&e, std::string("postgres: ") + err.what()});
      outcomes.add(e.shopify_topic(), "deadlettered");
    }
  }
}

}  // namespace

bool retryable_sql_state(const std::string& state) {
  return state == "40001" || state == "40P01" || state.rfind("08", 0) == 0 ||
         state.rfind("53", 0) == 0 || state.rfind("57", 0) == 0;
}

bool apply_events(pqxx::connection& db, const std::vector<Event>& events,
                  const projections::Plan& plan, projections::Outcomes& outcomes,
                  const SetAside& set_aside, const InTransaction& in_transaction) {
  outcomes = plan.outcomes;
  try {
    pqxx::work tx(db);
    projections::apply_plan(tx, plan, outcomes);
    in_transaction(tx);
    tx.commit();
    return true;
  } catch (const pqxx::sql_error& err) {
    if (retryable_sql_state(err.sqlstate())) throw;
    log::warn("batch failed; applying its events one by one", {{"error", err.what()}});
  }
  pqxx::work tx(db);
  std::vector<projections::Deadletter> dead;
  // Every event the plan kept or superseded is applied again on its own, and counted
  // there: of the plan's counts only what it set aside or ignored stands.
  outcomes = {};
  for (const auto& [k, n] : plan.outcomes.counts)
    if (k.second == "deadlettered" || k.second == "ignored") outcomes.counts[k] = n;
  apply_one_by_one(tx, events, outcomes, dead);
  if (!dead.empty() && !set_aside(dead)) return false;
  in_transaction(tx);
  tx.commit();
  return true;
}

}  // namespace shopstream::consumers
