#include "tools/simulator/store.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <functional>
#include <random>

#include "common/json_writer.hpp"
#include "common/time.hpp"

namespace shopstream::sim {

Cents Refund::amount() const {
  Cents a = 0;
  for (const auto& l : lines) a += l.subtotal;
  return a;
}
Cents Order::discounts() const {
  Cents d = 0;
  for (const auto& li : line_items) d += li.discount;
  return d;
}
Cents Order::gross() const {
  Cents g = 0;
  for (const auto& li : line_items) g += li.price * li.quantity;
  return g;
}
Cents Order::subtotal() const {
  return gross() - discounts();
}
Cents Order::total() const {
  return subtotal() + shipping + tax;
}

std::string money(Cents c) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s%lld.%02lld", c < 0 ? "-" : "",
                static_cast<long long>(std::llabs(c) / 100),
                static_cast<long long>(std::llabs(c) % 100));
  return buf;
}

std::string local_time(Epoch t, int offset_minutes) {
  return time::format_at_offset(t, offset_minutes);
}

std::string utc_time(Epoch t) {
  return time::format_at_offset(t, 0, true);
}

namespace {

std::string local_date(Epoch t, int offset_minutes) {
  return local_time(t, offset_minutes).substr(0, 10);
}

std::string gid(std::string_view type, std::int64_t id) {
  return "gid://shopify/" + std::string(type) + "/" + std::to_string(id);
}

void time_field(JsonWriter& w, std::string_view k, Epoch t, int offset) {
  w.key(k);
  if (t == 0)
    w.null();
  else
    w.string(local_time(t, offset));
}

const char* const kFirst[] = {"Ada",   "Grace",    "Alan",   "Edsger",  "Barbara", "Ken",
                              "Linus", "Margaret", "Dennis", "Frances", "Zoë",     "José"};
const char* const kLast[] = {"Lovelace", "Hopper",   "Turing",  "Dijkstra", "Liskov", "Thompson",
                             "Torvalds", "Hamilton", "Ritchie", "Allen",    "Müller", "O'Brien"};
const char* const kNouns[] = {"Mug", "Shirt", "Poster", "Sticker", "Notebook",
                              "Cap", "Tote",  "Hoodie", "Socks",   "Pin"};
const char* const kAdjectives[] = {"Classic", "Vintage", "Bold", "Quiet", "Bright",
                                   "Slow",    "Fast",    "Tiny", "Grand", "Plain"};
const int kOffsets[] = {-300, 60, 330, -480, 600, -210};
// Zones whose offset has been fixed for decades (Etc/GMT+5 is UTC−5: POSIX signs); the
// last has none, so the reconciler falls back to the reported offset for it.
const char* const kZones[] = {"Etc/GMT+5", "Etc/GMT-1",  "Asia/Kolkata",
                              "Etc/GMT+8", "Etc/GMT-10", "Simulated/UTC-0330"};

enum class Kind {
  kCreateProduct,
  kUpdateProduct,
  kDeleteProduct,
  kCreateCustomer,
  kUpdateCustomer,
  kDeleteCustomer,
  kRedactCustomer,
  kCreateOrder,
  kPayOrder,
  kFulfillOrder,
  kEditOrder,
  kRefundOrder,
  kCancelOrder,
  kDeleteOrder,
};

struct Action {
  Kind kind;
  std::int64_t id;
};

class Generator {
 public:
  Generator(const StoreSpec& spec, Store& store) : spec_(spec), store_(store), rng_(spec.seed) {}

  void run() {
    for (int s = 0; s < spec_.shops; ++s) {
      Shop shop;
      shop.domain = "sim-store-" + std::to_string(s + 1) + ".myshopify.com";
      shop.access_token = "shpat_sim_" + std::to_string(s + 1);
      shop.utc_offset_minutes = kOffsets[s % 6];
      shop.iana_timezone = kZones[s % 6];
      store_.shops.push_back(std::move(shop));
    }
    for (std::size_t s = 0; s < store_.shops.size(); ++s) play(s);
  }

