#include "projections/plan.hpp"

#include <doctest/doctest.h>

using namespace shopstream::projections;

namespace {
Event ev(const std::string& topic, const std::string& body,
         const std::string& when = "2026-11-20T15:00:00Z", std::int64_t offset = 0) {
  Event e;
  e.kafka_topic = "shopify.x";
  e.offset = offset;
  e.value = body;
  e.headers = {{"x-shopify-topic", topic},
               {"x-shopify-shop-domain", "demo.myshopify.com"},
               {"x-shopify-triggered-at", when}};
  return e;
}
std::string order(int id, const char* updated_at, const char* total) {
  return std::string(R"({"id":)") + std::to_string(id) + R"(,"total_price":")" + total +
         R"(","updated_at":")" + updated_at + R"("})";
}
}  // namespace

TEST_CASE("the newest version of each entity wins within a batch, by instant") {
  std::vector<Event> events = {
      ev("orders/updated", order(1, "2026-11-20T11:00:00-05:00", "20.00")),
      ev("orders/create", order(1, "2026-11-20T10:00:00-05:00", "10.00")),
      // The same instant as the first, at another offset: a duplicate, and the later one is kept.
      ev("orders/paid", order(1, "2026-11-20T17:00:00+01:00", "20.00")),
      ev("orders/create", order(2, "2026-11-20T10:00:00Z", "5.00")),
  };
  auto plan = plan_batch(events);
  REQUIRE(plan.orders.size() == 2);
  const auto& kept = plan.orders.at({"demo.myshopify.com", 1});
  CHECK(kept.value.total_price == "20.00");
  CHECK(kept.source == &events[2]);
  CHECK(plan.outcomes.counts.at({"orders/create", "stale"}) == 1);
  CHECK(plan.outcomes.counts.at({"orders/updated", "duplicate"}) == 1);
  CHECK(plan.outcomes.total("deadlettered") == 0);
}

TEST_CASE("deletes keep the earliest time; bad events are deadlettered with a reason") {
  std::vector<Event> events = {
      ev("orders/delete", R"({"id":4})", "2026-11-20T18:00:00Z"),
      ev("orders/delete", R"({"id":4})", "2026-11-20T17:00:00Z"),
      ev("orders/updated", R"({"id":5,"total_price":"x"})"),
      ev("inventory_levels/update", R"({"inventory_item_id":1,"available":3})"),
      ev("orders/edited", R"({"order_edit":{"order_id":4}})"),
  };
  events.push_back(ev("orders/create", order(6, "2026-11-20T10:00:00Z", "1.00")));
  events.back().headers.pop_back();  // no triggered-at, no received-at: no event time
  auto plan = plan_batch(events);
  CHECK(plan.order_deletes.at({"demo.myshopify.com", 4}) == "2026-11-20T17:00:00Z");
  CHECK(plan.outcomes.counts.at({"orders/delete", "duplicate"}) == 1);
  REQUIRE(plan.deadletters.size() == 2);
  CHECK(plan.deadletters[0].reason.find("total_price is not an amount") != std::string::npos);
  CHECK(plan.deadletters[1].reason.find("x-shopify-triggered-at") != std::string::npos);
  CHECK(plan.outcomes.total("ignored") == 2);
  CHECK(plan.outcomes.total("deadlettered") == 2);
}

TEST_CASE("compliance events are collected per kind") {
  std::vector<Event> events = {
      ev("customers/redact", R"({"customer":{"id":7},"orders_to_redact":[1,2]})"),
      ev("customers/data_request",
         R"({"customer":{"id":7},"orders_requested":[1],"data_request":{"id":9}})"),
      ev("shop/redact", R"({"shop_id":1,"shop_domain":"demo.myshopify.com"})"),
      ev("app/uninstalled", R"({"id":1})", "2026-11-21T00:00:00Z"),
      ev("app/uninstalled", R"({"id":1})", "2026-11-22T00:00:00Z"),
  };
  auto plan = plan_batch(events);
  REQUIRE(plan.customer_redacts.size() == 1);
  CHECK(plan.customer_redacts[0].value.orders_to_redact.size() == 2);
  REQUIRE(plan.data_requests.size() == 1);
  CHECK(plan.shop_redacts.count("demo.myshopify.com") == 1);
  CHECK(plan.uninstalls.at("demo.myshopify.com") == "2026-11-22T00:00:00Z");
  CHECK(plan.shops_seen.at("demo.myshopify.com") == "2026-11-20T15:00:00Z");
}
