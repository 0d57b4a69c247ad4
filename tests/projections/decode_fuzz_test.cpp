// Fuzzing Kafka record values as the projector decodes them (a replay, a foreign producer
// or a bug upstream can put anything there): decoding never crashes, fails with a reason,
// and what it accepts is JSON and fit for its typed columns.
#include <doctest/doctest.h>

#include <simdjson.h>

#include "projections/decode.hpp"
#include "tests/support/fuzz.hpp"
#include "tests/support/process.hpp"

using namespace shopstream::projections;
using shopstream::test::fuzz;

namespace {

std::vector<std::string> fixtures() {
  std::vector<std::string> out;
  for (auto name : {"order_create.json", "product_update.json", "customer_create.json",
                    "refund_create.json", "customers_redact.json", "customers_data_request.json"})
    out.push_back(shopstream::test::read_file(std::string(SHOPSTREAM_SOURCE_DIR) +
                                              "/tests/fixtures/" + name));
  return out;
}

bool money(const std::string& s) {
  return s.empty() || is_decimal(s);
}
bool time_or_empty(const std::string& s) {
  return s.empty() || is_timestamp(s);
}

bool valid_json(const std::string& text) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element doc;
  return parser.parse(text).get(doc) == simdjson::SUCCESS;
}

template <typename T>
bool accepted(const shopstream::Result<T>& r) {
  if (!r.ok()) CHECK(!r.error().message.empty());
  return r.ok();
}

}  // namespace

TEST_CASE("fuzz: payload decoding fails with a reason or yields values fit for their columns") {
  fuzz(fixtures(), shopstream::test::kJsonTokens, [](const std::string& json, std::size_t run) {
    CAPTURE(run);
    bool any = false;
    if (auto r = decode_order(json); accepted(r)) {
      any = true;
      const Order& o = r.value();
      CHECK(o.id > 0);
      for (auto* m :
           {&o.subtotal_price, &o.total_price, &o.total_tax, &o.total_discounts, &o.total_shipping})
        CHECK(money(*m));
      for (auto* t : {&o.created_at, &o.updated_at, &o.cancelled_at}) CHECK(time_or_empty(*t));
      for (const auto& li : o.line_items)
        CHECK((is_decimal(li.price) && is_decimal(li.total_discount)));
    }
    if (auto r = decode_product(json); accepted(r)) {
      any = true;
      CHECK(r.value().id > 0);
      CHECK(time_or_empty(r.value().updated_at));
      for (const auto& v : r.value().variants)
        CHECK((money(v.price) && time_or_empty(v.updated_at)));
    }
    if (auto r = decode_customer(json); accepted(r)) {
      any = true;
      CHECK(time_or_empty(r.value().updated_at));
    }
    if (auto r = decode_refund(json); accepted(r)) {
      any = true;
      CHECK(is_decimal(r.value().amount));
      CHECK(time_or_empty(r.value().created_at));
    }
    any |= accepted(decode_deletion(json));
    any |= accepted(decode_customer_redact(json));
    any |= accepted(decode_data_request(json));
    if (any) CHECK(valid_json(json));  // nothing half-read from a broken document
  });
}
