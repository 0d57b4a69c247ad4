#pragma once
// The one group-less Kafka reader: assigns partitions at explicit offsets and reads them
// (SSE servers read every partition themselves; catch-up and tools read ranges). No
// consumer group, no commits. Not thread-safe: one thread uses a Reader.
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/result.hpp"

namespace shopstream::kafka {

struct PartitionOffset {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
};

struct MessageDeleter {
  void operator()(rd_kafka_message_t* m) const { rd_kafka_message_destroy(m); }
};
using MessagePtr = std::unique_ptr<rd_kafka_message_t, MessageDeleter>;

struct ReaderOptions {
  std::string brokers;
  std::string extra_properties;  // "k=v,k=v", applied last
  std::string client_id = "shopstream-reader";
  // Longest the broker holds a fetch for new data: the floor of delivery latency.
  std::chrono::milliseconds fetch_wait{10};
};

class Reader {
 public:
  static Result<std::unique_ptr<Reader>> create(const ReaderOptions& options);
  ~Reader();
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  // Both ask again, until `timeout`, while the broker is still settling the partition (a
  // topic created moments ago has no leader yet: "Not leader for partition").
  Result<int> partition_count(const std::string& topic, std::chrono::milliseconds timeout);
  // {low, high}: the oldest retained offset and the next offset to be written.
  Result<std::pair<std::int64_t, std::int64_t>> watermarks(const std::string& topic,
                                                           std::int32_t partition,
                                                           std::chrono::milliseconds timeout);
  // Replaces the assignment (empty: reads nothing).
  std::optional<Error> assign(const std::vector<PartitionOffset>& partitions);
  // The next message, an error message (check ->err), or nullptr after `timeout`.
  MessagePtr poll(std::chrono::milliseconds timeout);

 private:
  explicit Reader(rd_kafka_t* rk) : rk_(rk) {}
  rd_kafka_t* rk_;
};

}  // namespace shopstream::kafka
