// Reader::offsets_at against the run's broker (mock and real): each partition's oldest and
// next offset in one call, and an error within the timeout while the broker is down (the
// watermark query it replaces blocked until the broker came back).
#include <doctest/doctest.h>

#include <atomic>
#include <map>

#include "common/kafka/producer.hpp"
#include "common/kafka/reader.hpp"
#include "common/routing.hpp"
#include "tests/support/kafka.hpp"
#include "tests/support/wait.hpp"

using namespace shopstream;
using namespace shopstream::test;
using namespace std::chrono_literals;

TEST_CASE(
    "the reader's offsets: each partition's oldest and next, and a timely error in an outage") {
  auto& kafka = TestKafka::get();
  auto prefix = unique_prefix();
  kafka.create_topics(prefix, 3);
  const auto topic = routing::topic_name(prefix, routing::Stream::kOrders);
  auto producer = kafka::Producer::create({.brokers = kafka.bootstrap()});
  REQUIRE(producer);
  std::atomic<int> acked = 0;
  for (int i = 0; i < 20; ++i)
    REQUIRE_FALSE(producer.value()->produce({topic, "k" + std::to_string(i), "{}", {}},
                                            [&](const kafka::Delivery& d) { acked += d.ok(); }));
  REQUIRE(producer.value()->flush(30s) == 0);
  REQUIRE(acked == 20);
  std::map<std::int32_t, std::int64_t> written;  // by partition
  for (const auto& r : read_topic(kafka.bootstrap(), topic)) ++written[r.partition];

  auto reader = kafka::Reader::create({.brokers = kafka.bootstrap()});
  REQUIRE(reader);
  std::vector<kafka::PartitionOffset> all{{topic, 0, -5}, {topic, 1, -5}, {topic, 2, -5}};
  auto next = reader.value()->offsets_at(all, kafka::Reader::Edge::kNext, 10s);
  REQUIRE_MESSAGE(next, (next ? "" : next.error().message));
  auto oldest = reader.value()->offsets_at(all, kafka::Reader::Edge::kOldest, 10s);
  REQUIRE_MESSAGE(oldest, (oldest ? "" : oldest.error().message));
  for (std::size_t p = 0; p < all.size(); ++p) {
    CHECK(next.value()[p].topic == topic);
    CHECK(next.value()[p].partition == static_cast<std::int32_t>(p));
    CHECK(next.value()[p].offset == written[static_cast<std::int32_t>(p)]);
    CHECK(oldest.value()[p].offset == 0);
  }

  kafka.stop_broker();
  const auto asked = std::chrono::steady_clock::now();
  auto down = reader.value()->offsets_at(all, kafka::Reader::Edge::kNext, 2s);
  const auto took = std::chrono::steady_clock::now() - asked;
  kafka.start_broker();
  CHECK_FALSE(down);
  CHECK(took < 10s);  // the timeout (2 s), with room for a loaded machine
}
