// Nodes a list page cut short, made whole (ingress/reconcile/nested.hpp): against the
// simulated store's Admin API in-process, every order and product read on to the end of
// its nested lists maps to the same rows as its webhook payload; and the failures an
// answer can bring are errors, not half-read nodes.
#include <doctest/doctest.h>

#include <deque>

#include "ingress/reconcile/mapping.hpp"
#include "ingress/reconcile/nested.hpp"
#include "ingress/reconcile/queries.hpp"
#include "projections/decode.hpp"
#include "tests/support/admin_nodes.hpp"

using namespace shopstream;
using namespace shopstream::ingress::reconcile;
namespace dom = simdjson::dom;

namespace {

struct Call {
  std::string document, variables;
  double estimate = 0;
};

// A Fetch that asks the simulated store, recording every call.
Fetch simulator_fetch(test::AdminNodes& f, std::vector<Call>& calls) {
  return [&](std::string_view document, const std::string& variables,
             double estimate) -> Result<std::string> {
    calls.push_back({std::string(document), variables, estimate});
    unsigned status = 0;
    auto body = f.answer(document, variables, &status);
    if (status != 200) return fail("HTTP " + std::to_string(status) + ": " + body);
    return body;
  };
}

// Maps the text of a node read whole.
Result<Mapped> map_text(const std::string& text,
                        Result<Mapped> (*map)(dom::element, const ShopClock&)) {
  dom::parser p;
  return map(p.parse(text).value(), ShopClock{});
}

// An order read whole maps to the rows of its webhook: every line item, the subtotal,
// and every refund with its amount.
void check_same_as_webhook(const std::string& whole, const sim::Shop& shop,
                           const sim::Order& source) {
  auto mapped = map_text(whole, map_order);
  REQUIRE(mapped);
  CHECK_FALSE(mapped->truncated);
  auto got = projections::decode_order(mapped->payload);
  auto want = projections::decode_order(sim::order_json(shop, source));
  REQUIRE(got);
  REQUIRE(want);
  REQUIRE(got->line_items.size() == want->line_items.size());
  for (std::size_t i = 0; i < got->line_items.size(); ++i)
    CHECK(got->line_items[i].id == want->line_items[i].id);
  CHECK(got->subtotal_price == want->subtotal_price);
  REQUIRE(mapped->refunds.size() == source.refunds.size());
  for (std::size_t i = 0; i < source.refunds.size(); ++i) {
    auto r = projections::decode_refund(mapped->refunds[i].payload);
    auto w = projections::decode_refund(sim::refund_json(shop, source, source.refunds[i]));
    REQUIRE(r);
    REQUIRE(w);
    CHECK(r->id == w->id);
    CHECK(r->amount == w->amount);
  }
}

const sim::StoreSpec kLarge{
    .seed = 9, .products = 40, .customers = 60, .orders = 250, .large_share = 0.4};

}  // namespace

TEST_CASE("orders with more line items, refunds or refund lines than a page holds are read whole") {
  test::AdminNodes f(kLarge);
  const auto& shop = f.store.shops[0];
  std::vector<Call> calls;
  const auto fetch = simulator_fetch(f, calls);
  int cut = 0, beyond_one_more_page = 0, refunds_cut = 0, many_refunds = 0;
  for (auto node : f.nodes(kOrdersQuery, "orders")) {
    auto page = map_order(node, ShopClock{});
    REQUIRE(page);
    const auto& source = shop.orders.at(page->id);
    CAPTURE(page->id);
    const auto before = calls.size();
    auto whole = read_rest_of_order(node, fetch, 0);
    REQUIRE_MESSAGE(whole, whole.error().message);
    REQUIRE(whole.value());
    if (!page->truncated) {
      CHECK(calls.size() == before);  // nothing more to read
      continue;
    }
    ++cut;
    if (source.line_items.size() > kLineItemsFirst + 142) ++beyond_one_more_page;
    for (const auto& r : source.refunds) refunds_cut += r.lines.size() > kRefundLinesFirst;
    many_refunds += source.refunds.size() > kRefundsFirst;
    check_same_as_webhook(*whole.value(), shop, source);
  }
  CHECK(cut > 10);
  CHECK(beyond_one_more_page > 0);  // read on over more than one page
  CHECK(refunds_cut > 0);
  CHECK(many_refunds > 0);
  // Each call is one of the documents for the rest of a connection, by the parent's gid,
  // as many items as fit 1,000 points, priced as requested.
  int refund_lists = 0;
  for (const auto& c : calls) {
    if (c.document == kOrderRefundsQuery) {  // the refunds again, as many as fit
      ++refund_lists;
      CHECK(c.variables.find(R"("first":30)") != std::string::npos);
      CHECK(c.estimate == 3 + 30 * kRefundCost);
      continue;
    }
    const bool lines = c.document == kOrderLineItemsQuery;
    REQUIRE((lines || c.document == kRefundLineItemsQuery));
    dom::parser p;
    auto vars = p.parse(c.variables).value();
    CHECK(std::string_view(vars["id"].get_string().value())
              .starts_with(lines ? "gid://shopify/Order/" : "gid://shopify/Refund/"));
    CHECK(vars["after"].is_string());
    const std::int64_t first = vars["first"].get_int64().value();
    CHECK(first == (lines ? 142 : 250));
    CHECK(c.estimate == 3 + first * (lines ? kLineItemCost : kRefundLineCost));
    CHECK(c.estimate <= kSingleQueryLimit);
  }
  CHECK(refund_lists >= many_refunds);
}

