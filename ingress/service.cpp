#include "ingress/service.hpp"

#include <boost/asio/dispatch.hpp>

#include <new>

#include "common/log.hpp"
#include "common/net_addr.hpp"
#include "ingress/metrics.hpp"

namespace shopstream::ingress {
namespace net = boost::asio;
namespace http = boost::beast::http;

namespace {

void answer_unavailable(const Responder& respond, const std::string& topic, std::string_view reason,
                        std::string_view message) {
  auto res = json_response(503, "unavailable", message);
  res.set(http::field::retry_after, "5");
  if (respond(std::move(res))) {
    auto& m = IngressMetrics::get();
    m.unavailable(reason);
    m.request(topic, 503);
    m.in_flight.Decrement();
  }
}

}  // namespace

Result<std::unique_ptr<IngressService>> IngressService::start(const Settings& settings,
                                                              kafka::Producer& producer,
                                                              SecretStore secrets,
                                                              ReadyCheck ready) {
  auto hp = split_host_port(settings.ingress_addr);
  if (!hp) return fail("invalid ingress address " + settings.ingress_addr);
  if (settings.max_buffered_bytes < settings.max_body_bytes)
    return fail(
        "SHOPSTREAM_MAX_BUFFERED (--max-buffered) must be at least SHOPSTREAM_MAX_BODY "
        "(--max-body), or no webhook of the largest size could ever be received");
  std::unique_ptr<IngressService> svc;
  try {
    svc.reset(new IngressService(settings, producer, std::move(secrets), std::move(ready)));
  } catch (const std::bad_alloc&) {  // the duplicate cache's table is sized up front
    return fail("cannot allocate the duplicate cache for " +
                std::to_string(settings.dedup_capacity) +
                " webhook ids: lower SHOPSTREAM_DEDUP_CAPACITY");
  }
  if (!settings.spool_dir.empty()) {
    auto spool = Spool::open({.dir = settings.spool_dir, .max_bytes = settings.spool_max_bytes});
    if (!spool) return spool.error();
    svc->spool_ = std::move(spool.value());
    svc->spool_->drain_to(producer);
  }
  auto port = svc->server_->listen(hp->first, hp->second);
  if (!port) return port.error();
  svc->port_ = port.value();
  // Reports then reach the connections of the first thread without any hop, and the
  // others' with one, instead of two through the producer's poll thread.
  svc->deliveries_ = producer.deliver_on(svc->pool_.first());
  svc->pool_.start();
  return svc;
}

IngressService::IngressService(const Settings& settings, kafka::Producer& producer,
                               SecretStore secrets, ReadyCheck ready)
    : settings_(settings),
      producer_(producer),
      secrets_(std::make_shared<const SecretStore>(std::move(secrets))),
      ready_(std::move(ready)),
      dedup_(settings.dedup_capacity, settings.dedup_window),
      pool_(static_cast<unsigned>(settings.threads)) {
  for (std::size_t i = 0; i < pool_.size(); ++i)
    ack_deadlines_.push_back(
        std::make_unique<AckDeadlines>(pool_.next(), settings.ack_deadline, [this](AwaitingAck& a) {
          // the next webhooks go to the spool, if there is one
          if (a.kafka) producer_.mark_stalled(a.produced);
          answer_unavailable(a.respond, a.topic, "deadline",
                             "the event could not be made durable in time");
        }));
  auto& m = IngressMetrics::get();
  HttpServerOptions opts;
  opts.read_timeout = settings.read_timeout;
  opts.idle_timeout = settings.idle_timeout;
  opts.max_body_bytes = settings.max_body_bytes;
  opts.max_buffered_bytes = settings.max_buffered_bytes;
  opts.max_connections = settings.max_connections;
  opts.first_read_bytes = 16 * 1024;  // most webhooks in one read (orders run 5-20 KB)
  opts.body_padding = kJsonPadding;   // the body is parsed in place
  HttpServerHooks hooks;
  hooks.connections = [&m](int delta) { m.connections.Increment(delta); };
  hooks.connection_rejected = [&m] {
    m.connections_rejected.Increment();
    log::warn("connection refused: connection cap reached");
  };
  hooks.accept_failed = [&m] { m.accept_errors.Increment(); };
  hooks.timeout = [&m](std::string_view phase) {
    m.timeouts.Add({{"phase", std::string(phase)}}).Increment();
  };
  hooks.protocol_error = [&m](unsigned status, std::string_view code) {
    m.request("", status);
    m.rejection(code);
  };
  hooks.over_budget = [&m] {
    m.request("", 503);
    m.unavailable("buffer_full");
  };
  hooks.buffered = [&m](std::int64_t delta) {
    m.buffered_bytes.Increment(static_cast<double>(delta));  // a negative delta decrements
  };
  server_ = std::make_unique<HttpServer>(
      pool_, opts,
      [this](HttpRequest&& req, Responder r, const Executor& ex) {
        handle(std::move(req), std::move(r), ex);
      },
      std::move(hooks));
}

IngressService::~IngressService() {
  if (spool_) spool_->stop_draining();
  server_->stop();
  deliveries_.reset();  // back to the producer's poll thread, which outlives the pool
  pool_.halt();
  server_.reset();  // the acceptor, before its context; sessions go with the contexts
}

bool IngressService::stop() {
  auto deadline = std::chrono::steady_clock::now() + settings_.shutdown_timeout;
  server_->stop();
  bool drained = server_->wait_closed(settings_.shutdown_timeout);
  if (spool_) spool_->stop_draining();  // what it has not published stays for the next run
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  int queued = producer_.flush(std::max(left, std::chrono::milliseconds(0)));
  if (!drained || queued > 0)
    log::warn("shutdown incomplete",
              {{"connections_open", server_->connections()}, {"records_unflushed", queued}});
  return drained && queued == 0;
}

void IngressService::replace_secrets(SecretStore secrets) {
  secrets_.store(std::make_shared<const SecretStore>(std::move(secrets)));
}

void IngressService::handle(HttpRequest&& req, Responder respond, const Executor& ex) {
  std::string_view target(req.target().data(), req.target().size());
  auto path = target.substr(0, target.find('?'));
  const bool read_only = req.method() == http::verb::get || req.method() == http::verb::head;
  if (path == "/webhooks/shopify") {
    if (req.method() != http::verb::post) {
      auto res = json_response(405, "method_not_allowed", "use POST");
      res.set(http::field::allow, "POST");
      IngressMetrics::get().request("", 405);
      respond(std::move(res));
      return;
    }
    return handle_webhook(std::move(req), std::move(respond), ex);
  }
  if (path == "/healthz" || path == "/readyz") {
    if (!read_only) {
      auto res = json_response(405, "method_not_allowed", "use GET");
      res.set(http::field::allow, "GET, HEAD");
      respond(std::move(res));
      return;
    }
    if (path == "/healthz") return void(respond(json_response(200, "ok")));
    bool kafka = producer_.reachable();
    bool other = !ready_ || ready_();
    if (kafka && other) return void(respond(json_response(200, "ready")));
    std::string why = !kafka ? "kafka unreachable" : "a dependency is unreachable";
    if (!kafka && spool_) why += "; webhooks are answered 200 from the local spool";
    return void(respond(json_response(503, "not_ready", why)));
  }
  respond(json_response(404, "not_found", "no such path"));
}

void IngressService::handle_webhook(HttpRequest&& req, Responder respond, const Executor& ex) {
  auto& m = IngressMetrics::get();
  const auto received_at = time::now();
  const auto started = std::chrono::steady_clock::now();
  m.body_bytes.Observe(static_cast<double>(req.body().size()));

  // A Publish takes the body; the producer holds it until the delivery report.
  auto verdict =
      classify_webhook(std::move(req), *secrets_.load(), settings_.topic_prefix, received_at);
  if (auto* r = std::get_if<Rejection>(&verdict)) {
    if (r->status == 401)
      m.signature_failure(r->code);
    else
      m.rejection(r->code);
    m.request("", r->status);
    respond(json_response(r->status, r->code, r->message));
    return;
  }
  auto& p = std::get<Publish>(verdict);
  if (!p.routed) {
    m.unrouted(p.shopify_topic);
    m.request(p.shopify_topic, 200);
    respond(json_response(200, "ignored", "topic not routed by shopstream"));
    return;
  }
  std::string dedup_key;
  dedup_key.reserve(p.shop_domain.size() + 1 + p.webhook_id.size());
  dedup_key.append(p.shop_domain).append(1, '/').append(p.webhook_id);
  if (dedup_.contains(dedup_key, started)) {
    m.duplicates_suppressed.Increment();
    m.request(p.shopify_topic, 200);
    respond(json_response(200, "duplicate"));
    return;
  }
  if (!p.has_entity) m.missing_entity_id.Increment();

  m.in_flight.Increment();
  auto& deadlines = ack_deadlines(ex);
  // Kafka answers no probe, or answers but acknowledges nothing: the spool, if any.
  const bool spool = spool_ && (producer_.unreachable() || producer_.stalled());
  const auto deadline = deadlines.add({respond, p.shopify_topic, !spool, started});
  if (spool) return spool_webhook(std::move(p), std::move(dedup_key), respond, ex, deadline);
  auto on_delivery = [this, respond, &deadlines, deadline, ex, started, &m, topic = p.shopify_topic,
                      key = std::move(dedup_key)](const kafka::Delivery& d) mutable {
    if (d.ok()) {
      // Durable now, whether or not the 200 still goes out in time: either way a
      // redelivery need not be published again.
      dedup_.insert(std::move(key), std::chrono::steady_clock::now());
      m.durable_ack_seconds.Observe(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    }
    answer_handed_on(
        ex, respond, deadlines, deadline, std::move(topic), "ok", "kafka_error",
        d.ok() ? std::nullopt : std::optional("kafka did not accept the event: " + d.error()));
  };
  if (auto err = producer_.produce(std::move(p.record), std::move(on_delivery))) {
    deadlines.cancel(deadline);
    answer_unavailable(respond, p.shopify_topic, err->retryable ? "queue_full" : "kafka_error",
                       err->message);
  }
}

// Kafka is unreachable or stalled: durable in the local spool instead, published once
// Kafka acknowledges records again.
void IngressService::spool_webhook(Publish&& p, std::string dedup_key, const Responder& respond,
                                   const Executor& ex, AckDeadlines::Id deadline) {
  auto& deadlines = ack_deadlines(ex);
  auto& m = IngressMetrics::get();
  auto on_spooled = [this, respond, &deadlines, deadline, ex, &m,
                     topic = std::move(p.shopify_topic),
                     key = std::move(dedup_key)](std::optional<Error> err) mutable {
    if (!err) {
      dedup_.insert(std::move(key), std::chrono::steady_clock::now());
      m.spooled.Increment();
    }
    answer_handed_on(
        ex, respond, deadlines, deadline, std::move(topic), "spooled", "spool_error",
        err ? std::optional("kafka is not accepting events and the spool refused this one: " +
                            err->message)
            : std::nullopt);
  };
  spool_->append(std::move(p.record), std::move(on_spooled));
}

// On the connection's thread (inline when already there), where the deadline lives.
void IngressService::answer_handed_on(const Executor& ex, const Responder& respond,
                                      AckDeadlines& deadlines, AckDeadlines::Id deadline,
                                      std::string topic, std::string_view ok_status,
                                      std::string_view reason, std::optional<std::string> error) {
  net::dispatch(ex, [respond, &deadlines, deadline, topic = std::move(topic), ok_status, reason,
                     error = std::move(error)] {
    deadlines.cancel(deadline);
    if (error) return answer_unavailable(respond, topic, reason, *error);
    if (respond(json_response(200, ok_status))) {
      auto& m = IngressMetrics::get();
      m.request(topic, 200);
      m.in_flight.Decrement();
    }
  });
}

IngressService::AckDeadlines& IngressService::ack_deadlines(const Executor& ex) {
  auto& io = ex.context();
  for (auto& q : ack_deadlines_)
    if (&q->io() == &io) return *q;
  return *ack_deadlines_.front();  // not reached: every context of the pool has one
}

}  // namespace shopstream::ingress
