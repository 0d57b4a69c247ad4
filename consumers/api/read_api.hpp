#pragma once
// The read API (DESIGN.md "SSE and read API"): KPIs with the previous period, daily
// sales, top products and customers, and an orders CSV, from the Postgres read models.
// Queries run on PgWorkers; the answer comes through `respond`, from a worker thread.
// Callers authorise first: `shop` is the token's shop.
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/http_server.hpp"
#include "common/pg_workers.hpp"
#include "common/url.hpp"

namespace shopstream::consumers::api {

// The routes under /api/shops/{shop}/.
constexpr std::string_view kRoutes[] = {"kpis", "sales/daily", "top-products", "top-customers",
                                        "orders.csv"};
constexpr std::size_t kMaxCsvRows = 100'000;

class ReadApi {
 public:
  ReadApi(std::string database_url, int connections);
  // `resource` is one of kRoutes (anything else: 404).
  void handle(const std::string& shop, const std::string& resource, const Target& target,
              std::function<void(HttpResponse)> respond);

 private:
  PgWorkers workers_;
};

}  // namespace shopstream::consumers::api
