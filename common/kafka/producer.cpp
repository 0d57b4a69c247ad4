#include "common/kafka/producer.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>

#include <cerrno>
#include <cstdint>
#include <mutex>

#include "common/kafka/conf.hpp"
#include "common/kafka/metrics.hpp"
#include "common/log.hpp"

namespace shopstream::kafka {
namespace {

void on_error(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
  producer_metrics().error(rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err)));
  log_kafka_error(rk, err, reason, opaque);
}

// A record over the producer's message.max.bytes, or refused by a topic whose
// max.message.bytes is lower (one created before, or by someone else): refused on every
// retry, so it needs an operator.
void log_too_large(std::string_view topic, std::size_t bytes) {
  log::error("kafka refused a record as too large: raise the topic's max.message.bytes",
             {{"topic", topic}, {"bytes", bytes}});
}

}  // namespace

// Shared by the guard, the producer and the handler waiting on the eventfd. The
// descriptor belongs to the waiting handler alone, so it dies with its io_context.
struct Producer::Pump {
  std::mutex mu;
  rd_kafka_t* rk = nullptr;  // null once detached: serve no more
  std::atomic<bool>* pumped = nullptr;

  static void wait(std::shared_ptr<Pump> pump,
                   std::shared_ptr<boost::asio::posix::stream_descriptor> fd) {
    auto& d = *fd;
    d.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                 [pump = std::move(pump), fd = std::move(fd)](boost::system::error_code ec) {
                   if (ec) return;
                   std::uint64_t n;
                   [[maybe_unused]] auto r = ::read(fd->native_handle(), &n, sizeof n);
                   if (!pump->serve()) return;
                   wait(pump, fd);
                 });
  }

  // Runs every report queued now. librdkafka writes the eventfd again only after this,
  // when the queue next turns non-empty, so no report is left waiting.
  bool serve() {
    std::lock_guard lock(mu);
    if (!rk) return false;
    rd_kafka_poll(rk, 0);
    return true;
  }

  // Hands the reports back to the poll thread. Idempotent; waits for a serve() under way.
  void detach() {
    std::lock_guard lock(mu);
    if (!rk) return;
    rd_kafka_queue_t* q = rd_kafka_queue_get_main(rk);
    rd_kafka_queue_io_event_enable(q, -1, nullptr, 0);
    rd_kafka_queue_destroy(q);
    rk = nullptr;
    *pumped = false;
  }
};

Result<std::unique_ptr<Producer>> Producer::create(const ProducerOptions& o) {
  auto made = make_conf("kafka producer",
                        {
                            {"bootstrap.servers", o.brokers},
                            {"client.id", o.client_id},
                            {"enable.idempotence", "true"},
                            {"acks", "all"},
                            {"linger.ms", std::to_string(o.linger.count() / 1000.0)},
                            {"message.timeout.ms", std::to_string(o.message_timeout.count())},
                            {"queue.buffering.max.messages", "200000"},
                            {"queue.buffering.max.kbytes", "524288"},
                            {"message.max.bytes", std::to_string(kMaxRecordBytes)},
                            // Nagle's algorithm held the tail of a Produce request while an earlier
                            // one was unacknowledged: p99 10-24 ms against 9-10 ms without it, same
                            // webhooks/s (real broker, docs/benchmarks.md).
                            {"socket.nagle.disable", "true"},
                            {"log_level", "4"},
                        },
                        o.extra_properties);
  if (!made) return made.error();
  rd_kafka_conf_t* conf = made.value();
  rd_kafka_conf_set_dr_msg_cb(conf, &Producer::on_delivery_report);
  rd_kafka_conf_set_error_cb(conf, &on_error);
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) {
    rd_kafka_conf_destroy(conf);
    return fail(std::string("kafka producer: ") + err);
  }
  return std::unique_ptr<Producer>(new Producer(rk, o.client_id));
}

Producer::Producer(rd_kafka_t* rk, std::string client_id)
    : rk_(rk), client_id_(std::move(client_id)) {
  producer_metrics().stalled(client_id_, false);
  poller_ = std::thread([this] { poll_loop(); });
  prober_ = std::thread([this] { probe_loop(); });
}

Producer::~Producer() {
  if (auto pump = pump_.lock()) pump->detach();  // the guard may outlive us
  stop_ = true;
  prober_.join();
  poller_.join();
  // Reports every record still queued as failed (through the handlers), then frees.
  rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  rd_kafka_poll(rk_, 0);
  rd_kafka_destroy(rk_);
}

void Producer::poll_loop() {
  while (!stop_) {
    if (pumped_) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));  // only the gauge is ours
    } else {
      std::lock_guard lock(poll_mu_);
      if (!pumped_) rd_kafka_poll(rk_, 50);
    }
    producer_metrics().queue_depth(rd_kafka_outq_len(rk_));
  }
}

