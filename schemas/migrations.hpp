#pragma once
// The schema's versioned migrations (schemas/migrations/NNNN_name.sql, embedded at build
// time) and the runner that applies them. Thread-safe.
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace shopstream::schemas {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

// Every migration, by ascending version.
const std::vector<Migration>& migrations();

struct MigrateReport {
  std::vector<int> applied;  // versions applied by this call
  int current = 0;           // the schema's version afterwards
};

// Applies the missing migrations in one transaction, under an advisory lock, so that
// concurrent callers serialise and the later ones find nothing to do. Errors name the
// migration and Postgres's message (never the connection string).
Result<MigrateReport> migrate(const std::string& database_url);

// migrate(), logged: the schema's version and what was applied, or the error. False on
// an error (or an empty URL). What every command that needs the schema calls.
bool ensure_schema(const std::string& database_url);

}  // namespace shopstream::schemas
