// Producer::produce_waiting: a full librdkafka queue is waited out, each record's handler
// runs exactly once, and the caller's wait decides when to give up. On a mock cluster of
// its own (a partition without a leader keeps the queue full), whichever broker the run
// uses.
#include <doctest/doctest.h>

#include <atomic>

#include "common/kafka/embedded_cluster.hpp"
#include "common/kafka/producer.hpp"
#include "tests/support/kafka.hpp"
#include "tests/support/wait.hpp"

using namespace shopstream;
using namespace shopstream::test;
using namespace std::chrono_literals;

namespace {

// A producer whose queue holds two records at the most.
std::unique_ptr<kafka::Producer> tiny_queue_producer(const std::string& bootstrap) {
  auto created = kafka::Producer::create({.brokers = bootstrap,
                                          .extra_properties = "queue.buffering.max.messages=2",
                                          .client_id = "queue-test",
                                          .message_timeout = 5s});
  REQUIRE(created);
  return std::move(created.value());
}

}  // namespace

TEST_CASE("produce_waiting waits out a full queue and reports every record once") {
  auto cluster = own_mock_cluster();
  const std::string topic = unique_prefix() + "queue";
  REQUIRE_FALSE(cluster->create_topics({topic}, 1));
  auto producer = tiny_queue_producer(cluster->bootstrap());

  std::atomic<int> acked{0}, failed{0};
  int waits = 0;
  const kafka::DeliveryHandler count = [&](const kafka::Delivery& d) {
    ++(d.ok() ? acked : failed);
  };
  for (int i = 0; i < 50; ++i) {
    auto err = producer->produce_waiting(
        {.topic = topic, .key = "k" + std::to_string(i), .value = "{}"}, count, [&] {
          ++waits;
          producer->flush(100ms);
          return true;
        });
    REQUIRE_FALSE(err);
  }
  REQUIRE(wait_until([&] { return acked + failed == 50; }, 20s));
  CHECK(acked == 50);
  CHECK(failed == 0);
  CHECK(waits > 0);  // two records fill the queue: the third had to wait
}

TEST_CASE("produce_waiting gives up when the wait says so, and that record is never reported") {
  auto owned = own_mock_cluster();
  auto& cluster = *owned;
  const std::string topic = unique_prefix() + "stuck";
  REQUIRE_FALSE(cluster.create_topics({topic}, 1));
  REQUIRE(rd_kafka_mock_partition_set_leader(cluster.mock(), topic.c_str(), 0, -1) ==
          RD_KAFKA_RESP_ERR_NO_ERROR);
  auto producer = tiny_queue_producer(cluster.bootstrap());

  std::atomic<int> reported{0}, third_reported{0};
  const kafka::DeliveryHandler count = [&](const kafka::Delivery&) { ++reported; };
  REQUIRE_FALSE(producer->produce({.topic = topic, .key = "a", .value = "{}"}, count));
  REQUIRE_FALSE(producer->produce({.topic = topic, .key = "b", .value = "{}"}, count));
  int waits = 0;
  auto err = producer->produce_waiting(
      {.topic = topic, .key = "c", .value = "{}"},
      [&](const kafka::Delivery&) { ++third_reported; }, [&] { return ++waits < 3; });
  REQUIRE(err);
  CHECK(err->retryable);  // queue full: back-pressure, not a fault
  CHECK(waits == 3);
  // The two queued records time out (no leader); the third was never accepted.
  REQUIRE(wait_until([&] { return reported == 2; }, 20s));
  CHECK(third_reported == 0);
}
