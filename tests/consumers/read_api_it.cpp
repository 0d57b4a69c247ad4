// The read API over real HTTP against real Postgres (rows written by the projector from
// real Kafka): every route's figures against ones computed here by hand, auth, and the
// validation of dates and limits.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <regex>

#include "consumers/sse/server.hpp"
#include "consumers/sse/token.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/projector_fixture.hpp"

using namespace shopstream;
using namespace shopstream::test;

namespace {

constexpr const char* kShop = "gamma.myshopify.com";
constexpr const char* kOther = "delta.myshopify.com";

struct Line {
  long product_id;
  const char* title;
  int quantity;
  const char* price;
};

std::string order(long id, const char* created_at, long customer, std::vector<Line> lines,
                  const char* discounts, const char* tax, const char* shipping, const char* total,
                  bool test = false) {
  std::string items;
  long item_id = id * 10;
  for (const auto& l : lines) {
    if (!items.empty()) items += ",";
    items += R"({"id":)" + std::to_string(item_id++) + R"(,"product_id":)" +
             std::to_string(l.product_id) + R"(,"title":")" + l.title + R"(","quantity":)" +
             std::to_string(l.quantity) + R"(,"price":")" + l.price + R"("})";
  }
  return R"({"id":)" + std::to_string(id) + R"(,"name":"#)" + std::to_string(id) +
         R"(","email":"c)" + std::to_string(customer) + R"(@example.com","currency":"USD")" +
         R"(,"created_at":")" + created_at + R"(","updated_at":")" + created_at +
         R"(","total_discounts":")" + discounts + R"(","total_tax":")" + tax +
         R"(","total_price":")" + total + R"(","test":)" + (test ? "true" : "false") +
         R"(,"customer":{"id":)" + std::to_string(customer) + R"(},"line_items":[)" + items +
         R"(],"shipping_lines":[{"price":")" + shipping + R"("}]})";
}

// The string value (or bare number) of "key" in the first object that has it after `from`.
std::string field(const std::string& json, const std::string& key, std::size_t from = 0) {
  std::smatch m;
  std::string tail = json.substr(from);
  if (!std::regex_search(tail, m, std::regex("\"" + key + R"re(":("([^"]*)"|[-0-9.]+|null))re")))
    return "<missing>";
  return m[2].matched ? m[2].str() : m[1].str();
}

bool money(const std::string& got, double want) {
  if (!std::regex_match(got, std::regex(R"(-?[0-9]+(\.[0-9]+)?)"))) return false;
  return std::abs(std::strtod(got.c_str(), nullptr) - want) < 0.0005;
}

struct ApiFixture {
  ProjectorFixture kafka;
  std::unique_ptr<consumers::sse::SseServer> server;
  std::string token;

