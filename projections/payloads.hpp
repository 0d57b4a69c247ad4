#pragma once
// Plain structs for the webhook payloads the read models use (REST shape), as decoded
// from JSON. Optional fields are empty when absent or null. Money is a validated decimal
// string ("404.95"), timestamps the payload's RFC 3339 text (with its UTC offset).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace shopstream::projections {

struct LineItem {
  std::int64_t id = 0;
  std::optional<std::int64_t> product_id, variant_id;
  std::string title, sku;
  std::int64_t quantity = 0;
  std::string price = "0";
  std::string total_discount = "0";
};

struct Order {
  std::int64_t id = 0;
  std::string name, email, currency, financial_status, fulfillment_status;
  std::optional<std::int64_t> customer_id;
  std::string subtotal_price, total_price, total_tax, total_discounts;
  std::string total_shipping = "0";  // shipping_lines[].price summed
  bool test = false;
  std::string created_at, updated_at, cancelled_at;
  std::vector<LineItem> line_items;
  bool has_line_items = false;  // the payload carried a line_items array
};

struct Variant {
  std::int64_t id = 0;
  std::optional<std::int64_t> product_id, inventory_item_id, inventory_quantity;
  std::string title, sku, price, updated_at;
};

struct Product {
  std::int64_t id = 0;
  std::string title, handle, vendor, product_type, status, created_at, updated_at;
  std::vector<Variant> variants;
  bool has_variants = false;
};

struct Customer {
  std::int64_t id = 0;
  std::string email, first_name, last_name, phone, state, created_at, updated_at;
};

struct Refund {
  std::int64_t id = 0;
  std::int64_t order_id = 0;
  std::string created_at;
  std::string amount = "0";  // refund_line_items[].subtotal summed
};

struct Deletion {  // orders/delete, products/delete, customers/delete: {"id": N, ...}
  std::int64_t id = 0;
};

struct CustomerRedact {  // customers/redact
  std::int64_t customer_id = 0;
  std::vector<std::int64_t> orders_to_redact;
};

struct DataRequest {  // customers/data_request
  std::int64_t id = 0;
  std::optional<std::int64_t> customer_id;
  std::vector<std::int64_t> orders_requested;
};

}  // namespace shopstream::projections
