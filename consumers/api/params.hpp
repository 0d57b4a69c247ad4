#pragma once
// Read API parameters: date ranges (shop-local calendar dates, YYYY-MM-DD, inclusive),
// the previous period of equal length, and bounded limits. Pure; thread-safe.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "common/url.hpp"

namespace shopstream::consumers::api {

struct DateRange {
  std::chrono::sys_days from;
  std::chrono::sys_days to;  // inclusive
  int days() const { return static_cast<int>((to - from).count()) + 1; }
  // The same number of days, ending the day before `from`.
  DateRange previous() const;
};

constexpr int kMaxRangeDays = 3660;
constexpr int kDefaultRangeDays = 30;
constexpr int kDefaultLimit = 10;
constexpr int kMaxLimit = 100;

std::optional<std::chrono::sys_days> parse_date(std::string_view text);
std::string format_date(std::chrono::sys_days day);

// `from` and `to` from the query; missing ones default to the 30 days ending `today`.
// A reason for a 400 otherwise.
std::variant<DateRange, std::string> parse_range(const Target& target, std::chrono::sys_days today);
std::variant<int, std::string> parse_limit(const Target& target);

}  // namespace shopstream::consumers::api