std::shared_ptr<void> Producer::deliver_on(boost::asio::io_context& io) {
  if (pumped_.exchange(true)) return nullptr;
  int efd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (efd < 0) {
    pumped_ = false;
    log::warn("kafka delivery reports stay on the poll thread: no eventfd", {{"errno", errno}});
    return nullptr;
  }
  // Wait out a poll under way on the poll thread, so every report from now on is ours.
  rd_kafka_yield(rk_);
  { std::lock_guard lock(poll_mu_); }
  auto pump = std::make_shared<Pump>();
  pump->rk = rk_;
  pump->pumped = &pumped_;
  pump_ = pump;
  auto fd = std::make_shared<boost::asio::posix::stream_descriptor>(io, efd);
  static const std::uint64_t kOne = 1;  // an eventfd takes 8-byte counts
  rd_kafka_queue_t* main = rd_kafka_queue_get_main(rk_);
  rd_kafka_queue_io_event_enable(main, efd, &kOne, sizeof kOne);
  rd_kafka_queue_destroy(main);
  // Reports queued before the eventfd was attached would not write it: serve them first.
  boost::asio::post(io, [pump, fd] {
    if (pump->serve()) Pump::wait(pump, fd);
  });
  return std::shared_ptr<void>(pump.get(), [pump](void*) { pump->detach(); });
}

