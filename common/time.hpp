#pragma once
// Wall-clock helpers. Pure apart from now(); thread-safe.
#include <chrono>
#include <string>

namespace shopstream::time {

using Clock = std::chrono::system_clock;
inline Clock::time_point now() {
  return Clock::now();
}

// "2026-11-21T19:45:01.123Z": RFC 3339, UTC, milliseconds.
std::string format_rfc3339_ms(Clock::time_point t);

}  // namespace shopstream::time
