#pragma once
// The simulated Shopify store (tools/simulator) as a child process, and the comparison
// of the read models with its true state (every entity, every column they hold).
#include <simdjson.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/process.hpp"

namespace shopstream::test {

class Simulator {
 public:
  explicit Simulator(const std::vector<std::string>& flags);
  std::string url() const { return url_; }
  std::uint16_t port() const { return port_; }
  std::string get(const std::string& path);
  void post(const std::string& path);
  // A number from GET /sim/stats at a path such as {"api", "throttled"}.
  std::int64_t stat(const std::vector<std::string>& path);
  bool deliveries_done(std::chrono::milliseconds timeout);

 private:
  std::unique_ptr<ChildProcess> proc_;
  std::string url_;
  std::uint16_t port_ = 0;
};

// Differences between the read models of `database_url` and the simulator's state dump,
// one line each ("orders 5300000012 email: 'x' != 'y'"); empty when equal.
std::vector<std::string> compare_with_dump(const std::string& database_url,
                                           const std::string& dump);

}  // namespace shopstream::test
