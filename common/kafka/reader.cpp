#include "common/kafka/reader.hpp"

#include <thread>

#include "common/kafka/conf.hpp"
#include "common/kafka/producer.hpp"

namespace shopstream::kafka {
namespace {

// What a broker answers about a partition whose topic it created moments ago, or whose
// leader is moving: worth asking again until the caller's timeout.
bool settling(rd_kafka_resp_err_t err) {
  return err == RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION ||
         err == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE ||
         err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
         err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION;
}

constexpr auto kSettleBackoff = std::chrono::milliseconds(50);

}  // namespace

Result<std::unique_ptr<Reader>> Reader::create(const ReaderOptions& o) {
  auto made = make_conf(
      "kafka reader",
      {
          {"bootstrap.servers", o.brokers},
          {"client.id", o.client_id},
          // assign() needs a group id, though it never joins the group nor commits to it.
          {"group.id", o.client_id + "-unused-group"},
          {"enable.auto.commit", "false"},
          {"enable.auto.offset.store", "false"},
          {"enable.partition.eof", o.partition_eof ? "true" : "false"},
          {"auto.offset.reset", "earliest"},  // an offset below retention starts at the oldest
          {"isolation.level", "read_committed"},
          {"fetch.wait.max.ms", std::to_string(o.fetch_wait.count())},
          {"log_level", "4"},
      },
      o.extra_properties);
  if (!made) return made.error();
  rd_kafka_conf_t* conf = made.value();
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (!rk) {
    rd_kafka_conf_destroy(conf);
    return fail(std::string("kafka reader: ") + err);
  }
  rd_kafka_poll_set_consumer(rk);
  return std::unique_ptr<Reader>(new Reader(rk));
}

Reader::~Reader() {
  rd_kafka_assign(rk_, nullptr);
  rd_kafka_destroy(rk_);
}

Result<int> Reader::partition_count(const std::string& topic, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk_, topic.c_str(), nullptr);
    const rd_kafka_metadata_t* md = nullptr;
    auto err = rd_kafka_metadata(rk_, 0, rkt, &md,
                                 static_cast<int>(std::max<std::int64_t>(left.count(), 1)));
    rd_kafka_topic_destroy(rkt);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
      return fail("kafka metadata for " + topic + ": " + rd_kafka_err2str(err), true);
    int count = -1;
    rd_kafka_resp_err_t topic_err = RD_KAFKA_RESP_ERR_NO_ERROR;
    for (int i = 0; i < md->topic_cnt; ++i)
      if (topic == md->topics[i].topic) {
        count = md->topics[i].partition_cnt;
        topic_err = md->topics[i].err;
      }
    rd_kafka_metadata_destroy(md);
    if (count > 0 && topic_err == RD_KAFKA_RESP_ERR_NO_ERROR) return count;
    if (!settling(topic_err) || std::chrono::steady_clock::now() + kSettleBackoff >= deadline)
      return fail("kafka topic " + topic + " is not available: " + rd_kafka_err2str(topic_err),
                  true);
    std::this_thread::sleep_for(kSettleBackoff);
  }
}

Result<std::vector<PartitionOffset>> Reader::offsets_at(std::vector<PartitionOffset> partitions,
                                                        Edge edge,
                                                        std::chrono::milliseconds timeout) {
  return list_offsets(std::move(partitions),
                      edge == Edge::kOldest ? RD_KAFKA_OFFSET_BEGINNING : RD_KAFKA_OFFSET_END,
                      timeout);
}

Result<std::vector<PartitionOffset>> Reader::offsets_at_time(
    std::vector<PartitionOffset> partitions, std::int64_t unix_ms,
    std::chrono::milliseconds timeout) {
  auto at = list_offsets(partitions, unix_ms, timeout);
  if (!at) return at;
  auto ends = offsets_at(partitions, Edge::kNext, timeout);
  if (!ends) return ends;
  auto oldest = offsets_at(std::move(partitions), Edge::kOldest, timeout);
  if (!oldest) return oldest;
  // Records may remain at or after that time although the broker answered the end.
  for (std::size_t i = 0; i < at.value().size(); ++i) {
    auto& p = at.value()[i];
    const auto end = ends.value()[i].offset;
    // No record at or after that time: the broker answers -1, which means the end.
    if (p.offset < 0) p.offset = end;
    if (p.offset < end || end <= oldest.value()[i].offset) continue;
    // The end, for a partition that has records: right if its last record is older. No
    // record to read there (a transaction's commit marker, compacted away) or no answer in
    // time: -1, as when the answer is wrong (the caller reads and filters by timestamp).
    auto last = timestamp_of({p.topic, p.partition, end - 1}, timeout);
    if (!last || last.value() >= unix_ms) p.offset = -1;
  }
  return at;
}

Result<std::int64_t> Reader::timestamp_of(const PartitionOffset& at,
                                          std::chrono::milliseconds timeout) {
  if (auto err = assign({at})) return *err;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto m = poll(std::chrono::milliseconds(100));
    // (An error not tied to a partition, such as all brokers down, has no topic.)
    if (!m || !m->rkt || m->partition != at.partition || at.topic != rd_kafka_topic_name(m->rkt))
      continue;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) break;  // (partition_eof) nothing there
    if (m->err || m->offset < at.offset) continue;
    assign({});
    return rd_kafka_message_timestamp(m.get(), nullptr);
  }
  assign({});
  return fail("kafka: cannot read " + at.topic + "/" + std::to_string(at.partition) +
                  " at offset " + std::to_string(at.offset),
              true);
}

Result<std::vector<PartitionOffset>> Reader::list_offsets(std::vector<PartitionOffset> partitions,
                                                          std::int64_t timestamp,
                                                          std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    auto* list = rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size()));
    for (const auto& p : partitions)
      rd_kafka_topic_partition_list_add(list, p.topic.c_str(), p.partition)->offset = timestamp;
    // A timestamp of BEGINNING or END asks for the log start or end offset.
    auto err = rd_kafka_offsets_for_times(
        rk_, list, static_cast<int>(std::max<std::int64_t>(left.count(), 1)));
    std::string where;
    for (int i = 0; i < list->cnt && !err; ++i) {
      const auto& e = list->elems[i];
      if (e.err) {
        err = e.err;
        where = std::string(" of ") + e.topic + "/" + std::to_string(e.partition);
      } else {
        partitions[static_cast<std::size_t>(i)].offset = e.offset;
      }
    }
    rd_kafka_topic_partition_list_destroy(list);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return partitions;
    if (!settling(err) || std::chrono::steady_clock::now() + kSettleBackoff >= deadline)
      return fail("kafka offsets" + where + ": " + rd_kafka_err2str(err), true);
    std::this_thread::sleep_for(kSettleBackoff);
  }
}

std::optional<Error> Reader::assign(const std::vector<PartitionOffset>& partitions) {
  rd_kafka_resp_err_t err;
  if (partitions.empty()) {
    err = rd_kafka_assign(rk_, nullptr);
  } else {
    auto* list = rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size()));
    for (const auto& p : partitions)
      rd_kafka_topic_partition_list_add(list, p.topic.c_str(), p.partition)->offset = p.offset;
    err = rd_kafka_assign(rk_, list);
    rd_kafka_topic_partition_list_destroy(list);
  }
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    return fail(std::string("kafka assign: ") + rd_kafka_err2str(err));
  return std::nullopt;
}

MessagePtr Reader::poll(std::chrono::milliseconds timeout) {
  return MessagePtr(rd_kafka_consumer_poll(rk_, static_cast<int>(timeout.count())));
}

}  // namespace shopstream::kafka
