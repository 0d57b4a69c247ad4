// Fuzzing what a webhook sender controls: the body (signed, so that it reaches the JSON
// parser) and each header. Whatever arrives, the verdict is one of the contract's answers,
// and a published record keeps the body byte for byte under a well-formed key.
#include <doctest/doctest.h>

#include <regex>
#include <utility>

#include "ingress/hmac.hpp"
#include "ingress/shop_domain.hpp"
#include "ingress/webhook.hpp"
#include "tests/support/fuzz.hpp"
#include "tests/support/process.hpp"

using namespace shopstream;
using namespace shopstream::ingress;
using shopstream::test::fuzz;
namespace http = boost::beast::http;

namespace {

const SecretStore kSecrets({"current"}, {});
const std::vector<std::pair<std::string, std::string>> kHeaders = {
    {"Content-Type", "application/json"},
    {"X-Shopify-Topic", "orders/create"},
    {"X-Shopify-Shop-Domain", "demo.myshopify.com"},
    {"X-Shopify-Webhook-Id", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"},
    {"X-Shopify-Triggered-At", "2026-11-20T21:15:03.123Z"}};

std::vector<std::string> fixtures() {
  std::vector<std::string> out;
  for (auto name : {"order_create.json", "product_update.json", "customer_create.json",
                    "refund_create.json", "customers_redact.json"})
    out.push_back(test::read_file(std::string(SHOPSTREAM_SOURCE_DIR) + "/tests/fixtures/" + name));
  out.push_back(R"({"id":"gid-1","order_edit":{"order_id":7}})");
  return out;
}

HttpRequest request(std::string body, const std::vector<std::pair<std::string, std::string>>& h,
                    const std::string& signature) {
  HttpRequest r{http::verb::post, "/webhooks/shopify", 11};
  for (auto& [k, v] : h) r.set(k, v);
  r.set("X-Shopify-Hmac-Sha256", signature);
  r.body() = std::move(body);
  return r;
}

bool lower_name(std::string_view name) {
  for (char c : name)
    if (c >= 'A' && c <= 'Z') return false;
  return true;
}

// What every verdict must satisfy, whatever the input.
void check_verdict(const Verdict& v, const std::string& body) {
  if (auto* r = std::get_if<Rejection>(&v)) {
    CHECK((r->status == 400 || r->status == 401 || r->status == 415));
    CHECK(!r->code.empty());
    return;
  }
  const auto& p = std::get<Publish>(v);
  CHECK(normalize_shop_domain(p.shop_domain) == p.shop_domain);
  if (!p.routed) return;
  CHECK(p.record.value == body);
  CHECK(p.record.topic.rfind("shopify.", 0) == 0);
  CHECK(p.record.key.rfind(p.shop_domain, 0) == 0);
  auto id = std::string_view(p.record.key).substr(p.shop_domain.size());
  if (!id.empty()) {
    CHECK(id.front() == '/');
    id.remove_prefix(1);
    CHECK(!id.empty());
    CHECK(id.size() <= 256);
    for (char c : id) CHECK((c != '/' && static_cast<unsigned char>(c) >= 0x20));
  }
  for (const auto& h : p.record.headers) {
    CHECK(lower_name(h.name));
    CHECK((h.name.rfind("x-shopify-", 0) == 0 || h.name.rfind("shopstream-", 0) == 0));
    CHECK(h.name != "x-shopify-hmac-sha256");
  }
}

}  // namespace

TEST_CASE("fuzz: any signed body is published byte for byte or answered 400") {
  const auto received = time::Clock::time_point(std::chrono::milliseconds(1'763'752'501'123));
  fuzz(fixtures(), test::kJsonTokens, [&](const std::string& body, std::size_t run) {
    CAPTURE(run);
    auto v = classify_webhook(request(body, kHeaders, sign("current", body)), kSecrets, "shopify.",
                              received);
    if (auto* r = std::get_if<Rejection>(&v)) {
      CHECK(r->status == 400);  // signed, JSON: only the body can be wrong
      CHECK((r->code == "invalid_body" || (r->code == "missing_body" && body.empty())));
    }
    check_verdict(v, body);
  });
}

TEST_CASE("fuzz: any header value gives one of the contract's answers") {
  const auto received = time::Clock::time_point(std::chrono::milliseconds(1'763'752'501'123));
  const std::string body = fixtures().front();
  const std::string signature = sign("current", body);
  std::vector<std::string> corpus;
  for (auto& [k, v] : kHeaders) corpus.push_back(v);
  corpus.push_back(signature);
  test::Mutator m(test::fuzz_seed(), test::kHttpTokens);
  for (std::size_t run = 0, n = test::fuzz_runs(); run < n; ++run) {
    CAPTURE(run);
    auto headers = kHeaders;
    auto sig = signature;
    const auto which = m.below(headers.size() + 1);
    auto& value = which < headers.size() ? headers[which].second : sig;
    value = m.mutate(value, corpus);
    auto v = classify_webhook(request(body, headers, sig), kSecrets, "shopify.", received);
    if (sig.empty()) CHECK(std::get<Rejection>(v).code == "missing_hmac");
    check_verdict(v, body);
  }
}

TEST_CASE("fuzz: shop domains agree with an independent pattern") {
  // The contract's shape: one DNS label (letters, digits, inner hyphens, at most 63)
  // before .myshopify.com, any case; normalized to lower case.
  const std::regex pattern(R"(^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.myshopify\.com$)",
                           std::regex::icase);
  std::vector<std::string> corpus = {"demo.myshopify.com",
                                     "My-Shop-2.MyShopify.com",
                                     "a.myshopify.com",
                                     std::string(63, 'x') + ".myshopify.com",
                                     "shop.myshopify.com.evil.example",
                                     "-x.myshopify.com"};
  fuzz(corpus, {".", "-", ".myshopify.com", std::string_view("\0", 1), "\xc3\xa9", "/", " "},
       [&](const std::string& text, std::size_t run) {
         CAPTURE(run);
         CAPTURE(text);
         auto got = normalize_shop_domain(text);
         const bool valid = std::regex_match(text, pattern);
         REQUIRE(got.has_value() == valid);
         if (!got) return;
         std::string lower = text;
         for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
         CHECK(*got == lower);
       });
}
