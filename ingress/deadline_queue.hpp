#pragma once
// Deadlines of one length, on one io_context's thread, under a single timer. Each is "now
// + length", so they fall due in the order they were added: a FIFO holds them and the
// timer only ever waits for the oldest. Per deadline that is a push and an index, where a
// timer of its own costs an allocation, two timer-heap operations under the reactor's lock
// and, once cancelled, a completion to run. Use only on the io_context's thread; destroy
// after that thread stopped.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <utility>

namespace shopstream::ingress {

template <typename T>
class DeadlineQueue {
 public:
  using Clock = std::chrono::steady_clock;
  using Id = std::uint64_t;

  // `on_expiry` gets the value of each deadline that falls due before it is met.
  DeadlineQueue(boost::asio::io_context& io, Clock::duration length,
                std::function<void(T&)> on_expiry)
      : io_(io), timer_(io), length_(length), on_expiry_(std::move(on_expiry)) {}
  DeadlineQueue(const DeadlineQueue&) = delete;
  DeadlineQueue& operator=(const DeadlineQueue&) = delete;

  Id add(T value) {
    entries_.push_back({Clock::now() + length_, std::move(value)});
    if (!armed_) arm();
    return first_ + entries_.size() - 1;
  }

  // The deadline was met: its value goes now, and on_expiry never sees it. Unknown or
  // expired ids are ignored.
  void cancel(Id id) {
    if (id < first_ || id - first_ >= entries_.size()) return;
    entries_[id - first_].value.reset();
    drop_met();
  }

  std::size_t pending() const { return entries_.size(); }  // met ones not yet dropped too
  boost::asio::io_context& io() { return io_; }

 private:
  struct Entry {
    Clock::time_point due;
    std::optional<T> value;  // empty once met
  };

  void drop_met() {
    while (!entries_.empty() && !entries_.front().value) {
      entries_.pop_front();
      ++first_;
    }
  }

  void arm() {
    armed_ = true;
    timer_.expires_at(entries_.front().due);
    timer_.async_wait([this](boost::system::error_code ec) {
      armed_ = false;
      if (!ec) expire();
    });
  }

  void expire() {
    const auto now = Clock::now();
    while (!entries_.empty() && entries_.front().due <= now) {
      auto entry = std::move(entries_.front());
      entries_.pop_front();
      ++first_;
      if (entry.value) on_expiry_(*entry.value);
    }
    drop_met();
    if (!entries_.empty() && !armed_) arm();
  }

  boost::asio::io_context& io_;
  boost::asio::steady_timer timer_;
  Clock::duration length_;
  std::function<void(T&)> on_expiry_;
  std::deque<Entry> entries_;
  Id first_ = 0;  // the id of entries_.front()
  bool armed_ = false;
};

}  // namespace shopstream::ingress
