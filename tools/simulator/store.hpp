#pragma once
// The simulated store: shops with products, customers and orders, and the history of
// changes that built them, generated deterministically from a seed. Every change is
// recorded as the webhook Shopify would send for it (REST payload as it was at that
// moment). Pure; a Store is immutable once generated and safe to read from any thread.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace shopstream::sim {

using Cents = std::int64_t;
using Epoch = std::int64_t;  // seconds since 1970, UTC

struct Variant {
  std::int64_t id = 0, inventory_item_id = 0, inventory_quantity = 0;
  std::string title, sku;
  Cents price = 0;
  Epoch updated_at = 0;
};

struct Product {
  std::int64_t id = 0;
  std::string title, handle, vendor, product_type, status;
  Epoch created_at = 0, updated_at = 0, deleted_at = 0;  // deleted_at 0: live
  std::vector<Variant> variants;
};

struct Customer {
  std::int64_t id = 0;
  std::string email, first_name, last_name, phone, state;
  Epoch created_at = 0, updated_at = 0, deleted_at = 0, redacted_at = 0;
};

struct LineItem {
  std::int64_t id = 0, product_id = 0, variant_id = 0, quantity = 0;
  std::string title, sku;
  Cents price = 0, discount = 0;
};

struct RefundLine {
  std::int64_t line_item_id = 0, quantity = 0;
  Cents subtotal = 0;
};

struct Refund {
  std::int64_t id = 0;
  Epoch created_at = 0;
  std::vector<RefundLine> lines;
  Cents amount() const;
};

struct Order {
  std::int64_t id = 0, number = 0, customer_id = 0;  // customer_id 0: a guest
  std::string email, currency, financial_status, fulfillment_status;
  bool test = false;
  Cents tax = 0, shipping = 0;
  Epoch created_at = 0, updated_at = 0, cancelled_at = 0, deleted_at = 0;
  std::vector<LineItem> line_items;
  std::vector<Refund> refunds;
  Cents discounts() const;
  Cents gross() const;     // Σ price × quantity
  Cents subtotal() const;  // gross − discounts
  Cents total() const;     // subtotal + shipping + tax
};

// One change, as the webhook that announces it.
struct Webhook {
  std::size_t shop = 0;
  std::string topic;  // "orders/create", ...
  std::string body;   // REST JSON, as of the change
  Epoch triggered_at = 0;
  std::string webhook_id, event_id;
};

struct Shop {
  std::string domain, access_token;
  int utc_offset_minutes = 0;  // fixed: the simulated shops keep no daylight saving
  std::string iana_timezone;   // a tz database zone of that fixed offset, where one exists
  std::map<std::int64_t, Product> products;
  std::map<std::int64_t, Customer> customers;
  std::map<std::int64_t, Order> orders;
};

struct StoreSpec {
  std::uint64_t seed = 1;
  int shops = 1;
  int products = 50, customers = 200, orders = 1000;
  int days = 14;
  Epoch start = 1'793'491'200;  // 2026-11-01T00:00:00Z
  double test_order_rate = 0.03;
  // Share of orders with 21-300 line items (refunded, if at all, in 1-8 refunds that
  // return every other line) and of products with 51-600 variants: more than one page of
  // the reconciler's nested reads, and than one page read on after it.
  double large_share = 0;
  // Share of the large orders with 100 or more line items whose refund is 30-49 refunds
  // instead: more than one query reads again after a page's five.
  double many_refunds = 0;
};

struct Store {
  std::vector<Shop> shops;
  std::vector<Webhook> history;  // in the order the changes happened
};

Store generate(const StoreSpec& spec);

// REST (webhook) payloads of entities, timestamps at the shop's UTC offset.
std::string order_json(const Shop& shop, const Order& o);
std::string product_json(const Shop& shop, const Product& p);
std::string customer_json(const Shop& shop, const Customer& c);
std::string refund_json(const Shop& shop, const Order& o, const Refund& r);

// "12.34" from cents; RFC 3339 at an offset ("2026-11-20T21:15:03-05:00"), or UTC "Z".
std::string money(Cents c);
std::string local_time(Epoch t, int offset_minutes);
std::string utc_time(Epoch t);

// The true state as JSON: every shop, entity and the columns the read models hold.
std::string dump_json(const Store& store);

}  // namespace shopstream::sim
