#pragma once
// The webhook ingress: routes requests (POST /webhooks/shopify, /healthz, /readyz),
// verifies and classifies webhooks, suppresses recent duplicates, publishes to Kafka and
// answers 200 only after the durable ack, or 503 at the deadline. With a local spool,
// webhooks that arrive while Kafka is unreachable, or reachable but not acknowledging
// records (stalled), are answered 200 once spooled.
#include <atomic>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "common/config.hpp"
#include "common/http_server.hpp"
#include "common/kafka/producer.hpp"
#include "ingress/deadline_queue.hpp"
#include "ingress/dedup_cache.hpp"
#include "ingress/secrets.hpp"
#include "ingress/spool.hpp"
#include "ingress/webhook.hpp"

namespace shopstream::ingress {

class IngressService {
 public:
  // Extra readiness conditions of the process (e.g. Postgres), checked by /readyz.
  using ReadyCheck = std::function<bool()>;

  // Binds the listener and starts serving on its own threads. `producer` must outlive
  // this service's stop(); destroy the producer before the service (its last delivery
  // reports are posted to this service's threads).
  static Result<std::unique_ptr<IngressService>> start(const Settings& settings,
                                                       kafka::Producer& producer,
                                                       SecretStore secrets,
                                                       ReadyCheck ready = nullptr);
  ~IngressService();

  std::uint16_t port() const { return port_; }
  // Body bytes being received or awaiting their answer, against --max-buffered.
  std::uint64_t buffered_bytes() const { return server_->buffered_bytes(); }
  // Webhooks from now on verify against `secrets`; those being verified finish with the
  // previous ones. Thread-safe.
  void replace_secrets(SecretStore secrets);
  // Graceful: stop accepting, finish in-flight requests, flush the producer. Returns
  // false when something was still pending at the shutdown timeout. Call once.
  bool stop();

 private:
  IngressService(const Settings& settings, kafka::Producer& producer, SecretStore secrets,
                 ReadyCheck ready);
  void handle(HttpRequest&& req, Responder respond, const Executor& ex);
  void handle_webhook(HttpRequest&& req, Responder respond, const Executor& ex);

  // A webhook waiting for its durable ack, answered 503 if the ack deadline comes first.
  struct AwaitingAck {
    Responder respond;
    std::string topic;
    bool kafka;  // waiting for Kafka (not the spool): missing the deadline may mark it stalled
    std::chrono::steady_clock::time_point produced;
  };
  using AckDeadlines = DeadlineQueue<AwaitingAck>;
  AckDeadlines& ack_deadlines(const Executor& ex);  // the connection's thread's
  void spool_webhook(Publish&& p, std::string dedup_key, const Responder& respond,
                     const Executor& ex, AckDeadlines::Id deadline);
  // The answer to a webhook handed on to Kafka or to the spool, given on the connection's
  // thread: 200 {"status": ok_status} once durable, or (with `error`) 503 counted under
  // `reason`. Cancels its deadline either way.
  static void answer_handed_on(const Executor& ex, const Responder& respond,
                               AckDeadlines& deadlines, AckDeadlines::Id deadline,
                               std::string topic, std::string_view ok_status,
                               std::string_view reason, std::optional<std::string> error);

  Settings settings_;
  kafka::Producer& producer_;
  std::atomic<std::shared_ptr<const SecretStore>> secrets_;
  ReadyCheck ready_;
  DedupCache dedup_;
  IoPool pool_;
  std::vector<std::unique_ptr<AckDeadlines>> ack_deadlines_;  // one per pool thread
  std::shared_ptr<void> deliveries_;  // delivery reports served on the pool's first thread
  std::unique_ptr<Spool> spool_;      // with --spool-dir; goes before the cache and the pool
  std::unique_ptr<HttpServer> server_;
  std::uint16_t port_ = 0;
};

}  // namespace shopstream::ingress
