#include "ingress/reconcile/nested.hpp"

#include <memory>
#include <set>

#include "common/json_writer.hpp"
#include "ingress/reconcile/mapping.hpp"
#include "ingress/reconcile/queries.hpp"
#include "ingress/reconcile/throttle.hpp"

namespace shopstream::ingress::reconcile {
namespace {

namespace dom = simdjson::dom;

struct Connection {
  std::string_view document;  // queries.hpp
  std::string_view root;      // the parent's field in the answer: order, refund, product
  std::string_view gid_type;  // Order, Refund, Product
  std::string_view key;       // lineItems, refundLineItems, variants
  double item_cost;
};

constexpr Connection kOrderLineItems{kOrderLineItemsQuery, "order", "Order", "lineItems",
                                     kLineItemCost};
constexpr Connection kRefundLines{kRefundLineItemsQuery, "refund", "Refund", "refundLineItems",
                                  kRefundLineCost};
constexpr Connection kProductVariants{kProductVariantsQuery, "product", "Product", "variants",
                                      kVariantCost};

// A connection with no page after it, holding `edges` (raw {"node": ...} texts).
std::string whole_connection(const std::vector<std::string>& edges) {
  JsonWriter w;
  w.begin_object().key("pageInfo").begin_object().key("hasNextPage").boolean(false);
  w.end_object().key("edges").begin_array();
  for (const auto& e : edges) w.raw(e);
  w.end_array().end_object();
  return w.take();
}

// Appends the edges of `connection` ({pageInfo, edges}) to `edges`; true with `cursor`
// set when it has a next page.
Result<bool> take_page(simdjson::simdjson_result<dom::element> connection,
                       std::vector<std::string>& edges, std::string& cursor,
                       std::string_view what) {
  dom::array page;
  if (connection["edges"].get(page) != simdjson::SUCCESS)
    return fail(std::string(what) + ": the answer has no edges");
  for (auto e : page) edges.push_back(simdjson::minify(e));
  if (!has_next_page(connection)) return false;
  std::string_view next;
  if (connection["pageInfo"]["endCursor"].get(next) != simdjson::SUCCESS || next.empty() ||
      next == cursor)
    return fail(std::string(what) + ": hasNextPage without a new endCursor");
  cursor = std::string(next);
  return true;
}

// Every edge of `parent`'s connection: the list page's, then the rest, page by page.
Result<std::optional<std::vector<std::string>>> all_edges(dom::element parent, const Connection& c,
                                                          const Fetch& fetch, double bucket) {
  std::string_view legacy;
  if (parent["legacyResourceId"].get(legacy) != simdjson::SUCCESS || !numeric_id(legacy))
    return fail(std::string(c.root) + " without a legacyResourceId");
  const std::string gid = "gid://shopify/" + std::string(c.gid_type) + "/" + std::string(legacy);
  const std::string what =
      std::string(c.gid_type) + " " + std::string(legacy) + " " + std::string(c.key);
  std::vector<std::string> edges;
  std::string cursor;
  auto more = take_page(parent[c.key], edges, cursor, what);
  if (!more) return more.error();
  // The parent object 1, the connection 2, and as many items as the limits allow.
  const double fixed = 1 + kConnectionCost;
  const int first = page_size(c.item_cost, fixed, kSingleQueryLimit, bucket);
  simdjson::dom::parser parser;
  for (int pages = 0; more.value(); ++pages) {
    if (pages == kMaxNestedPages)
      return fail(what + ": more than " + std::to_string(kMaxNestedPages) + " pages");
    JsonWriter vars;
    vars.begin_object().key("id").string(gid).key("first").number(first);
    vars.key("after").string(cursor).end_object();
    auto body = fetch(c.document, vars.take(), fixed + first * c.item_cost);
    if (!body) return body.error();
    dom::element data;
    if (parser.parse(body.value())["data"][c.root].get(data) != simdjson::SUCCESS)
      return fail(what + ": the answer has no data." + std::string(c.root));
    if (data.is_null()) return std::optional<std::vector<std::string>>();
    more = take_page(data[c.key], edges, cursor, what);
    if (!more) return more.error();
  }
  return std::optional(std::move(edges));
}

using Parsers = std::vector<std::unique_ptr<dom::parser>>;

// Sends `document` and returns its answer's data.`root` (null: gone at the source),
// parsed by a parser added to `keep`, where it lives on.
Result<dom::element> ask(const Fetch& fetch, std::string_view document, JsonWriter& variables,
                         double estimate, std::string_view root, const std::string& what,
                         Parsers& keep) {
  auto body = fetch(document, variables.take(), estimate);
  if (!body) return body.error();
  dom::element data;
  if (keep.emplace_back(std::make_unique<dom::parser>())
          ->parse(body.value())["data"][root]
          .get(data) != simdjson::SUCCESS)
    return fail(what + ": the answer has no data." + std::string(root));
  return data;
}

// As many refund ids as one query lists.
int refund_ids_first(double bucket) {
  return page_size(1, 1 + kConnectionCost, kSingleQueryLimit, bucket);
}

// The refunds of order `legacy`, ids only, `first` at most; nullopt: the order is gone.
Result<std::optional<dom::array>> list_refund_ids(std::string_view legacy, const Fetch& fetch,
                                                  int first, Parsers& keep) {
  const std::string what = "Order " + std::string(legacy) + " refunds";
  JsonWriter vars;
  vars.begin_object().key("id").string("gid://shopify/Order/" + std::string(legacy));
  vars.key("first").number(first).end_object();
  auto data =
      ask(fetch, kOrderRefundIdsQuery, vars, 1 + kConnectionCost + first, "order", what, keep);
  if (!data) return data.error();
  if (data->is_null()) return std::optional<dom::array>();
  dom::array ids;
  if (data.value()["refunds"].get(ids) != simdjson::SUCCESS)
    return fail(what + ": the answer has no refunds");
  return std::optional(ids);
}

// Appends to `list` each refund of order `legacy` that it lacks, read by its id after
// the ids of all of them: for an order with more refunds than one query reads. `keep`
// holds the documents they live in. true: `list` now holds every refund; false: the order
// has too many to list (250 or more); nullopt: the order is gone.
Result<std::optional<bool>> read_refunds_by_id(std::string_view legacy,
                                               std::vector<dom::element>& list, const Fetch& fetch,
                                               double bucket, Parsers& keep) {
  const std::string what = "Order " + std::string(legacy) + " refunds";
  const int first = refund_ids_first(bucket);
  auto listed = list_refund_ids(legacy, fetch, first, keep);
  if (!listed) return listed.error();
  if (!listed.value()) return std::optional<bool>();
  const dom::array ids = *listed.value();
  if (ids.size() >= static_cast<std::size_t>(first)) return std::optional(false);
  std::set<std::string_view> held;
  for (auto r : list) {
    std::string_view id;
    if (r["legacyResourceId"].get(id) == simdjson::SUCCESS) held.insert(id);
  }
  for (auto r : ids) {
    std::string_view id;
    if (r["legacyResourceId"].get(id) != simdjson::SUCCESS || !numeric_id(id))
      return fail(what + ": a refund without a legacyResourceId");
    if (held.count(id)) continue;
    JsonWriter one;
    one.begin_object().key("id").string("gid://shopify/Refund/" + std::string(id)).end_object();
    auto refund = ask(fetch, kRefundQuery, one, 1 + kRefundCost, "refund", what, keep);
    if (!refund) return refund.error();
    if (refund->is_null()) return std::optional<bool>();  // its order deleted meanwhile
    list.push_back(refund.value());
  }
  return std::optional(true);
}

}  // namespace

std::string with_fields(dom::object object,
                        const std::map<std::string, std::string, std::less<>>& replace) {
  JsonWriter w;
  w.begin_object();
  for (auto field : object) {
    w.key(field.key);
    auto it = replace.find(field.key);
    w.raw(it != replace.end() ? it->second : simdjson::minify(field.value));
  }
  w.end_object();
  return w.take();
}

Result<std::optional<std::string>> read_rest_of_order(dom::element node, const Fetch& fetch,
                                                      double bucket) {
  dom::object order;
  if (node.get(order) != simdjson::SUCCESS) return fail("an order node is not an object");
  std::map<std::string, std::string, std::less<>> replace;
  if (has_next_page(node["lineItems"])) {
    auto edges = all_edges(node, kOrderLineItems, fetch, bucket);
    if (!edges) return edges.error();
    if (!edges.value()) return std::optional<std::string>();
    replace["lineItems"] = whole_connection(*edges.value());
  }
  dom::array refunds;
  if (node["refunds"].get(refunds) != simdjson::SUCCESS)
    return std::optional(with_fields(order, replace));
  // As many refunds as the page asks for: there may be more. Read them again, as many as
  // one query allows; fewer than that are all of them. Past that, by their ids.
  std::vector<dom::element> list(refunds.begin(), refunds.end());
  Parsers keep;  // the refunds read again live in these
  bool all_refunds = list.size() < static_cast<std::size_t>(kRefundsFirst);
  if (!all_refunds) {
    std::string_view legacy;
    if (node["legacyResourceId"].get(legacy) != simdjson::SUCCESS)
      return fail("order without a legacyResourceId");
    const std::string what = "Order " + std::string(legacy) + " refunds";
    const int first = page_size(kRefundCost, 1 + kConnectionCost, kSingleQueryLimit, bucket);
    JsonWriter vars;
    vars.begin_object().key("id").string("gid://shopify/Order/" + std::string(legacy));
    vars.key("first").number(first).end_object();
    auto data = ask(fetch, kOrderRefundsQuery, vars, 1 + kConnectionCost + first * kRefundCost,
                    "order", what, keep);
    if (!data) return data.error();
    if (data->is_null()) return std::optional<std::string>();
    if (data.value()["refunds"].get(refunds) != simdjson::SUCCESS)
      return fail(what + ": the answer has no refunds");
    list.assign(refunds.begin(), refunds.end());
    all_refunds = list.size() < static_cast<std::size_t>(first);
    if (!all_refunds) {
      auto rest = read_refunds_by_id(legacy, list, fetch, bucket, keep);
      if (!rest) return rest.error();
      if (!rest.value()) return std::optional<std::string>();
      all_refunds = *rest.value();
    }
  }
  // Each refund whole: its lines read on when its page had more.
  std::vector<std::string> whole;
  bool changed = all_refunds && list.size() >= static_cast<std::size_t>(kRefundsFirst);
  for (auto r : list) {
    dom::object refund;
    if (!has_next_page(r["refundLineItems"]) || r.get(refund) != simdjson::SUCCESS) {
      whole.push_back(simdjson::minify(r));
      continue;
    }
    auto edges = all_edges(r, kRefundLines, fetch, bucket);
    if (!edges) return edges.error();
    if (!edges.value()) return std::optional<std::string>();
    whole.push_back(with_fields(refund, {{"refundLineItems", whole_connection(*edges.value())}}));
    changed = true;
  }
  if (changed) {
    // All of them: a connection without a next page (mapping.cpp reads a plain list as
    // long as a page asks for as possibly cut). Else the list as the page had it.
    if (all_refunds) {
      std::vector<std::string> edges;
      for (const auto& r : whole) edges.push_back("{\"node\":" + r + "}");
      replace["refunds"] = whole_connection(edges);
    } else {
      JsonWriter plain;
      plain.begin_array();
      for (const auto& r : whole) plain.raw(r);
      replace["refunds"] = plain.end_array().take();
    }
  }
  return std::optional(with_fields(order, replace));
}

Result<RefundIds> read_refund_ids(dom::element order, const Fetch& fetch, double bucket) {
  std::string_view legacy;
  if (order["legacyResourceId"].get(legacy) != simdjson::SUCCESS || !numeric_id(legacy))
    return fail("order without a legacyResourceId");
  Parsers keep;
  const int first = refund_ids_first(bucket);
  auto listed = list_refund_ids(legacy, fetch, first, keep);
  if (!listed) return listed.error();
  RefundIds out;
  if (!listed.value()) {
    out.gone = true;
    return out;
  }
  out.complete = listed.value()->size() < static_cast<std::size_t>(first);
  for (auto r : *listed.value()) {
    std::string_view id;
    auto n = r["legacyResourceId"].get(id) == simdjson::SUCCESS ? numeric_id(id) : std::nullopt;
    if (!n) return fail("Order " + std::string(legacy) + " refunds: a refund without an id");
    out.ids.push_back(*n);
  }
  return out;
}

Result<std::optional<std::string>> read_rest_of_product(dom::element node, const Fetch& fetch,
                                                        double bucket) {
  dom::object product;
  if (node.get(product) != simdjson::SUCCESS) return fail("a product node is not an object");
  if (!has_next_page(node["variants"])) return std::optional(simdjson::minify(node));
  auto edges = all_edges(node, kProductVariants, fetch, bucket);
  if (!edges) return edges.error();
  if (!edges.value()) return std::optional<std::string>();
  return std::optional(with_fields(product, {{"variants", whole_connection(*edges.value())}}));
}

}  // namespace shopstream::ingress::reconcile
