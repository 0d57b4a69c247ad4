#include "common/io_pool.hpp"

namespace shopstream {

IoPool::IoPool(unsigned threads) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < threads; ++i) {
    // Concurrency hint 1: each context is run by exactly one thread.
    contexts_.push_back(std::make_unique<boost::asio::io_context>(1));
    guards_.emplace_back(boost::asio::make_work_guard(*contexts_.back()));
  }
}

void IoPool::start() {
  for (auto& c : contexts_) threads_.emplace_back([ctx = c.get()] { ctx->run(); });
}

IoPool::~IoPool() {
  halt();
}

void IoPool::halt() {
  guards_.clear();
  for (auto& c : contexts_) c->stop();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
}

boost::asio::io_context& IoPool::next() {
  return *contexts_[next_.fetch_add(1, std::memory_order_relaxed) % contexts_.size()];
}

}  // namespace shopstream
