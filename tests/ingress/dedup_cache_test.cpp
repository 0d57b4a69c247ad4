#include "ingress/dedup_cache.hpp"

#include <doctest/doctest.h>

#include <string>
#include <unordered_set>

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

TEST_CASE("fingerprints tell apart ids that differ in one byte, or only in length") {
  // 200,000 ids shaped like the ingress's keys: no two share a fingerprint.
  struct H {
    std::size_t operator()(const DedupCache::Fingerprint& f) const { return f.a ^ (f.b << 1); }
  };
  std::unordered_set<DedupCache::Fingerprint, H> prints;
  int collisions = 0;
  for (int i = 0; i < 200'000; ++i) {
    auto key = "shop-" + std::to_string(i % 7) + ".myshopify.com/b" + std::to_string(i) +
               "-2f1e-4c3b-9a8d-" + std::to_string(i * 7919);
    collisions += !prints.insert(DedupCache::fingerprint(key)).second;
  }
  CHECK(collisions == 0);
  CHECK(prints.size() == 200'000);
  CHECK_FALSE(DedupCache::fingerprint("s/w1") == DedupCache::fingerprint("s/w2"));
  CHECK_FALSE(DedupCache::fingerprint("s/w1") == DedupCache::fingerprint("s/w1 "));
  CHECK(DedupCache::fingerprint("s/w1") == DedupCache::fingerprint(std::string("s/w") + "1"));
}
