#include "tools/simulator/admin_api.hpp"

#include <charconv>

#include <algorithm>
#include <cctype>
#include <functional>

#include "common/crypto.hpp"
#include "common/json_writer.hpp"
#include "common/time.hpp"
#include "tools/simulator/graphql.hpp"

namespace shopstream::sim {
namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string gid(std::string_view type, std::int64_t id) {
  return "gid://shopify/" + std::string(type) + "/" + std::to_string(id);
}

// A MoneyBag as the reconciler selects it: shopMoney { amount }.
void money_set(JsonWriter& w, std::string_view key, Cents c) {
  w.key(key).begin_object().key("shopMoney").begin_object().key("amount").string(money(c));
  w.end_object().end_object();
}

// The `first` of a connection nested in a node selection, or `fallback`.
int nested_first(const Field* node, std::string_view name, int fallback) {
  const Field* f = node ? node->child(name) : nullptr;
  if (!f) return 0;
  return f->first().value_or(fallback);
}

const Field* node_of(const Field& connection) {
  if (const Field* e = connection.child("edges")) return e->child("node");
  return connection.child("nodes");
}

struct Cursor {
  Epoch updated_at = 0;
  std::int64_t id = 0;
  bool operator<(const Cursor& o) const {
    return updated_at != o.updated_at ? updated_at < o.updated_at : id < o.id;
  }
};

std::string encode_cursor(Cursor c) {
  return base64url_encode(std::to_string(c.updated_at) + ":" + std::to_string(c.id));
}

std::optional<Cursor> decode_cursor(std::string_view text) {
  auto raw = base64url_decode(text);
  if (!raw) return std::nullopt;
  auto colon = raw->find(':');
  if (colon == std::string::npos) return std::nullopt;
  try {
    return Cursor{std::stoll(raw->substr(0, colon)), std::stoll(raw->substr(colon + 1))};
  } catch (...) {
    return std::nullopt;
  }
}

// `updated_at:>=X` or `updated_at:>X` (X optionally quoted). nullopt: no filter.
std::optional<std::pair<Epoch, bool>> updated_since(std::string_view query, std::string& error) {
  auto pos = query.find("updated_at:>");
  if (pos == std::string_view::npos) {
    if (!query.empty()) error = "unsupported search query: " + std::string(query);
    return std::nullopt;
  }
  auto rest = query.substr(pos + 12);
  bool inclusive = !rest.empty() && rest.front() == '=';
  if (inclusive) rest.remove_prefix(1);
  if (!rest.empty() && (rest.front() == '\'' || rest.front() == '"')) {
    char q = rest.front();
    rest.remove_prefix(1);
    rest = rest.substr(0, rest.find(q));
  } else {
    rest = rest.substr(0, rest.find(' '));
  }
  auto t = time::parse_rfc3339(rest);
  if (!t) {
    error = "updated_at filter is not an RFC 3339 time: " + std::string(rest);
    return std::nullopt;
  }
  return std::make_pair(*t, inclusive);
}

// `id:N` (one entity, in Shopify's search syntax), or nullopt.
std::optional<std::int64_t> id_filter(std::string_view query) {
  if (query.rfind("id:", 0) != 0) return std::nullopt;
  std::int64_t id = 0;
  auto digits = query.substr(3);
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (ec != std::errc() || p != digits.data() + digits.size()) return std::nullopt;
  return id;
}

// The items [begin, end) of a nested connection of `total` items that the selection's
// `name` field asks for (`first`, and `after`: the cursor of an earlier page's last item),
// and whether more follow. Nested cursors are item positions.
struct Slice {
  std::size_t begin = 0, end = 0;
  bool more = false;
};

Slice nested_slice(const Field* sel, std::string_view name, std::size_t total) {
  const Field* f = sel ? sel->child(name) : nullptr;
  Slice s;
  if (f && f->args.count("after") && !f->args.at("after").empty()) {
    auto c = decode_cursor(f->args.at("after"));
    s.begin = c && c->id >= 0 ? static_cast<std::size_t>(c->id) + 1 : total;
  }
  s.begin = std::min(s.begin, total);
  s.end = std::min(total, s.begin + static_cast<std::size_t>(nested_first(sel, name, 0)));
  s.more = s.end < total;
  return s;
}

// The pageInfo of a nested connection's slice, with what the selection asks of it.
void nested_page_info(JsonWriter& w, const Field* sel, std::string_view name, const Slice& s) {
  const Field* f = sel ? sel->child(name) : nullptr;
  const Field* info = f ? f->child("pageInfo") : nullptr;
  if (!info) return;
  w.key("pageInfo").begin_object();
  if (info->child("hasNextPage")) w.key("hasNextPage").boolean(s.more);
  if (info->child("endCursor"))
    w.key("endCursor")
        .string_or_null(s.end > s.begin ? encode_cursor({0, static_cast<std::int64_t>(s.end) - 1})
                                        : "");
  w.end_object();
}

// The nested connection `name` of the selection `sel` over `all`: its slice's pageInfo
// and edges, each node's fields written by `node(w, item)`.
template <typename T, typename Node>
void write_nested(JsonWriter& w, const Field* sel, std::string_view name, const std::vector<T>& all,
                  Node node) {
  const auto slice = nested_slice(sel, name, all.size());
  w.key(name).begin_object();
  nested_page_info(w, sel, name, slice);
  w.key("edges").begin_array();
  for (std::size_t i = slice.begin; i < slice.end; ++i) {
    w.begin_object().key("node").begin_object();
    node(w, all[i]);
    w.end_object().end_object();
  }
  w.end_array().end_object();
}

// One page of `items` (live entities) for a connection field: filter, sort, paginate.
template <typename T>
std::vector<const T*> page_of(const std::map<std::int64_t, T>& all, const Field& f, bool& more,
                              std::string& end_cursor, std::string& error) {
  std::string q = f.args.count("query") ? f.args.at("query") : "";
  const auto only = id_filter(q);
  std::optional<std::pair<Epoch, bool>> since;
  if (!only) since = updated_since(q, error);
  if (!error.empty()) return {};
  bool by_updated = f.args.count("sortKey") && f.args.at("sortKey") == "UPDATED_AT";
  const int first = f.first().value_or(0);
  if (first < 1 || first > 250) {
    error = "first must be between 1 and 250";
    return {};
  }
  std::optional<Cursor> after;
  if (f.args.count("after") && !f.args.at("after").empty()) {
    after = decode_cursor(f.args.at("after"));
    if (!after) {
      error = "invalid cursor";
      return {};
    }
  }
  std::vector<std::pair<Cursor, const T*>> rows;
  for (const auto& [id, e] : all) {
    if (e.deleted_at) continue;
    if (only && id != *only) continue;
    if (since && (since->second ? e.updated_at < since->first : e.updated_at <= since->first))
      continue;
    Cursor c{by_updated ? e.updated_at : 0, id};
    if (after && !(*after < c)) continue;
    rows.emplace_back(c, &e);
  }
  std::sort(rows.begin(), rows.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  more = rows.size() > static_cast<std::size_t>(first);
  if (more) rows.resize(first);
  std::vector<const T*> out;
  for (const auto& [c, e] : rows) out.push_back(e);
  end_cursor = rows.empty() ? "" : encode_cursor(rows.back().first);
  return out;
}

void write_refund(JsonWriter& w, const Field* sel, const Refund& r) {
  auto want = [&](std::string_view n) { return sel && sel->child(n); };
  w.begin_object();
  if (want("legacyResourceId")) w.key("legacyResourceId").string(std::to_string(r.id));
  if (want("createdAt")) w.key("createdAt").string(utc_time(r.created_at));
  if (want("refundLineItems"))
    write_nested(w, sel, "refundLineItems", r.lines, [](JsonWriter& w, const RefundLine& l) {
      w.key("quantity").number(l.quantity);
      money_set(w, "subtotalSet", l.subtotal);
    });
  w.end_object();
}

void write_order(JsonWriter& w, const Field* sel, const Order& o) {
  auto want = [&](std::string_view n) { return sel && sel->child(n); };
  w.begin_object();
  if (want("id")) w.key("id").string(gid("Order", o.id));
  if (want("legacyResourceId")) w.key("legacyResourceId").string(std::to_string(o.id));
  if (want("name")) w.key("name").string("#" + std::to_string(o.number));
  if (want("email")) w.key("email").string_or_null(o.email);
  if (want("createdAt")) w.key("createdAt").string(utc_time(o.created_at));
  if (want("updatedAt")) w.key("updatedAt").string(utc_time(o.updated_at));
  if (want("processedAt")) w.key("processedAt").string(utc_time(o.created_at));
  if (want("cancelledAt"))
    w.key("cancelledAt").string_or_null(o.cancelled_at ? utc_time(o.cancelled_at) : "");
  if (want("currencyCode")) w.key("currencyCode").string(o.currency);
  if (want("test")) w.key("test").boolean(o.test);
  if (want("displayFinancialStatus"))
    w.key("displayFinancialStatus").string(upper(o.financial_status));
  if (want("displayFulfillmentStatus"))
    w.key("displayFulfillmentStatus")
        .string(o.fulfillment_status.empty() ? "UNFULFILLED" : upper(o.fulfillment_status));
  if (want("customer")) {
    w.key("customer");
    if (o.customer_id)
      w.begin_object().key("legacyResourceId").string(std::to_string(o.customer_id)).end_object();
    else
      w.null();
  }
  if (want("subtotalPriceSet")) money_set(w, "subtotalPriceSet", o.subtotal());
  if (want("totalPriceSet")) money_set(w, "totalPriceSet", o.total());
  if (want("totalTaxSet")) money_set(w, "totalTaxSet", o.tax);
  if (want("totalDiscountsSet")) money_set(w, "totalDiscountsSet", o.discounts());
  if (want("shippingLines")) {
    w.key("shippingLines").begin_object().key("edges").begin_array();
    if (o.shipping && nested_first(sel, "shippingLines", 0) > 0) {
      w.begin_object().key("node").begin_object().key("title").string("Standard");
      money_set(w, "originalPriceSet", o.shipping);
      w.end_object().end_object();
    }
    w.end_array().end_object();
  }
  if (want("lineItems"))
    write_nested(w, sel, "lineItems", o.line_items, [](JsonWriter& w, const LineItem& li) {
      w.key("id").string(gid("LineItem", li.id));
      w.key("title").string(li.title).key("sku").string(li.sku).key("quantity").number(li.quantity);
      money_set(w, "originalUnitPriceSet", li.price);
      money_set(w, "totalDiscountSet", li.discount);
      w.key("product")
          .begin_object()
          .key("legacyResourceId")
          .string(std::to_string(li.product_id))
          .end_object();
      w.key("variant")
          .begin_object()
          .key("legacyResourceId")
          .string(std::to_string(li.variant_id))
          .end_object();
    });
  if (want("refunds")) {
    auto n = static_cast<std::size_t>(nested_first(sel, "refunds", 0));
    w.key("refunds").begin_array();
    for (std::size_t i = 0; i < o.refunds.size() && i < n; ++i)
      write_refund(w, sel->child("refunds"), o.refunds[i]);
    w.end_array();
  }
  w.end_object();
}

void write_product(JsonWriter& w, const Field* sel, const Product& p) {
  auto want = [&](std::string_view n) { return sel && sel->child(n); };
  w.begin_object();
  if (want("id")) w.key("id").string(gid("Product", p.id));
  if (want("legacyResourceId")) w.key("legacyResourceId").string(std::to_string(p.id));
  if (want("title")) w.key("title").string(p.title);
  if (want("handle")) w.key("handle").string(p.handle);
  if (want("vendor")) w.key("vendor").string(p.vendor);
  if (want("productType")) w.key("productType").string(p.product_type);
  if (want("status")) w.key("status").string(upper(p.status));
  if (want("createdAt")) w.key("createdAt").string(utc_time(p.created_at));
  if (want("updatedAt")) w.key("updatedAt").string(utc_time(p.updated_at));
  if (want("variants"))
    write_nested(w, sel, "variants", p.variants, [](JsonWriter& w, const Variant& v) {
      w.key("legacyResourceId").string(std::to_string(v.id)).key("title").string(v.title);
      w.key("sku").string(v.sku).key("price").string(money(v.price));
      w.key("inventoryQuantity").number(v.inventory_quantity);
      w.key("updatedAt").string(utc_time(v.updated_at));
      w.key("inventoryItem")
          .begin_object()
          .key("legacyResourceId")
          .string(std::to_string(v.inventory_item_id))
          .end_object();
    });
  w.end_object();
}

void write_customer(JsonWriter& w, const Field* sel, const Customer& c) {
  auto want = [&](std::string_view n) { return sel && sel->child(n); };
  w.begin_object();
  if (want("id")) w.key("id").string(gid("Customer", c.id));
  if (want("legacyResourceId")) w.key("legacyResourceId").string(std::to_string(c.id));
  if (want("email")) w.key("email").string_or_null(c.email);
  if (want("firstName")) w.key("firstName").string_or_null(c.first_name);
  if (want("lastName")) w.key("lastName").string_or_null(c.last_name);
  if (want("phone")) w.key("phone").string_or_null(c.phone);
  if (want("state")) w.key("state").string(upper(c.state));
  if (want("createdAt")) w.key("createdAt").string(utc_time(c.created_at));
  if (want("updatedAt")) w.key("updatedAt").string(utc_time(c.updated_at));
  w.end_object();
}

template <typename T, typename Write>
void write_connection(JsonWriter& w, const Field& f, const std::map<std::int64_t, T>& all,
                      Write write, std::string& error, std::uint64_t& items) {
  bool more = false;
  std::string end;
  auto page = page_of(all, f, more, end, error);
  if (!error.empty()) return;
  items += page.size();
  const Field* node = node_of(f);
  w.key(f.name).begin_object();
  w.key("pageInfo").begin_object().key("hasNextPage").boolean(more);
  w.key("endCursor").string_or_null(end).end_object();
  w.key("edges").begin_array();
  for (const T* e : page) {
    w.begin_object().key("node");
    write(w, node, *e);
    w.end_object();
  }
  w.end_array().end_object();
}

void write_subscription(JsonWriter& w, const Field* sel, const Subscription& s) {
  auto want = [&](std::string_view n) { return sel && sel->child(n); };
  w.begin_object();
  if (want("id")) w.key("id").string(s.id);
  if (want("topic")) w.key("topic").string(s.topic);
  if (want("format")) w.key("format").string("JSON");
  if (want("endpoint")) {
    w.key("endpoint").begin_object().key("__typename").string("WebhookHttpEndpoint");
    w.key("callbackUrl").string(s.callback_url).end_object();
  }
  w.end_object();
}

}  // namespace

std::string topic_enum(std::string_view rest) {
  std::string out = upper(rest);
  std::replace(out.begin(), out.end(), '/', '_');
  return out;
}

std::string rest_topic(std::string_view e) {
  std::string out(e);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // The resource is everything before the last word, except for two-word resources.
  for (std::string_view two : {"inventory_levels_", "inventory_items_", "order_transactions_"})
    if (out.rfind(two, 0) == 0) return out.replace(two.size() - 1, 1, "/");
  auto us = out.find('_');
  if (us != std::string::npos) out[us] = '/';
  return out;
}

AdminApi::AdminApi(const Store& store, ApiOptions options)
    : store_(store), options_(options), shops_(store.shops.size()), rng_(options.seed ^ 0x5eed) {
  for (auto& s : shops_) {
    s.available = options_.bucket_size;
    s.last = SteadyClock::now();
  }
}

void AdminApi::inject_failures(unsigned status, int count) {
  std::lock_guard lock(mu_);
  for (int i = 0; i < count; ++i) injected_.push_back(status);
}

void AdminApi::inject_malformed(int count) {
  std::lock_guard lock(mu_);
  malformed_ = count;
}

void AdminApi::subscribe_all(const std::string& callback_url,
                             const std::vector<std::string>& topics) {
  std::lock_guard lock(mu_);
  for (auto& s : shops_)
    for (const auto& t : topics)
      s.subscriptions.push_back(
          {gid("WebhookSubscription", static_cast<std::int64_t>(next_subscription_++)),
           topic_enum(t), callback_url});
}

std::optional<std::string> AdminApi::callback_for(std::size_t shop, std::string_view rest) {
  std::lock_guard lock(mu_);
  auto e = topic_enum(rest);
  for (const auto& s : shops_.at(shop).subscriptions)
    if (s.topic == e) return s.callback_url;
  return std::nullopt;
}

void AdminApi::delete_subscription(std::size_t shop, std::string_view rest) {
  std::lock_guard lock(mu_);
  auto e = topic_enum(rest);
  auto n =
      std::erase_if(shops_.at(shop).subscriptions, [&](const auto& s) { return s.topic == e; });
  stats_.subscriptions_deleted += n;
}

std::string AdminApi::answer_data(std::size_t shop_index, const Operation& op, std::string& error) {
  const Shop& shop = store_.shops[shop_index];
  auto& state = shops_[shop_index];
  // Shopify refuses a page of more than 250 at any depth, nested connections included.
  std::function<bool(const Field&)> pages_ok = [&](const Field& f) {
    const auto first = f.first();
    if (f.args.count("first") && (!first || *first < 1 || *first > 250)) return false;
    return std::all_of(f.children.begin(), f.children.end(), pages_ok);
  };
  if (!std::all_of(op.fields.begin(), op.fields.end(), pages_ok)) {
    error = "first must be between 1 and 250";
    return {};
  }
  JsonWriter w;
  w.begin_object();
  for (const Field& f : op.fields) {
    if (f.name == "shop") {
      char offset[16];
      int m = std::abs(shop.utc_offset_minutes);
      std::snprintf(offset, sizeof offset, "%c%02d%02d", shop.utc_offset_minutes < 0 ? '-' : '+',
                    m / 60, m % 60);
      auto want = [&](std::string_view n) { return f.child(n) != nullptr; };
      w.key("shop").begin_object();
      if (want("myshopifyDomain")) w.key("myshopifyDomain").string(shop.domain);
      if (want("ianaTimezone")) w.key("ianaTimezone").string(shop.iana_timezone);
      if (want("timezoneOffset")) w.key("timezoneOffset").string(offset);
      if (want("timezoneOffsetMinutes"))
        w.key("timezoneOffsetMinutes").number(shop.utc_offset_minutes);
      w.end_object();
    } else if (f.name == "orders" || f.name == "products" || f.name == "customers") {
      std::string key = shop.domain + "|" + f.name + "|" +
                        (f.args.count("query") ? f.args.at("query") : "") + "|" +
                        (f.args.count("after") ? f.args.at("after") : "") + "|" +
                        (f.args.count("first") ? f.args.at("first") : "");
      auto& items = stats_.items[f.name];
      if (f.name == "orders") write_connection(w, f, shop.orders, write_order, error, items);
      if (f.name == "products") write_connection(w, f, shop.products, write_product, error, items);
      if (f.name == "customers")
        write_connection(w, f, shop.customers, write_customer, error, items);
      if (!error.empty()) return {};
      ++stats_.pages[f.name];
      if (!pages_seen_.insert(key).second) ++stats_.duplicate_pages;
    } else if (f.name == "order" || f.name == "product" || f.name == "refund") {
      // One node by its gid (gid://shopify/Order/N); null when there is none (or deleted).
      const std::string type = f.name == "order"     ? "Order"
                               : f.name == "product" ? "Product"
                                                     : "Refund";
      const std::string prefix = "gid://shopify/" + type + "/";
      const std::string id_arg = f.args.count("id") ? f.args.at("id") : "";
      std::int64_t id = 0;
      if (id_arg.rfind(prefix, 0) != 0 ||
          std::from_chars(id_arg.data() + prefix.size(), id_arg.data() + id_arg.size(), id).ec !=
              std::errc()) {
        error = "Invalid global id '" + id_arg + "'";
        return {};
      }
      w.key(f.name);
      bool found = false;
      if (malformed_ > 0) {
        --malformed_;
        ++stats_.injected_malformed;
        w.begin_object().end_object();
        found = true;
      } else if (f.name == "order") {
        auto it = shop.orders.find(id);
        if ((found = it != shop.orders.end() && !it->second.deleted_at))
          write_order(w, &f, it->second);
      } else if (f.name == "product") {
        auto it = shop.products.find(id);
        if ((found = it != shop.products.end() && !it->second.deleted_at))
          write_product(w, &f, it->second);
      } else {
        for (const auto& [order_id, o] : shop.orders)
          for (const auto& r : o.refunds)
            if (!found && r.id == id && !o.deleted_at) {
              write_refund(w, &f, r);
              found = true;
            }
      }
      if (!found) w.null();
      ++stats_.pages[f.name];
    } else if (f.name == "webhookSubscriptions") {
      w.key("webhookSubscriptions").begin_object();
      w.key("pageInfo")
          .begin_object()
          .key("hasNextPage")
          .boolean(false)
          .key("endCursor")
          .null()
          .end_object();
      w.key("edges").begin_array();
      for (const auto& s : state.subscriptions) {
        w.begin_object().key("node");
        write_subscription(w, node_of(f), s);
        w.end_object();
      }
      w.end_array().end_object();
    } else if (f.name == "webhookSubscriptionCreate") {
      std::string topic = f.args.count("topic") ? f.args.at("topic") : "";
      std::string input =
          f.args.count("webhookSubscription") ? f.args.at("webhookSubscription") : "";
      simdjson::dom::parser p;
      std::string_view url;
      simdjson::dom::element doc;
      if (p.parse(input).get(doc) == simdjson::SUCCESS &&
          doc["callbackUrl"].get(url) != simdjson::SUCCESS)
        url = {};
      w.key("webhookSubscriptionCreate").begin_object();
      if (topic.empty() || url.empty()) {
        w.key("webhookSubscription").null().key("userErrors").begin_array().begin_object();
        w.key("field").begin_array().string("webhookSubscription").end_array();
        w.key("message").string("topic and callbackUrl are required").end_object().end_array();
      } else {
        Subscription s{gid("WebhookSubscription", static_cast<std::int64_t>(next_subscription_++)),
                       topic, std::string(url)};
        state.subscriptions.push_back(s);
        ++stats_.subscriptions_created;
        w.key("webhookSubscription");
        write_subscription(w, f.child("webhookSubscription"), s);
        w.key("userErrors").begin_array().end_array();
      }
      w.end_object();
    } else if (f.name == "webhookSubscriptionDelete") {
      std::string id = f.args.count("id") ? f.args.at("id") : "";
      auto n = std::erase_if(state.subscriptions, [&](const auto& s) { return s.id == id; });
      stats_.subscriptions_deleted += n;
      w.key("webhookSubscriptionDelete").begin_object().key("deletedWebhookSubscriptionId");
      if (n)
        w.string(id);
      else
        w.null();
      w.key("userErrors").begin_array().end_array().end_object();
    } else {
      error = "Field '" + f.name + "' doesn't exist on type 'QueryRoot' (not simulated)";
      return {};
    }
  }
  w.end_object();
  return w.take();
}

ApiAnswer AdminApi::graphql(std::string_view token, std::string_view body) {
  std::lock_guard lock(mu_);
  ++stats_.requests;
  std::size_t shop = store_.shops.size();
  for (std::size_t i = 0; i < store_.shops.size(); ++i)
    if (store_.shops[i].access_token == token) shop = i;
  if (shop == store_.shops.size())
    return {
        401,
        R"j({"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"})j",
        {}};

  unsigned fault = 0;
  if (!injected_.empty()) {
    fault = injected_.front();
    injected_.pop_front();
  } else if (std::uniform_real_distribution<double>(0, 1)(rng_) < options_.fail_429) {
    fault = 429;
  } else if (std::uniform_real_distribution<double>(0, 1)(rng_) < options_.fail_5xx) {
    fault = 503;
  }
  if (fault == 429) {
    ++stats_.injected_429;
    return {429, R"({"errors":"Too many requests"})", {{"Retry-After", "1"}}};
  }
  if (fault >= 500) {
    ++stats_.injected_5xx;
    return {
        fault, R"({"errors":"Internal error. Looks like something went wrong on our end."})", {}};
  }

  auto bad = [&](std::string message) {
    ++stats_.bad_requests;
    JsonWriter w;
    w.begin_object().key("errors").begin_array().begin_object().key("message").string(message);
    w.end_object().end_array().end_object();
    return ApiAnswer{200, w.take(), {}};
  };
  simdjson::dom::parser parser;
  simdjson::dom::element req;
  std::string_view document;
  if (parser.parse(body.data(), body.size()).get(req) != simdjson::SUCCESS ||
      req["query"].get(document) != simdjson::SUCCESS)
    return {
        400, R"({"errors":"Bad Request: body must be {\"query\": ..., \"variables\": ...}"})", {}};
  simdjson::dom::element vars;
  if (req["variables"].get(vars) != simdjson::SUCCESS) vars = {};
  auto op = parse_operation(document, vars);
  if (!op) return bad(op.error().message);

  auto& state = shops_[shop];
  auto now = SteadyClock::now();
  state.available =
      std::min(options_.bucket_size,
               state.available +
                   options_.restore_rate * std::chrono::duration<double>(now - state.last).count());
  state.last = now;
  const int requested = requested_cost(op.value());
  auto cost = [&](std::optional<int> actual) {
    JsonWriter w;
    w.key("extensions").begin_object().key("cost").begin_object();
    w.key("requestedQueryCost").number(requested).key("actualQueryCost").number_or_null(actual);
    w.key("throttleStatus")
        .begin_object()
        .key("maximumAvailable")
        .raw(std::to_string(options_.bucket_size));
    w.key("currentlyAvailable").number(static_cast<std::int64_t>(state.available));
    w.key("restoreRate").raw(std::to_string(options_.restore_rate)).end_object();
    w.end_object().end_object();
    return w.take();
  };
  if (requested > options_.max_query_cost) {
    ++stats_.max_cost_exceeded;
    return {
        200,
        R"({"errors":[{"message":"Query cost is )" + std::to_string(requested) +
            R"(, which exceeds the single query max cost limit (1000).","extensions":{"code":"MAX_COST_EXCEEDED"}}],)" +
            cost(std::nullopt) + "}",
        {}};
  }
  if (requested > state.available) {
    ++stats_.throttled;
    ++state.throttled_streak;
    stats_.max_throttled_streak = std::max<std::uint64_t>(
        stats_.max_throttled_streak, static_cast<std::uint64_t>(state.throttled_streak));
    return {
        200,
        R"({"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED","documentation":"https://shopify.dev/api/usage/rate-limits"}}],)" +
            cost(std::nullopt) + "}",
        {}};
  }
  state.throttled_streak = 0;
  std::string error;
  std::string data = answer_data(shop, op.value(), error);
  if (!error.empty()) return bad(error);
  simdjson::dom::parser p2;
  int actual = actual_cost(p2.parse(data).value(), op->mutation);
  state.available -= actual;
  stats_.cost_used += static_cast<std::uint64_t>(actual);
  ++stats_.ok;
  return {200, "{\"data\":" + data + "," + cost(actual) + "}", {}};
}

