#pragma once
// The one metrics registry of the process, and its Prometheus /metrics endpoint.
#include <prometheus/registry.h>

#include <cstdint>
#include <memory>
#include <string>

#include "common/result.hpp"

namespace prometheus {
class Exposer;
}

namespace shopstream::metrics {

// Process-wide; thread-safe. Every metric name starts with "shopstream_".
prometheus::Registry& registry();

// Latency buckets in seconds, 0.5 ms to 10 s.
const std::vector<double>& latency_buckets();

class Endpoint {
 public:
  // Serves registry() as Prometheus text at http://ADDR/metrics.
  static Result<std::unique_ptr<Endpoint>> start(const std::string& addr);
  ~Endpoint();
  std::uint16_t port() const;

 private:
  explicit Endpoint(std::unique_ptr<prometheus::Exposer> e);
  std::unique_ptr<prometheus::Exposer> exposer_;
};

}  // namespace shopstream::metrics
