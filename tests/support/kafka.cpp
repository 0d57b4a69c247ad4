#include "tests/support/kafka.hpp"

#include <librdkafka/rdkafka.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <set>
#include <stdexcept>

#include "common/kafka/message.hpp"
#include "common/kafka/producer.hpp"
#include "common/routing.hpp"

namespace shopstream::test {
namespace {

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v ? v : fallback;
}

void run_script(const std::string& cmd) {
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("failed: " + cmd);
}

}  // namespace

TestKafka& TestKafka::get() {
  static TestKafka k;
  return k;
}

TestKafka::TestKafka() {
  auto kind = env_or("SHOPSTREAM_TEST_KAFKA", "mock");
  if (kind == "mock") {
    auto c = kafka::EmbeddedCluster::start(1);
    if (!c) throw std::runtime_error(c.error().message);
    mock_ = std::move(c.value());
  } else if (kind == "real") {
    dir_ = env_or("SHOPSTREAM_TEST_KAFKA_DIR", "");
    if (dir_.empty()) throw std::runtime_error("SHOPSTREAM_TEST_KAFKA_DIR is not set");
  } else {
    throw std::runtime_error("SHOPSTREAM_TEST_KAFKA must be mock or real");
  }
}

std::string TestKafka::bootstrap() const {
  if (mock_) return mock_->bootstrap();
  // The address is fixed for the broker's life (restarts reuse its port).
  std::ifstream in(dir_ + "/port");
  std::string port;
  in >> port;
  if (port.empty()) throw std::runtime_error("no broker port in " + dir_);
  return "127.0.0.1:" + port;
}

void TestKafka::create_topics(const std::string& prefix, int partitions) {
  auto topics = routing::all_topics(prefix);
  if (mock_) {
    if (auto err = mock_->create_topics(topics, partitions)) throw std::runtime_error(err->message);
    return;
  }
  auto producer = kafka::Producer::create({.brokers = bootstrap()});
  if (!producer) throw std::runtime_error(producer.error().message);
  if (auto err = producer.value()->ensure_topics(topics, partitions, 1, std::chrono::seconds(30)))
    throw std::runtime_error(err->message);
}

void TestKafka::stop_broker() {
  if (mock_) return mock_->set_broker_down(1);
  run_script(std::string(SHOPSTREAM_SOURCE_DIR) + "/tools/kafka/broker.sh stop " + dir_);
}

void TestKafka::start_broker() {
  if (mock_) return mock_->set_broker_up(1);
  run_script(std::string(SHOPSTREAM_SOURCE_DIR) + "/tools/kafka/broker.sh restart " + dir_ +
             " >/dev/null");
}

std::int64_t TestKafka::drop_before(const std::string& topic, int partition, std::int64_t offset) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap().c_str(), err, sizeof err);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) throw std::runtime_error(err);
  auto low_mark = [&] {
    std::int64_t low = 0, high = 0;
    if (rd_kafka_query_watermark_offsets(rk, topic.c_str(), partition, &low, &high, 10000))
      throw std::runtime_error("watermarks of " + topic);
    return low;
  };
  if (!is_mock()) {
    auto* offsets = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(offsets, topic.c_str(), partition)->offset = offset;
    auto* request = rd_kafka_DeleteRecords_new(offsets);
    rd_kafka_topic_partition_list_destroy(offsets);
    auto* queue = rd_kafka_queue_new(rk);
    rd_kafka_DeleteRecords(rk, &request, 1, nullptr, queue);
    rd_kafka_DeleteRecords_destroy(request);
    rd_kafka_event_t* ev = rd_kafka_queue_poll(queue, 30000);
    std::string error = !ev                        ? "no answer"
                        : rd_kafka_event_error(ev) ? rd_kafka_event_error_string(ev)
                                                   : "";
    if (ev) rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(queue);
    if (!error.empty()) {
      rd_kafka_destroy(rk);
      throw std::runtime_error("DeleteRecords: " + error);
    }
  } else {
    std::string filler(512 * 1024, 'f');
    for (int i = 0; i < 200 && low_mark() < offset; ++i) {
      rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
                        RD_KAFKA_V_VALUE(filler.data(), filler.size()),
                        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
      rd_kafka_flush(rk, 10000);
    }
  }
  auto low = low_mark();
  rd_kafka_destroy(rk);
  return low;
}

