#pragma once
// Producer-side Kafka metrics on the process registry. Thread-safe.
#include <string_view>

namespace shopstream::kafka {

class ProducerMetrics {
 public:
  virtual ~ProducerMetrics() = default;
  virtual void error(std::string_view code) = 0;
  virtual void queue_depth(int n) = 0;
  virtual void reachable(bool up) = 0;
  virtual void stalled(std::string_view client, bool stalled) = 0;
};

ProducerMetrics& producer_metrics();

}  // namespace shopstream::kafka
