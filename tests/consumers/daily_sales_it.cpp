// daily_sales against totals computed by hand from the fixture payloads below.
#include <doctest/doctest.h>

#include <map>

#include "tests/support/projector_fixture.hpp"

using namespace shopstream::test;

namespace {

struct Line {
  const char* price;
  int quantity;
};

// An order payload with the money fields daily_sales reads, and nothing it does not need.
std::string order(long id, const char* created_at, std::vector<Line> lines, const char* discounts,
                  const char* tax, const char* shipping, bool test = false) {
  std::string items;
  long item_id = id * 10;
  for (const auto& l : lines) {
    if (!items.empty()) items += ",";
    items += R"({"id":)" + std::to_string(item_id++) + R"(,"quantity":)" +
             std::to_string(l.quantity) + R"(,"price":")" + l.price + R"("})";
  }
  return R"({"id":)" + std::to_string(id) + R"(,"created_at":")" + created_at +
         R"(","updated_at":")" + created_at + R"(","total_discounts":")" + discounts +
         R"(","total_tax":")" + tax + R"(","test":)" + (test ? "true" : "false") +
         R"(,"line_items":[)" + items + R"(],"shipping_lines":[{"price":")" + shipping + R"("}]})";
}

}  // namespace

TEST_CASE("daily_sales equals totals computed by hand") {
  ProjectorFixture f;
  // A: late evening at UTC-5: 2026-11-21 04:30 UTC, but the shop's day is 2026-11-20.
  f.publish(
      "orders/create",
      order(1, "2026-11-20T23:30:00-05:00", {{"10.00", 2}, {"5.50", 1}}, "2.50", "1.84", "4.99"),
      "2026-11-21T04:30:00Z");
  // B: the same shop day, in the morning.
  f.publish("orders/create",
            order(2, "2026-11-20T09:00:00-05:00", {{"100.00", 1}}, "0.00", "8.00", "0.00"),
            "2026-11-20T14:00:00Z");
  // C: a test order: excluded.
  f.publish("orders/create",
            order(3, "2026-11-20T12:00:00-05:00", {{"999.00", 1}}, "0.00", "0.00", "0.00", true),
            "2026-11-20T17:00:00Z");
  // D: the next day at UTC+1 (2026-11-21 00:00 UTC).
  f.publish("orders/create",
            order(4, "2026-11-21T01:00:00+01:00", {{"40.00", 1}}, "0.00", "0.00", "0.00"),
            "2026-11-21T00:00:00Z");
  // E: created then deleted: excluded, and so is its refund.
  f.publish("orders/create",
            order(5, "2026-11-20T10:00:00-05:00", {{"70.00", 1}}, "0.00", "0.00", "0.00"),
            "2026-11-20T15:00:00Z");
  f.publish("orders/delete", R"({"id":5})", "2026-11-20T16:00:00Z");
  f.publish(
      "refunds/create",
      R"({"id":95,"order_id":5,"created_at":"2026-11-21T10:00:00-05:00","refund_line_items":[{"subtotal":"70.00"}]})",
      "2026-11-21T15:00:00Z");
  // A refund of A, on the shop's 2026-11-21: one 10.00 item returned.
  f.publish(
      "refunds/create",
      R"({"id":91,"order_id":1,"created_at":"2026-11-21T10:00:00-05:00","refund_line_items":[{"line_item_id":10,"quantity":1,"subtotal":10.0}]})",
      "2026-11-21T15:00:00Z");
  f.start();
  REQUIRE(f.caught_up());

  // By hand, 2026-11-20 (A and B): gross = 2×10.00 + 5.50 + 100.00 = 125.50;
  // discounts 2.50; returns 0; net = 123.00; taxes 1.84 + 8.00 = 9.84;
  // shipping 4.99; total = 123.00 + 4.99 + 9.84 = 137.83.
  // 2026-11-21 (D, and A's return): gross 40.00; discounts 0; returns 10.00; net 30.00;
  // taxes 0; shipping 0; total 30.00.
  std::map<std::string, std::vector<std::string>> expected = {
      {"2026-11-20", {"2", "125.50", "2.50", "0", "123.00", "9.84", "137.83"}},
      {"2026-11-21", {"1", "40.00", "0.00", "10.00", "30.00", "0.00", "30.00"}}};
  auto rows = f.query(
      "SELECT day::text, orders::text, gross_sales::text, discounts::text, returns::text, "
      "net_sales::text, taxes::text, total_sales::text FROM shopstream.daily_sales "
      "WHERE shop_domain = 'demo.myshopify.com' ORDER BY day");
  REQUIRE(rows.size() == expected.size());
  for (auto row : rows) {
    std::string day = row[0].c_str();
    CAPTURE(day);
    REQUIRE(expected.count(day));
    for (int i = 0; i < 7; ++i) {
      CAPTURE(i);
      // Compare as numbers: numeric keeps the scale of its inputs ("0" vs "0.00").
      CHECK(std::stod(row[i + 1].c_str()) == doctest::Approx(std::stod(expected[day][i])));
    }
  }
}
