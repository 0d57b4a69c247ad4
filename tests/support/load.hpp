#pragma once
// Posts signed orders/create webhooks with unique ids from several threads, each on its
// own keep-alive connection, and records every answer, so a test can check that every
// id answered 200 reached Kafka.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace shopstream::test {

struct Outcome {
  std::string webhook_id;
  int status;  // 0: no answer (connection refused or dropped)
  std::chrono::milliseconds latency;
};

class Load {
 public:
  // A thread stops at its first connection error when `stop_on_refused`.
  Load(std::uint16_t port, const std::string& secret, int threads, bool stop_on_refused = false);
  ~Load();
  void stop();  // joins
  std::size_t count(int status) const;
  std::vector<Outcome> outcomes() const;
  bool all_stopped() const { return running_.load() == 0; }

 private:
  void run(int index);
  std::uint16_t port_;
  std::string secret_;
  bool stop_on_refused_;
  std::atomic<bool> stop_{false};
  std::atomic<int> running_{0};
  mutable std::mutex mu_;
  std::vector<Outcome> outcomes_;
  std::vector<std::thread> threads_;
};

}  // namespace shopstream::test
