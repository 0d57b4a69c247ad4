#include "common/time.hpp"

#include <cstdio>
#include <ctime>

namespace shopstream::time {

std::string format_rfc3339_ms(Clock::time_point t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  if (ms < 0 && ms % 1000 != 0) --secs;
  int millis = static_cast<int>(((ms % 1000) + 1000) % 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buf;
}

}  // namespace shopstream::time

namespace shopstream::time {
namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

std::optional<std::int64_t> parse_rfc3339_ms(std::string_view s) {
  int y, mo, d, h, mi, se;
  if (!digits(s, 0, 4, y) || s.size() < 20 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      !digits(s, 11, 2, h) || s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' ||
      !digits(s, 17, 2, se))
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return std::nullopt;
  std::size_t i = 19;
  int millis = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    for (int scale = 100; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, scale /= 10)
      millis += (s[i] - '0') * scale;  // scale reaches 0 past the third digit
  }
  int offset = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int oh, om;
    if (!digits(s, i + 1, 2, oh) || i + 3 >= s.size() || s[i + 3] != ':' ||
        !digits(s, i + 4, 2, om))
      return std::nullopt;
    offset = (oh * 60 + om) * (s[i] == '-' ? -1 : 1);
    i += 6;
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  using namespace std::chrono;
  auto days = sys_days(
      year_month_day(year(y), month(static_cast<unsigned>(mo)), day(static_cast<unsigned>(d))));
  return (days.time_since_epoch().count() * 86'400LL + h * 3'600LL + mi * 60LL + se -
          offset * 60LL) *
             1000 +
         millis;
}

std::optional<std::int64_t> parse_rfc3339(std::string_view s) {
  auto ms = parse_rfc3339_ms(s);
  if (!ms) return std::nullopt;
  return std::chrono::floor<std::chrono::seconds>(std::chrono::milliseconds(*ms)).count();
}

std::string format_at_offset(std::int64_t epoch_seconds, int offset_minutes, bool utc_z) {
  std::time_t shifted = static_cast<std::time_t>(epoch_seconds + offset_minutes * 60LL);
  std::tm tm{};
  gmtime_r(&shifted, &tm);
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
                        tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  if (offset_minutes == 0 && utc_z) {
    std::snprintf(buf + n, sizeof buf - n, "Z");
  } else {
    int m = offset_minutes < 0 ? -offset_minutes : offset_minutes;
    std::snprintf(buf + n, sizeof buf - n, "%c%02d:%02d", offset_minutes < 0 ? '-' : '+', m / 60,
                  m % 60);
  }
  return buf;
}

}  // namespace shopstream::time
