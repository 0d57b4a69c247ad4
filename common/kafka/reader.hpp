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
  // poll() also returns an RD_KAFKA_RESP_ERR__PARTITION_EOF message (its offset: the
  // partition's end) each time a partition is read to its current end.
  bool partition_eof = false;
};

class Reader {
 public:
  static Result<std::unique_ptr<Reader>> create(const ReaderOptions& options);
  ~Reader();
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  enum class Edge { kOldest, kNext };  // the oldest record retained; the next one written
  // Both ask again, until `timeout`, while the broker is still settling the partition (a
  // topic created moments ago has no leader yet: "Not leader for partition").
  Result<int> partition_count(const std::string& topic, std::chrono::milliseconds timeout);
  // `partitions` with each offset set to that partition's `edge`: one ListOffsets request
  // per leader, never past `timeout`. (rd_kafka_query_watermark_offsets would ask once per
  // partition, and in librdkafka 2.0 it blocks for as long as a leader is down:
  // confluentinc/librdkafka#2588.)
  Result<std::vector<PartitionOffset>> offsets_at(std::vector<PartitionOffset> partitions,
                                                  Edge edge, std::chrono::milliseconds timeout);
  // `partitions` with each offset set to that of the first record whose timestamp is at or
  // after `unix_ms`, or to the partition's end when there is none; or to -1 where the
  // broker cannot look up by time (librdkafka's mock cluster answers the end whatever the
  // time: a partition whose last record is at or after `unix_ms` gets -1, and so does one
  // whose last offset holds no record to read, such as a transaction's commit marker), so
  // that the caller reads the partition and filters records by their timestamps. Assigns
  // and reads partitions to check: call it before assign().
  Result<std::vector<PartitionOffset>> offsets_at_time(std::vector<PartitionOffset> partitions,
                                                       std::int64_t unix_ms,
                                                       std::chrono::milliseconds timeout);
  // The timestamp of the record at `at` (milliseconds), by reading it; -1 if it has none.
  // An error if no record is there: at once with partition_eof, or else after `timeout`.
  Result<std::int64_t> timestamp_of(const PartitionOffset& at, std::chrono::milliseconds timeout);
  // Replaces the assignment (empty: reads nothing).
  std::optional<Error> assign(const std::vector<PartitionOffset>& partitions);
  // The next message, an error message (check ->err), or nullptr after `timeout`.
  MessagePtr poll(std::chrono::milliseconds timeout);

 private:
  explicit Reader(rd_kafka_t* rk) : rk_(rk) {}
  // ListOffsets by timestamp (or BEGINNING / END, which ask for the edges).
  Result<std::vector<PartitionOffset>> list_offsets(std::vector<PartitionOffset> partitions,
                                                    std::int64_t timestamp,
                                                    std::chrono::milliseconds timeout);
  rd_kafka_t* rk_;
};

}  // namespace shopstream::kafka
