// `shopstream migrate` against a real Postgres: versioned, safe twice and concurrently.
#include <doctest/doctest.h>

#include <pqxx/pqxx>
#include <thread>

#include "schemas/migrations.hpp"
#include "tests/support/postgres.hpp"

using namespace shopstream;

TEST_CASE("migrations apply once, in order, and are safe to run again and concurrently") {
  auto url = test::fresh_database();
  const auto& all = schemas::migrations();
  REQUIRE_FALSE(all.empty());
  for (std::size_t i = 1; i < all.size(); ++i) CHECK(all[i - 1].version < all[i].version);

  // Four at once: they serialise on the advisory lock; exactly one applies each version.
  std::vector<Result<schemas::MigrateReport>> reports(4, fail("not run"));
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) threads.emplace_back([&, i] { reports[i] = schemas::migrate(url); });
  for (auto& t : threads) t.join();
  std::size_t applied = 0;
  for (auto& r : reports) {
    REQUIRE_MESSAGE(r.ok(), r.error().message);
    applied += r->applied.size();
    CHECK(r->current == all.back().version);
  }
  CHECK(applied == all.size());

  auto again = schemas::migrate(url);
  REQUIRE(again.ok());
  CHECK(again->applied.empty());

  pqxx::connection c(url);
  pqxx::nontransaction tx(c);
  CHECK(tx.exec1("SELECT count(*) FROM shopstream.schema_migrations")[0].as<int>() ==
        static_cast<int>(all.size()));
  for (const char* table : {"orders", "order_line_items", "products", "product_variants",
                            "customers", "refunds", "shops", "consumer_offsets"}) {
    CAPTURE(table);
    CHECK(tx.exec1("SELECT to_regclass('shopstream." + std::string(table) + "') IS NOT NULL")[0]
              .as<bool>());
  }
}

TEST_CASE("an unreachable database is a clear, retryable error") {
  auto r = schemas::migrate("postgresql://shopstream@127.0.0.1:1/none?connect_timeout=2");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.rfind("migrate: connecting:", 0) == 0);
  CHECK(r.error().retryable);
}
