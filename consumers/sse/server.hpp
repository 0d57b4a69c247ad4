#pragma once
// The dashboard port: GET /events (SSE), the read API under /api/shops/{shop}/, the page
// at /, and /healthz, /readyz. Every route but the probes needs a per-shop token.
#include <functional>
#include <memory>

#include "common/config.hpp"
#include "common/http_server.hpp"
#include "common/io_pool.hpp"

namespace shopstream::consumers::sse {

class Hub;
class CatchUp;

class SseServer {
 public:
  // Needs Kafka (the topics must exist); Postgres only for the read API (503 without).
  // `settings.dashboard_secret` must be set.
  static Result<std::unique_ptr<SseServer>> start(const Settings& settings);
  ~SseServer();
  std::uint16_t port() const { return port_; }
  // Stops accepting, says goodbye to every subscriber, waits for requests in flight.
  bool stop(std::chrono::milliseconds timeout);

 private:
  struct Impl;
  explicit SseServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  std::uint16_t port_ = 0;
};

}  // namespace shopstream::consumers::sse
