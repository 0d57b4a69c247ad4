#pragma once
// "host:port" addresses of the config. Pure; thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace shopstream {

// Splits "host:port" (IPv6 as "[::1]:8080"). nullopt when malformed.
std::optional<std::pair<std::string, std::uint16_t>> split_host_port(std::string_view addr);

}  // namespace shopstream
