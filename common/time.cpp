#include "common/time.hpp"

#include <charconv>

namespace shopstream::time {

namespace {

// Writes `value` as decimal digits, at least `width` of them (zero-padded).
void put_digits(std::string& out, std::uint64_t value, std::size_t width) {
  char buf[20];
  auto end = std::to_chars(buf, buf + sizeof buf, value).ptr;
  auto n = static_cast<std::size_t>(end - buf);
  if (n < width) out.append(width - n, '0');
  out.append(buf, n);
}

// "YYYY-MM-DDTHH:MM:SS" of a time in UTC; a year before 0 as "-YYY" (what "%04d" printed).
// Civil arithmetic by std::chrono: no gmtime_r (it takes glibc's time zone lock) and no
// printf (the ingress formats one for every webhook).
void put_civil(std::string& out, std::int64_t epoch_seconds) {
  using namespace std::chrono;
  const auto day = floor<days>(sys_seconds(seconds(epoch_seconds)));
  const year_month_day ymd(day);
  const auto in_day = epoch_seconds - day.time_since_epoch().count() * 86'400LL;
  const int y = static_cast<int>(ymd.year());
  if (y < 0) out += '-';
  put_digits(out, static_cast<std::uint64_t>(y < 0 ? -y : y), y < 0 ? 3 : 4);
  out += '-';
  put_digits(out, static_cast<unsigned>(ymd.month()), 2);
  out += '-';
  put_digits(out, static_cast<unsigned>(ymd.day()), 2);
  out += 'T';
  put_digits(out, static_cast<std::uint64_t>(in_day / 3600), 2);
  out += ':';
  put_digits(out, static_cast<std::uint64_t>(in_day / 60 % 60), 2);
  out += ':';
  put_digits(out, static_cast<std::uint64_t>(in_day % 60), 2);
}

}  // namespace

std::string format_rfc3339_ms(Clock::time_point t) {
  const auto ms = std::chrono::floor<std::chrono::milliseconds>(t.time_since_epoch()).count();
  const auto secs = ms / 1000 - (ms % 1000 < 0 ? 1 : 0);
  std::string out;
  out.reserve(24);
  put_civil(out, secs);
  out += '.';
  put_digits(out, static_cast<std::uint64_t>(ms - secs * 1000), 3);
  out += 'Z';
  return out;
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
  std::string out;
  out.reserve(25);
  put_civil(out, epoch_seconds + offset_minutes * 60LL);
  if (offset_minutes == 0 && utc_z) {
    out += 'Z';
  } else {
    const int m = offset_minutes < 0 ? -offset_minutes : offset_minutes;
    out += offset_minutes < 0 ? '-' : '+';
    put_digits(out, static_cast<std::uint64_t>(m / 60), 2);
    out += ':';
    put_digits(out, static_cast<std::uint64_t>(m % 60), 2);
  }
  return out;
}

}  // namespace shopstream::time
