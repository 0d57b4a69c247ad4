#include "ingress/shop_domain.hpp"

#include <doctest/doctest.h>

using shopstream::ingress::normalize_shop_domain;

TEST_CASE("only *.myshopify.com domains are shop domains") {
  CHECK(normalize_shop_domain("demo.myshopify.com") == "demo.myshopify.com");
  CHECK(normalize_shop_domain("Demo-Store-2.MYSHOPIFY.com") == "demo-store-2.myshopify.com");
  for (const char* bad : {"", "myshopify.com", ".myshopify.com", "-a.myshopify.com",
                          "a-.myshopify.com", "a.b.myshopify.com", "a_b.myshopify.com",
                          "demo.myshopify.com.", "demo.myshopify.co", "demo myshopify.com"}) {
    CAPTURE(bad);
    CHECK_FALSE(normalize_shop_domain(bad));
  }
}
