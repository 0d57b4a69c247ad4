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

TEST_CASE("the reader's offsets by time: the first record at or after it, or the end") {
  auto& kafka = TestKafka::get();
  auto prefix = unique_prefix();
  kafka.create_topics(prefix, 2);
  const auto topic = routing::topic_name(prefix, routing::Stream::kOrders);
  const std::int64_t t0 = 1'790'000'000'000;  // 2026-09-21, in milliseconds
  std::vector<TimedRecord> records;
  for (int i = 0; i < 5; ++i) records.push_back({"k", "{}", t0 + i * 1000, {}});
  produce_at(kafka.bootstrap(), topic, 0, records);

  auto reader = kafka::Reader::create({.brokers = kafka.bootstrap()});
  REQUIRE(reader);
  std::vector<kafka::PartitionOffset> both{{topic, 0, 0}, {topic, 1, 0}};
  auto at = [&](std::int64_t ms) {
    auto r = reader.value()->offsets_at_time(both, ms, 10s);
    REQUIRE_MESSAGE(r, (r ? "" : r.error().message));
    CHECK(r.value()[1].offset == 0);  // an empty partition: its end
    return r.value()[0].offset;
  };
  // A real broker looks up by time; the mock cluster answers the end whatever the time,
  // which the reader finds out and reports as -1 (read and filter by timestamp).
  const bool exact = !kafka.is_mock();
  CHECK(at(t0 - 1) == (exact ? 0 : -1));
  CHECK(at(t0) == (exact ? 0 : -1));
  CHECK(at(t0 + 1) == (exact ? 1 : -1));
  CHECK(at(t0 + 2500) == (exact ? 3 : -1));
  CHECK(at(t0 + 4000) == (exact ? 4 : -1));
  // After every record: the end, on both.
  CHECK(at(t0 + 4001) == 5);
  CHECK(at(t0 + 60'000) == 5);
}

TEST_CASE("the reader's offsets by time where the last offset is a transaction's marker") {
  auto& kafka = TestKafka::get();
  auto prefix = unique_prefix();
  kafka.create_topics(prefix, 1);
  const auto topic = routing::topic_name(prefix, routing::Stream::kOrders);
  const std::int64_t t0 = 1'790'000'000'000;
  produce_at(kafka.bootstrap(), topic, 0, {{"k", "{}", t0, {}}, {"k", "{}", t0 + 1000, {}}},
             /*in_transaction=*/true);

  auto reader = kafka::Reader::create({.brokers = kafka.bootstrap(), .partition_eof = true});
  REQUIRE(reader);
  std::vector<kafka::PartitionOffset> one{{topic, 0, 0}};
  // The end a read_committed reader sees (the last stable offset) moves once the
  // coordinator has written the commit marker, just after the commit returned: 3 with the
  // marker (a real broker), 2 without.
  Result<std::vector<kafka::PartitionOffset>> end = fail("not asked yet");
  REQUIRE(wait_until(
      [&] {
        end = reader.value()->offsets_at(one, kafka::Reader::Edge::kNext, 10s);
        return end && end.value()[0].offset >= (kafka.is_mock() ? 2 : 3);
      },
      20s));
  CAPTURE(end.value()[0].offset);
  // After every record and the marker (stamped with the time of the commit): the end, or
  // -1 (read and filter) where the last offset holds no record to check the time of;
  // never an error, nor a wait for a record to come.
  const auto in_an_hour = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch() + 1h)
                              .count();
  const auto asked = std::chrono::steady_clock::now();
  auto r = reader.value()->offsets_at_time(one, in_an_hour, 10s);
  const auto took = std::chrono::steady_clock::now() - asked;
  REQUIRE_MESSAGE(r, (r ? "" : r.error().message));
  if (!kafka.is_mock()) CHECK(end.value()[0].offset == 3);
  const bool marker_last = end.value()[0].offset == 3;
  CHECK(r.value()[0].offset == (marker_last ? -1 : end.value()[0].offset));
  CHECK(took < 8s);  // partition EOF says at once that nothing is there
  // Both records are still found by time.
  auto first = reader.value()->offsets_at_time(one, t0, 10s);
  REQUIRE(first);
  CHECK(first.value()[0].offset == (kafka.is_mock() ? -1 : 0));
}
