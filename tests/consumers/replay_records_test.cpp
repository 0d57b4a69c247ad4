#include "consumers/replay/records.hpp"

#include <doctest/doctest.h>

#include "consumers/replay/metrics.hpp"
#include "tests/support/metrics.hpp"

using namespace shopstream;
using namespace shopstream::consumers::replay;

TEST_CASE("replay names topics by stream or in full") {
  CHECK(resolve_topic("shopify.", "orders") == "shopify.orders");
  CHECK(resolve_topic("shopify.", "compliance") == "shopify.compliance");
  CHECK(resolve_topic("x.", "deadletter") == "x.deadletter");
  CHECK(resolve_topic("shopify.", "shopify.orders") == "shopify.orders");
  CHECK(resolve_topic("shopify.", "other.topic") == "other.topic");
}

TEST_CASE("a span is what is retained, narrowed by offsets and by times") {
  const Span retained{"t", 1, 100, 200};
  CHECK(narrow(retained, {}).begin == 100);
  CHECK(narrow(retained, {}).end == 200);
  auto s = narrow(retained, {.from_offset = 50, .until_offset = 150});
  CHECK(s.begin == 100);  // below retention: from the oldest
  CHECK(s.end == 150);
  s = narrow(
      retained,
      {.from_offset = 120, .until_offset = 500, .since_offset = 130, .until_time_offset = 180});
  CHECK(s.begin == 130);
  CHECK(s.end == 180);
  CHECK(s.size() == 50);
  s = narrow(retained, {.from_offset = 190, .until_time_offset = 110});
  CHECK(s.size() == 0);  // nothing left
  CHECK(s.begin == 190);
  CHECK(narrow(retained, {.from_offset = 300}).size() == 0);
}

TEST_CASE("a republished record says replay and is no longer a deadletter") {
  std::vector<kafka::Header> in = {{"x-shopify-topic", "orders/create"},
                                   {"shopstream-received-at", "2026-11-20T15:00:00.000Z"},
                                   {"shopstream-source", "webhook"},
                                   {"shopstream-deadletter-reason", "bad"},
                                   {"shopstream-deadletter-topic", "shopify.orders"},
                                   {"x-shopify-webhook-id", "w1"}};
  auto out = republished_headers(in);
  REQUIRE(out.size() == 4);
  CHECK(out[0].name == "x-shopify-topic");
  CHECK(out[1].name == "shopstream-received-at");
  CHECK(out[2].name == "x-shopify-webhook-id");
  CHECK(out[3].name == "shopstream-source");
  CHECK(out[3].value == "replay");

  CHECK(republish_target("origin", in) == "shopify.orders");
  CHECK(republish_target("shopify.products", in) == "shopify.products");
  CHECK(republish_target("origin", out) == "");  // no origin to go back to
}

TEST_CASE("the progress line") {
  CHECK(progress_line(250, 1000, 40, 2.0) ==
        "replay: 250 of 1000 records (25%), 40 matched, 125/s");
  CHECK(progress_line(0, 0, 0, 0) == "replay: 0 of 0 records (100%), 0 matched, 0/s");
}

TEST_CASE("a replay's run is counted by the result its exit status gives") {
  using shopstream::test::metric_value;
  auto runs = [](const char* result) {
    return metric_value("shopstream_replay_runs_total", {{"result", result}});
  };
  const double done = runs("done"), stopped = runs("stopped"), failed = runs("failed");
  auto end_with = [](Summary s, bool error) {
    MetricsReporter r;
    CHECK(metric_value("shopstream_replay_running") == 1);
    r.finish(s, error);
  };
  end_with({}, false);
  Summary stopped_early;
  stopped_early.stopped = true;
  end_with(stopped_early, false);
  Summary one_failed;  // ran to the end, but a record was not republished: exit 1
  one_failed.failed = 1;
  end_with(one_failed, false);
  end_with({}, true);
  CHECK(runs("done") - done == 1);
  CHECK(runs("stopped") - stopped == 1);
  CHECK(runs("failed") - failed == 2);
  CHECK(metric_value("shopstream_replay_running") == 0);
}
