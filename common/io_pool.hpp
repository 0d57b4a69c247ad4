#pragma once
// N io_contexts, one thread each: a connection lives on one context, so its handlers
// never need a strand and no scheduler lock is shared between threads.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

namespace shopstream {

class IoPool {
 public:
  explicit IoPool(unsigned threads);  // 0: one per core
  ~IoPool();  // halts, then destroys the contexts with whatever is still queued
  IoPool(const IoPool&) = delete;
  IoPool& operator=(const IoPool&) = delete;

  void start();
  // Round-robin; thread-safe.
  boost::asio::io_context& next();
  boost::asio::io_context& first() { return *contexts_.front(); }
  boost::asio::io_context& at(std::size_t i) { return *contexts_.at(i); }
  std::size_t size() const { return contexts_.size(); }
  // Stops every context and joins the threads; the contexts (and what is queued on them)
  // live on until the pool is destroyed. Idempotent.
  void halt();

 private:
  using Guard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  std::vector<Guard> guards_;
  std::vector<std::thread> threads_;
  std::atomic<std::size_t> next_{0};
};

}  // namespace shopstream
