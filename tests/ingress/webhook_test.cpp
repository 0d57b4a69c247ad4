#include "ingress/webhook.hpp"

#include <doctest/doctest.h>

#include <map>

#include "ingress/hmac.hpp"

using namespace shopstream;
using namespace shopstream::ingress;
namespace http = boost::beast::http;

namespace {

const SecretStore kSecrets({"current", "previous"}, {{"handmade.myshopify.com", {"shop-secret"}}});
const auto kReceived = time::Clock::time_point(std::chrono::milliseconds(1'763'752'501'123));

HttpRequest webhook(std::string body, std::map<std::string, std::string> overrides = {},
                    const std::string& secret = "current") {
  HttpRequest r{http::verb::post, "/webhooks/shopify", 11};
  std::map<std::string, std::string> h = {
      {"Content-Type", "application/json"},
      {"X-Shopify-Topic", "orders/create"},
      {"X-Shopify-Shop-Domain", "demo.myshopify.com"},
      {"X-Shopify-Webhook-Id", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"},
      {"X-Shopify-Event-Id", "98880550-7158-44d4-b7cd-2c97c8a091b5"},
      {"X-Shopify-Triggered-At", "2026-11-20T21:15:03.123Z"},
      {"X-Shopify-API-Version", "2026-10"},
      {"X-Shopify-Hmac-Sha256", sign(secret, body)},
  };
  for (auto& [k, v] : overrides) h[k] = v;
  for (auto& [k, v] : h)
    if (v != "<absent>") r.set(k, v);
  r.body() = std::move(body);
  return r;
}

Verdict classify(HttpRequest r) {
  return classify_webhook(std::move(r), kSecrets, "shopify.", kReceived);
}

Rejection rejected(const HttpRequest& r) {
  auto v = classify(r);
  REQUIRE(std::holds_alternative<Rejection>(v));
  return std::get<Rejection>(v);
}

Publish published(HttpRequest r) {
  auto v = classify(std::move(r));
  if (auto* rej = std::get_if<Rejection>(&v)) FAIL("rejected: " << rej->message);
  return std::get<Publish>(std::move(v));
}

std::map<std::string, std::string> headers_of(const Publish& p) {
  std::map<std::string, std::string> m;
  for (auto& h : p.record.headers) m[h.name] = h.value;
  return m;
}

const std::string kOrder =
    R"({"id":820982911946154508,"email":"jon@example.com","total_price":"404.95"})";

}  // namespace

TEST_CASE("a valid order webhook becomes the contract's record") {
  auto req = webhook(kOrder);
  const char* received = req.body().data();
  auto p = published(std::move(req));
  CHECK(p.routed);
  CHECK(p.record.topic == "shopify.orders");
  CHECK(p.record.key == "demo.myshopify.com/820982911946154508");
  CHECK(p.record.value == kOrder);
  CHECK(p.record.value.data() == received);  // the bytes received, not a re-encoding nor a copy
  auto h = headers_of(p);
  CHECK(h["x-shopify-topic"] == "orders/create");
  CHECK(h["x-shopify-shop-domain"] == "demo.myshopify.com");
  CHECK(h["x-shopify-webhook-id"] == "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043");
  CHECK(h["x-shopify-event-id"] == "98880550-7158-44d4-b7cd-2c97c8a091b5");
  CHECK(h["x-shopify-triggered-at"] == "2026-11-20T21:15:03.123Z");
  CHECK(h["x-shopify-api-version"] == "2026-10");
  CHECK(h["shopstream-received-at"] == "2025-11-21T19:15:01.123Z");
  CHECK(h["shopstream-source"] == "webhook");
  CHECK(h.count("x-shopify-hmac-sha256") == 0);
  CHECK(h.count("content-type") == 0);
}

TEST_CASE("the entity id is the same whether the body is parsed in place or from a copy") {
  // In place when the body's spare capacity covers simdjson's padding (the HTTP server
  // reserves it), from a padded copy otherwise.
  const std::vector<std::string_view> path{"id"};
  for (const std::string& json : {kOrder, std::string(R"({"id":"gid-7"})"), std::string("{}"),
                                  std::string("[1]"), std::string(R"({"id":12)")}) {
    CAPTURE(json);
    std::string tight = json;
    tight.shrink_to_fit();
    std::string roomy = json;
    roomy.reserve(json.size() + 64);
    REQUIRE(roomy.capacity() - roomy.size() >= 64);
    CHECK(entity_id(tight, path) == entity_id(roomy, path));
  }
  std::string roomy = kOrder;
  roomy.reserve(kOrder.size() + 64);
  CHECK(entity_id(roomy, path) == "820982911946154508");
  roomy = R"({"id":12)";  // truncated: rejected, whatever lies past the end
  roomy.reserve(roomy.size() + 64);
  CHECK(entity_id(roomy, path) == std::nullopt);
}

TEST_CASE("header names match whatever their case") {
  HttpRequest r{http::verb::post, "/webhooks/shopify", 11};
  r.set("content-type", "application/json; charset=utf-8");
  r.set("x-shopify-topic", "products/update");
  r.set("X-SHOPIFY-SHOP-DOMAIN", "demo.myshopify.com");
  r.set("x-shopify-webhook-id", "w1");
  r.set("x-shopify-hmac-sha256", sign("current", R"({"id":7})"));
  r.body() = R"({"id":7})";
  auto p = published(r);
  CHECK(p.record.topic == "shopify.products");
  CHECK(p.record.key == "demo.myshopify.com/7");
  CHECK(headers_of(p)["x-shopify-shop-domain"] == "demo.myshopify.com");
}

TEST_CASE("401: signature missing or wrong, checked before anything else") {
  auto missing = rejected(
      webhook(kOrder, {{"X-Shopify-Hmac-Sha256", "<absent>"}, {"X-Shopify-Topic", "<absent>"}}));
  CHECK(missing.status == 401);
  CHECK(missing.code == "missing_hmac");
  // Even with other faults present, a bad signature is what is reported.
  auto bad = rejected(webhook("not json", {{"Content-Type", "text/plain"}}, "wrong"));
  CHECK(bad.status == 401);
  CHECK(bad.code == "invalid_hmac");
  auto tampered = webhook(kOrder);
  tampered.body() = R"({"id":820982911946154508,"email":"jon@example.com","total_price":"0.01"})";
  CHECK(rejected(tampered).status == 401);
}

TEST_CASE("secret rotation and per-shop secrets verify") {
  CHECK(published(webhook(kOrder, {}, "previous")).routed);
  auto own = webhook(kOrder, {{"X-Shopify-Shop-Domain", "handmade.myshopify.com"}}, "shop-secret");
  CHECK(published(own).record.key == "handmade.myshopify.com/820982911946154508");
  // A shop's own secret does not sign for another shop.
  auto other = webhook(kOrder, {{"X-Shopify-Shop-Domain", "demo.myshopify.com"}}, "shop-secret");
  CHECK(rejected(other).status == 401);
}

TEST_CASE("400 names the missing header, bad shop domain or bad body") {
  for (const char* h : {"X-Shopify-Topic", "X-Shopify-Shop-Domain", "X-Shopify-Webhook-Id"}) {
    CAPTURE(h);
    auto r = rejected(webhook(kOrder, {{h, "<absent>"}}));
    CHECK(r.status == 400);
    CHECK(r.code == "missing_headers");
    CHECK(r.message.find(h) != std::string::npos);
  }
  for (const char* shop : {"demo.example.com", "myshopify.com", ".myshopify.com",
                           "a/b.myshopify.com", "demo.myshopify.com.evil.com"}) {
    CAPTURE(shop);
    auto r = rejected(webhook(kOrder, {{"X-Shopify-Shop-Domain", shop}}));
    CHECK(r.status == 400);
    CHECK(r.code == "invalid_shop_domain");
  }
  for (const char* body : {"[1,2]", "\"text\"", "42", "{\"id\":", "{\"id\":1} trailing", "\xff"}) {
    CAPTURE(body);
    auto r = rejected(webhook(body));
    CHECK(r.status == 400);
    CHECK(r.code == "invalid_body");
  }
  CHECK(rejected(webhook("")).code == "missing_body");
}

TEST_CASE("415 for a body that is not declared JSON") {
  auto r = rejected(webhook(kOrder, {{"Content-Type", "text/plain"}}));
  CHECK(r.status == 415);
  CHECK(rejected(webhook(kOrder, {{"Content-Type", "<absent>"}})).status == 415);
  CHECK(published(webhook(kOrder, {{"Content-Type", "Application/JSON ; charset=UTF-8"}})).routed);
}

TEST_CASE("unrouted topics are valid but not routed") {
  auto p = published(webhook(R"({"id":1})", {{"X-Shopify-Topic", "themes/publish"}}));
  CHECK_FALSE(p.routed);
  CHECK(p.record.topic.empty());
}

TEST_CASE("keys follow the entity of each topic, tiny payloads included") {
  struct Case {
    const char* topic;
    const char* body;
    const char* key;
    const char* kafka_topic;
  };
  for (
      auto c : {
          Case{"orders/delete", R"({"id":450789469})", "s.myshopify.com/450789469",
               "shopify.orders"},
          Case{"products/delete", R"({"id":"632910392"})", "s.myshopify.com/632910392",
               "shopify.products"},
          Case{
              "customers/delete",
              R"({"id":207119551,"tax_exemptions":[],"admin_graphql_api_id":"gid://shopify/Customer/207119551"})",
              "s.myshopify.com/207119551", "shopify.customers"},
          Case{"refunds/create", R"({"id":509562969,"order_id":450789469})",
               "s.myshopify.com/450789469", "shopify.orders"},
          Case{"order_transactions/create", R"({"id":1,"order_id":450789469,"amount":"1.00"})",
               "s.myshopify.com/450789469", "shopify.orders"},
          Case{"orders/edited", R"({"order_edit":{"id":78,"order_id":450789469}})",
               "s.myshopify.com/450789469", "shopify.orders"},
          Case{
              "customers/redact",
              R"({"shop_id":954889,"shop_domain":"s.myshopify.com","customer":{"id":191167,"email":"john@example.com","phone":"555-625-1199"},"orders_to_redact":[299938,280263]})",
              "s.myshopify.com/191167", "shopify.compliance"},
          Case{
              "customers/data_request",
              R"({"shop_id":954889,"customer":{"id":191167},"orders_requested":[299938],"data_request":{"id":9999}})",
              "s.myshopify.com/191167", "shopify.compliance"},
          Case{"shop/redact", R"({"shop_id":954889,"shop_domain":"s.myshopify.com"})",
               "s.myshopify.com", "shopify.compliance"},
          Case{"app/uninstalled", R"({"id":954889,"domain":"s.myshopify.com"})", "s.myshopify.com",
               "shopify.compliance"},
          Case{"inventory_levels/update",
               R"({"inventory_item_id":271878346596884015,"location_id":24826418,"available":42})",
               "s.myshopify.com/271878346596884015", "shopify.products"},
      }) {
    CAPTURE(c.topic);
    auto p = published(webhook(
        c.body, {{"X-Shopify-Topic", c.topic}, {"X-Shopify-Shop-Domain", "s.myshopify.com"}}));
    CHECK(p.routed);
    CHECK(p.has_entity);
    CHECK(p.record.key == c.key);
    CHECK(p.record.topic == c.kafka_topic);
  }
}

TEST_CASE("a routed payload without its id is still published, keyed by shop") {
  auto p = published(webhook(R"({"email":"x@example.com"})"));
  CHECK(p.routed);
  CHECK_FALSE(p.has_entity);
  CHECK(p.record.key == "demo.myshopify.com");
  auto slash = published(webhook(R"({"id":"1/2"})"));
  CHECK(slash.record.key == "demo.myshopify.com");
}

TEST_CASE("shop domains are lower-cased in keys") {
  auto p = published(webhook(kOrder, {{"X-Shopify-Shop-Domain", "Demo.MyShopify.com"}}));
  CHECK(p.shop_domain == "demo.myshopify.com");
  CHECK(p.record.key == "demo.myshopify.com/820982911946154508");
}
