#include <pqxx/pqxx>

#include <set>

#include "common/log.hpp"
#include "schemas/migrations.hpp"

namespace shopstream::schemas {
namespace {

// Any fixed 64-bit number; all shopstream processes agree on it.
constexpr long long kMigrateLock = 0x73686f7073747231;  // "shopstr1"

constexpr const char* kCreateBookkeeping = R"sql(
  CREATE SCHEMA IF NOT EXISTS shopstream;
  CREATE TABLE IF NOT EXISTS shopstream.schema_migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  );
)sql";

}  // namespace

Result<MigrateReport> migrate(const std::string& database_url) {
  std::string step = "connecting";
  try {
    pqxx::connection conn(database_url);
    pqxx::work tx(conn);
    step = "taking the migration lock";
    tx.exec_params("SELECT pg_advisory_xact_lock($1)", kMigrateLock);
    step = "creating shopstream.schema_migrations";
    tx.exec(kCreateBookkeeping);
    std::set<int> done;
    for (auto row : tx.exec("SELECT version FROM shopstream.schema_migrations"))
      done.insert(row[0].as<int>());
    MigrateReport report;
    for (const auto& m : migrations()) {
      if (done.count(m.version)) continue;
      step = "applying " + std::string(m.name);
      tx.exec(std::string(m.sql));
      tx.exec_params("INSERT INTO shopstream.schema_migrations (version, name) VALUES ($1, $2)",
                     m.version, std::string(m.name));
      report.applied.push_back(m.version);
    }
    step = "committing";
    tx.commit();
    report.current = migrations().empty() ? 0 : migrations().back().version;
    if (!done.empty()) report.current = std::max(report.current, *done.rbegin());
    return report;
  } catch (const std::exception& e) {
    std::string msg = e.what();
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    return fail("migrate: " + step + ": " + msg, dynamic_cast<const pqxx::broken_connection*>(&e));
  }
}

bool ensure_schema(const std::string& database_url) {
  if (database_url.empty()) {
    log::error("start-up failed", {{"error", "SHOPSTREAM_DATABASE_URL is required"}});
    return false;
  }
  auto report = migrate(database_url);
  if (!report) {
    log::error("migration failed", {{"error", report.error().message}});
    return false;
  }
  std::string applied;
  for (int v : report->applied) applied += (applied.empty() ? "" : ",") + std::to_string(v);
  log::info("schema up to date", {{"version", report->current}, {"applied", applied}});
  return true;
}

}  // namespace shopstream::schemas
