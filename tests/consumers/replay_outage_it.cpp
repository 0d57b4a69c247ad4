// `shopstream replay` when Kafka is down, on a mock cluster of its own (whichever broker
// the run uses): a replay whose broker goes away in the middle of its range ends with an
// error after its stall timeout, although the consumer keeps reporting that the broker is
// down (errors are not Kafka answering); and the command, against a broker that never
// answers, fails with one clear line while librdkafka's own complaints are JSON log lines
// like every other.
#include <doctest/doctest.h>
#include <simdjson.h>

#include <atomic>
#include <filesystem>
#include <sstream>
#include <thread>

#include "common/kafka/embedded_cluster.hpp"
#include "consumers/replay/replay.hpp"
#include "tests/support/kafka.hpp"
#include "tests/support/process.hpp"
#include "tests/support/wait.hpp"

using namespace shopstream;
using namespace shopstream::test;
using namespace std::chrono_literals;
namespace replay = shopstream::consumers::replay;

TEST_CASE("a replay whose broker goes away mid-range fails after its stall timeout") {
  auto owned = own_mock_cluster();
  auto& cluster = *owned;
  const std::string topic = unique_prefix() + "orders";
  REQUIRE_FALSE(cluster.create_topics({topic}, 1));
  constexpr int kRecords = 40;
  for (int i = 0; i < kRecords; ++i)  // one batch each
    produce_at(cluster.bootstrap(), topic, 0,
               {{"k" + std::to_string(i), "{}", 1'790'000'000'000 + i, {}}});
  // Each fetch answered after 100 ms, one record at a time: the range takes 4 s to read.
  REQUIRE(rd_kafka_mock_broker_set_rtt(cluster.mock(), 1, 100) == RD_KAFKA_RESP_ERR_NO_ERROR);

  replay::Options o;
  o.brokers = cluster.bootstrap();
  o.kafka_properties = "max.partition.fetch.bytes=1";
  o.topics = {topic};
  o.action = replay::Action::kCount;
  o.stall_timeout = 2s;
  std::atomic<bool> stop{false}, done{false};
  o.stop = &stop;
  std::uint64_t read_when_down = 0;
  o.progress = [&](std::uint64_t read, std::uint64_t total, std::uint64_t) {
    if (read > 0 && read < total && read_when_down == 0) {
      read_when_down = read;
      cluster.set_broker_down(1);
    }
  };
  // Were errors taken for answers, the replay would never end: the watchdog stops it,
  // and the run then returns a summary marked stopped instead of an error.
  std::thread watchdog([&] {
    if (!wait_until([&] { return done.load(); }, 60s)) stop = true;
  });
  auto result = replay::run(o);
  done = true;
  watchdog.join();

  CAPTURE(read_when_down);
  REQUIRE(read_when_down > 0);  // the broker went down with records left to read
  REQUIRE_FALSE(result);
  CHECK(result.error().retryable);
  CHECK(result.error().message.find("no record from Kafka for 2 s; 1 partition(s) not read") !=
        std::string::npos);
  CHECK_FALSE(stop.load());
}

TEST_CASE("replay against a broker that never answers: exit 1, one clear line, JSON logs") {
  auto owned = own_mock_cluster();
  auto& cluster = *owned;
  cluster.set_broker_down(1);
  const auto dir = std::filesystem::path(SHOPSTREAM_TEST_TMP) / ("replay-down-" + unique_prefix());
  std::filesystem::create_directories(dir);
  const auto log_path = (dir / "log").string();
  ChildProcess replay({SHOPSTREAM_BINARY, "replay", "--topic", "orders", "--dry-run"},
                      {{"SHOPSTREAM_KAFKA_BROKERS", cluster.bootstrap()}}, log_path);
  CHECK(replay.wait(60s) == 1);

  const auto log = read_file(log_path);
  CAPTURE(log);
  CHECK(log.find("\"msg\":\"replay failed\"") != std::string::npos);
  CHECK(log.find("\"msg\":\"librdkafka\"") != std::string::npos);  // Kafka's own lines
  simdjson::dom::parser parser;
  std::istringstream lines(log);
  int n = 0;
  for (std::string line; std::getline(lines, line); ++n) {
    CAPTURE(line);
    simdjson::dom::object object;
    CHECK(parser.parse(line).get(object) == simdjson::SUCCESS);
  }
  CHECK(n > 1);
}
