#pragma once
// The Postgres of this test run: started by ctest's `postgres` fixture with
// tools/postgres/pg.sh in SHOPSTREAM_TEST_PG_DIR. Each test takes a fresh database.
#include <string>

namespace shopstream::test {

// The URL of the run's server (its default database).
std::string postgres_url();
// Creates an empty database with a unique name; returns its URL.
std::string fresh_database();

}  // namespace shopstream::test
