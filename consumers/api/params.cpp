#include "consumers/api/params.hpp"

#include <charconv>
#include <cstdio>

namespace shopstream::consumers::api {
using namespace std::chrono;

DateRange DateRange::previous() const {
  auto n = std::chrono::days{days()};
  return {from - n, from - std::chrono::days{1}};
}

std::optional<sys_days> parse_date(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
  auto number = [&](std::size_t pos, std::size_t len) -> std::optional<int> {
    int v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) {
      if (t[i] < '0' || t[i] > '9') return std::nullopt;
      v = v * 10 + (t[i] - '0');
    }
    return v;
  };
  auto y = number(0, 4), m = number(5, 2), d = number(8, 2);
  if (!y || !m || !d) return std::nullopt;
  year_month_day ymd{year{*y}, month{static_cast<unsigned>(*m)}, day{static_cast<unsigned>(*d)}};
  if (!ymd.ok() || *y < 1970) return std::nullopt;
  return sys_days{ymd};
}

std::string format_date(sys_days d) {
  year_month_day ymd{d};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

std::variant<DateRange, std::string> parse_range(const Target& target, sys_days today) {
  DateRange r{today - std::chrono::days{kDefaultRangeDays - 1}, today};
  auto from = target.param("from");
  auto to = target.param("to");
  if (to) {
    auto d = parse_date(*to);
    if (!d) return "`to` must be a calendar date as YYYY-MM-DD";
    r.to = *d;
    if (!from) r.from = r.to - std::chrono::days{kDefaultRangeDays - 1};
  }
  if (from) {
    auto d = parse_date(*from);
    if (!d) return "`from` must be a calendar date as YYYY-MM-DD";
    r.from = *d;
  }
  if (r.from > r.to) return "`from` must not be after `to`";
  if (r.days() > kMaxRangeDays)
    return "the range may span at most " + std::to_string(kMaxRangeDays) + " days";
  return r;
}

std::variant<int, std::string> parse_limit(const Target& target) {
  auto text = target.param("limit");
  if (!text) return kDefaultLimit;
  int v = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || end != text->data() + text->size() || v < 1 || v > kMaxLimit)
    return "`limit` must be a whole number from 1 to " + std::to_string(kMaxLimit);
  return v;
}

}  // namespace shopstream::consumers::api
