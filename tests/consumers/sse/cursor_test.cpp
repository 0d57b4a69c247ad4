#include "consumers/sse/cursor.hpp"

#include <doctest/doctest.h>

using namespace shopstream::consumers::sse;

namespace {
Position sample() {
  Position p;
  p.offsets[0] = {0, 5, 1'000'000'000'000};
  p.offsets[1] = {7};
  p.offsets[2] = {};
  p.offsets[3] = {1, 2, 3, 4, 5, 6};
  return p;
}
}  // namespace

TEST_CASE("cursors round-trip and are URL-safe") {
  auto text = encode_cursor(sample());
  CHECK(text.find_first_of("+/=\n ") == std::string::npos);
  auto back = decode_cursor(text);
  REQUIRE(back);
  CHECK(*back == sample());
}

TEST_CASE("malformed cursors are refused") {
  auto text = encode_cursor(sample());
  CHECK_FALSE(decode_cursor(""));
  CHECK_FALSE(decode_cursor("not a cursor"));
  CHECK_FALSE(decode_cursor(text.substr(0, text.size() - 3)));  // truncated
  CHECK_FALSE(decode_cursor(text + "AAAA"));                    // trailing bytes
  CHECK_FALSE(decode_cursor("AgA"));                            // another version
}

TEST_CASE("covers and max compare partition by partition") {
  Position a, b;
  a.offsets[0] = {5, 5};
  b.offsets[0] = {4, 6};
  CHECK_FALSE(a.covers(b));
  CHECK_FALSE(b.covers(a));
  auto m = Position::max(a, b);
  CHECK(m.offsets[0] == std::vector<std::int64_t>{5, 6});
  CHECK(m.covers(a));
  CHECK(m.covers(b));
  Position shorter;
  shorter.offsets[0] = {5};
  CHECK(a.covers(shorter));
  CHECK_FALSE(shorter.covers(a));  // a missing partition counts as offset 0
}
