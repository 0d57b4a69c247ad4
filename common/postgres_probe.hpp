#pragma once
// Whether Postgres answers: a background thread runs "SELECT 1" every two seconds on
// its own connection. Thread-safe.
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "common/result.hpp"

namespace shopstream {

class PostgresProbe {
 public:
  // Waits up to `timeout` for a first answer; an error if none came.
  static Result<std::unique_ptr<PostgresProbe>> start(std::string url,
                                                      std::chrono::milliseconds timeout);
  ~PostgresProbe();
  bool reachable() const { return up_.load(); }

 private:
  explicit PostgresProbe(std::string url);
  std::string url_;
  std::atomic<bool> up_{false};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// One connection attempt and "SELECT 1"; the error says why it failed (no secrets).
std::optional<std::string> ping_postgres(const std::string& url);

}  // namespace shopstream
