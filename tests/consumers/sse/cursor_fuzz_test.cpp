// Fuzzing resume cursors as browsers send them back (Last-Event-ID, ?cursor=): anything
// decoded is a bounded, non-negative position that encodes back to itself.
#include <doctest/doctest.h>

#include "consumers/sse/cursor.hpp"
#include "tests/support/fuzz.hpp"

using namespace shopstream::consumers::sse;
using shopstream::test::fuzz;

TEST_CASE("fuzz: a cursor decodes to a bounded position that round-trips, or not at all") {
  Position a;
  a.offsets[0] = {0, 5, 1'000'000'000'000};
  a.offsets[3] = {1, 2, 3};
  Position b;
  b.offsets[1] = std::vector<std::int64_t>(300, 127);
  std::vector<std::string> corpus = {encode_cursor(a), encode_cursor(b), encode_cursor({})};
  fuzz(corpus, {"A", "_", "-", "=", "+", "/", "AQ", "____"},
       [](const std::string& text, std::size_t run) {
         CAPTURE(run);
         auto p = decode_cursor(text);
         if (!p) return;
         for (const auto& partitions : p->offsets) {
           CHECK(partitions.size() <= 10'000);
           for (auto offset : partitions) CHECK(offset >= 0);
         }
         CHECK(decode_cursor(encode_cursor(*p)) == p);
       });
}
