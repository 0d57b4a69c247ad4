#include "common/url.hpp"

#include <doctest/doctest.h>

using namespace shopstream;

TEST_CASE("targets split into a path and decoded parameters") {
  auto t = parse_target("/api/shops/a.myshopify.com/kpis?from=2026-01-01&x=a%2Bb+c&flag&x=2");
  REQUIRE(t);
  CHECK(t->path == "/api/shops/a.myshopify.com/kpis");
  CHECK(t->param("from") == "2026-01-01");
  CHECK(t->param("x") == "a+b c");  // the first value wins
  CHECK(t->param("flag") == "");
  CHECK_FALSE(t->param("missing"));
  CHECK_FALSE(parse_target("/x?a=%zz"));
  CHECK_FALSE(parse_target("/x?a=%4"));
  CHECK(percent_encode("a b/c=d") == "a%20b%2Fc%3Dd");
}
