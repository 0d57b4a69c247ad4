#include "ingress/secrets.hpp"

#include <doctest/doctest.h>

#include "ingress/hmac.hpp"

using namespace shopstream::ingress;

TEST_CASE("per-shop secrets file parses, with rotation and comments") {
  auto parsed = SecretStore::parse_shop_secrets(
      "# hand-made webhooks\n\nA.myshopify.com = s1\na.myshopify.com=s0\r\nb.myshopify.com=x=y\n");
  REQUIRE(parsed.ok());
  auto& m = parsed.value();
  REQUIRE(m.size() == 2);
  CHECK(m["a.myshopify.com"] == std::vector<std::string>{"s1", "s0"});
  CHECK(m["b.myshopify.com"] == std::vector<std::string>{"x=y"});
}

TEST_CASE("a malformed secrets file names the line, never the secret") {
  auto bad = SecretStore::parse_shop_secrets("a.myshopify.com=ok\nno-equals-sign-topsecret\n");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("line 2") != std::string::npos);
  CHECK(bad.error().message.find("topsecret") == std::string::npos);
  CHECK_FALSE(SecretStore::parse_shop_secrets("evil.com=x\n").ok());
  CHECK_FALSE(SecretStore::parse_shop_secrets("a.myshopify.com=\n").ok());
  CHECK_FALSE(SecretStore::load({}, "/nonexistent/secrets").ok());
}

TEST_CASE("verify tries the shop's secrets, then the app's") {
  SecretStore store({"app-new", "app-old"}, {{"a.myshopify.com", {"a1", "a0"}}});
  const std::string body = "{}";
  CHECK(store.verify("a.myshopify.com", body, sign("a0", body)));
  CHECK(store.verify("A.MYSHOPIFY.COM", body, sign("a1", body)));
  CHECK(store.verify("a.myshopify.com", body, sign("app-old", body)));
  CHECK(store.verify("b.myshopify.com", body, sign("app-new", body)));
  CHECK_FALSE(store.verify("b.myshopify.com", body, sign("a1", body)));
  CHECK_FALSE(store.verify("", body, sign("a1", body)));
}