  ApiFixture() {
    // Current period 2026-11-16..21; previous 2026-11-10..15.
    kafka.publish(
        "orders/create",
        order(1, "2026-11-20T23:30:00-05:00", 1, {{10, "Tee", 2, "10.00"}, {11, "Mug", 1, "5.50"}},
              "2.50", "1.84", "4.99", "29.83"),
        "2026-11-21T04:30:00Z", kShop);
    kafka.publish("orders/create",
                  order(2, "2026-11-21T09:00:00+01:00", 2, {{10, "Tee", 1, "10.00"}}, "0.00",
                        "0.80", "0.00", "10.80"),
                  "2026-11-21T08:00:00Z", kShop);
    kafka.publish("orders/create",
                  order(3, "2026-11-21T12:00:00Z", 1, {{12, "Cap", 3, "7.00"}}, "1.00", "1.60",
                        "0.00", "21.60"),
                  "2026-11-21T12:00:00Z", kShop);
    kafka.publish("orders/create",
                  order(4, "2026-11-21T13:00:00Z", 4, {{10, "Tee", 9, "10.00"}}, "0.00", "0.00",
                        "0.00", "90.00", true),
                  "2026-11-21T13:00:00Z", kShop);  // a test order
    kafka.publish("orders/create",
                  order(5, "2026-11-21T14:00:00Z", 5, {{10, "Tee", 7, "10.00"}}, "0.00", "0.00",
                        "0.00", "70.00"),
                  "2026-11-21T14:00:00Z", kShop);
    kafka.publish("orders/delete", R"({"id":5})", "2026-11-21T15:00:00Z", kShop);
    kafka.publish("orders/create",
                  order(6, "2026-11-15T10:00:00Z", 2, {{10, "Tee", 1, "10.00"}}, "0.00", "0.00",
                        "0.00", "10.00"),
                  "2026-11-15T10:00:00Z", kShop);
    kafka.publish("refunds/create",
                  R"({"id":77,"order_id":2,"created_at":"2026-11-21T18:00:00+01:00",)"
                  R"("refund_line_items":[{"id":1,"quantity":1,"subtotal":"5.00"}]})",
                  "2026-11-21T17:00:00Z", kShop);
    kafka.publish("orders/create",
                  order(8, "2026-11-21T12:00:00Z", 1, {{10, "Tee", 100, "10.00"}}, "0.00", "0.00",
                        "0.00", "1000.00"),
                  "2026-11-21T12:00:00Z", kOther);  // another shop: never in gamma's figures
    kafka.start();
    REQUIRE(kafka.caught_up());
    auto settings = kafka.settings();
    settings.dashboard_secret = "api-secret";
    settings.dashboard_addr = "127.0.0.1:0";
    auto s = consumers::sse::SseServer::start(settings);
    REQUIRE_MESSAGE(s, (s ? "" : s.error().message));
    server = std::move(s.value());
    auto now = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    token = consumers::sse::mint_token("api-secret", kShop, now + 600);
  }

  HttpResult get(const std::string& route, const std::string& query = "",
                 const std::string& shop = kShop) {
    HttpClient c(server->port());
    return c.request("GET", "/api/shops/" + shop + "/" + route + query,
                     {{"Authorization", "Bearer " + token}});
  }
};

const std::string kRange = "?from=2026-11-16&to=2026-11-21";

}  // namespace

