#include "ingress/fingerprint_set.hpp"

#include <doctest/doctest.h>

#include <random>
#include <set>
#include <utility>

using namespace shopstream::ingress;

TEST_CASE("the fingerprint set agrees with a reference set through crowded inserts and erases") {
  // 100 entries in 256 slots, homes drawn from 16 neighbouring slots at the table's end:
  // long runs that wrap around, which is where backward-shift deletion can go wrong.
  FingerprintSet set(100);
  std::set<std::pair<std::uint64_t, std::uint64_t>> reference;
  std::mt19937_64 rng(7);
  int checked = 0;
  for (int op = 0; op < 200'000; ++op) {
    Fingerprint f{248 + rng() % 16, rng() % 300};
    auto key = std::make_pair(f.a, f.b);
    switch (rng() % 3) {
      case 0: {
        bool room = reference.size() < 100;
        bool fresh = !reference.count(key);
        CHECK(set.insert(f) == (room && fresh));
        if (room) reference.insert(key);
        break;
      }
      case 1:
        CHECK(set.erase(f) == (reference.erase(key) == 1));
        break;
      default:
        CHECK(set.contains(f) == (reference.count(key) == 1));
    }
    REQUIRE(set.size() == reference.size());
    if (op % 1000 == 0)  // every entry still findable after all the shifting
      for (const auto& [a, b] : reference) {
        REQUIRE(set.contains({a, b}));
        ++checked;
      }
  }
  CHECK(checked > 1000);
}

TEST_CASE("the all-zero fingerprint is a value like any other") {
  FingerprintSet set(4);
  CHECK_FALSE(set.contains({0, 0}));
  CHECK(set.insert({0, 0}));
  CHECK(set.contains({0, 0}));
  CHECK(set.size() == 1);
  CHECK(set.erase({0, 0}));
  CHECK_FALSE(set.contains({0, 0}));
  CHECK(set.size() == 0);
}
