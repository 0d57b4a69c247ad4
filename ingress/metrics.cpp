#include "ingress/metrics.hpp"

#include <string>

#include "common/metrics.hpp"

namespace shopstream::ingress {
namespace {
using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;
auto& reg() {
  return metrics::registry();
}
}  // namespace

IngressMetrics& IngressMetrics::get() {
  static IngressMetrics m;
  return m;
}

IngressMetrics::IngressMetrics()
    : body_bytes(BuildHistogram()
                     .Name("shopstream_ingress_body_bytes")
                     .Help("Size of webhook bodies received")
                     .Register(reg())
                     .Add({}, prometheus::Histogram::BucketBoundaries{256, 1024, 4096, 16384, 65536,
                                                                      262144, 1048576, 4194304})),
      durable_ack_seconds(BuildHistogram()
                              .Name("shopstream_ingress_durable_ack_seconds")
                              .Help("Time from receiving a webhook to Kafka's durable ack")
                              .Register(reg())
                              .Add({}, metrics::latency_buckets())),
      in_flight(BuildGauge()
                    .Name("shopstream_ingress_in_flight_requests")
                    .Help("Webhooks waiting for their durable ack")
                    .Register(reg())
                    .Add({})),
      connections(BuildGauge()
                      .Name("shopstream_ingress_connections")
                      .Help("Open client connections")
                      .Register(reg())
                      .Add({})),
      connections_rejected(BuildCounter()
                               .Name("shopstream_ingress_connections_rejected_total")
                               .Help("Connections closed at once because the cap was reached")
                               .Register(reg())
                               .Add({})),
      duplicates_suppressed(BuildCounter()
                                .Name("shopstream_ingress_duplicates_suppressed_total")
                                .Help("Redeliveries of a durable webhook id answered 200 "
                                      "without publishing")
                                .Register(reg())
                                .Add({})),
      missing_entity_id(BuildCounter()
                            .Name("shopstream_ingress_missing_entity_id_total")
                            .Help("Published webhooks whose payload lacked the entity id; "
                                  "keyed by shop alone")
                            .Register(reg())
                            .Add({})),
      timeouts(BuildCounter()
                   .Name("shopstream_ingress_timeouts_total")
                   .Help("Connections closed for a read timeout, by phase (idle, read)")
                   .Register(reg())),
      requests_(BuildCounter()
                    .Name("shopstream_ingress_requests_total")
                    .Help("Webhook requests answered, by Shopify topic and HTTP status")
                    .Register(reg())),
      signature_failures_(BuildCounter()
                              .Name("shopstream_ingress_signature_failures_total")
                              .Help("Webhooks refused 401, by reason (missing_hmac, invalid_hmac)")
                              .Register(reg())),
      rejections_(BuildCounter()
                      .Name("shopstream_ingress_rejections_total")
                      .Help("Requests refused with a 4xx, by reason")
                      .Register(reg())),
      unavailable_(BuildCounter()
                       .Name("shopstream_ingress_unavailable_total")
                       .Help("Webhooks answered 503, by reason (deadline, kafka_error, "
                             "queue_full)")
                       .Register(reg())),
      unrouted_(BuildCounter()
                    .Name("shopstream_ingress_unrouted_total")
                    .Help("Valid webhooks of topics shopstream does not route (answered 200, "
                          "dropped)")
                    .Register(reg())) {}

void IngressMetrics::request(std::string_view topic, unsigned status) {
  requests_.Add({{"topic", std::string(topic)}, {"status", std::to_string(status)}}).Increment();
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