void Producer::probe_loop() {
  // A metadata request of brokers only: cheap, and fails fast when none answers.
  while (!stop_) {
    const rd_kafka_metadata_t* md = nullptr;
    bool ok = rd_kafka_metadata(rk_, 0, nullptr, &md, 1000) == RD_KAFKA_RESP_ERR_NO_ERROR &&
              md->broker_cnt > 0;
    if (md) rd_kafka_metadata_destroy(md);
    if (ok != reachable_.exchange(ok)) {
      producer_metrics().reachable(ok);
      if (ok)
        log::info("kafka reachable");
      else
        log::warn("kafka unreachable");
    }
    probed_ = true;
    for (int i = 0; i < 10 && !stop_; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

void Producer::set_stalled(bool stalled) {
  // A load first: every acknowledged record passes here, and it rarely changes anything.
  if (stalled_.load(std::memory_order_relaxed) == stalled || stalled_.exchange(stalled) == stalled)
    return;
  producer_metrics().stalled(client_id_, stalled);
  if (stalled)
    log::warn("kafka is not acknowledging records", {{"client", client_id_}});
  else
    log::info("kafka acknowledges records again", {{"client", client_id_}});
}

void Producer::mark_stalled(std::chrono::steady_clock::time_point produced) {
  if (last_ack_.load(std::memory_order_relaxed) < produced.time_since_epoch().count())
    set_stalled(true);
}

struct Producer::Pending {
  Producer* owner;
  std::chrono::steady_clock::time_point produced;
  DeliveryHandler handler;
  std::string value;  // librdkafka reads it in place until the report
};

void Producer::on_delivery_report(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
  std::unique_ptr<Pending> pending(static_cast<Pending*>(m->_private));
  Delivery d{m->err, m->partition, m->offset};
  if (!d.ok()) producer_metrics().error(rd_kafka_err2name(m->err));
  if (m->err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE)
    log_too_large(rd_kafka_topic_name(m->rkt), m->len);
  if (pending && d.ok()) {
    pending->owner->last_ack_.store(std::chrono::steady_clock::now().time_since_epoch().count(),
                                    std::memory_order_relaxed);
    pending->owner->set_stalled(false);
  } else if (pending && m->err == RD_KAFKA_RESP_ERR__MSG_TIMED_OUT) {
    // Not one refused for itself (too large, say): that says nothing of the others.
    pending->owner->mark_stalled(pending->produced);
  }
  if (pending && pending->handler) pending->handler(d);
}

std::optional<Error> Producer::produce(Record r, DeliveryHandler on_delivery) {
  rd_kafka_headers_t* hdrs = rd_kafka_headers_new(r.headers.size());
  for (const auto& h : r.headers)
    rd_kafka_header_add(hdrs, h.name.data(), static_cast<ssize_t>(h.name.size()),
                        h.null_value ? nullptr : h.value.data(),
                        h.null_value ? 0 : static_cast<ssize_t>(h.value.size()));
  auto* pending = new Pending{this, std::chrono::steady_clock::now(), std::move(on_delivery),
                              std::move(r.value)};
  // No RD_KAFKA_MSG_F_COPY: the value stays in `pending`, which lives until the report.
  rd_kafka_resp_err_t err = rd_kafka_producev(
      rk_, RD_KAFKA_V_TOPIC(r.topic.c_str()),
      RD_KAFKA_V_KEY(r.null_key ? nullptr : r.key.data(), r.key.size()),
      RD_KAFKA_V_VALUE(r.null_value ? nullptr : pending->value.data(), pending->value.size()),
      RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_OPAQUE(pending), RD_KAFKA_V_END);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return std::nullopt;  // headers now owned by librdkafka
  rd_kafka_headers_destroy(hdrs);
  if (err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE) log_too_large(r.topic, pending->value.size());
  delete pending;
  producer_metrics().error(rd_kafka_err2name(err));
  // A full queue is back-pressure, not a fault: the caller may answer "retry later".
  return fail(rd_kafka_err2str(err), err == RD_KAFKA_RESP_ERR__QUEUE_FULL);
}

std::optional<Error> Producer::produce_waiting(const Record& record,
                                               const DeliveryHandler& on_delivery,
                                               const std::function<bool()>& wait) {
  for (;;) {
    auto err = produce(record, on_delivery);
    if (!err || !err->retryable || !wait()) return err;
  }
}

int Producer::flush(std::chrono::milliseconds timeout) {
  rd_kafka_flush(rk_, static_cast<int>(timeout.count()));
  return rd_kafka_outq_len(rk_);
}

int Producer::queue_depth() const {
  return rd_kafka_outq_len(rk_);
}

std::optional<std::vector<std::string>> Producer::missing_topics(
    const std::vector<std::string>& topics, std::string& error) {
  const rd_kafka_metadata_t* md = nullptr;
  auto err = rd_kafka_metadata(rk_, 1, nullptr, &md, 5000);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    error = rd_kafka_err2str(err);
    return std::nullopt;
  }
  std::vector<std::string> missing;
  for (const auto& t : topics) {
    bool found = false;
    for (int i = 0; i < md->topic_cnt && !found; ++i)
      found = md->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR && t == md->topics[i].topic;
    if (!found) missing.push_back(t);
  }
  rd_kafka_metadata_destroy(md);
  return missing;
}

std::optional<Error> Producer::ensure_topics(const std::vector<std::string>& topics, int partitions,
                                             int replication, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string last_error = "no answer";
  while (std::chrono::steady_clock::now() < deadline) {
    // Only missing topics are created: clusters where the app may not create topics,
    // or that have no controller (librdkafka's mock cluster), work when they exist.
    auto missing = missing_topics(topics, last_error);
    if (missing && missing->empty()) return std::nullopt;
    std::vector<rd_kafka_NewTopic_t*> specs;
    char err[512];
    const auto limit = std::to_string(kMaxRecordBytes);
    for (const auto& t : missing ? *missing : topics) {
      auto* nt = rd_kafka_NewTopic_new(t.c_str(), partitions, replication, err, sizeof err);
      if (!nt || rd_kafka_NewTopic_set_config(nt, "max.message.bytes", limit.c_str())) {
        if (nt) rd_kafka_NewTopic_destroy(nt);
        for (auto* s : specs) rd_kafka_NewTopic_destroy(s);
        return fail("topic " + t + ": " + (nt ? "cannot set max.message.bytes" : err));
      }
      specs.push_back(nt);
    }
    rd_kafka_queue_t* q = rd_kafka_queue_new(rk_);
    rd_kafka_AdminOptions_t* opts = rd_kafka_AdminOptions_new(rk_, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_AdminOptions_set_request_timeout(opts, 5000, err, sizeof err);
    rd_kafka_CreateTopics(rk_, specs.data(), specs.size(), opts, q);
    rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 10'000);
    bool done = false;
    if (!ev) {
      last_error = "timed out";
    } else if (rd_kafka_event_error(ev)) {
      last_error = rd_kafka_event_error_string(ev);
    } else {
      size_t n = 0;
      const rd_kafka_topic_result_t** res =
          rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
      done = true;
      for (size_t i = 0; i < n; ++i) {
        auto e = rd_kafka_topic_result_error(res[i]);
        if (e == RD_KAFKA_RESP_ERR_NO_ERROR) {
          log::info("kafka topic created",
                    {{"topic", rd_kafka_topic_result_name(res[i])}, {"partitions", partitions}});
        } else if (e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
          done = false;
          last_error = std::string(rd_kafka_topic_result_name(res[i])) + ": " +
                       (rd_kafka_topic_result_error_string(res[i])
                            ? rd_kafka_topic_result_error_string(res[i])
                            : rd_kafka_err2str(e));
        }
      }
    }
    if (ev) rd_kafka_event_destroy(ev);
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_queue_destroy(q);
    for (auto* s : specs) rd_kafka_NewTopic_destroy(s);
    if (done) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return fail("could not create Kafka topics: " + last_error, true);
}

}  // namespace shopstream::kafka
