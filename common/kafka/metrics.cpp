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
      : errors_(prometheus::BuildCounter()
                    .Name("shopstream_kafka_producer_errors_total")
                    .Help("Kafka producer errors by librdkafka error name")
                    .Register(metrics::registry())),
        depth_(prometheus::BuildGauge()
                   .Name("shopstream_kafka_producer_queue_depth")
                   .Help("Records queued in the producer awaiting a broker ack")
                   .Register(metrics::registry())
                   .Add({})),
        up_(prometheus::BuildGauge()
                .Name("shopstream_kafka_reachable")
                .Help("1 when the last metadata probe reached a Kafka broker")
                .Register(metrics::registry())
                .Add({})) {}
  void error(std::string_view code) override {
    errors_.Add({{"error", std::string(code)}}).Increment();
  }
  void queue_depth(int n) override { depth_.Set(n); }
  void reachable(bool up) override { up_.Set(up ? 1 : 0); }

 private:
  prometheus::Family<prometheus::Counter>& errors_;
  prometheus::Gauge& depth_;
  prometheus::Gauge& up_;
};

}  // namespace

ProducerMetrics& producer_metrics() {
  static PrometheusProducerMetrics m;
  return m;
}

}  // namespace shopstream::kafka
