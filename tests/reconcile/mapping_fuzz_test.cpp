// Fuzzing Admin API answers (outside input: a new API version, a proxy, a bug upstream):
// a node the reconciler maps is one the projector then accepts, with the same id, so a
// reconciled record is never a poison record; any other node is an Error naming a field.
#include <doctest/doctest.h>

#include "ingress/reconcile/mapping.hpp"
#include "ingress/reconcile/queries.hpp"
#include "projections/decode.hpp"
#include "tests/support/admin_nodes.hpp"
#include "tests/support/fuzz.hpp"

using namespace shopstream;
using namespace shopstream::ingress::reconcile;

TEST_CASE("fuzz: a mapped Admin API node always decodes as its webhook would") {
  test::AdminNodes admin;
  std::vector<std::string> corpus;
  for (auto [query, connection] :
       {std::pair{kOrdersQuery, "orders"}, std::pair{kProductsQuery, "products"},
        std::pair{kCustomersQuery, "customers"}}) {
    auto nodes = admin.nodes(query, connection);
    REQUIRE(nodes.size() >= 3);
    for (std::size_t i = 0; i < 3; ++i) corpus.push_back(simdjson::minify(nodes[i]));
  }
  const ShopClock clock{std::nullopt, -300};
  simdjson::dom::parser parser;
  int mapped = 0;
  test::fuzz(corpus, test::kJsonTokens, [&](const std::string& text, std::size_t run) {
    CAPTURE(run);
    simdjson::dom::element node;
    if (parser.parse(text).get(node) != simdjson::SUCCESS) return;  // not JSON: not a node
    if (auto m = map_order(node, clock)) {
      ++mapped;
      auto order = projections::decode_order(m->payload);
      REQUIRE_MESSAGE(order, m->payload);
      CHECK(order->id == m->id);
      for (const auto& r : m->refunds) {
        auto refund = projections::decode_refund(r.payload);
        REQUIRE_MESSAGE(refund, r.payload);
        CHECK(refund->id == r.id);
      }
    } else {
      CHECK(!m.error().message.empty());
    }
    if (auto m = map_product(node, clock)) {
      ++mapped;
      auto product = projections::decode_product(m->payload);
      REQUIRE_MESSAGE(product, m->payload);
      CHECK(product->id == m->id);
    }
    if (auto m = map_customer(node, clock)) {
      ++mapped;
      auto customer = projections::decode_customer(m->payload);
      REQUIRE_MESSAGE(customer, m->payload);
      CHECK(customer->id == m->id);
    }
  });
  CHECK(mapped > static_cast<int>(corpus.size()));  // mutants were mapped, not only refused
}
