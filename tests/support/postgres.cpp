#include "tests/support/postgres.hpp"

#include <cstdlib>
#include <pqxx/pqxx>
#include <stdexcept>

#include "tests/support/kafka.hpp"
#include "tests/support/process.hpp"

namespace shopstream::test {

std::string postgres_url() {
  const char* dir = std::getenv("SHOPSTREAM_TEST_PG_DIR");
  if (!dir)
    throw std::runtime_error("SHOPSTREAM_TEST_PG_DIR is not set (ctest's postgres fixture)");
  auto url = read_file(std::string(dir) + "/url");
  while (!url.empty() && (url.back() == '\n' || url.back() == ' ')) url.pop_back();
  if (url.empty()) throw std::runtime_error("no Postgres URL in " + std::string(dir));
  return url;
}

std::string fresh_database() {
  auto base = postgres_url();
  auto prefix = unique_prefix();  // "t0123abcd." → a database name without the dot
  std::string name = "db_" + prefix.substr(1, prefix.size() - 2);
  pqxx::connection c(base);
  pqxx::nontransaction tx(c);
  tx.exec("CREATE DATABASE " + c.quote_name(name));
  return base.substr(0, base.rfind('/') + 1) + name;
}

}  // namespace shopstream::test