TEST_CASE("orders with more refunds than one query reads again are read whole by refund id") {
  auto spec = kLarge;
  spec.many_refunds = 1;
  test::AdminNodes f(spec);
  const auto& shop = f.store.shops[0];
  std::vector<Call> calls;
  const auto fetch = simulator_fetch(f, calls);
  int many = 0;
  for (auto node : f.nodes(kOrdersQuery, "orders")) {
    auto page = map_order(node, ShopClock{});
    REQUIRE(page);
    const auto& source = shop.orders.at(page->id);
    if (source.refunds.size() < 30) continue;
    CAPTURE(page->id);
    ++many;
    calls.clear();
    auto whole = read_rest_of_order(node, fetch, 0);
    REQUIRE_MESSAGE(whole, whole.error().message);
    REQUIRE(whole.value());
    check_same_as_webhook(*whole.value(), shop, source);
    // The 30 again, every id, then each refund past the 30 by its id.
    std::size_t by_id = 0;
    bool listed = false;
    for (const auto& c : calls) {
      if (c.document == kOrderRefundIdsQuery) {
        listed = true;
        CHECK(c.variables.find(R"("first":250)") != std::string::npos);
        CHECK(c.estimate == 253);
      } else if (c.document == kRefundQuery) {
        ++by_id;
        CHECK(c.variables.find(R"("id":"gid://shopify/Refund/)") != std::string::npos);
        CHECK(c.estimate == 1 + kRefundCost);
      }
    }
    CHECK(listed);
    CHECK(by_id == source.refunds.size() - 30);
    // The ids alone, in one call.
    calls.clear();
    auto ids = read_refund_ids(node, fetch, 0);
    REQUIRE_MESSAGE(ids, ids.error().message);
    CHECK(calls.size() == 1);
    CHECK_FALSE(ids->gone);
    CHECK(ids->complete);
    std::vector<std::int64_t> want;
    for (const auto& r : source.refunds) want.push_back(r.id);
    CHECK(ids->ids == want);
  }
  CHECK(many > 0);
}

TEST_CASE("products with more variants than a page holds are read whole") {
  test::AdminNodes f(kLarge);
  const auto& shop = f.store.shops[0];
  std::vector<Call> calls;
  const auto fetch = simulator_fetch(f, calls);
  int cut = 0, beyond_one_more_page = 0;
  for (auto node : f.nodes(kProductsQuery, "products")) {
    auto page = map_product(node, ShopClock{});
    REQUIRE(page);
    CAPTURE(page->id);
    const auto& source = shop.products.at(page->id);
    // A small bucket makes smaller pages: more of them, the same whole.
    auto whole = read_rest_of_product(node, fetch, 300);
    REQUIRE_MESSAGE(whole, whole.error().message);
    REQUIRE(whole.value());
    auto mapped = map_text(*whole.value(), map_product);
    REQUIRE(mapped);
    CHECK_FALSE(mapped->truncated);
    if (!page->truncated) continue;
    ++cut;
    beyond_one_more_page += source.variants.size() > kVariantsFirst + 148;
    auto got = projections::decode_product(mapped->payload);
    auto want = projections::decode_product(sim::product_json(shop, source));
    REQUIRE(got);
    REQUIRE(want);
    REQUIRE(got->variants.size() == want->variants.size());
    for (std::size_t i = 0; i < got->variants.size(); ++i) {
      CHECK(got->variants[i].id == want->variants[i].id);
      CHECK(got->variants[i].price == want->variants[i].price);
    }
  }
  CHECK(cut > 5);
  CHECK(beyond_one_more_page > 0);
  for (const auto& c : calls) {
    CHECK(c.document == kProductVariantsQuery);
    CHECK(c.estimate <= 300);  // the bucket bounds the page: (300 - 3) / 2 variants
    CHECK(c.variables.find("\"first\":148") != std::string::npos);
  }
}

TEST_CASE("an answer that cannot make a node whole is an error or says the node is gone") {
  dom::parser p;
  auto node =
      p.parse(std::string(R"({"legacyResourceId":"7","name":"#1",)"
                          R"("lineItems":{"pageInfo":{"hasNextPage":true,"endCursor":"c1"},)"
                          R"("edges":[{"node":{"id":"gid://shopify/LineItem/1"}}]}})"))
          .value();
  std::deque<Result<std::string>> answers;
  std::vector<std::string> sent;
  Fetch fetch = [&](std::string_view, const std::string& vars, double) {
    sent.push_back(vars);
    auto a = answers.front();
    answers.pop_front();
    return a;
  };
  auto page = [](std::string next, std::string edges) {
    return std::string(R"({"data":{"order":{"lineItems":{"pageInfo":{"hasNextPage":)") +
           (next.empty() ? "false" : "true,\"endCursor\":\"" + next + "\"") + "},\"edges\":[" +
           edges + "]}}}}";
  };

  SUBCASE("read on page by page, each after the last page's cursor") {
    answers = {page("c2", R"({"node":{"id":"gid://shopify/LineItem/2"}})"),
               page("", R"({"node":{"id":"gid://shopify/LineItem/3"}})")};
    auto whole = read_rest_of_order(node, fetch, 0);
    REQUIRE(whole);
    REQUIRE(whole.value());
    REQUIRE(sent.size() == 2);
    CHECK(sent[0] == R"({"id":"gid://shopify/Order/7","first":142,"after":"c1"})");
    CHECK(sent[1] == R"({"id":"gid://shopify/Order/7","first":142,"after":"c2"})");
    auto text = p.parse(*whole.value()).value();
    CHECK(text["name"].get_string().value() == "#1");  // the other fields as they were
    CHECK_FALSE(has_next_page(text["lineItems"]));
    CHECK(text["lineItems"]["edges"].get_array().size() == 3);
  }
  SUBCASE("a cursor that does not move on") {
    answers = {page("c1", "")};
    auto whole = read_rest_of_order(node, fetch, 0);
    REQUIRE_FALSE(whole);
    CHECK(whole.error().message.find("endCursor") != std::string::npos);
  }
  SUBCASE("the order is gone at the source") {
    answers = {std::string(R"({"data":{"order":null}})")};
    auto whole = read_rest_of_order(node, fetch, 0);
    REQUIRE(whole);
    CHECK_FALSE(whole.value());
  }
  SUBCASE("an answer without the connection") {
    answers = {std::string(R"({"data":{"order":{"id":"x"}}})")};
    CHECK_FALSE(read_rest_of_order(node, fetch, 0));
  }
  SUBCASE("a failed call") {
    answers = {fail("throttled ten times", true)};
    auto whole = read_rest_of_order(node, fetch, 0);
    REQUIRE_FALSE(whole);
    CHECK(whole.error().message == "throttled ten times");
  }
  SUBCASE("a connection that never ends") {
    for (int i = 0; i <= kMaxNestedPages; ++i)
      answers.push_back(page("c" + std::to_string(i + 2), ""));
    auto whole = read_rest_of_order(node, fetch, 0);
    REQUIRE_FALSE(whole);
    CHECK(sent.size() == static_cast<std::size_t>(kMaxNestedPages));
  }
}

TEST_CASE("with_fields replaces only the fields it is given") {
  dom::parser p;
  auto obj = p.parse(std::string(R"({"a": 1, "b": {"c": [1, 2]}, "d": "x\"y"})")).value();
  CHECK(with_fields(obj.get_object().value(), {{"b", "[]"}}) == R"({"a":1,"b":[],"d":"x\"y"})");
  CHECK(with_fields(obj.get_object().value(), {}) == R"({"a":1,"b":{"c":[1,2]},"d":"x\"y"})");
}
