#pragma once
// Parsing of human-written quantities in config: durations ("4s", "250ms", "10m",
// "24h", "1h30m") and byte sizes ("2MiB", "512KiB", "1048576"). Durations over 10 years
// and sizes over 2^64-1 bytes are refused rather than wrapped. Pure; thread-safe.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shopstream {

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);
std::optional<std::uint64_t> parse_bytes(std::string_view text);
std::optional<std::int64_t> parse_int(std::string_view text);
std::string format_duration(std::chrono::milliseconds d);

}  // namespace shopstream
