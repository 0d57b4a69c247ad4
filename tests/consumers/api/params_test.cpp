#include "consumers/api/params.hpp"

#include <doctest/doctest.h>

using namespace shopstream;
using namespace shopstream::consumers::api;

namespace {
Target target(const std::string& query) {
  return *parse_target("/x?" + query);
}
const auto kToday = *parse_date("2026-03-10");
}  // namespace

TEST_CASE("dates are calendar dates") {
  CHECK(parse_date("2024-02-29"));
  CHECK_FALSE(parse_date("2023-02-29"));
  CHECK_FALSE(parse_date("2026-13-01"));
  CHECK_FALSE(parse_date("2026-1-01"));
  CHECK_FALSE(parse_date("20260101"));
  CHECK(format_date(*parse_date("2026-03-09")) == "2026-03-09");
}

TEST_CASE("ranges default to 30 days, are validated, and know their previous period") {
  auto r = std::get<DateRange>(parse_range(target(""), kToday));
  CHECK(format_date(r.from) == "2026-02-09");
  CHECK(format_date(r.to) == "2026-03-10");
  CHECK(r.days() == 30);
  auto march = std::get<DateRange>(parse_range(target("from=2026-03-01&to=2026-03-07"), kToday));
  auto prev = march.previous();
  CHECK(format_date(prev.from) == "2026-02-22");
  CHECK(format_date(prev.to) == "2026-02-28");
  CHECK(std::holds_alternative<std::string>(
      parse_range(target("from=2026-03-08&to=2026-03-07"), kToday)));
  CHECK(std::holds_alternative<std::string>(parse_range(target("from=yesterday"), kToday)));
  CHECK(std::holds_alternative<std::string>(
      parse_range(target("from=2000-01-01&to=2026-01-01"), kToday)));
}

TEST_CASE("limits are bounded") {
  CHECK(std::get<int>(parse_limit(target(""))) == kDefaultLimit);
  CHECK(std::get<int>(parse_limit(target("limit=100"))) == 100);
  for (auto bad : {"limit=0", "limit=101", "limit=-1", "limit=5x", "limit="})
    CHECK(std::holds_alternative<std::string>(parse_limit(target(bad))));
}
