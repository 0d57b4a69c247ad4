#include "projections/decode.hpp"

#include "tests/support/process.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

using namespace shopstream::projections;

namespace {
std::string fixture(const std::string& name) {
  auto text =
      shopstream::test::read_file(std::string(SHOPSTREAM_SOURCE_DIR) + "/tests/fixtures/" + name);
  REQUIRE_MESSAGE(!text.empty(), name);
  return text;
}
}  // namespace

TEST_CASE("a full orders/create payload decodes") {
  auto r = decode_order(fixture("order_create.json"));
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
  const Order& o = r.value();
  CHECK(o.id == 820982911946154508);
  CHECK(o.name == "#9999");
  CHECK(o.email == "jon@example.com");
  CHECK(o.customer_id == 115310627314723954);
  CHECK(o.currency == "USD");
  CHECK(o.subtotal_price == "388.00");
  CHECK(o.total_price == "411.50");
  CHECK(o.total_tax == "13.50");
  CHECK(o.total_discounts == "10.00");
  CHECK(o.total_shipping == "13.50");  // "10.00" + 3.5 (a number)
  CHECK(o.financial_status == "voided");
  CHECK(o.fulfillment_status == "pending");
  CHECK_FALSE(o.test);
  CHECK(o.created_at == "2026-11-20T21:15:03-05:00");
  CHECK(o.updated_at == "2026-11-20T21:15:04-05:00");
  CHECK(o.cancelled_at.empty());
  REQUIRE(o.has_line_items);
  REQUIRE(o.line_items.size() == 2);
  CHECK(o.line_items[0].id == 866550311766439020);
  CHECK(o.line_items[0].product_id == 632910392);
  CHECK(o.line_items[0].variant_id == 808950810);
  CHECK(o.line_items[0].quantity == 1);
  CHECK(o.line_items[0].price == "199.00");
  CHECK(o.line_items[0].total_discount == "5.00");
  CHECK(o.line_items[0].sku == "IPOD2008PINK");
  CHECK(o.line_items[1].product_id == 632910392);  // given as a string
}

TEST_CASE("a products/update payload decodes with its variants") {
  auto r = decode_product(fixture("product_update.json"));
  REQUIRE(r.ok());
  const Product& p = r.value();
  CHECK(p.id == 788032119674292922);
  CHECK(p.title == "Example T-Shirt");
  CHECK(p.handle == "example-t-shirt");
  CHECK(p.vendor == "Acme");
  CHECK(p.product_type == "Shirts");
  CHECK(p.status == "active");
  CHECK(p.created_at.empty());
  CHECK(p.updated_at == "2026-11-21T14:12:44-05:00");
  REQUIRE(p.variants.size() == 2);
  CHECK(p.variants[0].price == "19.99");
  CHECK(p.variants[0].inventory_quantity == 75);
  CHECK_FALSE(p.variants[0].inventory_item_id);
  CHECK(p.variants[1].price == "19.99");          // a JSON number
  CHECK(p.variants[1].inventory_quantity == 50);  // a string
  CHECK(p.variants[1].inventory_item_id == 39072856);
  CHECK(p.variants[1].updated_at.empty());
}

TEST_CASE("customers, refunds and compliance payloads decode") {
  auto c = decode_customer(fixture("customer_create.json"));
  REQUIRE(c.ok());
  CHECK(c->id == 706405506930370084);
  CHECK(c->email == "bob@biller.com");
  CHECK(c->first_name == "Bob");
  CHECK(c->last_name == "Biller");
  CHECK(c->phone.empty());
  CHECK(c->state == "disabled");

  auto r = decode_refund(fixture("refund_create.json"));
  REQUIRE(r.ok());
  CHECK(r->id == 890088186047892319);
  CHECK(r->order_id == 820982911946154508);
  CHECK(r->created_at == "2026-11-21T09:30:00-05:00");
  CHECK(r->amount == "199.50");  // 194.0 (number) + "5.50"

  auto redact = decode_customer_redact(fixture("customers_redact.json"));
  REQUIRE(redact.ok());
  CHECK(redact->customer_id == 191167);
  CHECK(redact->orders_to_redact == std::vector<std::int64_t>{299938, 280263, 220458});

  auto dr = decode_data_request(fixture("customers_data_request.json"));
  REQUIRE(dr.ok());
  CHECK(dr->id == 9999);
  CHECK(dr->customer_id == 191167);
  CHECK(dr->orders_requested.size() == 3);
}

