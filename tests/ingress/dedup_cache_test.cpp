#include "ingress/dedup_cache.hpp"

#include <doctest/doctest.h>

using namespace shopstream::ingress;
using namespace std::chrono_literals;

TEST_CASE("remembers ids for the window, then forgets") {
  DedupCache cache(100, 10min);
  auto t0 = DedupCache::Clock::time_point{} + 1h;
  CHECK_FALSE(cache.contains("s/w1", t0));
  cache.insert("s/w1", t0);
  CHECK(cache.contains("s/w1", t0 + 9min));
  CHECK_FALSE(cache.contains("s/w2", t0 + 9min));
  CHECK_FALSE(cache.contains("s/w1", t0 + 10min));
  CHECK(cache.size() == 0);
}

TEST_CASE("bounded: the oldest ids are evicted first") {
  DedupCache cache(3, 10min);
  auto t = DedupCache::Clock::time_point{} + 1h;
  for (int i = 0; i < 5; ++i) cache.insert("id" + std::to_string(i), t + std::chrono::seconds(i));
  CHECK(cache.size() == 3);
  CHECK_FALSE(cache.contains("id0", t + 5s));
  CHECK_FALSE(cache.contains("id1", t + 5s));
  CHECK(cache.contains("id2", t + 5s));
  CHECK(cache.contains("id4", t + 5s));
}

TEST_CASE("inserting an id twice keeps one entry; zero capacity disables") {
  DedupCache cache(10, 10min);
  auto t = DedupCache::Clock::time_point{} + 1h;
  cache.insert("x", t);
  cache.insert("x", t + 1s);
  CHECK(cache.size() == 1);
  DedupCache off(0, 10min);
  off.insert("x", t);
  CHECK_FALSE(off.contains("x", t));
}
