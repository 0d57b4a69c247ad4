// Fuzzing read API query strings: any target is refused with a reason or gives a date
// range and a limit within the documented bounds.
#include <doctest/doctest.h>

#include "consumers/api/params.hpp"
#include "tests/support/fuzz.hpp"

using namespace shopstream;
using namespace shopstream::consumers::api;
using shopstream::test::fuzz;

TEST_CASE("fuzz: query strings give bounded ranges and limits, or a reason") {
  const auto today = *parse_date("2026-03-10");
  std::vector<std::string> corpus = {"/api/x?from=2026-01-01&to=2026-01-31&limit=5",
                                     "/api/x?to=2024-02-29&limit=100", "/api/x?from=2016-03-10",
                                     "/api/x?limit=%31%30&from=2026-03-01"};
  fuzz(corpus, {"&", "=", "%", "%2", "%00", "-", "0", "9", "from=", "to=", "limit=", "+"},
       [&](const std::string& text, std::size_t run) {
         CAPTURE(run);
         auto target = parse_target(text);
         if (!target) return;
         auto range = parse_range(*target, today);
         if (auto* r = std::get_if<DateRange>(&range)) {
           CHECK(r->from <= r->to);
           CHECK(r->days() <= kMaxRangeDays);
           CHECK(parse_date(format_date(r->from)) == r->from);
           CHECK(r->previous().days() == r->days());
           CHECK(r->previous().to + std::chrono::days(1) == r->from);
         } else {
           CHECK(!std::get<std::string>(range).empty());
         }
         auto limit = parse_limit(*target);
         if (auto* n = std::get_if<int>(&limit))
           CHECK((*n >= 1 && *n <= kMaxLimit));
         else
           CHECK(!std::get<std::string>(limit).empty());
       });
}