void produce_at(const std::string& brokers, const std::string& topic, int partition,
                const std::vector<TimedRecord>& records, bool in_transaction) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  for (const auto& [k, v] : std::vector<std::pair<std::string, std::string>>{
           {"bootstrap.servers", brokers}, {"acks", "all"}, {"enable.idempotence", "true"}})
    rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err);
  if (in_transaction)
    rd_kafka_conf_set(conf, "transactional.id", ("tx-" + unique_prefix()).c_str(), err, sizeof err);
  struct Tally {
    int ok = 0, failed = 0;
  } tally;
  rd_kafka_conf_set_opaque(conf, &tally);
  rd_kafka_conf_set_dr_msg_cb(conf, [](rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    auto* t = static_cast<Tally*>(opaque);
    (m->err ? t->failed : t->ok)++;
  });
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) throw std::runtime_error(err);
  auto check = [rk](rd_kafka_error_t* e) {
    if (!e) return;
    std::string what = rd_kafka_error_string(e);
    rd_kafka_error_destroy(e);
    rd_kafka_destroy(rk);
    throw std::runtime_error("produce_at: transaction: " + what);
  };
  if (in_transaction) {
    check(rd_kafka_init_transactions(rk, 30000));
    check(rd_kafka_begin_transaction(rk));
  }
  for (const auto& r : records) {
    rd_kafka_headers_t* hdrs = rd_kafka_headers_new(r.headers.size());
    for (const auto& [n, v] : r.headers)
      rd_kafka_header_add(hdrs, n.data(), static_cast<ssize_t>(n.size()), v.data(),
                          static_cast<ssize_t>(v.size()));
    for (const auto& n : r.null_headers)
      rd_kafka_header_add(hdrs, n.data(), static_cast<ssize_t>(n.size()), nullptr, 0);
    auto e = rd_kafka_producev(
        rk, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_KEY(r.null_key ? nullptr : r.key.data(), r.key.size()),
        RD_KAFKA_V_VALUE(r.null_value ? nullptr : const_cast<char*>(r.value.data()),
                         r.value.size()),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_TIMESTAMP(r.timestamp_ms),
        RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_END);
    if (e) {
      rd_kafka_headers_destroy(hdrs);
      rd_kafka_destroy(rk);
      throw std::runtime_error(std::string("produce: ") + rd_kafka_err2str(e));
    }
  }
  if (in_transaction) check(rd_kafka_commit_transaction(rk, 30000));  // flushes first
  rd_kafka_flush(rk, 30000);
  rd_kafka_destroy(rk);
  if (tally.ok != static_cast<int>(records.size()))
    throw std::runtime_error("produce_at: " + std::to_string(tally.failed) + " record(s) failed");
}

std::vector<ConsumedRecord> read_topic(const std::string& brokers, const std::string& topic,
                                       std::chrono::milliseconds timeout) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", brokers.c_str(), err, sizeof err);
  rd_kafka_conf_set(conf, "group.id", ("reader-" + unique_prefix()).c_str(), err, sizeof err);
  rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof err);
  rd_kafka_conf_set(conf, "enable.partition.eof", "true", err, sizeof err);
  rd_kafka_conf_set(conf, "isolation.level", "read_committed", err, sizeof err);
  rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (!rk) throw std::runtime_error(err);
  auto deadline = std::chrono::steady_clock::now() + timeout;

  int partitions = 0;
  while (partitions == 0 && std::chrono::steady_clock::now() < deadline) {
    rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
    const rd_kafka_metadata_t* md = nullptr;
    if (rd_kafka_metadata(rk, 0, rkt, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR &&
        md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR)
      partitions = md->topics[0].partition_cnt;
    if (md) rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(rkt);
  }
  if (partitions == 0) {
    rd_kafka_destroy(rk);
    throw std::runtime_error("no metadata for topic " + topic);
  }
  rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p)
    rd_kafka_topic_partition_list_add(parts, topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_assign(rk, parts);
  rd_kafka_topic_partition_list_destroy(parts);

  std::vector<ConsumedRecord> out;
  std::set<int> at_end;
  while (static_cast<int>(at_end.size()) < partitions &&
         std::chrono::steady_clock::now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 200);
    if (!m) continue;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      at_end.insert(m->partition);
    } else if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      ConsumedRecord r;
      r.topic = topic;
      r.partition = m->partition;
      r.offset = m->offset;
      if (m->key) r.key.assign(static_cast<const char*>(m->key), m->key_len);
      if (m->payload) r.value.assign(static_cast<const char*>(m->payload), m->len);
      r.null_key = m->key == nullptr;
      r.null_value = m->payload == nullptr;
      for (auto& h : kafka::headers_of(m)) {
        if (h.null_value) r.null_headers.insert(h.name);
        r.headers[h.name] = std::move(h.value);
      }
      out.push_back(std::move(r));
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  if (static_cast<int>(at_end.size()) < partitions)
    throw std::runtime_error("timed out reading " + topic);
  return out;
}

std::string unique_prefix() {
  static std::mt19937_64 rng{std::random_device{}()};
  static const char* hex = "0123456789abcdef";
  std::string s = "t";
  auto v = rng();
  for (int i = 0; i < 12; ++i) s.push_back(hex[(v >> (i * 4)) & 15]);
  return s + ".";
}

std::unique_ptr<kafka::EmbeddedCluster> own_mock_cluster(int brokers) {
  auto started = kafka::EmbeddedCluster::start(brokers);
  if (!started) throw std::runtime_error("mock cluster: " + started.error().message);
  return std::move(started.value());
}

}  // namespace shopstream::test
