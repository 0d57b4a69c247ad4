#pragma once
// The one Kafka producer wrapper: idempotent, acks=all. produce() only enqueues; each
// accepted record's handler runs exactly once, on the producer's own poll thread (or on
// an io_context's thread, see deliver_on), when the broker acknowledged it durably or it
// finally failed. Thread-safe.
#include <librdkafka/rdkafka.h>

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/config.hpp"
#include "common/result.hpp"

namespace shopstream::kafka {

struct Header {
  std::string name;
  std::string value;
  bool null_value = false;  // copied from Kafka: a header without a value stays so
};

struct Record {
  std::string topic;
  std::string key;
  // produce() takes it and holds it until the delivery report, and librdkafka reads it
  // in place: a webhook body is published without a copy.
  std::string value;
  std::vector<Header> headers;
  // A record copied from Kafka keeps a missing key or value missing, not empty: Kafka
  // partitions a null key at random and an empty one by its hash. Webhooks have both.
  bool null_key = false;
  bool null_value = false;
};

struct Delivery {
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  std::int32_t partition = -1;
  std::int64_t offset = -1;
  bool ok() const { return err == RD_KAFKA_RESP_ERR_NO_ERROR; }
  std::string error() const { return rd_kafka_err2str(err); }
};

using DeliveryHandler = std::function<void(const Delivery&)>;

// The largest record any producer here sends (librdkafka's message.max.bytes), and the
// max.message.bytes of every topic ensure_topics() creates: the largest webhook body
// --max-body allows plus 64 KiB for its key, headers (a request's are capped at 16 KiB)
// and framing. Kafka's own defaults (about 1 MB) are below the default body limit (2 MiB):
// such a webhook was refused on every one of Shopify's retries, until Shopify deleted the
// subscription. One size whichever command creates the topics, so that no deployment's
// --max-body outgrows them.
inline constexpr std::size_t kMaxRecordBytes = kMaxBodyLimit + 64 * 1024;

struct ProducerOptions {
  std::string brokers;
  std::string extra_properties;  // "k=v,k=v", applied last
  std::string client_id = "shopstream";
  // How long a record waits for others to share its produce request. 1 ms measured best
  // for webhook-sized records on a broker over TCP (0 starves batching under the
  // idempotent producer's 5 requests in flight; 0.5 ms gave a real broker on the same
  // cores more requests to serve and fewer webhooks/s). With the in-process embedded
  // cluster the round trip is nearly free and 0.3-0.6 ms measured ~10% more webhooks/s.
  // librdkafka waits it out in poll(), whole milliseconds rounded up: when no record
  // arrives after it, 0.5 ms lasts 1 ms (docs/benchmarks.md, fifteenth pass).
  std::chrono::microseconds linger{1000};
  // How long librdkafka keeps retrying one record before reporting it failed.
  std::chrono::milliseconds message_timeout{30'000};
};

class Producer {
 public:
  static Result<std::unique_ptr<Producer>> create(const ProducerOptions& options);
  // Stops the poll thread. Records still queued are reported failed by librdkafka's
  // destroy; call flush() first to deliver them.
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Enqueues the record. nullopt: accepted, `on_delivery` will run exactly once.
  // Otherwise the error (queue full is retryable) and `on_delivery` never runs.
  std::optional<Error> produce(Record record, DeliveryHandler on_delivery);
  // produce(), with a full queue waited out: while librdkafka's queue is full, `wait` runs
  // (it should give the queue time to drain: flush() or a pause) and returns whether to try
  // again. The error of the last try otherwise, or at once for any other error.
  std::optional<Error> produce_waiting(const Record& record, const DeliveryHandler& on_delivery,
                                       const std::function<bool()>& wait);

  // From now until the returned guard is destroyed, delivery handlers run on `io`'s
  // thread: librdkafka writes to an eventfd that `io` waits on when reports arrive, so
  // acknowledged records skip the hop through the poll thread. Handlers must not block.
  // One io_context at a time (a second call's guard is empty and changes nothing).
  // Destroy the guard (or the producer) before `io` is destroyed; when the guard goes,
  // handlers go back to the poll thread.
  [[nodiscard]] std::shared_ptr<void> deliver_on(boost::asio::io_context& io);

  // Waits up to `timeout` for every queued record; returns how many are still queued.
  int flush(std::chrono::milliseconds timeout);
  int queue_depth() const;
  // Whether the last metadata probe (every second) reached a broker.
  bool reachable() const { return reachable_.load(); }
  // Whether the last probe failed (false until the first probe has answered either way).
  bool unreachable() const { return probed_.load() && !reachable_.load(); }
  // Whether Kafka has stopped acknowledging records though it may answer the probe (a
  // partition without a leader or short of in-sync replicas, a broker out of disk): set
  // when a record times out, or a caller gave up waiting for one (mark_stalled), and no
  // record at all was acknowledged since that one was produced; cleared by the next
  // acknowledged record. Under load, others' acks keep it clear. Logged and exported
  // (shopstream_kafka_stalled) on each change.
  bool stalled() const { return stalled_.load(std::memory_order_relaxed); }
  void mark_stalled(std::chrono::steady_clock::time_point produced);
  // Creates missing topics, with max.message.bytes kMaxRecordBytes; existing ones
  // are left as they are (a record one refuses as too large is logged). Retries until
  // `timeout`.
  std::optional<Error> ensure_topics(const std::vector<std::string>& topics, int partitions,
                                     int replication, std::chrono::milliseconds timeout);
  rd_kafka_t* handle() { return rk_; }

 private:
  Producer(rd_kafka_t* rk, std::string client_id);
  void set_stalled(bool stalled);
  void poll_loop();
  // nullopt (and `error`) when the cluster did not answer.
  std::optional<std::vector<std::string>> missing_topics(const std::vector<std::string>& topics,
                                                         std::string& error);
  void probe_loop();
  static void on_delivery_report(rd_kafka_t*, const rd_kafka_message_t*, void*);
  struct Pending;  // a record's value and handler, from produce() to its report

  struct Pump;
  rd_kafka_t* rk_;
  std::string client_id_;
  std::atomic<bool> stalled_{false};
  std::atomic<std::chrono::steady_clock::rep> last_ack_{0};  // time_since_epoch of the last ack
  std::atomic<bool> stop_{false};
  std::atomic<bool> pumped_{false};  // deliver_on is active: the poll thread leaves the queue
  std::weak_ptr<Pump> pump_;
  std::mutex poll_mu_;  // held by the poll thread while it serves reports
  std::atomic<bool> reachable_{false};
  std::atomic<bool> probed_{false};
  std::thread poller_;
  std::thread prober_;
};

}  // namespace shopstream::kafka
