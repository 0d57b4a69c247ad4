#include "ingress/reconcile/mapping.hpp"

#include <charconv>
#include <stdexcept>

#include "common/json_writer.hpp"
#include "common/time.hpp"
#include "ingress/reconcile/queries.hpp"
#include "projections/decode.hpp"

namespace shopstream::ingress::reconcile {
namespace {

namespace dom = simdjson::dom;

struct MapError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// A string field; empty when absent or null.
std::string text(dom::element node, std::string_view key) {
  std::string_view s;
  if (node.is_object() && node.get_object().at_key(key).get(s) == simdjson::SUCCESS)
    return std::string(s);
  return {};
}

std::int64_t id_of(dom::element node, std::string_view key) {
  dom::element v;
  if (!node.is_object() || node.get_object().at_key(key).get(v) != simdjson::SUCCESS)
    throw MapError(std::string(key) + " is missing");
  std::string_view s;
  std::int64_t i;
  if (v.get(s) == simdjson::SUCCESS) {
    if (auto n = numeric_id(s)) return *n;
  } else if (v.get(i) == simdjson::SUCCESS && i > 0) {
    return i;
  }
  throw MapError(std::string(key) + " is not an id");
}

std::optional<std::int64_t> opt_legacy_id(dom::element node, std::string_view key) {
  dom::element v;
  if (!node.is_object() || node.get_object().at_key(key).get(v) != simdjson::SUCCESS || v.is_null())
    return std::nullopt;
  return id_of(v, "legacyResourceId");
}

std::int64_t integer(dom::element node, std::string_view key) {
  std::int64_t i;
  if (node.is_object() && node.get_object().at_key(key).get(i) == simdjson::SUCCESS) return i;
  return 0;
}

bool boolean(dom::element node, std::string_view key) {
  bool b;
  return node.is_object() && node.get_object().at_key(key).get(b) == simdjson::SUCCESS && b;
}

// A Money scalar ("12.34"), checked as the projector will: a value it would refuse makes
// the node an Error here, not a record the projector deadletters. Empty stays empty.
std::string checked_money(std::string s, std::string_view key) {
  if (!s.empty() && !projections::is_decimal(s))
    throw MapError(std::string(key) + " is not an amount");
  return s;
}

// MoneyBag → its shopMoney.amount ("12.34"); empty when absent.
std::string amount(dom::element node, std::string_view key) {
  std::string_view s;
  if (node.is_object() && node[key]["shopMoney"]["amount"].get(s) == simdjson::SUCCESS)
    return checked_money(std::string(s), key);
  return {};
}

// A UTC DateTime as REST writes it, at the shop's offset; empty when absent or null.
std::string local_time(dom::element node, std::string_view key, const ShopClock& clock) {
  auto t = text(node, key);
  if (t.empty()) return {};
  auto epoch = time::parse_rfc3339(t);
  if (!epoch) throw MapError(std::string(key) + " is not an RFC 3339 time");
  return time::format_at_offset(*epoch, clock.offset_at(*epoch));
}

// The nodes of a connection ({edges:[{node}]}) or the items of a list.
std::vector<dom::element> items(dom::element node, std::string_view key) {
  std::vector<dom::element> out;
  dom::element v;
  if (!node.is_object() || node.get_object().at_key(key).get(v) != simdjson::SUCCESS) return out;
  dom::array arr;
  if (v.get(arr) == simdjson::SUCCESS) {
    for (auto e : arr) out.push_back(e);
    return out;
  }
  if (v["edges"].get(arr) == simdjson::SUCCESS)
    for (auto e : arr) {
      dom::element n;
      if (e["node"].get(n) == simdjson::SUCCESS) out.push_back(n);
    }
  return out;
}

void updated(Mapped& m, dom::element node) {
  m.updated_at_text = text(node, "updatedAt");
  auto t = time::parse_rfc3339(m.updated_at_text);
  if (!t) throw MapError("updatedAt is missing or not an RFC 3339 time");
  m.updated_at = *t;
}

std::string fulfillment_status(std::string_view display) {
  if (display.empty() || display == "UNFULFILLED") return {};
  if (display == "PARTIALLY_FULFILLED") return "partial";
  return lower(display);
}

template <typename F>
Result<Mapped> guarded(F&& f) {
  try {
    return f();
  } catch (const MapError& e) {
    return fail(e.what());
  }
}

}  // namespace

bool has_next_page(simdjson::simdjson_result<dom::element> connection) {
  bool b;
  return connection["pageInfo"]["hasNextPage"].get(b) == simdjson::SUCCESS && b;
}

std::optional<std::int64_t> numeric_id(std::string_view id) {
  auto slash = id.rfind('/');
  if (slash != std::string_view::npos) id.remove_prefix(slash + 1);
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(id.data(), id.data() + id.size(), v);
  if (id.empty() || ec != std::errc() || p != id.data() + id.size() || v <= 0) return std::nullopt;
  return v;
}

Result<Mapped> map_order(dom::element node, const ShopClock& clock) {
  return guarded([&] {
    Mapped m;
    m.id = id_of(node, "legacyResourceId");
    updated(m, node);
    JsonWriter w;
    w.begin_object().key("id").number(m.id);
    w.key("admin_graphql_api_id").string("gid://shopify/Order/" + std::to_string(m.id));
    w.key("name").string(text(node, "name")).key("email").string_or_null(text(node, "email"));
    w.key("created_at").string_or_null(local_time(node, "createdAt", clock));
    w.key("updated_at").string(local_time(node, "updatedAt", clock));
    w.key("processed_at").string_or_null(local_time(node, "processedAt", clock));
    w.key("cancelled_at").string_or_null(local_time(node, "cancelledAt", clock));
    w.key("currency").string_or_null(text(node, "currencyCode"));
    w.key("financial_status").string_or_null(lower(text(node, "displayFinancialStatus")));
    w.key("fulfillment_status")
        .string_or_null(fulfillment_status(text(node, "displayFulfillmentStatus")));
    w.key("test").boolean(boolean(node, "test"));
    w.key("subtotal_price").string_or_null(amount(node, "subtotalPriceSet"));
    w.key("total_price").string_or_null(amount(node, "totalPriceSet"));
    w.key("total_tax").string_or_null(amount(node, "totalTaxSet"));
    w.key("total_discounts").string_or_null(amount(node, "totalDiscountsSet"));
    w.key("customer");
    if (auto c = opt_legacy_id(node, "customer"))
      w.begin_object().key("id").number(*c).end_object();
    else
      w.null();
    w.key("line_items").begin_array();
    for (auto li : items(node, "lineItems")) {
      w.begin_object().key("id").number(id_of(li, "id"));
      w.key("product_id").number_or_null(opt_legacy_id(li, "product"));
      w.key("variant_id").number_or_null(opt_legacy_id(li, "variant"));
      w.key("title").string(text(li, "title")).key("sku").string_or_null(text(li, "sku"));
      w.key("quantity").number(integer(li, "quantity"));
      w.key("price").string_or_null(amount(li, "originalUnitPriceSet"));
      w.key("total_discount").string_or_null(amount(li, "totalDiscountSet"));
      w.end_object();
    }
    w.end_array().key("shipping_lines").begin_array();
    for (auto sl : items(node, "shippingLines"))
      w.begin_object()
          .key("title")
          .string(text(sl, "title"))
          .key("price")
          .string_or_null(amount(sl, "originalPriceSet"))
          .end_object();
    w.end_array().end_object();
    m.payload = w.take();
    m.truncated = has_next_page(node["lineItems"]);
    // As a list page reads them, a list as long as it asks for may be cut; read whole
    // (nested.cpp), a connection that says whether it is.
    auto refunds = items(node, "refunds");
    if (node["refunds"].is_array() ? refunds.size() >= static_cast<std::size_t>(kRefundsFirst)
                                   : has_next_page(node["refunds"]))
      m.truncated = true;
    for (auto r : refunds) {
      if (has_next_page(r["refundLineItems"])) m.truncated = true;  // its amount would be short
      MappedRefund mr;
      mr.id = id_of(r, "legacyResourceId");
      JsonWriter rw;
      rw.begin_object().key("id").number(mr.id).key("order_id").number(m.id);
      rw.key("created_at").string_or_null(local_time(r, "createdAt", clock));
      rw.key("refund_line_items").begin_array();
      for (auto rli : items(r, "refundLineItems"))
        rw.begin_object()
            .key("quantity")
            .number(integer(rli, "quantity"))
            .key("subtotal")
            .string_or_null(amount(rli, "subtotalSet"))
            .end_object();
      rw.end_array().end_object();
      mr.payload = rw.take();
      m.refunds.push_back(std::move(mr));
    }
    return m;
  });
}

Result<Mapped> map_product(dom::element node, const ShopClock& clock) {
  return guarded([&] {
    Mapped m;
    m.id = id_of(node, "legacyResourceId");
    updated(m, node);
    JsonWriter w;
    w.begin_object().key("id").number(m.id);
    w.key("admin_graphql_api_id").string("gid://shopify/Product/" + std::to_string(m.id));
    w.key("title").string(text(node, "title")).key("handle").string(text(node, "handle"));
    w.key("vendor")
        .string(text(node, "vendor"))
        .key("product_type")
        .string(text(node, "productType"));
    w.key("status").string(lower(text(node, "status")));
    w.key("created_at").string_or_null(local_time(node, "createdAt", clock));
    w.key("updated_at").string(local_time(node, "updatedAt", clock));
    w.key("variants").begin_array();
    for (auto v : items(node, "variants")) {
      w.begin_object()
          .key("id")
          .number(id_of(v, "legacyResourceId"))
          .key("product_id")
          .number(m.id);
      w.key("title").string(text(v, "title")).key("sku").string_or_null(text(v, "sku"));
      w.key("price").string_or_null(checked_money(text(v, "price"), "price"));
      dom::element q;
      w.key("inventory_quantity");
      if (v["inventoryQuantity"].get(q) == simdjson::SUCCESS && !q.is_null())
        w.number(integer(v, "inventoryQuantity"));
      else
        w.null();
      w.key("inventory_item_id").number_or_null(opt_legacy_id(v, "inventoryItem"));
      w.key("updated_at").string_or_null(local_time(v, "updatedAt", clock));
      w.end_object();
    }
    w.end_array().end_object();
    m.payload = w.take();
    m.truncated = has_next_page(node["variants"]);
    return m;
  });
}

Result<Mapped> map_customer(dom::element node, const ShopClock& clock) {
  return guarded([&] {
    Mapped m;
    m.id = id_of(node, "legacyResourceId");
    updated(m, node);
    JsonWriter w;
    w.begin_object().key("id").number(m.id);
    w.key("admin_graphql_api_id").string("gid://shopify/Customer/" + std::to_string(m.id));
    w.key("email").string_or_null(text(node, "email"));
    w.key("first_name").string_or_null(text(node, "firstName"));
    w.key("last_name").string_or_null(text(node, "lastName"));
    w.key("phone").string_or_null(text(node, "phone"));
    w.key("state").string(lower(text(node, "state")));
    w.key("created_at").string_or_null(local_time(node, "createdAt", clock));
    w.key("updated_at").string(local_time(node, "updatedAt", clock));
    w.end_object();
    m.payload = w.take();
    return m;
  });
}

}  // namespace shopstream::ingress::reconcile