 private:
  std::int64_t uniform(std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng_);
  }
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }

  void schedule(Epoch t, Kind k, std::int64_t id) { actions_.emplace(t, Action{k, id}); }

  void emit(std::size_t shop, std::string topic, std::string body, Epoch t) {
    ++seq_;
    store_.history.push_back({shop, std::move(topic), std::move(body), t,
                              "sim-" + std::to_string(spec_.seed) + "-" + std::to_string(seq_),
                              "ev-" + std::to_string(seq_)});
  }

  static void touch(Epoch& updated_at, Epoch t) { updated_at = std::max(t, updated_at + 1); }

  void play(std::size_t s) {
    actions_.clear();
    live_customers_.clear();
    const Epoch start = spec_.start;
    const Epoch span = static_cast<Epoch>(spec_.days) * 86'400;
    for (int i = 0; i < spec_.products; ++i)
      schedule(start + i * 30, Kind::kCreateProduct, next_product_++);
    for (int i = 0; i < spec_.customers; ++i)
      schedule(start + uniform(0, span / 2), Kind::kCreateCustomer, next_customer_++);
    for (int i = 0; i < spec_.orders; ++i)
      schedule(start + 3'600 + uniform(0, span), Kind::kCreateOrder, next_order_++);
    while (!actions_.empty()) {
      auto node = actions_.extract(actions_.begin());
      apply(s, node.key(), node.mapped());
    }
  }

  void apply(std::size_t s, Epoch t, Action a) {
    Shop& shop = store_.shops[s];
    switch (a.kind) {
      case Kind::kCreateProduct: {
        Product p;
        p.id = a.id;
        auto adjective = kAdjectives[uniform(0, 9)];
        auto noun = kNouns[uniform(0, 9)];
        p.title = std::string(adjective) + " " + noun + " " + std::to_string(a.id % 1000);
        p.handle = p.title;
        std::transform(p.handle.begin(), p.handle.end(), p.handle.begin(),
                       [](char c) { return c == ' ' ? '-' : static_cast<char>(std::tolower(c)); });
        p.vendor = "Simulated Goods";
        p.product_type = noun;
        p.status = chance(0.9) ? "active" : "draft";
        p.created_at = p.updated_at = t;
        int n = static_cast<int>(uniform(1, 3));
        if (spec_.large_share > 0 && chance(spec_.large_share))
          n = static_cast<int>(uniform(51, 600));
        for (int i = 0; i < n; ++i) {
          Variant v;
          v.id = next_variant_++;
          v.inventory_item_id = v.id + 1'000'000'000;
          v.title = i == 0 ? "Small" : i == 1 ? "Medium" : "Large";
          v.sku = "SKU-" + std::to_string(v.id);
          v.price = uniform(5, 120) * 100 + (chance(0.5) ? 95 : 0);
          v.inventory_quantity = uniform(0, 500);
          v.updated_at = t;
          p.variants.push_back(v);
        }
        shop.products[p.id] = p;
        emit(s, "products/create", product_json(shop, p), t);
        if (chance(0.3)) schedule(t + uniform(3'600, 10 * 86'400), Kind::kUpdateProduct, p.id);
        if (chance(0.03))
          schedule(t + uniform(5 * 86'400, 12 * 86'400), Kind::kDeleteProduct, p.id);
        break;
      }
      case Kind::kUpdateProduct: {
        auto& p = shop.products.at(a.id);
        if (p.deleted_at) break;
        touch(p.updated_at, t);
        if (p.variants.size() > 1 && chance(0.2)) p.variants.pop_back();
        auto& v = p.variants[uniform(0, static_cast<std::int64_t>(p.variants.size()) - 1)];
        v.price += 100;
        v.inventory_quantity = uniform(0, 500);
        v.updated_at = p.updated_at;
        if (chance(0.3)) p.status = p.status == "active" ? "archived" : "active";
        emit(s, "products/update", product_json(shop, p), t);
        break;
      }
      case Kind::kDeleteProduct: {
        auto& p = shop.products.at(a.id);
        p.deleted_at = t;
        emit(s, "products/delete", "{\"id\":" + std::to_string(p.id) + "}", t);
        break;
      }
      case Kind::kCreateCustomer: {
        Customer c;
        c.id = a.id;
        c.first_name = kFirst[uniform(0, 11)];
        c.last_name = kLast[uniform(0, 11)];
        c.email = "customer" + std::to_string(a.id) + "@example.com";
        c.phone = chance(0.6) ? "+1613555" + std::to_string(1000 + a.id % 9000) : "";
        c.state = chance(0.7) ? "enabled" : "disabled";
        c.created_at = c.updated_at = t;
        shop.customers[c.id] = c;
        live_customers_.push_back(c.id);
        emit(s, "customers/create", customer_json(shop, c), t);
        if (chance(0.2)) schedule(t + uniform(3'600, 8 * 86'400), Kind::kUpdateCustomer, c.id);
        if (chance(0.02)) schedule(t + uniform(86'400, 10 * 86'400), Kind::kDeleteCustomer, c.id);
        if (chance(0.02)) schedule(t + uniform(86'400, 10 * 86'400), Kind::kRedactCustomer, c.id);
        break;
      }
      case Kind::kUpdateCustomer: {
        auto& c = shop.customers.at(a.id);
        if (c.deleted_at || c.redacted_at) break;
        touch(c.updated_at, t);
        c.last_name += "-Smith";
        c.state = c.state == "enabled" ? "disabled" : "enabled";
        emit(s, "customers/update", customer_json(shop, c), t);
        break;
      }
      case Kind::kDeleteCustomer: {
        auto& c = shop.customers.at(a.id);
        if (c.deleted_at || customer_has_orders(shop, c.id)) break;  // Shopify refuses
        c.deleted_at = t;
        std::erase(live_customers_, c.id);
        emit(s, "customers/delete",
             "{\"id\":" + std::to_string(c.id) +
                 ",\"tax_exemptions\":[],\"admin_graphql_api_id\":\"" + gid("Customer", c.id) +
                 "\"}",
             t);
        break;
      }
      case Kind::kRedactCustomer: {
        auto& c = shop.customers.at(a.id);
        if (c.deleted_at || c.redacted_at) break;
        JsonWriter w;
        w.begin_object().key("shop_id").number(static_cast<std::int64_t>(s) + 1);
        w.key("shop_domain").string(shop.domain);
        w.key("customer").begin_object().key("id").number(c.id);
        w.key("email").string_or_null(c.email).key("phone").string_or_null(c.phone).end_object();
        w.key("orders_to_redact").begin_array();
        for (auto& [id, o] : shop.orders)
          if (o.customer_id == c.id && !o.deleted_at) {
            o.email.clear();
            touch(o.updated_at, t);
            w.number(id);
          }
        w.end_array().end_object();
        c.email.clear(), c.first_name.clear(), c.last_name.clear(), c.phone.clear();
        c.redacted_at = t;
        touch(c.updated_at, t);
        std::erase(live_customers_, c.id);
        emit(s, "customers/redact", w.take(), t);
        break;
      }
      case Kind::kCreateOrder:
        create_order(s, t, a.id);
        break;
      default:
        change_order(s, t, a);
    }
  }

  static bool customer_has_orders(const Shop& shop, std::int64_t id) {
    for (const auto& [_, o] : shop.orders)
      if (o.customer_id == id) return true;
    return false;
  }

  void create_order(std::size_t s, Epoch t, std::int64_t id) {
    Shop& shop = store_.shops[s];
    std::vector<const Product*> live;
    for (const auto& [_, p] : shop.products)
      if (!p.deleted_at && p.created_at <= t) live.push_back(&p);
    if (live.empty()) return;
    Order o;
    o.id = id;
    o.number = static_cast<std::int64_t>(shop.orders.size()) + 1001;
    o.currency = "USD";
    o.financial_status = "pending";
    o.test = chance(spec_.test_order_rate);
    o.created_at = o.updated_at = t;
    if (!live_customers_.empty() && chance(0.8)) {
      auto cid = live_customers_[uniform(0, static_cast<std::int64_t>(live_customers_.size()) - 1)];
      if (shop.customers.at(cid).created_at <= t) {
        o.customer_id = cid;
        o.email = shop.customers.at(cid).email;
      }
    }
    if (o.email.empty()) o.email = "guest" + std::to_string(id) + "@example.net";
    int n = static_cast<int>(uniform(1, 4));
    if (spec_.large_share > 0 && chance(spec_.large_share)) n = static_cast<int>(uniform(21, 300));
    for (int i = 0; i < n; ++i) {
      const Product& p = *live[uniform(0, static_cast<std::int64_t>(live.size()) - 1)];
      const Variant& v = p.variants[uniform(0, static_cast<std::int64_t>(p.variants.size()) - 1)];
      LineItem li;
      li.id = next_line_item_++;
      li.product_id = p.id;
      li.variant_id = v.id;
      li.title = p.title;
      li.sku = v.sku;
      li.quantity = uniform(1, 3);
      li.price = v.price;
      li.discount = chance(0.3) ? li.price * li.quantity / 10 : 0;
      o.line_items.push_back(li);
    }
    o.shipping = std::array<Cents, 3>{0, 500, 1000}[uniform(0, 2)];
    o.tax = o.subtotal() * 8 / 100;
    shop.orders[o.id] = o;
    emit(s, "orders/create", order_json(shop, o), t);
    if (chance(0.7)) {
      Epoch paid = t + uniform(60, 3'600);
      schedule(paid, Kind::kPayOrder, id);
      if (chance(0.5)) schedule(paid + uniform(3'600, 2 * 86'400), Kind::kFulfillOrder, id);
      if (chance(0.12)) schedule(paid + uniform(86'400, 5 * 86'400), Kind::kRefundOrder, id);
    }
    if (chance(0.1)) schedule(t + uniform(600, 86'400), Kind::kEditOrder, id);
    if (chance(0.04)) schedule(t + uniform(3'600, 86'400), Kind::kCancelOrder, id);
    if (chance(0.02)) schedule(t + uniform(2 * 86'400, 6 * 86'400), Kind::kDeleteOrder, id);
  }

  void change_order(std::size_t s, Epoch t, Action a) {
    Shop& shop = store_.shops[s];
    auto& o = shop.orders.at(a.id);
    if (o.deleted_at) return;
    std::string topic;
    switch (a.kind) {
      case Kind::kPayOrder:
        if (o.cancelled_at) return;
        o.financial_status = "paid";
        topic = "orders/paid";
        break;
      case Kind::kFulfillOrder:
        if (o.cancelled_at) return;
        o.fulfillment_status = "fulfilled";
        topic = "orders/fulfilled";
        break;
      case Kind::kEditOrder:
        if (o.line_items.size() < 2 || !o.refunds.empty()) return;
        o.line_items.pop_back();
        o.tax = o.subtotal() * 8 / 100;
        topic = "orders/updated";  // Shopify sends orders/edited, then the full order
        break;
      case Kind::kRefundOrder: {
        if (o.cancelled_at) return;
        // A large order is refunded in 1-8 refunds (by its id) that together return one
        // unit of every other line: more refunds, and more lines in one, than a page of
        // the reconciler's reads (--many-refunds: 30-49 of them). Any other order: one
        // unit of its first line.
        const bool large = o.line_items.size() > 20;
        std::size_t count = large ? 1 + static_cast<std::size_t>(o.id % 8) : 1;
        if (large && o.line_items.size() >= 100 && spec_.many_refunds > 0 &&
            chance(spec_.many_refunds))
          count = 30 + static_cast<std::size_t>(o.id % 20);  // each still returns a line
        for (std::size_t k = 0; k < count; ++k) {
          Refund r;
          r.id = next_refund_++;
          r.created_at = t;
          if (!large) r.lines.push_back({o.line_items.front().id, 1, o.line_items.front().price});
          for (std::size_t i = 2 * k; large && i < o.line_items.size(); i += 2 * count)
            r.lines.push_back({o.line_items[i].id, 1, o.line_items[i].price});
          o.refunds.push_back(r);
        }
        touch(o.updated_at, t);
        o.financial_status = "partially_refunded";
        for (std::size_t k = o.refunds.size() - count; k < o.refunds.size(); ++k)
          emit(s, "refunds/create", refund_json(shop, o, o.refunds[k]), t);
        emit(s, "orders/updated", order_json(shop, o), t);
        return;
      }
      case Kind::kCancelOrder:
        if (o.fulfillment_status == "fulfilled") return;
        o.cancelled_at = t;
        o.financial_status = o.financial_status == "paid" ? "refunded" : "voided";
        topic = "orders/cancelled";
        break;
      case Kind::kDeleteOrder:
        o.deleted_at = t;
        emit(s, "orders/delete", "{\"id\":" + std::to_string(o.id) + "}", t);
        return;
      default:
        return;
    }
    touch(o.updated_at, t);
    emit(s, topic, order_json(shop, o), t);
  }

  const StoreSpec& spec_;
  Store& store_;
  std::mt19937_64 rng_;
  std::multimap<Epoch, Action> actions_;
  std::vector<std::int64_t> live_customers_;
  std::uint64_t seq_ = 0;
  std::int64_t next_product_ = 7'100'000'001, next_variant_ = 42'000'000'001,
               next_customer_ = 6'200'000'001, next_order_ = 5'300'000'001,
               next_line_item_ = 13'400'000'001, next_refund_ = 910'000'001;
};

void line_items_json(JsonWriter& w, const Order& o) {
  w.key("line_items").begin_array();
  for (const auto& li : o.line_items) {
    w.begin_object()
        .key("id")
        .number(li.id)
        .key("admin_graphql_api_id")
        .string(gid("LineItem", li.id));
    w.key("product_id").number(li.product_id).key("variant_id").number(li.variant_id);
    w.key("title").string(li.title).key("name").string(li.title).key("sku").string(li.sku);
    w.key("quantity").number(li.quantity).key("current_quantity").number(li.quantity);
    w.key("price").string(money(li.price)).key("total_discount").string(money(li.discount));
    w.key("taxable").boolean(true).end_object();
  }
  w.end_array();
}

}  // namespace

Store generate(const StoreSpec& spec) {
  Store store;
  Generator(spec, store).run();
  return store;
}

std::string order_json(const Shop& shop, const Order& o) {
  const int off = shop.utc_offset_minutes;
  JsonWriter w;
  w.begin_object().key("id").number(o.id).key("admin_graphql_api_id").string(gid("Order", o.id));
  w.key("name").string("#" + std::to_string(o.number)).key("order_number").number(o.number);
  w.key("email").string_or_null(o.email);
  time_field(w, "created_at", o.created_at, off);
  time_field(w, "updated_at", o.updated_at, off);
  time_field(w, "processed_at", o.created_at, off);
  time_field(w, "cancelled_at", o.cancelled_at, off);
  w.key("currency").string(o.currency).key("presentment_currency").string(o.currency);
  w.key("financial_status").string(o.financial_status);
  w.key("fulfillment_status").string_or_null(o.fulfillment_status);
  w.key("test").boolean(o.test);
  w.key("subtotal_price").string(money(o.subtotal()));
  w.key("total_line_items_price").string(money(o.gross()));
  w.key("total_discounts").string(money(o.discounts()));
  w.key("total_tax").string(money(o.tax));
  w.key("total_price").string(money(o.total()));
  w.key("total_price_set").begin_object().key("shop_money").begin_object();
  w.key("amount").string(money(o.total())).key("currency_code").string(o.currency);
  w.end_object().end_object();
  w.key("customer");
  if (o.customer_id) {
    auto it = shop.customers.find(o.customer_id);
    w.begin_object().key("id").number(o.customer_id);
    w.key("email").string_or_null(it == shop.customers.end() ? "" : it->second.email);
    w.end_object();
  } else {
    w.null();
  }
  line_items_json(w, o);
  w.key("shipping_lines").begin_array();
  if (o.shipping)
    w.begin_object()
        .key("id")
        .number(o.id + 1)
        .key("title")
        .string("Standard")
        .key("price")
        .string(money(o.shipping))
        .end_object();
  w.end_array();
  w.key("tax_lines")
      .begin_array()
      .begin_object()
      .key("title")
      .string("Sales tax")
      .key("rate")
      .raw("0.08");
  w.key("price").string(money(o.tax)).end_object().end_array();
  w.key("refunds").begin_array();
  for (const auto& r : o.refunds) {
    w.begin_object().key("id").number(r.id).key("order_id").number(o.id);
    time_field(w, "created_at", r.created_at, off);
    w.end_object();
  }
  w.end_array().end_object();
  return w.take();
}

std::string product_json(const Shop& shop, const Product& p) {
  const int off = shop.utc_offset_minutes;
  JsonWriter w;
  w.begin_object().key("id").number(p.id).key("admin_graphql_api_id").string(gid("Product", p.id));
  w.key("title").string(p.title).key("handle").string(p.handle).key("vendor").string(p.vendor);
  w.key("product_type").string(p.product_type).key("status").string(p.status);
  w.key("body_html").string("<p>Simulated.</p>").key("tags").string("");
  time_field(w, "created_at", p.created_at, off);
  time_field(w, "updated_at", p.updated_at, off);
  w.key("variants").begin_array();
  for (const auto& v : p.variants) {
    w.begin_object().key("id").number(v.id).key("product_id").number(p.id);
    w.key("title").string(v.title).key("sku").string(v.sku).key("price").string(money(v.price));
    w.key("inventory_quantity").number(v.inventory_quantity);
    w.key("inventory_item_id").number(v.inventory_item_id);
    time_field(w, "updated_at", v.updated_at, off);
    w.end_object();
  }
  w.end_array().end_object();
  return w.take();
}

std::string customer_json(const Shop& shop, const Customer& c) {
  const int off = shop.utc_offset_minutes;
  JsonWriter w;
  w.begin_object().key("id").number(c.id).key("admin_graphql_api_id").string(gid("Customer", c.id));
  w.key("email").string_or_null(c.email).key("first_name").string_or_null(c.first_name);
  w.key("last_name").string_or_null(c.last_name).key("phone").string_or_null(c.phone);
  w.key("state").string(c.state).key("verified_email").boolean(true);
  time_field(w, "created_at", c.created_at, off);
  time_field(w, "updated_at", c.updated_at, off);
  w.key("tax_exemptions").begin_array().end_array().end_object();
  return w.take();
}

std::string refund_json(const Shop& shop, const Order& o, const Refund& r) {
  JsonWriter w;
  w.begin_object().key("id").number(r.id).key("order_id").number(o.id);
  w.key("admin_graphql_api_id").string(gid("Refund", r.id));
  time_field(w, "created_at", r.created_at, shop.utc_offset_minutes);
  time_field(w, "processed_at", r.created_at, shop.utc_offset_minutes);
  w.key("note").null().key("restock").boolean(true);
  w.key("refund_line_items").begin_array();
  for (const auto& l : r.lines)
    w.begin_object()
        .key("line_item_id")
        .number(l.line_item_id)
        .key("quantity")
        .number(l.quantity)
        .key("subtotal")
        .raw(money(l.subtotal))
        .key("total_tax")
        .raw("0.0")
        .end_object();
  w.end_array().end_object();
  return w.take();
}

std::string dump_json(const Store& store) {
  JsonWriter w;
  w.begin_object().key("shops").begin_array();
  for (const auto& shop : store.shops) {
    const int off = shop.utc_offset_minutes;
    w.begin_object().key("domain").string(shop.domain).key("utc_offset_minutes").number(off);
    w.key("products").begin_array();
    for (const auto& [_, p] : shop.products) {
      w.begin_object().key("id").number(p.id).key("title").string(p.title).key("handle").string(
          p.handle);
      w.key("vendor")
          .string(p.vendor)
          .key("product_type")
          .string(p.product_type)
          .key("status")
          .string(p.status);
      w.key("created_at")
          .string(utc_time(p.created_at))
          .key("updated_at")
          .string(utc_time(p.updated_at));
      w.key("deleted").boolean(p.deleted_at != 0).key("variants").begin_array();
      for (const auto& v : p.variants) {
        w.begin_object().key("id").number(v.id).key("title").string(v.title).key("sku").string(
            v.sku);
        w.key("price")
            .string(money(v.price))
            .key("inventory_quantity")
            .number(v.inventory_quantity);
        w.key("inventory_item_id")
            .number(v.inventory_item_id)
            .key("updated_at")
            .string(utc_time(v.updated_at));
        w.end_object();
      }
      w.end_array().end_object();
    }
    w.end_array().key("customers").begin_array();
    for (const auto& [_, c] : shop.customers) {
      w.begin_object().key("id").number(c.id).key("email").string_or_null(c.email);
      w.key("first_name").string_or_null(c.first_name).key("last_name").string_or_null(c.last_name);
      w.key("phone").string_or_null(c.phone).key("state").string(c.state);
      w.key("created_at")
          .string(utc_time(c.created_at))
          .key("updated_at")
          .string(utc_time(c.updated_at));
      w.key("deleted")
          .boolean(c.deleted_at != 0)
          .key("redacted")
          .boolean(c.redacted_at != 0)
          .end_object();
    }
    w.end_array().key("orders").begin_array();
    for (const auto& [_, o] : shop.orders) {
      w.begin_object().key("id").number(o.id).key("name").string("#" + std::to_string(o.number));
      w.key("email").string_or_null(o.email).key("customer_id");
      if (o.customer_id)
        w.number(o.customer_id);
      else
        w.null();
      w.key("currency").string(o.currency).key("subtotal_price").string(money(o.subtotal()));
      w.key("total_price").string(money(o.total())).key("total_tax").string(money(o.tax));
      w.key("total_discounts")
          .string(money(o.discounts()))
          .key("total_shipping")
          .string(money(o.shipping));
      w.key("gross").string(money(o.gross()));
      w.key("financial_status")
          .string(o.financial_status)
          .key("fulfillment_status")
          .string_or_null(o.fulfillment_status);
      w.key("test").boolean(o.test).key("created_at").string(utc_time(o.created_at));
      w.key("local_date").string(local_date(o.created_at, off));
      w.key("updated_at").string(utc_time(o.updated_at)).key("cancelled_at");
      if (o.cancelled_at)
        w.string(utc_time(o.cancelled_at));
      else
        w.null();
      w.key("deleted").boolean(o.deleted_at != 0).key("line_items").begin_array();
      for (const auto& li : o.line_items) {
        w.begin_object().key("id").number(li.id).key("product_id").number(li.product_id);
        w.key("variant_id")
            .number(li.variant_id)
            .key("title")
            .string(li.title)
            .key("sku")
            .string(li.sku);
        w.key("quantity").number(li.quantity).key("price").string(money(li.price));
        w.key("total_discount").string(money(li.discount)).end_object();
      }
      w.end_array().key("refunds").begin_array();
      for (const auto& r : o.refunds)
        w.begin_object()
            .key("id")
            .number(r.id)
            .key("created_at")
            .string(utc_time(r.created_at))
            .key("local_date")
            .string(local_date(r.created_at, off))
            .key("amount")
            .string(money(r.amount()))
            .end_object();
      w.end_array().end_object();
    }
    w.end_array().end_object();
  }
  w.end_array().end_object();
  return w.take();
}

}  // namespace shopstream::sim
