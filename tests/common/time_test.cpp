// The RFC 3339 formatters against GNU date's output (`date -u -d @S`) and against glibc's
// gmtime_r, an independent implementation of the same civil calendar.
#include "common/time.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <ctime>
#include <random>

namespace {

using shopstream::time::Clock;
using shopstream::time::format_at_offset;
using shopstream::time::format_rfc3339_ms;
using shopstream::time::parse_rfc3339_ms;

std::string at_ms(std::int64_t ms) {
  return format_rfc3339_ms(Clock::time_point(std::chrono::milliseconds(ms)));
}

// The formatter this file's subject replaced: gmtime_r and snprintf.
std::string reference(std::int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  if (ms < 0 && ms % 1000 != 0) --secs;
  int millis = static_cast<int>(((ms % 1000) + 1000) % 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buf;
}

}  // namespace

TEST_CASE("format_rfc3339_ms writes what GNU date writes") {
  CHECK(at_ms(0) == "1970-01-01T00:00:00.000Z");
  CHECK(at_ms(-1) == "1969-12-31T23:59:59.999Z");
  CHECK(at_ms(-1000) == "1969-12-31T23:59:59.000Z");
  CHECK(at_ms(951'782'400'007) == "2000-02-29T00:00:00.007Z");
  CHECK(at_ms(1'709'251'199'999) == "2024-02-29T23:59:59.999Z");
  CHECK(at_ms(1'795'219'200'250) == "2026-11-21T00:00:00.250Z");
  CHECK(at_ms(7'258'118'399'999) == "2199-12-31T23:59:59.999Z");
  CHECK(at_ms(-5'364'662'400'000) == "1800-01-01T00:00:00.000Z");
}

TEST_CASE("format_rfc3339_ms agrees with gmtime_r and parses back") {
  std::mt19937_64 rng(20261207);
  // The years system_clock holds (its nanoseconds span 1678-2262), and a dense stretch
  // around the epoch where the signs change.
  std::uniform_int_distribution<std::int64_t> wide(-9'000'000'000'000, 9'000'000'000'000);
  std::uniform_int_distribution<std::int64_t> near(-200'000'000'000, 200'000'000'000);
  for (int i = 0; i < 20'000; ++i) {
    const auto ms = i % 2 ? wide(rng) : near(rng);
    const auto text = at_ms(ms);
    REQUIRE(text == reference(ms));
    REQUIRE(parse_rfc3339_ms(text) == ms);
  }
}

TEST_CASE("format_at_offset writes the local time and its offset") {
  CHECK(format_at_offset(1'795'219'200, -300) == "2026-11-20T19:00:00-05:00");
  CHECK(format_at_offset(1'795'219'200, 330) == "2026-11-21T05:30:00+05:30");
  CHECK(format_at_offset(1'795'219'200, 0) == "2026-11-21T00:00:00+00:00");
  CHECK(format_at_offset(1'795'219'200, 0, true) == "2026-11-21T00:00:00Z");
  CHECK(format_at_offset(1'795'219'200, -45, true) == "2026-11-20T23:15:00-00:45");
  // Seconds reach years a time_point cannot: the four digits of RFC 3339, and beyond.
  CHECK(format_at_offset(253'402'300'799, 0, true) == "9999-12-31T23:59:59Z");
  CHECK(format_at_offset(-62'167'219'200, 0, true) == "0000-01-01T00:00:00Z");
  CHECK(format_at_offset(-62'167'219'201, 0, true) == "-001-12-31T23:59:59Z");
}
