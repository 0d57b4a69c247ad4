#include "projections/decode.hpp"

#include <simdjson.h>

#include <charconv>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <vector>

namespace shopstream::projections {
namespace od = simdjson::ondemand;
namespace {

// Thrown inside this file only; decode_* turn it (and simdjson's) into an Error.
struct DecodeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

bool is_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

std::int64_t parse_id_text(std::string_view s, std::string_view field) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (!is_digits(s) || ec != std::errc() || p != s.data() + s.size())
    throw DecodeError(std::string(field) + " is not an id");
  return v;
}

std::int64_t read_id(od::value v, std::string_view field) {
  switch (v.type()) {
    case od::json_type::number: {
      std::int64_t i;
      if (v.get_int64().get(i) != simdjson::SUCCESS || i < 0)
        throw DecodeError(std::string(field) + " is not an id");
      return i;
    }
    case od::json_type::string:
      return parse_id_text(v.get_string().value(), field);
    default:
      throw DecodeError(std::string(field) + " is not an id");
  }
}

std::optional<std::int64_t> read_opt_id(od::value v, std::string_view field) {
  if (v.is_null()) return std::nullopt;
  return read_id(v, field);
}

std::optional<std::int64_t> read_opt_int(od::value v, std::string_view field) {
  if (v.is_null()) return std::nullopt;
  if (v.type() == od::json_type::number) {
    std::int64_t i;
    if (v.get_int64().get(i) != simdjson::SUCCESS)
      throw DecodeError(std::string(field) + " is not a whole number");
    return i;
  }
  if (v.type() == od::json_type::string) {
    std::string_view s = v.get_string().value();
    bool neg = !s.empty() && s.front() == '-';
    auto n = parse_id_text(neg ? s.substr(1) : s, field);
    return neg ? -n : n;
  }
  throw DecodeError(std::string(field) + " is not a whole number");
}

std::string read_text(od::value v) {
  switch (v.type()) {
    case od::json_type::null:
      return {};
    case od::json_type::string:
      return std::string(v.get_string().value());
    case od::json_type::number:
    case od::json_type::boolean:
      return std::string(trim(v.raw_json_token()));
    default:
      return {};  // an object or array where text was expected: left unread, skipped
  }
}

std::string read_money(od::value v, std::string_view field) {
  std::string s;
  switch (v.type()) {
    case od::json_type::null:
      return {};
    case od::json_type::string:
      s = std::string(v.get_string().value());
      break;
    case od::json_type::number:
      s = std::string(trim(v.raw_json_token()));
      break;
    default:
      throw DecodeError(std::string(field) + " is not an amount");
  }
  if (!is_decimal(s))
    throw DecodeError(std::string(field) + " is not an amount: " + s.substr(0, 40));
  return s;
}

std::string read_timestamp(od::value v, std::string_view field) {
  if (v.is_null()) return {};
  if (v.type() != od::json_type::string) throw DecodeError(std::string(field) + " is not a time");
  std::string s(v.get_string().value());
  if (!is_timestamp(s)) throw DecodeError(std::string(field) + " is not an RFC 3339 time");
  return s;
}

bool read_bool(od::value v) {
  if (v.type() == od::json_type::boolean) return v.get_bool().value();
  if (v.type() == od::json_type::string) return v.get_string().value() == "true";
  return false;
}

std::vector<std::int64_t> read_id_list(od::value v, std::string_view field) {
  std::vector<std::int64_t> out;
  if (v.is_null()) return out;
  for (auto el : v.get_array()) out.push_back(read_id(el.value(), field));
  return out;
}

// Padded copy in a reused per-thread buffer; simdjson reads past the end.
// On-Demand skips the values it is not asked for without checking them, so a document
// broken only inside a field the read models ignore would pass: it is validated whole
// first (fuzzing found such records), and a record that is not JSON is refused whole.
template <typename F>
auto with_document(std::string_view json, F&& f)
    -> Result<decltype(f(std::declval<od::object>()))> {
  thread_local od::parser parser;
  thread_local simdjson::dom::parser validator;
  thread_local std::vector<char> buf;
  if (buf.size() < json.size() + simdjson::SIMDJSON_PADDING)
    buf.resize(json.size() + simdjson::SIMDJSON_PADDING);
  std::memcpy(buf.data(), json.data(), json.size());
  if (auto err = validator.parse(buf.data(), json.size(), false).error())
    return fail(std::string("malformed JSON: ") + simdjson::error_message(err));
  try {
    od::document doc = parser.iterate(buf.data(), json.size(), buf.size());
    od::object obj;
    if (auto err = doc.get_object().get(obj); err != simdjson::SUCCESS)
      return fail(err == simdjson::INCORRECT_TYPE
                      ? std::string("payload is not a JSON object")
                      : std::string("malformed JSON: ") + simdjson::error_message(err));
    return f(obj);
  } catch (const DecodeError& e) {
    return fail(e.what());
  } catch (const simdjson::simdjson_error& e) {
    return fail(std::string("malformed JSON: ") + simdjson::error_message(e.error()));
  }
}

template <typename T>
T require_id(T value, bool seen, std::string_view what) {
  if (!seen) throw DecodeError(std::string(what) + " has no id");
  return value;
}

LineItem decode_line_item(od::object obj) {
  LineItem li;
  bool seen_id = false;
  for (auto field : obj) {
    std::string_view k = field.unescaped_key();
    od::value v = field.value();
    if (k == "id")
      li.id = read_id(v, "line_items[].id"), seen_id = true;
    else if (k == "product_id")
      li.product_id = read_opt_id(v, "line_items[].product_id");
    else if (k == "variant_id")
      li.variant_id = read_opt_id(v, "line_items[].variant_id");
    else if (k == "title")
      li.title = read_text(v);
    else if (k == "sku")
      li.sku = read_text(v);
    else if (k == "quantity")
      li.quantity = read_opt_int(v, "line_items[].quantity").value_or(0);
    else if (k == "price")
      li.price = read_money(v, "line_items[].price");
    else if (k == "total_discount")
      li.total_discount = read_money(v, "line_items[].total_discount");
  }
  if (li.price.empty()) li.price = "0";
  if (li.total_discount.empty()) li.total_discount = "0";
  return require_id(li, seen_id, "a line item");
}

Variant decode_variant(od::object obj) {
  Variant var;
  bool seen_id = false;
  for (auto field : obj) {
    std::string_view k = field.unescaped_key();
    od::value v = field.value();
    if (k == "id")
      var.id = read_id(v, "variants[].id"), seen_id = true;
    else if (k == "product_id")
      var.product_id = read_opt_id(v, "variants[].product_id");
    else if (k == "inventory_item_id")
      var.inventory_item_id = read_opt_id(v, "variants[].inventory_item_id");
    else if (k == "inventory_quantity")
      var.inventory_quantity = read_opt_int(v, "variants[].inventory_quantity");
    else if (k == "title")
      var.title = read_text(v);
    else if (k == "sku")
      var.sku = read_text(v);
    else if (k == "price")
      var.price = read_money(v, "variants[].price");
    else if (k == "updated_at")
      var.updated_at = read_timestamp(v, "variants[].updated_at");
  }
  return require_id(var, seen_id, "a variant");
}

}  // namespace

