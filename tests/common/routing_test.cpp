#include "common/routing.hpp"

#include <doctest/doctest.h>

using namespace shopstream::routing;

TEST_CASE("Shopify topics route to the contract's Kafka topics") {
  struct Case {
    const char* topic;
    Stream stream;
  };
  for (auto c : {Case{"orders/create", Stream::kOrders},
                 Case{"orders/updated", Stream::kOrders},
                 Case{"orders/paid", Stream::kOrders},
                 Case{"orders/cancelled", Stream::kOrders},
                 Case{"orders/fulfilled", Stream::kOrders},
                 Case{"orders/partially_fulfilled", Stream::kOrders},
                 Case{"orders/edited", Stream::kOrders},
                 Case{"orders/delete", Stream::kOrders},
                 Case{"refunds/create", Stream::kOrders},
                 Case{"order_transactions/create", Stream::kOrders},
                 Case{"products/create", Stream::kProducts},
                 Case{"products/update", Stream::kProducts},
                 Case{"products/delete", Stream::kProducts},
                 Case{"inventory_levels/update", Stream::kProducts},
                 Case{"inventory_items/create", Stream::kProducts},
                 Case{"customers/create", Stream::kCustomers},
                 Case{"customers/merge", Stream::kCustomers},
                 Case{"customers/data_request", Stream::kCompliance},
                 Case{"customers/redact", Stream::kCompliance},
                 Case{"shop/redact", Stream::kCompliance},
                 Case{"app/uninstalled", Stream::kCompliance}}) {
    CAPTURE(c.topic);
    auto r = route_for(c.topic);
    REQUIRE(r);
    CHECK(r->stream == c.stream);
  }
  CHECK_FALSE(route_for("themes/publish"));
  CHECK_FALSE(route_for("orders"));
  CHECK_FALSE(route_for(""));
}

TEST_CASE("records are keyed by the entity the contract names") {
  using P = std::vector<std::string_view>;
  auto path = [](std::string_view topic) {
    auto p = route_for(topic)->entity_path;
    return P(p.begin(), p.end());
  };
  CHECK(path("orders/create") == P{"id"});
  CHECK(path("refunds/create") == P{"order_id"});
  CHECK(path("order_transactions/create") == P{"order_id"});
  CHECK(path("orders/edited") == P{"order_edit", "order_id"});
  CHECK(path("customers/redact") == P{"customer", "id"});
  CHECK(path("customers/data_request") == P{"customer", "id"});
  CHECK(path("shop/redact").empty());
  CHECK(path("app/uninstalled").empty());
  CHECK(path("inventory_levels/update") == P{"inventory_item_id"});
  CHECK(record_key("a.myshopify.com", "42") == "a.myshopify.com/42");
  CHECK(record_key("a.myshopify.com", "") == "a.myshopify.com");
}

TEST_CASE("topic names carry the prefix") {
  CHECK(topic_name("shopify.", Stream::kOrders) == "shopify.orders");
  CHECK(deadletter_topic("x.") == "x.deadletter");
  CHECK(all_topics("p.").size() == 5);
}