TEST_CASE("the tiny delete payloads decode") {
  CHECK(decode_deletion(R"({"id":450789469})")->id == 450789469);
  CHECK(
      decode_deletion(
          R"({"id":207119551,"tax_exemptions":[],"admin_graphql_api_id":"gid://shopify/Customer/207119551"})")
          ->id == 207119551);
  // A delete payload is not an order: no crash, no invented fields.
  auto o = decode_order(R"({"id":450789469})");
  REQUIRE(o.ok());
  CHECK_FALSE(o->has_line_items);
  CHECK(o->updated_at.empty());
}

TEST_CASE("bad payloads give a reason, never a crash") {
  struct Case {
    const char* json;
    const char* reason;
  };
  for (auto c :
       {Case{"[1]", "not a JSON object"}, Case{"{\"id\":", "malformed JSON"},
        Case{R"({"name":"x"})", "has no id"}, Case{R"({"id":-4})", "id is not an id"},
        Case{R"({"id":"12a"})", "id is not an id"}, Case{R"({"id":1.5})", "id is not an id"},
        Case{R"({"id":1,"total_price":"12,50"})", "total_price is not an amount"},
        Case{R"({"id":1,"total_price":1e3})", "total_price is not an amount"},
        Case{R"({"id":1,"updated_at":"yesterday"})", "updated_at is not an RFC 3339 time"},
        Case{R"({"id":1,"line_items":[{"price":"1.00"}]})", "a line item has no id"},
        Case{R"({"id":1,"line_items":{"id":2}})", "malformed JSON"},
        // Broken only inside fields no read model reads (found by the fuzz test).
        Case{R"({"id":1,"note_attributes":[{"name":"a" "value":"b"}]})", "malformed JSON"},
        Case{R"({"id":1,"client_details":{"browser_ip":tru}})", "malformed JSON"},
        Case{R"({"id":1} trailing)", "malformed JSON"}}) {
    CAPTURE(c.json);
    auto r = decode_order(c.json);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find(c.reason) != std::string::npos);
  }
  CHECK_FALSE(decode_refund(R"({"id":1})").ok());
  CHECK_FALSE(decode_customer_redact(R"({"customer":null})").ok());
}

TEST_CASE("validators and exact decimal sums") {
  CHECK(is_decimal("404.95"));
  CHECK(is_decimal("-0.5"));
  CHECK(is_decimal("7"));
  CHECK_FALSE(is_decimal("1e3"));
  CHECK_FALSE(is_decimal(".5"));
  CHECK_FALSE(is_decimal("5."));
  CHECK_FALSE(is_decimal(""));
  CHECK(is_timestamp("2026-11-20T21:15:03-05:00"));
  CHECK(is_timestamp("2026-11-20T21:15:03.123Z"));
  CHECK(is_timestamp("2026-11-20T21:15:03+05:30"));
  CHECK_FALSE(is_timestamp("2026-11-20"));
  CHECK_FALSE(is_timestamp("2026-11-20T21:15:03"));
  CHECK_FALSE(is_timestamp("2026-11-20T21:15:03-0500"));
  CHECK(add_decimal("1.10", "2.5") == "3.60");
  CHECK(add_decimal("0", "10.00") == "10.00");
  CHECK(add_decimal("-1.5", "1") == "-0.5");
  CHECK(add_decimal("0.1", "0.2") == "0.3");
  CHECK(add_decimal("99999999999.99", "0.01") == "100000000000.00");
}
