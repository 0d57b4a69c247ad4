#include "common/timezone.hpp"

#include <doctest/doctest.h>

#include "common/time.hpp"

using shopstream::TimeZone;

namespace {
std::int64_t at(const char* t) {
  return shopstream::time::parse_rfc3339(t).value();
}
}  // namespace

TEST_CASE("offsets follow daylight saving from the system's tz database") {
  auto ny = TimeZone::load("America/New_York");
  REQUIRE_MESSAGE(ny, ny.error().message);
  CHECK(ny->offset_minutes_at(at("2026-01-15T12:00:00Z")) == -300);
  CHECK(ny->offset_minutes_at(at("2026-07-15T12:00:00Z")) == -240);
  // 2026-03-08 02:00 EST is when the clocks go forward: 07:00 UTC.
  CHECK(ny->offset_minutes_at(at("2026-03-08T06:59:59Z")) == -300);
  CHECK(ny->offset_minutes_at(at("2026-03-08T07:00:00Z")) == -240);
  auto kolkata = TimeZone::load("Asia/Kolkata");
  REQUIRE(kolkata);
  CHECK(kolkata->offset_minutes_at(at("2026-11-20T00:00:00Z")) == 330);
  auto fixed = TimeZone::load("Etc/GMT+5");  // POSIX sign: UTC−5
  REQUIRE(fixed);
  CHECK(fixed->offset_minutes_at(at("2026-07-01T00:00:00Z")) == -300);
}

TEST_CASE("unknown zones, odd names and broken files are clear errors") {
  CHECK_FALSE(TimeZone::load("Mars/Olympus_Mons"));
  CHECK_FALSE(TimeZone::load("../../etc/passwd"));
  CHECK_FALSE(TimeZone::load("/etc/localtime"));
  CHECK_FALSE(TimeZone::load(""));
  CHECK_FALSE(TimeZone::parse_tzif("TZif2 but nothing else"));
  CHECK_FALSE(TimeZone::parse_tzif(""));
}

TEST_CASE("RFC 3339 times to the millisecond, fractions of any length, any offset") {
  using shopstream::time::parse_rfc3339;
  using shopstream::time::parse_rfc3339_ms;
  CHECK(parse_rfc3339_ms("2026-11-21T00:00:00Z") == 1'795'219'200'000);
  CHECK(parse_rfc3339_ms("2026-11-21T00:00:00.250Z") == 1'795'219'200'250);
  CHECK(parse_rfc3339_ms("2026-11-21T00:00:00.2Z") == 1'795'219'200'200);
  CHECK(parse_rfc3339_ms("2026-11-21T00:00:00.123456789Z") == 1'795'219'200'123);
  CHECK(parse_rfc3339_ms("2026-11-20T19:00:00.5-05:00") == 1'795'219'200'500);
  CHECK(parse_rfc3339("2026-11-21T00:00:00.999Z") == 1'795'219'200);  // whole seconds: dropped
  CHECK(parse_rfc3339("1969-12-31T23:59:59.500Z") == -1);             // floored, not rounded
  CHECK(parse_rfc3339_ms("1969-12-31T23:59:59.500Z") == -500);
  CHECK_FALSE(parse_rfc3339_ms("2026-11-21T00:00:00"));  // no offset
}
