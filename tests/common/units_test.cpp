#include "common/units.hpp"

#include <doctest/doctest.h>

using namespace shopstream;
using std::chrono::milliseconds;

TEST_CASE("durations parse in the units operators write") {
  CHECK(parse_duration("4s") == milliseconds(4000));
  CHECK(parse_duration("250ms") == milliseconds(250));
  CHECK(parse_duration("10m") == milliseconds(600'000));
  CHECK(parse_duration("24h") == milliseconds(86'400'000));
  CHECK(parse_duration("1h30m") == milliseconds(5'400'000));
  CHECK(parse_duration("0") == milliseconds(0));
  CHECK_FALSE(parse_duration(""));
  CHECK_FALSE(parse_duration("4"));
  CHECK_FALSE(parse_duration("s"));
  CHECK_FALSE(parse_duration("4 s"));
  CHECK_FALSE(parse_duration("-4s"));
  CHECK_FALSE(parse_duration("4sec"));
  CHECK_FALSE(parse_duration("99999999999999s"));
  // Refused, not wrapped (found by the fuzz test): 999999999999d overflowed 64 bits.
  CHECK(parse_duration("3650d") == milliseconds(3650LL * 86'400'000));
  CHECK_FALSE(parse_duration("3650d1ms"));
  CHECK_FALSE(parse_duration("999999999999d"));
  CHECK_FALSE(parse_duration("250m999999999999s"));
}

TEST_CASE("byte sizes parse with binary units") {
  CHECK(parse_bytes("2MiB") == 2u * 1024 * 1024);
  CHECK(parse_bytes("512KiB") == 512u * 1024);
  CHECK(parse_bytes("1048576") == 1048576u);
  CHECK_FALSE(parse_bytes("MiB"));
  CHECK_FALSE(parse_bytes("2TiB"));
  CHECK_FALSE(parse_bytes("-1"));
  CHECK(parse_bytes("17179869183GiB") == 17179869183ULL << 30);  // 2^64 - 2^30
  CHECK_FALSE(parse_bytes("17179869184GiB"));                    // 2^64: would wrap to 0
}

TEST_CASE("durations format back compactly") {
  CHECK(format_duration(milliseconds(4000)) == "4s");
  CHECK(format_duration(milliseconds(600'000)) == "10m");
  CHECK(format_duration(milliseconds(1500)) == "1500ms");
}