TEST_CASE("read API: every route against figures computed by hand") {
  ApiFixture f;  // once: every check below only reads (subcases would rebuild it each)

  {
    INFO("kpis, with the previous period of equal length");
    auto r = f.get("kpis", kRange);
    REQUIRE(r.status == 200);
    auto& b = r.body;
    // The period's figures at the top level, as the contract lists them; then `previous`.
    std::size_t cur = 0;
    auto prev = b.find("\"previous\"");
    REQUIRE(prev != std::string::npos);
    CHECK(b.find("\"total_sales\"") < prev);
    CHECK(field(b, "from", cur) == "2026-11-16");
    // Orders 1, 2, 3 (4 is a test order, 5 was deleted); 6 is in the previous period.
    CHECK(field(b, "orders", cur) == "3");
    CHECK(money(field(b, "gross_sales", cur), 25.50 + 10.00 + 21.00));
    CHECK(money(field(b, "discounts", cur), 3.50));
    CHECK(money(field(b, "returns", cur), 5.00));
    CHECK(money(field(b, "net_sales", cur), 56.50 - 3.50 - 5.00));
    CHECK(money(field(b, "taxes", cur), 1.84 + 0.80 + 1.60));
    CHECK(money(field(b, "total_sales", cur), 48.00 + 4.99 + 4.24));
    CHECK(money(field(b, "average_order_value", cur), 17.67));  // (56.50 − 3.50) / 3
    CHECK(field(b, "customers", cur) == "2");
    // Customer 1 ordered twice in the period; customer 2 had ordered before it.
    CHECK(money(field(b, "repeat_customer_rate", cur), 1.0));
    CHECK(field(b, "from", prev) == "2026-11-10");
    CHECK(field(b, "to", prev) == "2026-11-15");
    CHECK(field(b, "orders", prev) == "1");
    CHECK(money(field(b, "total_sales", prev), 10.00));
    CHECK(field(b, "customers", prev) == "1");
    CHECK(money(field(b, "repeat_customer_rate", prev), 0.0));
  }

  {
    INFO("sales/daily: every day of the range, zeros included");
    auto r = f.get("sales/daily", kRange);
    REQUIRE(r.status == 200);
    auto& b = r.body;
    std::size_t days = 0;
    for (auto at = b.find("\"day\":"); at != std::string::npos; at = b.find("\"day\":", at + 1))
      ++days;
    CHECK(days == 6);
    auto d16 = b.find("\"day\":\"2026-11-16\"");
    auto d20 = b.find("\"day\":\"2026-11-20\"");
    auto d21 = b.find("\"day\":\"2026-11-21\"");
    REQUIRE(d20 != std::string::npos);
    REQUIRE(d21 != std::string::npos);
    CHECK(field(b, "orders", d16) == "0");
    CHECK(field(b, "orders", d20) == "1");
    CHECK(money(field(b, "total_sales", d20), 25.50 - 2.50 + 1.84 + 4.99));
    CHECK(field(b, "orders", d21) == "2");
    CHECK(money(field(b, "gross_sales", d21), 31.00));
    CHECK(money(field(b, "returns", d21), 5.00));
    CHECK(money(field(b, "net_sales", d21), 31.00 - 1.00 - 5.00));
    CHECK(money(field(b, "total_sales", d21), 25.00 + 2.40));
  }

  {
    INFO("top-products, bounded by limit");
    auto r = f.get("top-products", kRange + "&limit=2");
    REQUIRE(r.status == 200);
    auto& b = r.body;
    auto first = b.find("\"product_id\"");
    auto second = b.find("\"product_id\"", first + 1);
    CHECK(field(b, "product_id", first) == "10");
    CHECK(field(b, "title", first) == "Tee");
    CHECK(field(b, "quantity", first) == "3");
    CHECK(money(field(b, "gross_sales", first), 30.00));
    CHECK(field(b, "product_id", second) == "12");
    CHECK(money(field(b, "gross_sales", second), 21.00));
    CHECK(b.find("\"product_id\"", second + 1) == std::string::npos);
  }

  {
    INFO("top-customers");
    auto r = f.get("top-customers", kRange);
    REQUIRE(r.status == 200);
    auto& b = r.body;
    auto first = b.find("\"customer_id\"");
    auto second = b.find("\"customer_id\"", first + 1);
    CHECK(field(b, "customer_id", first) == "1");
    CHECK(field(b, "orders", first) == "2");
    CHECK(field(b, "email", first) == "c1@example.com");  // from the orders: no customer row
    CHECK(money(field(b, "total_spent", first), 29.83 + 21.60));
    CHECK(field(b, "customer_id", second) == "2");
    CHECK(money(field(b, "total_spent", second), 10.80));
    CHECK(b.find("\"customer_id\"", second + 1) == std::string::npos);
  }

  {
    INFO("orders.csv: the range's orders, test ones flagged, deleted ones left out");
    auto r = f.get("orders.csv", kRange);
    REQUIRE(r.status == 200);
    CHECK(r.headers["content-type"].find("text/csv") == 0);
    auto& b = r.body;
    CHECK(b.rfind("id,name,created_at,local_date,", 0) == 0);
    CHECK(std::count(b.begin(), b.end(), '\n') == 5);  // header + orders 1-4
    CHECK(b.find("\n1,#1,2026-11-21T04:30:00Z,2026-11-20,c1@example.com,1,USD,") !=
          std::string::npos);
    CHECK(b.find("\n4,") != std::string::npos);
    CHECK(b.find("\n5,") == std::string::npos);
    CHECK(b.find("1000.00") == std::string::npos);  // the other shop's
  }

  {
    INFO("auth and validation");
    HttpClient c(f.server->port());
    CHECK(c.request("GET", std::string("/api/shops/") + kShop + "/kpis", {}).status == 401);
    CHECK(f.get("kpis", kRange, kOther).status == 403);
    auto bad = f.get("kpis", "?from=2026-02-30");
    CHECK(bad.status == 400);
    CHECK(bad.body.find("YYYY-MM-DD") != std::string::npos);
    CHECK(f.get("kpis", "?from=2026-11-21&to=2026-11-01").status == 400);
    CHECK(f.get("top-products", kRange + "&limit=1000").status == 400);
    CHECK(f.get("nothing-here", kRange).status == 404);
    CHECK(f.get("kpis", "").status == 200);  // defaults: the last 30 days
  }
}
