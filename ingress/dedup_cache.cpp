#include "ingress/dedup_cache.hpp"

#include <functional>

namespace shopstream::ingress {

DedupCache::DedupCache(std::size_t capacity, std::chrono::milliseconds window)
    : capacity_(capacity), window_(window), keys_(capacity) {}

DedupCache::Fingerprint DedupCache::fingerprint(std::string_view key) {
  // libstdc++'s std::hash is MurmurHash2; the second half is FNV-1a, an unrelated function.
  std::uint64_t fnv = 0xcbf29ce484222325ULL;
  for (unsigned char c : key) fnv = (fnv ^ c) * 0x100000001b3ULL;
  return {std::hash<std::string_view>{}(key), fnv};
}

// Drops entries past their age, and the oldest until `room` more fit.
void DedupCache::expire(Clock::time_point now, std::size_t room) {
  while (!order_.empty() &&
         (order_.size() + room > capacity_ || now - order_.front().first >= window_)) {
    keys_.erase(order_.front().second);
    order_.pop_front();
  }
}

bool DedupCache::contains(std::string_view key, Clock::time_point now) {
  if (capacity_ == 0) return false;
  auto f = fingerprint(key);
  std::lock_guard lock(mu_);
  if (!keys_.contains(f)) return false;
  // Present: make sure it is not past its age (expiry otherwise happens on insert).
  expire(now, 0);
  return keys_.contains(f);
}

void DedupCache::insert(std::string_view key, Clock::time_point now) {
  if (capacity_ == 0 || window_.count() == 0) return;
  auto f = fingerprint(key);
  std::lock_guard lock(mu_);
  if (keys_.contains(f)) return;
  expire(now, 1);
  keys_.insert(f);
  order_.emplace_back(now, f);
}

std::size_t DedupCache::size() const {
  std::lock_guard lock(mu_);
  return keys_.size();
}

}  // namespace shopstream::ingress
