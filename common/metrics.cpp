#include "common/metrics.hpp"

#include <prometheus/exposer.h>

namespace shopstream::metrics {

prometheus::Registry& registry() {
  static auto r = std::make_shared<prometheus::Registry>();
  return *r;
}

std::shared_ptr<prometheus::Registry> shared_registry() {
  // Aliasing pointer: the exposer wants a shared_ptr; the registry lives for the process.
  return std::shared_ptr<prometheus::Registry>(std::shared_ptr<void>(), &registry());
}

const std::vector<double>& latency_buckets() {
  static const std::vector<double> b = {0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05,
                                        0.1,    0.25,  0.5,   1,     2.5,  5,     10};
  return b;
}

Result<std::unique_ptr<Endpoint>> Endpoint::start(const std::string& addr) {
  try {
    auto e = std::make_unique<prometheus::Exposer>(addr, 2);
    e->RegisterCollectable(shared_registry());
    return std::unique_ptr<Endpoint>(new Endpoint(std::move(e)));
  } catch (const std::exception& ex) {
    return fail("metrics endpoint on " + addr + ": " + ex.what());
  }
}

Endpoint::Endpoint(std::unique_ptr<prometheus::Exposer> e) : exposer_(std::move(e)) {}
Endpoint::~Endpoint() = default;

std::uint16_t Endpoint::port() const {
  auto ports = exposer_->GetListeningPorts();
  return ports.empty() ? 0 : static_cast<std::uint16_t>(ports.front());
}

}  // namespace shopstream::metrics
