#pragma once
// Webhook ids recently made durable, to answer a redelivery 200 without publishing it
// again. Bounded by count (oldest evicted first) and by age. Best effort by design: the
// projector is idempotent. Thread-safe.
//
// Each id is kept as a 128-bit fingerprint (two independent 64-bit hashes), not as a
// string, in an open-addressing table sized at construction (no allocation per entry).
// Two ids would have to collide in both hashes to be confused (about 1 in 10^27 at the
// default 500,000 entries), and ids come only from signed requests.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string_view>

#include "ingress/fingerprint_set.hpp"

namespace shopstream::ingress {

class DedupCache {
 public:
  using Clock = std::chrono::steady_clock;
  DedupCache(std::size_t capacity, std::chrono::milliseconds window);

  bool contains(std::string_view key, Clock::time_point now);
  void insert(std::string_view key, Clock::time_point now);
  std::size_t size() const;

  using Fingerprint = ingress::Fingerprint;
  static Fingerprint fingerprint(std::string_view key);

 private:
  void expire(Clock::time_point now, std::size_t room);

  std::size_t capacity_;
  std::chrono::milliseconds window_;
  mutable std::mutex mu_;
  FingerprintSet keys_;
  // Insertion order; one age for every entry, so the front is always the oldest.
  std::deque<std::pair<Clock::time_point, Fingerprint>> order_;
};

}  // namespace shopstream::ingress
