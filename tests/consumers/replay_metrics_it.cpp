// What a replay exports: in-process, the counts of a run that reads a range to its end
// and of one that cannot start; through the binary, /metrics served while the replay
// runs (--serve-metrics). On a mock cluster of its own, whichever broker the run uses.
#include <doctest/doctest.h>

#include <filesystem>

#include "common/kafka/embedded_cluster.hpp"
#include "consumers/replay/replay.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/kafka.hpp"
#include "tests/support/metrics.hpp"
#include "tests/support/process.hpp"
#include "tests/support/wait.hpp"

using namespace shopstream;
using namespace shopstream::test;
using namespace std::chrono_literals;
namespace replay = shopstream::consumers::replay;

TEST_CASE("a replay's counts are metrics: records in range, read, matched, runs by result") {
  auto owned = own_mock_cluster();
  auto& cluster = *owned;
  const std::string topic = unique_prefix() + "orders";
  REQUIRE_FALSE(cluster.create_topics({topic}, 2));
  produce_at(cluster.bootstrap(), topic, 0,
             {{"a/1", "{}", 1'790'000'000'000, {{"x-shopify-shop-domain", "a.myshopify.com"}}},
              {"b/2", "{}", 1'790'000'000'001, {{"x-shopify-shop-domain", "b.myshopify.com"}}},
              {"a/3", "{}", 1'790'000'000'002, {{"x-shopify-shop-domain", "a.myshopify.com"}}}});
  produce_at(cluster.bootstrap(), topic, 1,
             {{"a/4", "{}", 1'790'000'000'003, {{"x-shopify-shop-domain", "a.myshopify.com"}}}});

  const double read = metric_value("shopstream_replay_records_read_total");
  const double matched = metric_value("shopstream_replay_records_matched_total");
  const double done = metric_value("shopstream_replay_runs_total", {{"result", "done"}});
  const double failed = metric_value("shopstream_replay_runs_total", {{"result", "failed"}});
  replay::Options o;
  o.brokers = cluster.bootstrap();
  o.topics = {topic};
  o.shop = "a.myshopify.com";
  o.action = replay::Action::kCount;
  o.stall_timeout = 30s;
  auto s = replay::run(o);
  REQUIRE_MESSAGE(s, (s ? "" : s.error().message));
  CHECK(s.value().matched == 3);
  CHECK(metric_value("shopstream_replay_records_in_range") == 4);
  CHECK(metric_value("shopstream_replay_records_read_total") - read == 4);
  CHECK(metric_value("shopstream_replay_records_matched_total") - matched == 3);
  CHECK(metric_value("shopstream_replay_runs_total", {{"result", "done"}}) - done == 1);
  CHECK(metric_value("shopstream_replay_running") == 0);

  // A topic with no partition 5: the replay cannot start, and counts as failed.
  o.partition = 5;
  CHECK_FALSE(replay::run(o));
  CHECK(metric_value("shopstream_replay_runs_total", {{"result", "failed"}}) - failed == 1);
  CHECK(metric_value("shopstream_replay_runs_total", {{"result", "done"}}) - done == 1);
}

TEST_CASE("replay --serve-metrics serves /metrics while it runs") {
  auto owned = own_mock_cluster();
  auto& cluster = *owned;
  cluster.set_broker_down(1);  // the replay waits 5 s for the topic, then fails
  const auto dir =
      std::filesystem::path(SHOPSTREAM_TEST_TMP) / ("replay-metrics-" + unique_prefix());
  std::filesystem::create_directories(dir);
  const auto log_path = (dir / "log").string();
  ChildProcess replay({SHOPSTREAM_BINARY, "replay", "--topic", "orders", "--dry-run",
                       "--serve-metrics", "127.0.0.1:0"},
                      {{"SHOPSTREAM_KAFKA_BROKERS", cluster.bootstrap()}}, log_path);
  std::string url;
  REQUIRE(wait_until(
      [&] {
        const auto log = read_file(log_path);
        const auto at = log.find("\"msg\":\"replay metrics\"");
        if (at == std::string::npos) return false;
        url = json_field(log.substr(log.rfind('\n', at) + 1), "metrics_url");
        return true;
      },
      10s));
  CAPTURE(url);
  REQUIRE(url_port(url) != 0);
  auto scraped = HttpClient(url_port(url)).request("GET", "/metrics", {});
  REQUIRE(scraped.status == 200);
  CHECK(scraped_value(scraped.body, "shopstream_replay_running") == 1);
  CHECK(scraped.body.find("# TYPE shopstream_replay_records_read_total counter") !=
        std::string::npos);
  CHECK(replay.wait(60s) == 1);
}
