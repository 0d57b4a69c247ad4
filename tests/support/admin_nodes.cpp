#include "tests/support/admin_nodes.hpp"

#include <doctest/doctest.h>

namespace shopstream::test {

std::vector<simdjson::dom::element> AdminNodes::nodes(std::string_view document,
                                                      const std::string& connection) {
  std::string escaped;
  for (char c : document) {
    if (c == '"' || c == '\\') escaped += '\\';
    if (c == '\n') {
      escaped += "\\n";
      continue;
    }
    escaped += c;
  }
  auto answer =
      api.graphql("shpat_sim_1", "{\"query\":\"" + escaped + "\",\"variables\":{\"first\":250}}");
  REQUIRE(answer.status == 200);
  bodies_.push_back(answer.body);
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
