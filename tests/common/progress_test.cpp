#include "common/progress.hpp"

#include <doctest/doctest.h>

using shopstream::Progress;
using namespace std::chrono_literals;

TEST_CASE("progress is logged every interval when nobody watches a terminal") {
  const auto t0 = Progress::Clock::now();
  Progress p("work progress", false, 10s, t0);
  CHECK_FALSE(p.log_due(t0));
  CHECK_FALSE(p.log_due(t0 + 9s));
  CHECK(p.log_due(t0 + 10s));
  CHECK_FALSE(p.log_due(t0 + 15s));  // the interval runs from the last line logged
  CHECK_FALSE(p.log_due(t0 + 19s));
  CHECK(p.log_due(t0 + 21s));
  CHECK(p.log_due(t0 + 2min));  // a long pause between reports: one line, not several
  CHECK_FALSE(p.log_due(t0 + 2min + 1s));
}

TEST_CASE("on a terminal the line is drawn instead, and nothing is logged") {
  const auto t0 = Progress::Clock::now();
  Progress p("work progress", true, 10s, t0);
  CHECK_FALSE(p.log_due(t0 + 10s));
  CHECK_FALSE(p.log_due(t0 + 1h));
}
