// Producer::stalled: set when a record waited out its time and nothing at all was
// acknowledged since it was produced; kept clear while other records are acknowledged
// (that is load, not a stall); cleared by the next acknowledged record. On a mock
// cluster of its own, whose partitions can lose their leader, whichever broker the run
// uses.
#include <doctest/doctest.h>

#include <atomic>

#include "common/kafka/embedded_cluster.hpp"
#include "common/kafka/producer.hpp"
#include "tests/support/kafka.hpp"
#include "tests/support/metrics.hpp"
#include "tests/support/wait.hpp"

using namespace shopstream;
using namespace shopstream::test;
using namespace std::chrono_literals;

TEST_CASE("a producer is stalled only when nothing at all is acknowledged") {
  auto owned = own_mock_cluster();
  auto& cluster = *owned;
  const std::string prefix = unique_prefix();
  const std::string healthy = prefix + "healthy", stuck = prefix + "stuck";
  REQUIRE_FALSE(cluster.create_topics({healthy, stuck}, 1));
  REQUIRE(rd_kafka_mock_partition_set_leader(cluster.mock(), stuck.c_str(), 0, -1) ==
          RD_KAFKA_RESP_ERR_NO_ERROR);
  auto created = kafka::Producer::create(
      {.brokers = cluster.bootstrap(), .client_id = "stall-test", .message_timeout = 2s});
  REQUIRE(created);
  auto& producer = *created.value();
  const std::map<std::string, std::string> label = {{"client", "stall-test"}};
  std::atomic<int> acked{0}, timed_out{0}, other{0};
  auto produce = [&](const std::string& topic) {
    auto err = producer.produce({.topic = topic, .key = "k", .value = "{}"},
                                [&](const kafka::Delivery& d) {
                                  if (d.ok())
                                    ++acked;
                                  else if (d.err == RD_KAFKA_RESP_ERR__MSG_TIMED_OUT)
                                    ++timed_out;
                                  else
                                    ++other;
                                });
    REQUIRE_FALSE(err);
  };

  const auto stuck_produced = std::chrono::steady_clock::now();
  produce(stuck);  // waits for a leader that never comes
  produce(healthy);
  REQUIRE(wait_until([&] { return acked == 1; }, 10s));
  // A caller gives up on the stuck record, but another was acknowledged since: load.
  producer.mark_stalled(stuck_produced);
  CHECK_FALSE(producer.stalled());
  CHECK(metric_value("shopstream_kafka_stalled", label) == 0);
  // Nothing acknowledged since this instant: stalled, until the next acknowledgement.
  producer.mark_stalled(std::chrono::steady_clock::now());
  CHECK(producer.stalled());
  CHECK(metric_value("shopstream_kafka_stalled", label) == 1);
  produce(healthy);
  REQUIRE(wait_until([&] { return !producer.stalled(); }, 10s));
  CHECK(acked == 2);
  CHECK(metric_value("shopstream_kafka_stalled", label) == 0);

  // The stuck record times out (message.timeout.ms): others were acknowledged after it
  // was produced, so Kafka is not stalled.
  REQUIRE(wait_until([&] { return timed_out == 1; }, 10s));
  CHECK_FALSE(producer.stalled());
  // One that times out with nothing acknowledged since it was produced marks it.
  produce(stuck);
  REQUIRE(wait_until([&] { return timed_out == 2; }, 10s));
  CHECK(producer.stalled());
  CHECK(metric_value("shopstream_kafka_stalled", label) == 1);
  produce(healthy);
  REQUIRE(wait_until([&] { return !producer.stalled(); }, 10s));
  CHECK(other == 0);
}
