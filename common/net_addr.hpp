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

// "http://HOST:PORT/path" for a listener bound to `addr` and `port`; a wildcard host
// becomes 127.0.0.1 so the URL can be opened from this machine.
std::string url_for(const std::string& addr, std::uint16_t port, std::string_view path);

}  // namespace shopstream
