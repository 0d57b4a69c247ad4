// The ingress over real HTTP against the run's Kafka broker (mock or real; see
// tests/support/kafka.hpp): answers, record contents, secrets, duplicates.
#include <doctest/doctest.h>

#include <map>
#include <set>

#include "ingress/hmac.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/ingress_fixture.hpp"
#include "tests/support/wait.hpp"

using namespace shopstream;
using namespace shopstream::test;
using namespace std::chrono_literals;

namespace {
const std::string kShop = "demo.myshopify.com";
const std::string kPath = "/webhooks/shopify";

std::string order_body(long id) {
  // Escaped slashes and non-ASCII on purpose: the bytes must survive untouched.
  return R"({"id":)" + std::to_string(id) +
         R"(,"name":"#1001","email":"zoë@example.com","note":"https:\/\/shop.example\/x","total_price":"404.95"})";
}
}  // namespace

TEST_CASE("every answer of the contract, and exact records after each 200") {
  IngressFixture ing([](Settings& s) { s.max_body_bytes = 8 * 1024; });
  HttpClient http(ing.port());
  const auto body = order_body(820982911946154508);

  auto ok = http.post(kPath, shopify_headers(kSecret, "orders/create", kShop, "wh-1", body), body);
  CHECK(ok.status == 200);
  CHECK(ok.headers["content-type"] == "application/json");

  auto h = shopify_headers(kSecret, "orders/create", kShop, "wh-2", body);
  h.erase("X-Shopify-Hmac-Sha256");
  CHECK(http.post(kPath, h, body).status == 401);
  h["X-Shopify-Hmac-Sha256"] = ingress::sign("not-the-secret", body);
  CHECK(http.post(kPath, h, body).status == 401);

  h = shopify_headers(kSecret, "orders/create", kShop, "wh-3", body);
  h.erase("X-Shopify-Webhook-Id");
  auto missing = http.post(kPath, h, body);
  CHECK(missing.status == 400);
  CHECK(missing.body.find("X-Shopify-Webhook-Id") != std::string::npos);
  CHECK(http.post(kPath,
                  shopify_headers(kSecret, "orders/create", "evil.example.com", "wh-4", body), body)
            .status == 400);
  CHECK(http.post(kPath, shopify_headers(kSecret, "orders/create", kShop, "wh-5", "[1]"), "[1]")
            .status == 400);

  auto not_found = http.request("GET", "/nope", {});
  CHECK(not_found.status == 404);
  auto wrong_method = http.request("GET", kPath, {});
  CHECK(wrong_method.status == 405);
  CHECK(wrong_method.headers["allow"] == "POST");
  CHECK(http.request("PUT", kPath, shopify_headers(kSecret, "orders/create", kShop, "wh-6", body),
                     body)
            .status == 405);

  std::string big(9 * 1024, ' ');
  big.front() = '{';
  big.back() = '}';
  auto too_big =
      HttpClient(ing.port())
          .post(kPath, shopify_headers(kSecret, "orders/create", kShop, "wh-7", big), big);
  CHECK(too_big.status == 413);

  h = shopify_headers(kSecret, "orders/create", kShop, "wh-8", body);
  h["Content-Type"] = "text/plain";
  CHECK(http.post(kPath, h, body).status == 415);

  // Unrouted topic: 200, not published anywhere.
  const std::string theme = R"({"id":5})";
  CHECK(http.post(kPath, shopify_headers(kSecret, "themes/publish", kShop, "wh-9", theme), theme)
            .status == 200);

  // Lower-case header names, as HTTP/2 delivers them.
  Headers lower;
  for (auto& [k, v] : shopify_headers(kSecret, "customers/create", kShop, "wh-10", theme)) {
    std::string name = k;
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    lower[name] = v;
  }
  CHECK(http.post(kPath, lower, theme).status == 200);

  CHECK(http.request("GET", "/healthz", {}).status == 200);
  CHECK(wait_until([&] { return http.request("GET", "/readyz", {}).status == 200; }, 10s));

  auto orders = ing.read("orders");
  REQUIRE(orders.size() == 1);
  const auto& r = orders[0];
  CHECK(r.value == body);
  CHECK(r.key == "demo.myshopify.com/820982911946154508");
  CHECK(r.headers.at("x-shopify-topic") == "orders/create");
  CHECK(r.headers.at("x-shopify-shop-domain") == kShop);
  CHECK(r.headers.at("x-shopify-webhook-id") == "wh-1");
  CHECK(r.headers.at("x-shopify-event-id") == "ev-wh-1");
  CHECK(r.headers.at("x-shopify-triggered-at") == "2026-11-20T21:15:03.123Z");
  CHECK(r.headers.at("x-shopify-api-version") == "2026-10");
  CHECK(r.headers.at("shopstream-source") == "webhook");
  CHECK(r.headers.at("shopstream-received-at").size() == 24);
  CHECK(r.headers.count("x-shopify-hmac-sha256") == 0);

  auto customers = ing.read("customers");
  REQUIRE(customers.size() == 1);
  CHECK(customers[0].key == "demo.myshopify.com/5");
  CHECK(customers[0].value == theme);
  CHECK(ing.read("products").empty());
  CHECK(ing.read("compliance").empty());
  CHECK(ing.read("deadletter").empty());
}