bool is_decimal(std::string_view s) {
  if (!s.empty() && s.front() == '-') s.remove_prefix(1);
  auto dot = s.find('.');
  if (dot == std::string_view::npos) return is_digits(s) && s.size() <= 30;
  return is_digits(s.substr(0, dot)) && is_digits(s.substr(dot + 1)) && s.size() <= 40;
}

bool is_timestamp(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS, optional fraction, then Z or ±HH:MM.
  auto d = [&](std::size_t i) { return i < s.size() && s[i] >= '0' && s[i] <= '9'; };
  if (s.size() < 20) return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18})
    if (!d(i)) return false;
  if (s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
    return false;
  std::size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    ++i;
    std::size_t start = i;
    while (d(i)) ++i;
    if (i == start || i - start > 9) return false;
  }
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) return i + 1 == s.size();
  if (i + 6 == s.size() && (s[i] == '+' || s[i] == '-') && d(i + 1) && d(i + 2) &&
      s[i + 3] == ':' && d(i + 4) && d(i + 5))
    return true;
  return false;
}

std::string add_decimal(std::string_view a, std::string_view b) {
  auto split = [](std::string_view s, bool& neg, std::string& whole, std::string& frac) {
    neg = !s.empty() && s.front() == '-';
    if (neg) s.remove_prefix(1);
    auto dot = s.find('.');
    whole = std::string(s.substr(0, dot));
    frac = dot == std::string_view::npos ? "" : std::string(s.substr(dot + 1));
  };
  bool na, nb;
  std::string wa, fa, wb, fb;
  split(a, na, wa, fa);
  split(b, nb, wb, fb);
  std::size_t scale = std::max(fa.size(), fb.size());
  fa.resize(scale, '0');
  fb.resize(scale, '0');
  auto to_int = [](const std::string& digits) {
    __int128 v = 0;
    for (char c : digits) v = v * 10 + (c - '0');
    return v;
  };
  __int128 x = to_int(wa + fa) * (na ? -1 : 1) + to_int(wb + fb) * (nb ? -1 : 1);
  bool neg = x < 0;
  if (neg) x = -x;
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(x % 10)));
    x /= 10;
  } while (x > 0);
  if (digits.size() <= scale) digits.insert(0, scale + 1 - digits.size(), '0');
  std::string out = (neg ? "-" : "") + digits.substr(0, digits.size() - scale);
  if (scale > 0) out += "." + digits.substr(digits.size() - scale);
  return out;
}

