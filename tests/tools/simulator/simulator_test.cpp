// The simulated store itself: deterministic, faults in the proportions asked for, and an
// Admin API that paginates, filters and rate-limits the way Shopify documents.
#include <doctest/doctest.h>
#include <simdjson.h>

#include <set>

#include "tools/simulator/admin_api.hpp"
#include "tools/simulator/delivery.hpp"

using namespace shopstream::sim;

namespace {

std::string request(std::string_view query, std::string_view variables) {
  return "{\"query\":\"" + std::string(query) + "\",\"variables\":" + std::string(variables) + "}";
}

}  // namespace

TEST_CASE("a seed gives one store, and another seed another") {
  StoreSpec spec{.seed = 9, .products = 10, .customers = 30, .orders = 100};
  CHECK(dump_json(generate(spec)) == dump_json(generate(spec)));
  auto other = spec;
  other.seed = 10;
  CHECK(dump_json(generate(spec)) != dump_json(generate(other)));
  auto store = generate(spec);
  CHECK(store.history.size() > 140);  // creates and the changes that followed
  std::set<std::string> ids;
  for (const auto& w : store.history) ids.insert(w.webhook_id);
  CHECK(ids.size() == store.history.size());
}

TEST_CASE("several shops: each its own offset, token and customers") {
  auto store = generate({.seed = 2, .shops = 3, .products = 5, .customers = 20, .orders = 40});
  REQUIRE(store.shops.size() == 3);
  std::set<int> offsets;
  std::set<std::string> tokens;
  for (const auto& shop : store.shops) {
    offsets.insert(shop.utc_offset_minutes);
    tokens.insert(shop.access_token);
    for (const auto& [_, o] : shop.orders)
      if (o.customer_id) CHECK(shop.customers.count(o.customer_id) == 1);
  }
  CHECK(offsets.size() == 3);
  CHECK(tokens.size() == 3);
}

TEST_CASE("deliveries are dropped, duplicated, reordered and delayed in the proportions asked") {
  DeliveryOptions o;
  o.drop = 0.2, o.duplicate = 0.05, o.reorder = 0.05, o.delay = 0.05, o.seed = 3;
  auto plan = plan_deliveries(10'000, o);
  CHECK(plan.dropped == doctest::Approx(2000).epsilon(0.1));
  CHECK(plan.duplicated == doctest::Approx(400).epsilon(0.2));
  CHECK(plan.delayed == doctest::Approx(400).epsilon(0.2));
  CHECK(plan.reordered > 200);
  CHECK(plan.order.size() == 10'000 - plan.dropped + plan.duplicated);
  std::set<std::size_t> distinct(plan.order.begin(), plan.order.end());
  CHECK(distinct.size() == 10'000 - plan.dropped);
}

TEST_CASE("the Admin API paginates every live entity once and filters by updated_at") {
  auto store = generate({.seed = 4, .products = 5, .customers = 57, .orders = 10});
  AdminApi api(store, {.bucket_size = 1e6, .restore_rate = 1e6});
  const std::string q =
      "query($first: Int!, $after: String, $query: String) { customers(first: $first, "
      "after: $after, query: $query, sortKey: UPDATED_AT) { pageInfo { hasNextPage "
      "endCursor } edges { node { legacyResourceId updatedAt } } } }";
  std::set<std::string> seen;
  std::string after = "null";
  int pages = 0;
  simdjson::dom::parser p;
  for (;;) {
    auto a = api.graphql("shpat_sim_1", request(q, "{\"first\":10,\"after\":" + after + "}"));
    REQUIRE(a.status == 200);
    auto doc = p.parse(a.body).value();
    for (auto e : doc["data"]["customers"]["edges"].get_array())
      CHECK(seen.insert(std::string(e["node"]["legacyResourceId"].get_string().value())).second);
    ++pages;
    if (!doc["data"]["customers"]["pageInfo"]["hasNextPage"].get_bool().value()) break;
    after = "\"" +
            std::string(doc["data"]["customers"]["pageInfo"]["endCursor"].get_string().value()) +
            "\"";
  }
  std::size_t live = 0;
  for (const auto& [_, c] : store.shops[0].customers) live += c.deleted_at == 0;
  CHECK(seen.size() == live);
  CHECK(pages == static_cast<int>((live + 9) / 10));
  // A filter far in the future matches nothing.
  auto none = api.graphql(
      "shpat_sim_1", request(q, R"({"first":10,"query":"updated_at:>='2030-01-01T00:00:00Z'"})"));
  CHECK(none.body.find("\"edges\":[]") != std::string::npos);
  CHECK(api.graphql("wrong-token", request(q, R"({"first":1})")).status == 401);
}

TEST_CASE("the bucket throttles, refuses oversized queries and injects failures") {
  auto store = generate({.seed = 4, .products = 5, .customers = 20, .orders = 10});
  AdminApi api(store, {.bucket_size = 100, .restore_rate = 1, .max_query_cost = 1000});
  const std::string q =
      "query($first: Int!) { customers(first: $first) { edges { node { legacyResourceId } } } }";
  auto ok = api.graphql("shpat_sim_1", request(q, R"({"first":50})"));  // requests 52, costs 22
  CHECK(ok.body.find("\"actualQueryCost\":22") != std::string::npos);
  auto throttled = api.graphql("shpat_sim_1", request(q, R"({"first":90})"));  // 92 > 78 left
  CHECK(throttled.status == 200);
  CHECK(throttled.body.find("THROTTLED") != std::string::npos);
  CHECK(throttled.body.find("\"currentlyAvailable\":78") != std::string::npos);
  auto big =
      api.graphql("shpat_sim_1", request("query { orders(first: 250) { edges { node { "
                                         "lineItems(first: 250) { edges { node { id } } } } } } }",
                                         "{}"));
  CHECK(big.body.find("MAX_COST_EXCEEDED") != std::string::npos);
  api.inject_failures(429, 1);
  api.inject_failures(503, 1);
  CHECK(api.graphql("shpat_sim_1", request(q, R"({"first":1})")).status == 429);
  CHECK(api.graphql("shpat_sim_1", request(q, R"({"first":1})")).status == 503);
  CHECK(api.graphql("shpat_sim_1", request(q, R"({"first":1})")).status == 200);
  // A nested page of more than 250 is refused as a list's is.
  AdminApi roomy(store, {.bucket_size = 1e6, .restore_rate = 1e6, .max_query_cost = 1'000'000});
  auto nested = roomy.graphql("shpat_sim_1", request("query($id: ID!) { order(id: $id) { "
                                                     "lineItems(first: 251) { edges { node { id } "
                                                     "} } } }",
                                                     R"({"id":"gid://shopify/Order/1"})"));
  CHECK_MESSAGE(nested.body.find("first must be between 1 and 250") != std::string::npos,
                nested.body);
  // `first` is a whole number or refused: "10abc" once read as 10.
  auto trailing = roomy.graphql("shpat_sim_1", request(q, R"({"first":"10abc"})"));
  CHECK_MESSAGE(trailing.body.find("first must be between 1 and 250") != std::string::npos,
                trailing.body);
  CHECK(roomy.graphql("shpat_sim_1", request(q, R"({"first":"10"})")).body.find("edges") !=
        std::string::npos);
}