TEST_CASE("a webhook as large as the body limit is published whole, beyond Kafka's 1 MB default") {
  // Kafka's defaults refuse records over about 1 MB; the body limit is 2 MiB. Such a
  // webhook used to be answered 503 on every one of Shopify's retries.
  IngressFixture ing;
  REQUIRE(ing.settings().max_body_bytes == 2u * 1024 * 1024);
  std::string body = R"({"id":77,"note":")";
  body.append(ing.settings().max_body_bytes - body.size() - 2, 'x');
  body += "\"}";
  REQUIRE(body.size() == ing.settings().max_body_bytes);
  HttpClient http(ing.port());
  auto res =
      http.post(kPath, shopify_headers(kSecret, "orders/create", kShop, "wh-big", body), body);
  CHECK(res.status == 200);
  CHECK(res.body.find(R"("status":"ok")") != std::string::npos);
  auto records = ing.read("orders");
  REQUIRE(records.size() == 1);
  CHECK(records[0].value == body);
  CHECK(records[0].key == kShop + "/77");
}

TEST_CASE("the previous secret and a per-shop secret verify; others do not") {
  ingress::SecretStore secrets({kSecret, kOldSecret}, {{"handmade.myshopify.com", {"hand-key"}}});
  IngressFixture ing(nullptr, std::move(secrets));
  HttpClient http(ing.port());
  const auto body = order_body(1);
  CHECK(http.post(kPath, shopify_headers(kOldSecret, "orders/paid", kShop, "rot-1", body), body)
            .status == 200);
  CHECK(
      http.post(kPath,
                shopify_headers("hand-key", "orders/paid", "handmade.myshopify.com", "own-1", body),
                body)
          .status == 200);
  CHECK(http.post(kPath, shopify_headers("hand-key", "orders/paid", kShop, "own-2", body), body)
            .status == 401);
  auto orders = ing.read("orders");
  std::set<std::string> ids;
  for (auto& r : orders) ids.insert(r.headers.at("x-shopify-webhook-id"));
  CHECK(ids == std::set<std::string>{"rot-1", "own-1"});
}

TEST_CASE("a redelivered webhook id is published once") {
  IngressFixture ing;
  HttpClient http(ing.port());
  const auto body = order_body(77);
  for (int i = 0; i < 3; ++i) {
    auto res =
        http.post(kPath, shopify_headers(kSecret, "orders/updated", kShop, "dup-1", body), body);
    CHECK(res.status == 200);
  }
  // The same id from another shop is another delivery.
  CHECK(http.post(kPath,
                  shopify_headers(kSecret, "orders/updated", "other.myshopify.com", "dup-1", body),
                  body)
            .status == 200);
  auto orders = ing.read("orders");
  CHECK(orders.size() == 2);
}

TEST_CASE("compliance webhooks go to the compliance topic with their keys") {
  IngressFixture ing;
  HttpClient http(ing.port());
  const std::string redact =
      R"({"shop_id":954889,"shop_domain":"demo.myshopify.com","customer":{"id":191167,"email":"john@example.com","phone":"555-625-1199"},"orders_to_redact":[299938]})";
  const std::string shop_redact = R"({"shop_id":954889,"shop_domain":"demo.myshopify.com"})";
  CHECK(http.post(kPath, shopify_headers(kSecret, "customers/redact", kShop, "c-1", redact), redact)
            .status == 200);
  CHECK(http.post(kPath, shopify_headers(kSecret, "shop/redact", kShop, "c-2", shop_redact),
                  shop_redact)
            .status == 200);
  std::set<std::string> keys;
  for (auto& r : ing.read("compliance")) keys.insert(r.key);
  CHECK(keys == std::set<std::string>{"demo.myshopify.com/191167", "demo.myshopify.com"});
}
