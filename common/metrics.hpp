#pragma once
// The one metrics registry of the process, and its Prometheus /metrics endpoint.
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace shopstream::metrics {

// Process-wide; thread-safe. Every metric name starts with "shopstream_".
prometheus::Registry& registry();

// The one way to add a metric family: names must start with "shopstream_" (aborts
// otherwise: a programming error, caught by any test). Thread-safe.
prometheus::Family<prometheus::Counter>& counter(const std::string& name, const std::string& help);
prometheus::Family<prometheus::Gauge>& gauge(const std::string& name, const std::string& help);
prometheus::Family<prometheus::Histogram>& histogram(const std::string& name,
                                                     const std::string& help);
// Every family name registered so far (histograms without their _bucket/_sum/_count).
std::vector<std::string> registered_names();

// The registry in Prometheus text exposition format.
std::string render();

// Latency buckets in seconds, 0.5 ms to 10 s.
const std::vector<double>& latency_buckets();

class Endpoint {
 public:
  // Serves render() at http://ADDR/metrics on a thread of its own.
  static Result<std::unique_ptr<Endpoint>> start(const std::string& addr);
  ~Endpoint();
  std::uint16_t port() const;

 private:
  struct Impl;
  explicit Endpoint(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace shopstream::metrics
