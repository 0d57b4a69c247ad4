#pragma once
// `shopstream ingress` and the ingress part of `shopstream all`: wiring only.
#include "common/config.hpp"

namespace shopstream::ingress {

struct RunOptions {
  bool allow_embedded_kafka = false;  // `all`: no brokers configured → mock cluster
  bool check_postgres = false;        // `all`: /readyz also needs Postgres when configured
};

// Runs until SIGTERM or SIGINT; returns the process exit code.
int run(const Settings& settings, const RunOptions& options);

// Options the ingress accepts (for the command table).
const std::vector<std::string_view>& option_names();

}  // namespace shopstream::ingress
