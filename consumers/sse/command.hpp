#pragma once
// `shopstream sse`, the SSE server inside `shopstream all`, and `shopstream token`:
// wiring only.
#include <memory>
#include <string_view>
#include <vector>

#include "common/config.hpp"
#include "consumers/sse/server.hpp"

namespace shopstream::consumers::sse {

// Runs until SIGTERM or SIGINT (blocked by the caller); returns the exit code.
int run_sse(const Settings& settings);
const std::vector<std::string_view>& sse_option_names();

// Prints a token for --shop, valid for --ttl; returns the exit code.
int run_token(const Settings& settings);
const std::vector<std::string_view>& token_option_names();

// For `all`: a random secret when none is configured (tokens then only from the log).
Settings with_dashboard_secret(Settings settings);

}  // namespace shopstream::consumers::sse
