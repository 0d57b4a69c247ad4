// Fuzzing human-written config quantities (flags and environment variables): a duration
// or a size is refused, or read as a value that formats and reads back the same.
#include <doctest/doctest.h>

#include "common/units.hpp"
#include "tests/support/fuzz.hpp"

using namespace shopstream;
using shopstream::test::fuzz;

TEST_CASE("fuzz: durations and sizes are refused or read back the same") {
  std::vector<std::string> corpus = {"4s",     "250ms",   "10m", "24h", "1h30m", "2MiB",
                                     "512KiB", "1048576", "0",   "15m", "1GiB"};
  fuzz(corpus, {"h", "m", "s", "ms", "KiB", "MiB", "GiB", "-", " ", "9999999999999999999", "0"},
       [](const std::string& text, std::size_t run) {
         CAPTURE(run);
         CAPTURE(text);
         if (auto d = parse_duration(text)) {
           CHECK(d->count() >= 0);
           CHECK(parse_duration(format_duration(*d)) == *d);
         }
         if (auto n = parse_int(text)) CHECK(std::to_string(*n).size() <= text.size());
         if (auto b = parse_bytes(text)) {  // the digits times the unit, never wrapped
           unsigned __int128 n = 0;
           std::size_t i = 0;
           for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i)
             n = n * 10 + static_cast<unsigned>(text[i] - '0');
           const char u = i < text.size() ? text[i] : 'B';
           const int shift = u == 'K' ? 10 : u == 'M' ? 20 : u == 'G' ? 30 : 0;
           CHECK((n << shift) == *b);
         }
       });
}
