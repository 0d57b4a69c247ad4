#include "ingress/dedup_cache.hpp"

namespace shopstream::ingress {

DedupCache::DedupCache(std::size_t capacity, std::chrono::milliseconds window)
    : capacity_(capacity), window_(window) {}

void DedupCache::expire(Clock::time_point now) {
  while (!order_.empty() && (order_.size() > capacity_ || now - order_.front().first >= window_)) {
    keys_.erase(order_.front().second);
    order_.pop_front();
  }
}

bool DedupCache::contains(std::string_view key, Clock::time_point now) {
  if (capacity_ == 0) return false;
  std::lock_guard lock(mu_);
  if (keys_.find(key) == keys_.end()) return false;
  // Present: make sure it is not past its age (expiry otherwise happens on insert).
  expire(now);
  return keys_.find(key) != keys_.end();
}

void DedupCache::insert(std::string key, Clock::time_point now) {
  if (capacity_ == 0 || window_.count() == 0) return;
  std::lock_guard lock(mu_);
  if (!keys_.insert(key).second) return;
  order_.emplace_back(now, std::move(key));
  expire(now);
}

std::size_t DedupCache::size() const {
  std::lock_guard lock(mu_);
  return keys_.size();
}

}  // namespace shopstream::ingress
