#pragma once
// The ingress's metrics, on the process registry. Thread-safe.
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>

#include <string>
#include <string_view>

namespace shopstream::ingress {

class IngressMetrics {
 public:
  static IngressMetrics& get();

  // topic: the Shopify topic once the signature verified, "" before.
  void request(std::string_view topic, unsigned status);
  void signature_failure(std::string_view reason);
  void rejection(std::string_view reason);
  void unavailable(std::string_view reason);
  void unrouted(std::string_view topic);

  prometheus::Histogram& body_bytes;
  prometheus::Histogram& durable_ack_seconds;
  prometheus::Gauge& in_flight;
  prometheus::Gauge& connections;
  prometheus::Gauge& buffered_bytes;
  prometheus::Counter& connections_rejected;
  prometheus::Counter& accept_errors;
  prometheus::Counter& duplicates_suppressed;
  prometheus::Counter& missing_entity_id;
  prometheus::Family<prometheus::Counter>& timeouts;
  // The local spool (ingress/spool.hpp).
  prometheus::Counter& spooled;
  prometheus::Counter& spool_published;
  prometheus::Counter& spool_damaged;
  prometheus::Gauge& spool_bytes;
  // Secrets reloaded on SIGHUP (result: ok, error), and shops with secrets of their own.
  prometheus::Family<prometheus::Counter>& secret_reloads;
  prometheus::Gauge& shop_secrets;

 private:
  IngressMetrics();
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Counter>& signature_failures_;
  prometheus::Family<prometheus::Counter>& rejections_;
  prometheus::Family<prometheus::Counter>& unavailable_;
  prometheus::Family<prometheus::Counter>& unrouted_;
};

}  // namespace shopstream::ingress
