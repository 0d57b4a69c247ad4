#include "common/kafka/metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>

#include <string>

#include "common/metrics.hpp"

namespace shopstream::kafka {
namespace {

class PrometheusProducerMetrics final : public ProducerMetrics {
 public:
  PrometheusProducerMetrics()
      : errors_(metrics::counter("shopstream_kafka_producer_errors_total",
                                 "Kafka producer errors by librdkafka error name")),
        depth_(metrics::gauge("shopstream_kafka_producer_queue_depth",
                              "Records queued in the producer awaiting a broker ack")
                   .Add({})),
        up_(metrics::gauge("shopstream_kafka_reachable",
                           "1 when the last metadata probe reached a Kafka broker")
                .Add({})),
        stalled_(metrics::gauge("shopstream_kafka_stalled",
                                "1 while a producer's records go unacknowledged (timed out, or "
                                "given up on by the ingress) though Kafka may be reachable; 0 "
                                "from its next acknowledged record")) {}
  void error(std::string_view code) override {
    errors_.Add({{"error", std::string(code)}}).Increment();
  }
  void queue_depth(int n) override { depth_.Set(n); }
  void reachable(bool up) override { up_.Set(up ? 1 : 0); }
  void stalled(std::string_view client, bool stalled) override {
    stalled_.Add({{"client", std::string(client)}}).Set(stalled ? 1 : 0);
  }

 private:
  prometheus::Family<prometheus::Counter>& errors_;
  prometheus::Gauge& depth_;
  prometheus::Gauge& up_;
  prometheus::Family<prometheus::Gauge>& stalled_;
};

}  // namespace

ProducerMetrics& producer_metrics() {
  static PrometheusProducerMetrics m;
  return m;
}

}  // namespace shopstream::kafka
