#pragma once
// The Kafka broker of this test run, chosen by SHOPSTREAM_TEST_KAFKA: "mock" (librdkafka's
// mock cluster, in-process) or "real" (the Apache Kafka broker that ctest's fixture
// started with tools/kafka/broker.sh in SHOPSTREAM_TEST_KAFKA_DIR). Tests use a fresh
// topic prefix each, so they never see each other's records.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/kafka/embedded_cluster.hpp"

namespace shopstream::test {

struct ConsumedRecord {
  std::string topic, key, value;
  std::map<std::string, std::string> headers;
  std::set<std::string> null_headers;  // headers present without a value
  std::int32_t partition = -1;
  std::int64_t offset = -1;
  bool null_key = false, null_value = false;  // missing, not empty
};

class TestKafka {
 public:
  static TestKafka& get();
  bool is_mock() const { return mock_ != nullptr; }
  std::string bootstrap() const;
  // Creates the contract's topics under `prefix`.
  void create_topics(const std::string& prefix, int partitions = 3);
  // Outage control: the broker stops answering, then comes back on the same address.
  void stop_broker();
  void start_broker();
  std::string name() const { return is_mock() ? "mock" : "real"; }
  // Makes `partition` of `topic` keep nothing before `offset` (as retention would): the
  // real broker deletes the records (DeleteRecords); the mock cluster only trims by size,
  // so filler records (no headers) are appended until it has. Returns the new low mark.
  std::int64_t drop_before(const std::string& topic, int partition, std::int64_t offset);

 private:
  TestKafka();
  std::unique_ptr<kafka::EmbeddedCluster> mock_;
  std::string dir_;
};

// Every record of `topic` from the beginning to its current end.
std::vector<ConsumedRecord> read_topic(
    const std::string& brokers, const std::string& topic,
    std::chrono::milliseconds timeout = std::chrono::seconds(30));

// Writes records to one partition with the given timestamps (CreateTime, milliseconds
// since the epoch), each with `headers`, and waits for their durable acks. With
// `in_transaction`, in one committed transaction: the partition's last offset is then the
// commit marker, which no consumer reads.
struct TimedRecord {
  std::string key, value;
  std::int64_t timestamp_ms = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  bool null_key = false, null_value = false;  // written as missing, not empty
  std::vector<std::string> null_headers;      // headers written without a value
};
void produce_at(const std::string& brokers, const std::string& topic, int partition,
                const std::vector<TimedRecord>& records, bool in_transaction = false);

std::string unique_prefix();

// A mock cluster of the test's own, for faults the run's broker cannot show whichever it
// is (a partition without a leader, a slowed broker); throws if it cannot start.
std::unique_ptr<kafka::EmbeddedCluster> own_mock_cluster(int brokers = 1);

}  // namespace shopstream::test
