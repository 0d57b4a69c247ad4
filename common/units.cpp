#include "common/units.hpp"

#include <charconv>
#include <limits>

namespace shopstream {
namespace {
// Longer than any setting needs; keeps sums far from overflow and every value writable by
// format_duration in a form parse_duration reads back.
constexpr std::int64_t kMaxDurationMs = 3650LL * 86'400'000;  // 10 years
}  // namespace

std::optional<std::int64_t> parse_int(std::string_view text) {
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  if (text == "0") return std::chrono::milliseconds(0);
  std::int64_t total = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    if (i == start || i - start > 12) return std::nullopt;
    auto n = parse_int(text.substr(start, i - start));
    std::size_t unit_start = i;
    while (i < text.size() && (text[i] < '0' || text[i] > '9')) ++i;
    std::string_view unit = text.substr(unit_start, i - unit_start);
    std::int64_t scale = 0;
    if (unit == "ms")
      scale = 1;
    else if (unit == "s")
      scale = 1000;
    else if (unit == "m")
      scale = 60'000;
    else if (unit == "h")
      scale = 3'600'000;
    else if (unit == "d")
      scale = 86'400'000;
    else
      return std::nullopt;
    if (*n > (kMaxDurationMs - total) / scale) return std::nullopt;
    total += *n * scale;
  }
  return std::chrono::milliseconds(total);
}

std::optional<std::uint64_t> parse_bytes(std::string_view text) {
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0 || digits > 15) return std::nullopt;
  auto n = parse_int(text.substr(0, digits));
  std::string_view unit = text.substr(digits);
  std::uint64_t scale = 0;
  if (unit.empty() || unit == "B")
    scale = 1;
  else if (unit == "KiB" || unit == "K" || unit == "KB")
    scale = 1024;
  else if (unit == "MiB" || unit == "M" || unit == "MB")
    scale = 1024 * 1024;
  else if (unit == "GiB" || unit == "G" || unit == "GB")
    scale = 1024ULL * 1024 * 1024;
  else
    return std::nullopt;
  if (static_cast<std::uint64_t>(*n) > std::numeric_limits<std::uint64_t>::max() / scale)
    return std::nullopt;
  return static_cast<std::uint64_t>(*n) * scale;
}

std::string format_duration(std::chrono::milliseconds d) {
  auto ms = d.count();
  if (ms % 3'600'000 == 0 && ms != 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms % 60'000 == 0 && ms != 0) return std::to_string(ms / 60'000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

}  // namespace shopstream
