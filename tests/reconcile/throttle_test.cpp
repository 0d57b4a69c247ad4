#include <doctest/doctest.h>

#include "ingress/reconcile/queries.hpp"
#include "ingress/reconcile/throttle.hpp"
#include "tools/simulator/graphql.hpp"

using namespace shopstream::ingress::reconcile;
using Clock = Pacer::Clock;

TEST_CASE("the pacer waits exactly long enough for the bucket to refill") {
  Pacer p;
  const auto t0 = Clock::now();
  CHECK(p.wait_for(500, t0) == Clock::duration::zero());  // nothing known: go
  p.observe({.maximum = 1000, .available = 100, .restore = 100}, t0);
  // 500 needed (+5% of a second's restore as margin), 100 there: 4.05 s.
  auto w = std::chrono::duration<double>(p.wait_for(500, t0)).count();
  CHECK(w == doctest::Approx(4.05).epsilon(0.001));
  // Two seconds later, half of that has refilled.
  w = std::chrono::duration<double>(p.wait_for(500, t0 + std::chrono::seconds(2))).count();
  CHECK(w == doctest::Approx(2.05).epsilon(0.001));
  CHECK(p.wait_for(50, t0) == Clock::duration::zero());
  // Never waits for more than the bucket can hold.
  w = std::chrono::duration<double>(p.wait_for(5000, t0)).count();
  CHECK(w == doctest::Approx(9.0).epsilon(0.001));
}

TEST_CASE("page sizes fit the single-query limit and the bucket") {
  CHECK(page_size(330, 2, 1000, 2000) == 3);
  CHECK(page_size(330, 2, 1000, 400) == 1);  // never less than one
  CHECK(page_size(1, 2, 1000, 2000) == 250);
  CHECK(page_size(103, 2, 1000, 2000) == 9);
}

TEST_CASE("back-off doubles to a minute and honours Retry-After") {
  CHECK(backoff(0, std::nullopt) == std::chrono::seconds(1));
  CHECK(backoff(3, std::nullopt) == std::chrono::seconds(8));
  CHECK(backoff(20, std::nullopt) == std::chrono::seconds(60));
  CHECK(backoff(0, 7.0) == std::chrono::seconds(7));
  CHECK(backoff(2, 1.0) == std::chrono::seconds(4));
}

TEST_CASE("extensions.cost is read from an answer") {
  auto c =
      parse_cost(R"({"data":{},"extensions":{"cost":{"requestedQueryCost":752,"actualQueryCost":93,
    "throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":1907,"restoreRate":100.0}}}})");
  REQUIRE(c);
  CHECK(c->requested == 752);
  CHECK(c->actual == 93);
  REQUIRE(c->status);
  CHECK(c->status->maximum == 2000);
  CHECK(c->status->available == 1907);
  CHECK(c->status->restore == 100);
  auto throttled =
      parse_cost(R"({"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED"}}],
    "extensions":{"cost":{"requestedQueryCost":752,"actualQueryCost":null,
    "throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":12,"restoreRate":100.0}}}})");
  REQUIRE(throttled);
  CHECK_FALSE(throttled->actual);
  CHECK_FALSE(parse_cost("not json"));
}

TEST_CASE("the simulator prices the reconciler's queries the way Shopify's cost model does") {
  simdjson::dom::parser p;
  auto vars = p.parse(std::string(R"({"first":3})")).value();
  auto op = shopstream::sim::parse_operation(kOrdersQuery, vars);
  REQUIRE(op);
  // Per order: itself 1, four MoneyBags 2 each, customer 1; shippingLines 2 + 3 × 3;
  // lineItems 2 + 20 × 7; refunds 2 + 5 × (1 + 2 + 10 × 3).
  const int per_order = 1 + 8 + 1 + (2 + 3 * 3) + (2 + 20 * 7) + (2 + 5 * 33);
  CHECK(shopstream::sim::requested_cost(op.value()) == 2 + 3 * per_order);
  CHECK(per_order == kOrderNodeCost);  // what the reconciler assumes before an answer
  auto products = shopstream::sim::parse_operation(kProductsQuery, vars);
  REQUIRE(products);
  CHECK(shopstream::sim::requested_cost(products.value()) == 2 + 3 * kProductNodeCost);
  // A nested connection read on past a list page (nested.cpp): the parent 1, the
  // connection 2, and as many items as fit one query's 1,000 points, each priced as the
  // reconciler assumes.
  const std::pair<std::string_view, double> nested[] = {{kOrderLineItemsQuery, kLineItemCost},
                                                        {kRefundLineItemsQuery, kRefundLineCost},
                                                        {kProductVariantsQuery, kVariantCost}};
  for (const auto& [document, item_cost] : nested) {
    CAPTURE(document);
    const int first = page_size(item_cost, 1 + kConnectionCost, kSingleQueryLimit, 0);
    auto op = shopstream::sim::parse_operation(
        document, p.parse(R"({"id":"gid://shopify/Order/1","after":"x","first":)" +
                          std::to_string(first) + "}")
                      .value());
    REQUIRE(op);
    CHECK(shopstream::sim::requested_cost(op.value()) == 1 + kConnectionCost + first * item_cost);
    CHECK(shopstream::sim::requested_cost(op.value()) <= kSingleQueryLimit);
    // As large as it may be: one item more would not fit (or Shopify's 250 caps it).
    CHECK((first == 250 || 1 + kConnectionCost + (first + 1) * item_cost > kSingleQueryLimit));
  }
  auto cust = shopstream::sim::parse_operation(kCustomersQuery,
                                               p.parse(std::string(R"({"first":250})")).value());
  REQUIRE(cust);
  CHECK(shopstream::sim::requested_cost(cust.value()) == 2 + 250 * kCustomerNodeCost);
  auto data = p.parse(std::string(R"({"orders":{"pageInfo":{"hasNextPage":false},"edges":[
    {"node":{"legacyResourceId":"1","totalPriceSet":{"shopMoney":{"amount":"1.00"}},
             "lineItems":{"edges":[{"node":{"id":"x"}},{"node":{"id":"y"}}]},"refunds":[]}}]}})"))
                  .value();
  // orders 2 + node (1 + money 2 + lineItems (2 + 1 + 1) + refunds list 2).
  CHECK(shopstream::sim::actual_cost(data, false) == 2 + 1 + 2 + 4 + 2);
  CHECK_FALSE(shopstream::sim::parse_operation("{ orders(first: {a: 1}) { id } }", vars));
}
