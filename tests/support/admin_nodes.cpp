#include "tests/support/admin_nodes.hpp"

#include <doctest/doctest.h>

#include "common/json_writer.hpp"

namespace shopstream::test {

std::string AdminNodes::answer(std::string_view document, const std::string& variables_json,
                               unsigned* status) {
  JsonWriter request;
  request.begin_object().key("query").string(document).key("variables").raw(variables_json);
  auto a = api.graphql("shpat_sim_1", request.end_object().take());
  if (status) *status = a.status;
  return a.body;
}

std::vector<simdjson::dom::element> AdminNodes::nodes(std::string_view document,
                                                      const std::string& connection) {
  unsigned status = 0;
  bodies_.push_back(answer(document, R"({"first":250})", &status));
  REQUIRE(status == 200);
  simdjson::dom::element root = parsers_.emplace_back(std::make_unique<simdjson::dom::parser>())
                                    ->parse(bodies_.back())
                                    .value();
  simdjson::dom::array edges;
  REQUIRE_MESSAGE(root["data"][connection]["edges"].get(edges) == simdjson::SUCCESS,
                  bodies_.back().substr(0, 300));
  std::vector<simdjson::dom::element> out;
  for (auto e : edges) out.push_back(e["node"].value());
  return out;
}

}  // namespace shopstream::test
