#pragma once
// IANA time zones from the system's compiled tz database (TZif files, tzdata), so a
// shop-local time can carry the offset in force at that instant, daylight saving
// included (Debian's GCC 12 has no std::chrono tz database). Immutable after load;
// thread-safe.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace shopstream {

class TimeZone {
 public:
  // A TZif file's contents (version 2 or later: 64-bit transition times).
  static Result<TimeZone> parse_tzif(std::string_view bytes);
  // Reads `iana` ("America/New_York") under `zoneinfo_dir`. Names with "..", or
  // characters a zone name never has, are refused.
  static Result<TimeZone> load(std::string_view iana,
                               const std::string& zoneinfo_dir = "/usr/share/zoneinfo");

  // The UTC offset in force at `utc_seconds`, in minutes (east positive).
  int offset_minutes_at(std::int64_t utc_seconds) const;

 private:
  std::vector<std::int64_t> transitions_;  // ascending
  std::vector<std::int32_t> offsets_;      // seconds, in force from each transition on
  std::int32_t initial_ = 0;               // before the first transition
};

}  // namespace shopstream
