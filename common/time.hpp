#pragma once
// Wall-clock helpers. Pure apart from now(); thread-safe.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shopstream::time {

using Clock = std::chrono::system_clock;
inline Clock::time_point now() {
  return Clock::now();
}

// "2026-11-21T19:45:01.123Z": RFC 3339, UTC, milliseconds.
std::string format_rfc3339_ms(Clock::time_point t);

// Milliseconds since the epoch of "YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)" (digits of the
// fraction past the third dropped).
std::optional<std::int64_t> parse_rfc3339_ms(std::string_view text);
// The same in whole seconds (the fraction dropped).
std::optional<std::int64_t> parse_rfc3339(std::string_view text);
// "2026-11-20T21:15:03-05:00" (or "...Z" at offset 0 when `utc_z`), whole seconds.
std::string format_at_offset(std::int64_t epoch_seconds, int offset_minutes, bool utc_z = false);

}  // namespace shopstream::time
