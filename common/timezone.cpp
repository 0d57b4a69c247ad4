#include "common/timezone.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace shopstream {
namespace {

std::uint32_t be32(std::string_view s, std::size_t at) {
  return (std::uint32_t(std::uint8_t(s[at])) << 24) |
         (std::uint32_t(std::uint8_t(s[at + 1])) << 16) |
         (std::uint32_t(std::uint8_t(s[at + 2])) << 8) | std::uint32_t(std::uint8_t(s[at + 3]));
}

std::int64_t be64(std::string_view s, std::size_t at) {
  return static_cast<std::int64_t>((std::uint64_t(be32(s, at)) << 32) | be32(s, at + 4));
}

struct Counts {
  std::uint32_t isut, isstd, leap, time, type, chars;
};

bool read_header(std::string_view s, std::size_t at, Counts& c) {
  if (s.size() < at + 44 || s.substr(at, 4) != "TZif") return false;
  c = {be32(s, at + 20), be32(s, at + 24), be32(s, at + 28),
       be32(s, at + 32), be32(s, at + 36), be32(s, at + 40)};
  return c.type > 0 && c.type < 256 && c.time < 100'000;
}

}  // namespace

Result<TimeZone> TimeZone::parse_tzif(std::string_view s) {
  Counts v1;
  if (!read_header(s, 0, v1)) return fail("not a TZif file");
  if (s[4] < '2') return fail("TZif version 1 (no 64-bit data)");
  // Skip the 32-bit block to the 64-bit one.
  const std::size_t v1_size =
      44 + v1.time * 5 + v1.type * 6 + v1.chars + v1.leap * 8 + v1.isstd + v1.isut;
  Counts c;
  if (!read_header(s, v1_size, c)) return fail("TZif file has no 64-bit block");
  std::size_t p = v1_size + 44;
  const std::size_t need = c.time * 9 + c.type * 6 + c.chars + c.leap * 12 + c.isstd + c.isut;
  if (s.size() < p + need) return fail("TZif file is truncated");
  TimeZone z;
  std::vector<std::int32_t> type_offset(c.type);
  const std::size_t types_at = p + c.time * 9;
  for (std::uint32_t i = 0; i < c.type; ++i)
    type_offset[i] = static_cast<std::int32_t>(be32(s, types_at + i * 6));
  for (std::uint32_t i = 0; i < c.time; ++i) {
    auto type = std::uint8_t(s[p + c.time * 8 + i]);
    if (type >= c.type) return fail("TZif transition names an unknown type");
    z.transitions_.push_back(be64(s, p + i * 8));
    z.offsets_.push_back(type_offset[type]);
  }
  if (!std::is_sorted(z.transitions_.begin(), z.transitions_.end()))
    return fail("TZif transitions are not in order");
  z.initial_ = type_offset[0];
  return z;
}

Result<TimeZone> TimeZone::load(std::string_view iana, const std::string& dir) {
  if (iana.empty() || iana.front() == '/' || iana.find("..") != std::string_view::npos ||
      iana.find_first_not_of(
          "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_+-") !=
          std::string_view::npos)
    return fail("not a time zone name: " + std::string(iana.substr(0, 64)));
  std::ifstream in(dir + "/" + std::string(iana), std::ios::binary);
  if (!in) return fail("unknown time zone " + std::string(iana) + " (is tzdata installed?)");
  std::stringstream bytes;
  bytes << in.rdbuf();
  auto z = parse_tzif(bytes.str());
  if (!z) return fail(std::string(iana) + ": " + z.error().message);
  return z;
}

int TimeZone::offset_minutes_at(std::int64_t t) const {
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), t);
  if (it == transitions_.begin()) return initial_ / 60;
  return offsets_[static_cast<std::size_t>(it - transitions_.begin()) - 1] / 60;
}

}  // namespace shopstream