Result<Order> decode_order(std::string_view json) {
  return with_document(json, [](od::object obj) {
    Order o;
    bool seen_id = false;
    for (auto field : obj) {
      std::string_view k = field.unescaped_key();
      od::value v = field.value();
      if (k == "id")
        o.id = read_id(v, "id"), seen_id = true;
      else if (k == "name")
        o.name = read_text(v);
      else if (k == "email")
        o.email = read_text(v);
      else if (k == "currency")
        o.currency = read_text(v);
      else if (k == "financial_status")
        o.financial_status = read_text(v);
      else if (k == "fulfillment_status")
        o.fulfillment_status = read_text(v);
      else if (k == "subtotal_price")
        o.subtotal_price = read_money(v, "subtotal_price");
      else if (k == "total_price")
        o.total_price = read_money(v, "total_price");
      else if (k == "total_tax")
        o.total_tax = read_money(v, "total_tax");
      else if (k == "total_discounts")
        o.total_discounts = read_money(v, "total_discounts");
      else if (k == "test")
        o.test = read_bool(v);
      else if (k == "created_at")
        o.created_at = read_timestamp(v, "created_at");
      else if (k == "updated_at")
        o.updated_at = read_timestamp(v, "updated_at");
      else if (k == "cancelled_at")
        o.cancelled_at = read_timestamp(v, "cancelled_at");
      else if (k == "customer") {
        if (v.is_null()) continue;
        for (auto cf : v.get_object())
          if (cf.unescaped_key().value() == "id")
            o.customer_id = read_opt_id(cf.value(), "customer.id");
      } else if (k == "line_items") {
        if (v.is_null()) continue;
        o.has_line_items = true;
        for (auto el : v.get_array()) o.line_items.push_back(decode_line_item(el.get_object()));
      } else if (k == "shipping_lines") {
        if (v.is_null()) continue;
        for (auto el : v.get_array())
          for (auto sf : el.get_object())
            if (sf.unescaped_key().value() == "price") {
              auto p = read_money(sf.value(), "shipping_lines[].price");
              if (!p.empty()) o.total_shipping = add_decimal(o.total_shipping, p);
            }
      }
    }
    return require_id(o, seen_id, "the order");
  });
}

Result<Product> decode_product(std::string_view json) {
  return with_document(json, [](od::object obj) {
    Product p;
    bool seen_id = false;
    for (auto field : obj) {
      std::string_view k = field.unescaped_key();
      od::value v = field.value();
      if (k == "id")
        p.id = read_id(v, "id"), seen_id = true;
      else if (k == "title")
        p.title = read_text(v);
      else if (k == "handle")
        p.handle = read_text(v);
      else if (k == "vendor")
        p.vendor = read_text(v);
      else if (k == "product_type")
        p.product_type = read_text(v);
      else if (k == "status")
        p.status = read_text(v);
      else if (k == "created_at")
        p.created_at = read_timestamp(v, "created_at");
      else if (k == "updated_at")
        p.updated_at = read_timestamp(v, "updated_at");
      else if (k == "variants") {
        if (v.is_null()) continue;
        p.has_variants = true;
        for (auto el : v.get_array()) p.variants.push_back(decode_variant(el.get_object()));
      }
    }
    return require_id(p, seen_id, "the product");
  });
}

