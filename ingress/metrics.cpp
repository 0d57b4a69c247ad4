#include "ingress/metrics.hpp"

#include <string>
#include <unordered_map>

#include "common/metrics.hpp"

namespace shopstream::ingress {

IngressMetrics& IngressMetrics::get() {
  static IngressMetrics m;
  return m;
}

IngressMetrics::IngressMetrics()
    : body_bytes(
          metrics::histogram("shopstream_ingress_body_bytes", "Size of webhook bodies received")
              .Add({}, prometheus::Histogram::BucketBoundaries{256, 1024, 4096, 16384, 65536,
                                                               262144, 1048576, 4194304})),
      durable_ack_seconds(metrics::histogram("shopstream_ingress_durable_ack_seconds",
                                             "Time from receiving a webhook to Kafka's durable ack")
                              .Add({}, metrics::latency_buckets())),
      in_flight(metrics::gauge("shopstream_ingress_in_flight_requests",
                               "Webhooks waiting for their durable ack")
                    .Add({})),
      connections(
          metrics::gauge("shopstream_ingress_connections", "Open client connections").Add({})),
      buffered_bytes(metrics::gauge("shopstream_ingress_buffered_bytes",
                                    "Bytes of request bodies being received or awaiting their "
                                    "answer (bounded by --max-buffered)")
                         .Add({})),
      connections_rejected(
          metrics::counter("shopstream_ingress_connections_rejected_total",
                           "Connections closed at once because the cap was reached")
              .Add({})),
      accept_errors(metrics::counter("shopstream_ingress_accept_errors_total",
                                     "accept() failures (no file descriptor or memory left); "
                                     "each pauses accepting for 100 ms")
                        .Add({})),
      duplicates_suppressed(metrics::counter("shopstream_ingress_duplicates_suppressed_total",
                                             "Redeliveries of a durable webhook id answered 200 "
                                             "without publishing")
                                .Add({})),
      missing_entity_id(metrics::counter("shopstream_ingress_missing_entity_id_total",
                                         "Published webhooks whose payload lacked the entity id; "
                                         "keyed by shop alone")
                            .Add({})),
      timeouts(metrics::counter("shopstream_ingress_timeouts_total",
                                "Connections closed for a read timeout, by phase (idle, read)")),
      spooled(metrics::counter(
                  "shopstream_ingress_spooled_total",
                  "Webhooks written to the local spool while Kafka was unreachable or stalled "
                  "(answered 200)")
                  .Add({})),
      spool_published(metrics::counter("shopstream_ingress_spool_published_total",
                                       "Spooled records published to Kafka once it was back")
                          .Add({})),
      spool_damaged(metrics::counter("shopstream_ingress_spool_damaged_total",
                                     "Spool segments whose tail was torn or damaged (the "
                                     "records before it were published)")
                        .Add({})),
      spool_bytes(metrics::gauge("shopstream_ingress_spool_bytes",
                                 "Bytes in the local spool not yet published to Kafka")
                      .Add({})),
      secret_reloads(metrics::counter("shopstream_ingress_secret_reloads_total",
                                      "Reloads of the webhook secrets on SIGHUP, by result (ok; "
                                      "error: the previous secrets stay in use)")),
      shop_secrets(metrics::gauge("shopstream_ingress_shop_secrets",
                                  "Shops with webhook secrets of their own (from "
                                  "SHOPSTREAM_SHOP_SECRETS_FILE)")
                       .Add({})),
      requests_(metrics::counter("shopstream_ingress_requests_total",
                                 "Webhook requests answered, by Shopify topic and HTTP status")),
      signature_failures_(
          metrics::counter("shopstream_ingress_signature_failures_total",
                           "Webhooks refused 401, by reason (missing_hmac, invalid_hmac)")),
      rejections_(metrics::counter("shopstream_ingress_rejections_total",
                                   "Requests refused with a 4xx, by reason")),
      unavailable_(
          metrics::counter("shopstream_ingress_unavailable_total",
                           "Webhooks answered 503, by reason (deadline, kafka_error, buffer_full, "
                           "queue_full, spool_error)")),
      unrouted_(
          metrics::counter("shopstream_ingress_unrouted_total",
                           "Valid webhooks of topics shopstream does not route (answered 200, "
                           "dropped)")) {}

void IngressMetrics::request(std::string_view topic, unsigned status) {
  // Hot path: label lookups in prometheus-cpp take a lock and build a map, so each
  // thread remembers the counters it has used.
  // Looked up by the topic's view (no key to build): a topic's few statuses in a list.
  struct Hash : std::hash<std::string_view> {
    using is_transparent = void;
  };
  thread_local std::unordered_map<
      std::string, std::vector<std::pair<unsigned, prometheus::Counter*>>, Hash, std::equal_to<>>
      cache;
  auto it = cache.find(topic);
  if (it == cache.end()) it = cache.try_emplace(std::string(topic)).first;
  for (auto [s, counter] : it->second)
    if (s == status) return counter->Increment();
  auto& c = requests_.Add({{"topic", std::string(topic)}, {"status", std::to_string(status)}});
  it->second.emplace_back(status, &c);
  c.Increment();
}

void IngressMetrics::signature_failure(std::string_view reason) {
  signature_failures_.Add({{"reason", std::string(reason)}}).Increment();
}
void IngressMetrics::rejection(std::string_view reason) {
  rejections_.Add({{"reason", std::string(reason)}}).Increment();
}
void IngressMetrics::unavailable(std::string_view reason) {
  unavailable_.Add({{"reason", std::string(reason)}}).Increment();
}
void IngressMetrics::unrouted(std::string_view topic) {
  unrouted_.Add({{"topic", std::string(topic)}}).Increment();
}

}  // namespace shopstream::ingress
