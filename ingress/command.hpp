#pragma once
// `shopstream ingress` and the ingress part of `shopstream all`: wiring only.
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "common/config.hpp"

namespace shopstream::ingress {

struct Others {
  std::vector<std::pair<std::string, std::string>> ready_fields;  // e.g. dashboard_url
  std::function<void()> stop;
};

struct RunOptions {
  bool allow_embedded_kafka = false;  // `all`: no brokers configured → mock cluster
  bool check_postgres = false;        // `all`: /readyz also needs Postgres when configured
  // `all`: starts other components once Kafka is ready (topics exist), given the
  // effective settings (brokers filled in for the embedded cluster). Returns an error,
  // or what they add to the ready file and a function that stops them, called before
  // the ingress tears Kafka down.
  std::function<Result<Others>(const Settings&)> start_others;
};

// Runs until SIGTERM or SIGINT (blocked by main); returns the process exit code.
int run(const Settings& settings, const RunOptions& options);

// Options the ingress accepts (for the command table).
const std::vector<std::string_view>& option_names();

}  // namespace shopstream::ingress