Result<Customer> decode_customer(std::string_view json) {
  return with_document(json, [](od::object obj) {
    Customer c;
    bool seen_id = false;
    for (auto field : obj) {
      std::string_view k = field.unescaped_key();
      od::value v = field.value();
      if (k == "id")
        c.id = read_id(v, "id"), seen_id = true;
      else if (k == "email")
        c.email = read_text(v);
      else if (k == "first_name")
        c.first_name = read_text(v);
      else if (k == "last_name")
        c.last_name = read_text(v);
      else if (k == "phone")
        c.phone = read_text(v);
      else if (k == "state")
        c.state = read_text(v);
      else if (k == "created_at")
        c.created_at = read_timestamp(v, "created_at");
      else if (k == "updated_at")
        c.updated_at = read_timestamp(v, "updated_at");
    }
    return require_id(c, seen_id, "the customer");
  });
}

Result<Refund> decode_refund(std::string_view json) {
  return with_document(json, [](od::object obj) {
    Refund r;
    bool seen_id = false, seen_order = false;
    for (auto field : obj) {
      std::string_view k = field.unescaped_key();
      od::value v = field.value();
      if (k == "id")
        r.id = read_id(v, "id"), seen_id = true;
      else if (k == "order_id")
        r.order_id = read_id(v, "order_id"), seen_order = true;
      else if (k == "created_at")
        r.created_at = read_timestamp(v, "created_at");
      else if (k == "refund_line_items") {
        if (v.is_null()) continue;
        for (auto el : v.get_array())
          for (auto rf : el.get_object())
            if (rf.unescaped_key().value() == "subtotal") {
              auto s = read_money(rf.value(), "refund_line_items[].subtotal");
              if (!s.empty()) r.amount = add_decimal(r.amount, s);
            }
      }
    }
    if (!seen_order) throw DecodeError("the refund has no order_id");
    return require_id(r, seen_id, "the refund");
  });
}

Result<Deletion> decode_deletion(std::string_view json) {
  return with_document(json, [](od::object obj) {
    Deletion d;
    bool seen_id = false;
    for (auto field : obj)
      if (field.unescaped_key().value() == "id")
        d.id = read_id(field.value(), "id"), seen_id = true;
    return require_id(d, seen_id, "the deletion");
  });
}

Result<CustomerRedact> decode_customer_redact(std::string_view json) {
  return with_document(json, [](od::object obj) {
    CustomerRedact r;
    bool seen_id = false;
    for (auto field : obj) {
      std::string_view k = field.unescaped_key();
      od::value v = field.value();
      if (k == "customer") {
        for (auto cf : v.get_object())
          if (cf.unescaped_key().value() == "id")
            r.customer_id = read_id(cf.value(), "customer.id"), seen_id = true;
      } else if (k == "orders_to_redact") {
        r.orders_to_redact = read_id_list(v, "orders_to_redact[]");
      }
    }
    return require_id(r, seen_id, "customers/redact's customer");
  });
}

Result<DataRequest> decode_data_request(std::string_view json) {
  return with_document(json, [](od::object obj) {
    DataRequest r;
    bool seen_id = false;
    for (auto field : obj) {
      std::string_view k = field.unescaped_key();
      od::value v = field.value();
      if (k == "data_request") {
        for (auto df : v.get_object())
          if (df.unescaped_key().value() == "id")
            r.id = read_id(df.value(), "data_request.id"), seen_id = true;
      } else if (k == "customer") {
        if (v.is_null()) continue;
        for (auto cf : v.get_object())
          if (cf.unescaped_key().value() == "id")
            r.customer_id = read_opt_id(cf.value(), "customer.id");
      } else if (k == "orders_requested") {
        r.orders_requested = read_id_list(v, "orders_requested[]");
      }
    }
    return require_id(r, seen_id, "customers/data_request");
  });
}

}  // namespace shopstream::projections
