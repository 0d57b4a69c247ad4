#include "consumers/sse/command.hpp"

#include <openssl/rand.h>

#include <chrono>
#include <cstdio>

#include "common/crypto.hpp"
#include "common/log.hpp"
#include "common/metrics.hpp"
#include "common/net_addr.hpp"
#include "common/ready_file.hpp"
#include "common/signals.hpp"
#include "common/startup.hpp"
#include "consumers/sse/token.hpp"
#include "schemas/migrations.hpp"

namespace shopstream::consumers::sse {

const std::vector<std::string_view>& sse_option_names() {
  static const std::vector<std::string_view> names = {
      "kafka-brokers",     "kafka-properties", "topic-prefix",   "topic-partitions",
      "topic-replication", "database-url",     "dashboard-addr", "dashboard-secret",
      "metrics-addr",      "read-timeout",     "idle-timeout",   "shutdown-timeout",
      "max-connections",   "threads",          "sse-heartbeat",  "sse-idle-pause",
      "sse-buffer",        "ready-file",       "log-level"};
  return names;
}

const std::vector<std::string_view>& token_option_names() {
  static const std::vector<std::string_view> names = {"shop", "ttl", "dashboard-secret",
                                                      "log-level"};
  return names;
}

Settings with_dashboard_secret(Settings s) {
  if (!s.dashboard_secret.empty()) return s;
  unsigned char bytes[32];
  RAND_bytes(bytes, sizeof bytes);
  s.dashboard_secret =
      base64url_encode(std::string_view(reinterpret_cast<char*>(bytes), sizeof bytes));
  log::warn(
      "SHOPSTREAM_DASHBOARD_SECRET is not set: using a random one for this run; tokens from "
      "`shopstream token` will not work until it is set");
  return s;
}

int run_token(const Settings& s) {
  if (s.shop.empty()) {
    std::fprintf(stderr, "shopstream token: --shop is required\n");
    return 2;
  }
  if (s.dashboard_secret.empty()) {
    std::fprintf(stderr, "shopstream token: SHOPSTREAM_DASHBOARD_SECRET is required\n");
    return 2;
  }
  auto expires = std::chrono::system_clock::now() + s.token_ttl;
  auto unix = std::chrono::duration_cast<std::chrono::seconds>(expires.time_since_epoch()).count();
  std::printf("%s\n", mint_token(s.dashboard_secret, s.shop, unix).c_str());
  return 0;
}

int run_sse(const Settings& settings) {
  if (settings.kafka_brokers.empty())
    return startup_failure("SHOPSTREAM_KAFKA_BROKERS is required");
  if (settings.dashboard_secret.empty())
    return startup_failure("SHOPSTREAM_DASHBOARD_SECRET is required to check access tokens");
  if (!settings.database_url.empty() && !schemas::ensure_schema(settings.database_url)) return 1;
  if (auto err = ensure_contract_topics(settings)) return startup_failure(err->message);
  auto endpoint = metrics::Endpoint::start(settings.metrics_addr);
  if (!endpoint) return startup_failure(endpoint.error().message);
  auto server = SseServer::start(settings);
  if (!server) return startup_failure(server.error().message);
  auto dashboard_url = url_for(settings.dashboard_addr, server.value()->port(), "/");
  auto metrics_url = url_for(settings.metrics_addr, endpoint.value()->port(), "/metrics");
  log::info("sse serving", {{"dashboard_url", dashboard_url},
                            {"metrics_url", metrics_url},
                            {"kafka", settings.kafka_brokers},
                            {"read_api", !settings.database_url.empty()}});
  if (!settings.ready_file.empty())
    if (auto err = write_ready_file(
            settings.ready_file, {{"dashboard_url", dashboard_url}, {"metrics_url", metrics_url}}))
      return startup_failure(err->message);
  log::info("shutting down", {{"signal", wait_for_shutdown_signal()}});
  bool clean = server.value()->stop(settings.shutdown_timeout);
  server.value().reset();
  log::info("stopped", {{"clean", clean}});
  return clean ? 0 : 1;
}

}  // namespace shopstream::consumers::sse
