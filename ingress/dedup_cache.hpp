#pragma once
// Webhook ids recently made durable, to answer a redelivery 200 without publishing it
// again. Bounded by count (oldest evicted first) and by age. Best effort by design: the
// projector is idempotent. Thread-safe.
#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>

namespace shopstream::ingress {

class DedupCache {
 public:
  using Clock = std::chrono::steady_clock;
  DedupCache(std::size_t capacity, std::chrono::milliseconds window);

  bool contains(std::string_view key, Clock::time_point now);
  void insert(std::string key, Clock::time_point now);
  std::size_t size() const;

 private:
  void expire(Clock::time_point now);

  std::size_t capacity_;
  std::chrono::milliseconds window_;
  mutable std::mutex mu_;
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_set<std::string, Hash, std::equal_to<>> keys_;
  // Insertion order; one age for every entry, so the front is always the oldest.
  std::deque<std::pair<Clock::time_point, std::string>> order_;
};

}  // namespace shopstream::ingress