std::string AdminApi::stats_json() {
  std::lock_guard lock(mu_);
  JsonWriter w;
  w.begin_object();
  w.key("requests").number(static_cast<std::int64_t>(stats_.requests));
  w.key("ok").number(static_cast<std::int64_t>(stats_.ok));
  w.key("throttled").number(static_cast<std::int64_t>(stats_.throttled));
  w.key("max_throttled_streak").number(static_cast<std::int64_t>(stats_.max_throttled_streak));
  w.key("injected_429").number(static_cast<std::int64_t>(stats_.injected_429));
  w.key("injected_5xx").number(static_cast<std::int64_t>(stats_.injected_5xx));
  w.key("injected_malformed").number(static_cast<std::int64_t>(stats_.injected_malformed));
  w.key("max_cost_exceeded").number(static_cast<std::int64_t>(stats_.max_cost_exceeded));
  w.key("bad_requests").number(static_cast<std::int64_t>(stats_.bad_requests));
  w.key("cost_used").number(static_cast<std::int64_t>(stats_.cost_used));
  w.key("duplicate_pages").number(static_cast<std::int64_t>(stats_.duplicate_pages));
  w.key("subscriptions_created").number(static_cast<std::int64_t>(stats_.subscriptions_created));
  w.key("subscriptions_deleted").number(static_cast<std::int64_t>(stats_.subscriptions_deleted));
  w.key("pages").begin_object();
  for (const auto& [k, v] : stats_.pages) w.key(k).number(static_cast<std::int64_t>(v));
  w.end_object().key("items").begin_object();
  for (const auto& [k, v] : stats_.items) w.key(k).number(static_cast<std::int64_t>(v));
  w.end_object();
  std::int64_t subs = 0;
  for (const auto& s : shops_) subs += static_cast<std::int64_t>(s.subscriptions.size());
  w.key("subscriptions_live").number(subs);
  w.end_object();
  return w.take();
}

}  // namespace shopstream::sim
