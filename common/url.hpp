#pragma once
// Request targets: the path and the percent-decoded query parameters. Pure; thread-safe.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace shopstream {

struct Target {
  std::string path;  // percent-decoded
  std::vector<std::pair<std::string, std::string>> params;
  // The first value of `name`, if present.
  std::optional<std::string> param(std::string_view name) const;
};

// nullopt when a percent escape is malformed.
std::optional<Target> parse_target(std::string_view target);
std::string percent_encode(std::string_view text);

}  // namespace shopstream
