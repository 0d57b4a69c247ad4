#pragma once
// Admin API GraphQL nodes as the reconciler receives them: a simulated store answers the
// reconciler's own query documents, and the nodes of one connection are kept parsed.
#include <simdjson.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tools/simulator/admin_api.hpp"

namespace shopstream::test {

struct AdminNodes {
  AdminNodes() = default;
  explicit AdminNodes(const sim::StoreSpec& spec) : store(sim::generate(spec)) {}

  sim::Store store = sim::generate({.seed = 5, .products = 40, .customers = 80, .orders = 300});
  sim::AdminApi api{store,
                    {.bucket_size = 1e9, .restore_rate = 1e9, .max_query_cost = 1'000'000'000}};

  // Every node of `connection` (first page of 250) through the query `document`. Fails
  // the test if the answer has no such connection. The nodes live as long as *this.
  std::vector<simdjson::dom::element> nodes(std::string_view document,
                                            const std::string& connection);

  // The simulator's answer to `document` with `variables_json`, as shop 1; its HTTP status
  // in `status`.
  std::string answer(std::string_view document, const std::string& variables_json,
                     unsigned* status = nullptr);

 private:
  std::vector<std::string> bodies_;
  std::vector<std::unique_ptr<simdjson::dom::parser>> parsers_;
};

}  // namespace shopstream::test
